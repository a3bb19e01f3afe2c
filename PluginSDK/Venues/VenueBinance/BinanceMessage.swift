import VenueWire
import ArbModel
import ArbSDK

/// A depth diff (`depthUpdate`): U, u and, on futures, pu. Its levels are the parser's
/// `bids`/`asks` until the next message.
public struct BinanceDepthUpdate: Sendable, Equatable {
    public var eventTime: Int64
    public var transactionTime: Int64
    /// U
    public var firstUpdateId: UInt64
    /// u
    public var finalUpdateId: UInt64
    /// pu (USD-M futures); 0 on spot.
    public var previousFinalUpdateId: UInt64

    public init(eventTime: Int64, transactionTime: Int64, firstUpdateId: UInt64, finalUpdateId: UInt64, previousFinalUpdateId: UInt64) {
        self.eventTime = eventTime
        self.transactionTime = transactionTime
        self.firstUpdateId = firstUpdateId
        self.finalUpdateId = finalUpdateId
        self.previousFinalUpdateId = previousFinalUpdateId
    }
}

/// The best bid and offer stream (`bookTicker`).
public struct BinanceBookTicker: Sendable, Equatable {
    public var updateId: UInt64
    public var bid: ExactDecimal
    public var bidQuantity: ExactDecimal
    public var ask: ExactDecimal
    public var askQuantity: ExactDecimal
    public var eventTime: Int64
    public var transactionTime: Int64

    public init(updateId: UInt64, bid: ExactDecimal, bidQuantity: ExactDecimal, ask: ExactDecimal, askQuantity: ExactDecimal, eventTime: Int64, transactionTime: Int64) {
        self.updateId = updateId
        self.bid = bid
        self.bidQuantity = bidQuantity
        self.ask = ask
        self.askQuantity = askQuantity
        self.eventTime = eventTime
        self.transactionTime = transactionTime
    }
}

/// A public trade (`trade`).
public struct BinanceTrade: Sendable, Equatable {
    public var tradeId: UInt64
    public var price: ExactDecimal
    public var quantity: ExactDecimal
    /// The buyer was the maker: the aggressor sold.
    public var buyerIsMaker: Bool
    public var eventTime: Int64
    public var tradeTime: Int64

    public init(tradeId: UInt64, price: ExactDecimal, quantity: ExactDecimal, buyerIsMaker: Bool, eventTime: Int64, tradeTime: Int64) {
        self.tradeId = tradeId
        self.price = price
        self.quantity = quantity
        self.buyerIsMaker = buyerIsMaker
        self.eventTime = eventTime
        self.tradeTime = tradeTime
    }
}

/// A REST depth snapshot (`GET /fapi/v1/depth`, `/api/v3/depth`). Levels are the parser's.
public struct BinanceDepthSnapshot: Sendable, Equatable {
    public var lastUpdateId: UInt64
    public var eventTime: Int64
    public var transactionTime: Int64

    public init(lastUpdateId: UInt64, eventTime: Int64, transactionTime: Int64) {
        self.lastUpdateId = lastUpdateId
        self.eventTime = eventTime
        self.transactionTime = transactionTime
    }
}

public enum BinanceMessage: Sendable, Equatable {
    case depth(BinanceDepthUpdate)
    case bookTicker(BinanceBookTicker)
    case trade(BinanceTrade)
    case snapshot(BinanceDepthSnapshot)
    /// A message of a stream this parser does not read.
    case other
}

/// Parses Binance spot and USD-M stream messages (the combined-stream envelope or the bare
/// data object) and REST depth snapshots, straight from the bytes: prices and quantities become
/// exact decimals without any intermediate String or Double, and levels go into buffers that
/// keep their capacity, so parsing allocates nothing in steady state.
public struct BinanceParser {
    /// The bid levels of the last depth message or snapshot, in message order.
    public private(set) var bids: ContiguousArray<arb_book_level_t> = []
    public private(set) var asks: ContiguousArray<arb_book_level_t> = []

    public init() {
        bids.reserveCapacity(1024)
        asks.reserveCapacity(1024)
    }

    /// Parses one message; nil if it is malformed.
    public mutating func parse(_ json: UnsafeRawBufferPointer) -> BinanceMessage? {
        var scanner = JSONScanner(json)
        var first = true
        while let key = scanner.nextKey(first: &first) {
            if scanner.equals(key, "data") {
                return parseData(&scanner)
            } else if scanner.equals(key, "lastUpdateId") {
                return parseSnapshot(&scanner)
            } else {
                scanner.skipValue()
            }
            if scanner.failed { return nil }
        }
        return nil
    }

    private enum Kind { case unknown, depth, trade, bookTicker }

