import ArbSDK
import PluginKit

/// One price level.
public struct BookLevel: Hashable, Sendable {
    public var price: ExactDecimal
    public var quantity: ExactDecimal

    public init(price: ExactDecimal, quantity: ExactDecimal) {
        self.price = price
        self.quantity = quantity
    }

    init(_ c: arb_book_level_t) {
        self.init(price: ExactDecimal(c.price), quantity: ExactDecimal(c.quantity))
    }

    var cValue: arb_book_level_t { arb_book_level_t(price: price.cValue, quantity: quantity.cValue) }
}

/// A local order book built from a snapshot plus deltas (the seed's OrderBook).
///
/// Levels are kept sorted best first in arrays that keep their capacity, so applying an update
/// allocates nothing once the book has reached its usual depth. The book checks the generic
/// invariants (sequence increasing, never crossed); the venue's own sequence rules are checked
/// where its messages are parsed, before anything reaches the host.
public struct OrderBook: Sendable {
    public let instrument: InstrumentId
    /// Levels stored worst first: most updates land near the top of a book, which is then the
    /// end of the array, so they shift nothing.
    private(set) var bidsWorstFirst: ContiguousArray<BookLevel> = []
    private(set) var asksWorstFirst: ContiguousArray<BookLevel> = []
    /// Bids, best (highest) first (a copy).
    public var bids: ContiguousArray<BookLevel> { ContiguousArray(bidsWorstFirst.reversed()) }
    /// Asks, best (lowest) first (a copy).
    public var asks: ContiguousArray<BookLevel> { ContiguousArray(asksWorstFirst.reversed()) }
    /// The last applied venue sequence number.
    public private(set) var sequence: UInt64 = 0
    public private(set) var tsEvent: Int64 = 0
    /// True once a snapshot has been applied and until a gap is reported.
    public private(set) var isValid = false
    /// Why the book is not valid, when it is not.
    public private(set) var staleReason: StaleReason = .noSnapshot

    public enum StaleReason: Sendable, Equatable {
        case noSnapshot
        case gapReported(expected: UInt64, received: UInt64)
        case sequenceWentBack(last: UInt64, received: UInt64)
        case crossed
    }

    public enum Outcome: Equatable { case applied, ignoredStale, invalidated }

    public init(instrument: InstrumentId) {
        self.instrument = instrument
        bidsWorstFirst.reserveCapacity(64)
        asksWorstFirst.reserveCapacity(64)
    }

    public var bestBid: BookLevel? { bidsWorstFirst.last }
    public var bestAsk: BookLevel? { asksWorstFirst.last }

    /// The i-th level of a side, best first, without copying.
    func level(_ i: Int, bid: Bool) -> BookLevel {
        bid ? bidsWorstFirst[bidsWorstFirst.count - 1 - i] : asksWorstFirst[asksWorstFirst.count - 1 - i]
    }

    func depth(bid: Bool) -> Int { bid ? bidsWorstFirst.count : asksWorstFirst.count }

    /// Applies a snapshot or a delta from an adapter.
    public mutating func apply(_ update: arb_book_update_t) -> Outcome {
        if update.is_snapshot != 0 {
            bidsWorstFirst.removeAll(keepingCapacity: true)
            asksWorstFirst.removeAll(keepingCapacity: true)
            isValid = true
        } else {
            guard isValid else { return .ignoredStale }
            if update.last_sequence != 0 && update.last_sequence < sequence {
                invalidate(.sequenceWentBack(last: sequence, received: update.last_sequence))
                return .invalidated
            }
        }
        for i in 0..<update.bid_count { set(BookLevel(update.bids[i]), bid: true) }
        for i in 0..<update.ask_count { set(BookLevel(update.asks[i]), bid: false) }
        if update.last_sequence != 0 { sequence = update.last_sequence }
        tsEvent = update.ts_event
        if let bid = bestBid, let ask = bestAsk, bid.price >= ask.price {
            invalidate(.crossed)
            return .invalidated
        }
        return .applied
    }

    /// Marks the book wrong until the next snapshot.
    public mutating func invalidate(_ reason: StaleReason) {
        isValid = false
        staleReason = reason
    }

    /// Sets, replaces or (quantity 0) removes one level.
    mutating func set(_ level: BookLevel, bid: Bool) {
        if bid {
            Self.set(level, in: &bidsWorstFirst, before: <)
        } else {
            Self.set(level, in: &asksWorstFirst, before: >)
        }
    }

    @inline(__always)
    private static func set(_ level: BookLevel, in side: inout ContiguousArray<BookLevel>,
                            before: (ExactDecimal, ExactDecimal) -> Bool) {
        // Binary search (worst-first order) for the first level not before `level.price`.
        var low = 0, high = side.count
        while low < high {
            let mid = (low + high) / 2
            if before(side[mid].price, level.price) { low = mid + 1 } else { high = mid }
        }
        let exists = low < side.count && side[low].price == level.price
        if level.quantity.isZero {
            if exists { side.remove(at: low) }
        } else if exists {
            side[low].quantity = level.quantity
        } else {
            side.insert(level, at: low)
        }
    }
}