    private mutating func parseData(_ s: inout JSONScanner) -> BinanceMessage? {
        var kind = Kind.unknown
        var E: Int64 = 0, T: Int64 = 0
        var U: UInt64 = 0, u: UInt64 = 0, pu: UInt64 = 0, t: UInt64 = 0
        var b: Range<Int>?, B: Range<Int>?, a: Range<Int>?, A: Range<Int>?, p: Range<Int>?, q: Range<Int>?
        var m = false
        var sawU = false
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        var first = true
        while let key = s.nextKey(first: &first) {
            // One- and two-byte keys: dispatch on the bytes.
            let k0 = s.base[key.lowerBound]
            if key.count == 1 {
                switch k0 {
                case UInt8(ascii: "e"):
                    guard let v = s.string() else { return nil }
                    if s.equals(v, "depthUpdate") { kind = .depth }
                    else if s.equals(v, "trade") { kind = .trade }
                    else if s.equals(v, "bookTicker") { kind = .bookTicker }
                    else { return .other }
                case UInt8(ascii: "E"): E = s.value().flatMap(s.integer) ?? 0
                case UInt8(ascii: "T"): T = s.value().flatMap(s.integer) ?? 0
                case UInt8(ascii: "U"): U = UInt64(s.value().flatMap(s.integer) ?? 0)
                case UInt8(ascii: "u"):
                    u = UInt64(s.value().flatMap(s.integer) ?? 0)
                    sawU = true
                case UInt8(ascii: "t"): t = UInt64(s.value().flatMap(s.integer) ?? 0)
                case UInt8(ascii: "b"):
                    s.skipSpace()
                    if s.current == UInt8(ascii: "[") {
                        guard parseLevels(&s, into: &bids) else { return nil }
                    } else {
                        b = s.value()
                    }
                case UInt8(ascii: "a"):
                    s.skipSpace()
                    if s.current == UInt8(ascii: "[") {
                        guard parseLevels(&s, into: &asks) else { return nil }
                    } else {
                        a = s.value()
                    }
                case UInt8(ascii: "B"): B = s.value()
                case UInt8(ascii: "A"): A = s.value()
                case UInt8(ascii: "p"): p = s.value()
                case UInt8(ascii: "q"): q = s.value()
                case UInt8(ascii: "m"):
                    if let v = s.scalar() { m = s.equals(v, "true") }
                default: s.skipValue()
                }
            } else if s.equals(key, "pu") {
                pu = UInt64(s.value().flatMap(s.integer) ?? 0)
            } else {
                s.skipValue()
            }
            if s.failed { return nil }
        }
        if s.failed { return nil }
        // Spot bookTicker messages carry no "e".
        if kind == .unknown, sawU, b != nil, a != nil { kind = .bookTicker }
        switch kind {
        case .depth:
            return .depth(BinanceDepthUpdate(eventTime: E, transactionTime: T, firstUpdateId: U, finalUpdateId: u,
                                             previousFinalUpdateId: pu))
        case .bookTicker:
            guard let b, let B, let a, let A, let bid = s.decimal(b), let bidQuantity = s.decimal(B),
                  let ask = s.decimal(a), let askQuantity = s.decimal(A) else { return nil }
            return .bookTicker(BinanceBookTicker(updateId: u, bid: bid, bidQuantity: bidQuantity, ask: ask,
                                                 askQuantity: askQuantity, eventTime: E, transactionTime: T))
        case .trade:
            guard let p, let q, let price = s.decimal(p), let quantity = s.decimal(q) else { return nil }
            return .trade(BinanceTrade(tradeId: t, price: price, quantity: quantity, buyerIsMaker: m, eventTime: E,
                                       tradeTime: T))
        case .unknown:
            return .other
        }
    }

    private mutating func parseSnapshot(_ s: inout JSONScanner) -> BinanceMessage? {
        guard let id = s.value().flatMap(s.integer) else { return nil }
        var E: Int64 = 0, T: Int64 = 0
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        var first = false
        while let key = s.nextKey(first: &first) {
            if s.equals(key, "bids") {
                guard parseLevels(&s, into: &bids) else { return nil }
            } else if s.equals(key, "asks") {
                guard parseLevels(&s, into: &asks) else { return nil }
            } else if s.equals(key, "E") {
                E = s.value().flatMap(s.integer) ?? 0
            } else if s.equals(key, "T") {
                T = s.value().flatMap(s.integer) ?? 0
            } else {
                s.skipValue()
            }
            if s.failed { return nil }
        }
        return .snapshot(BinanceDepthSnapshot(lastUpdateId: UInt64(id), eventTime: E, transactionTime: T))
    }

    /// `[["61800.20","2.507"], …]`
    private func parseLevels(_ s: inout JSONScanner, into levels: inout ContiguousArray<arb_book_level_t>) -> Bool {
        guard s.expect(UInt8(ascii: "[")) else { return false }
        if s.take(UInt8(ascii: "]")) { return true }
        repeat {
            guard s.expect(UInt8(ascii: "[")), let p = s.value(), s.expect(UInt8(ascii: ",")), let q = s.value() else {
                return false
            }
            // Extra fields of a level (none on Binance today) are skipped.
            while s.take(UInt8(ascii: ",")) { s.skipValue() }
            guard s.expect(UInt8(ascii: "]")), let price = s.decimal(p), let quantity = s.decimal(q) else { return false }
            levels.append(arb_book_level_t(price: price.cValue, quantity: quantity.cValue))
        } while s.take(UInt8(ascii: ","))
        return s.expect(UInt8(ascii: "]"))
    }
}
