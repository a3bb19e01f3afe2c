import ArbBook
import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbSDK
import ArbTrading
import Foundation

/// Watches what the engine processes during a replay: counts for the summary, and a digest of
/// every processed event, order and fill, in order.
///
/// The digest hashes the meaning of each event (instrument, sequence, prices, quantities,
/// statuses, times), never raw struct bytes (padding is not deterministic) and never the input
/// files or the configuration: two runs that do the same work print the same digest, and a
/// changed quote or parameter that changes the work changes it.
public final class ReplayRecorder: @unchecked Sendable {
    public private(set) var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    public private(set) var bookEvents = 0
    public private(set) var trades = 0
    public private(set) var orders = 0
    public private(set) var fills = 0
    public private(set) var rejections = 0
    public private(set) var fundingPayments = 0
    public private(set) var fees: [String: ExactDecimal] = [:]
    public private(set) var fundingAmounts: [String: ExactDecimal] = [:]
    public private(set) var traded: [String: ExactDecimal] = [:]
    /// Net position per venue:symbol, from fills (signed, base units).
    public private(set) var positions: [String: ExactDecimal] = [:]
    /// Position, entry, realised PnL, fees and funding per instrument.
    public private(set) var ledgers: [InstrumentId: InstrumentLedger] = [:]
    private let engine: Engine
    private let market: MarketDataService

    public init(engine: Engine, market: MarketDataService) {
        self.engine = engine
        self.market = market
        for type in EventType.allCases {
            engine.router.registerHandler(type) { [unowned self] event in record(event) }
        }
    }

    @inline(__always)
    private func mix(_ value: UInt64) {
        var v = value
        for _ in 0..<8 {
            digest = (digest ^ (v & 0xff)) &* 0x100_0000_01b3
            v >>= 8
        }
    }

    @inline(__always)
    private func mix(_ d: arb_decimal_t) {
        mix(d.lo)
        mix(UInt64(bitPattern: d.hi))
    }

    private func mix(_ s: arb_str_t) {
        for b in s.bytes { digest = (digest ^ UInt64(b)) &* 0x100_0000_01b3 }
        mix(UInt64(s.len))
    }

    private func record(_ event: Event) {
        mix(UInt64(event.type.rawValue))
        mix(UInt64(bitPattern: event.timestamp))
        switch event.payload {
        case .book(let p):
            bookEvents += 1
            let e = p.pointee
            mix(UInt64(e.instrument))
            mix(e.sequence)
            mix(e.best_bid)
            mix(e.best_bid_quantity)
            mix(e.best_ask)
            mix(e.best_ask_quantity)
        case .trade(let p):
            trades += 1
            mix(p.pointee.price)
            mix(p.pointee.quantity)
            mix(p.pointee.trade_id)
        case .order(let p):
            let o = p.pointee
            if event.type == .orderCreated && o.status == ARB_ORDER_PENDING { orders += 1 }
            if o.status == ARB_ORDER_REJECTED { rejections += 1 }
            mix(o.order_id)
            mix(UInt64(o.instrument))
            mix(UInt64(bitPattern: Int64(o.side)))
            mix(UInt64(o.status))
            mix(o.filled_quantity)
            mix(o.price)
            mix(o.quantity)
        case .fill(let p):
            fills += 1
            let f = p.pointee
            mix(f.order_id)
            mix(UInt64(f.instrument))
            mix(UInt64(bitPattern: Int64(f.side)))
            mix(f.price)
            mix(f.quantity)
            mix(f.fee)
            let currency = String(f.fee_currency)
            let key = venueSymbol(f.instrument)
            let price = ExactDecimal(f.price), quantity = ExactDecimal(f.quantity)
            fees[currency] = (try? (fees[currency] ?? .zero).adding(ExactDecimal(f.fee))) ?? fees[currency]
            if let notional = try? price.multiplied(by: quantity, rounding: .halfEven) {
                traded[key] = (try? (traded[key] ?? .zero).adding(notional)) ?? traded[key]
            }
            let signed = f.side == ARB_SIDE_BUY ? quantity : ((try? quantity.negated()) ?? .zero)
            positions[key] = (try? (positions[key] ?? .zero).adding(signed)) ?? positions[key]
            let id = InstrumentId(rawValue: f.instrument)
            var ledger = ledgers[id] ?? InstrumentLedger()
            do {
                try ledger.fill(buy: f.side == ARB_SIDE_BUY, price: price, quantity: quantity, fee: ExactDecimal(f.fee),
                                feeCurrency: currency)
                ledgers[id] = ledger
            } catch {
                engine.logger.warning("replay ledger: \(key) overflowed booking a fill (\(error)); its PnL is left out")
            }
        case .fundingPayment(let p):
            fundingPayments += 1
            mix(p.pointee.amount)
            let currency = String(p.pointee.currency)
            fundingAmounts[currency] = (try? (fundingAmounts[currency] ?? .zero).adding(ExactDecimal(p.pointee.amount))) ?? fundingAmounts[currency]
            let id = InstrumentId(rawValue: p.pointee.instrument)
            var ledger = ledgers[id] ?? InstrumentLedger()
            if (try? ledger.fundingPayment(ExactDecimal(p.pointee.amount))) != nil { ledgers[id] = ledger }
        case .actionResult(let p):
            mix(p.pointee.action_id)
            mix(UInt64(p.pointee.outcome))
        case .position(let p):
            mix(p.pointee.quantity)
        case .balance(let p):
            mix(p.pointee.total)
        default:
            break
        }
    }

    /// Each traded instrument's ledger with its venue, symbol and mark (its last trade price,
    /// else the mid of its valid book: `latestPrice`), read on the engine thread.
    public func instrumentResults() -> [(venue: String, symbol: String, ledger: InstrumentLedger, mark: ExactDecimal?)] {
        let ledgers = ledgers
        return engine.perform { engine in
            ledgers.compactMap { id, ledger in
                engine.instruments.instrument(id).map { ($0.venue, $0.symbol, ledger, self.market.latestPrice(id)) }
            }.sorted { ($0.venue, $0.symbol) < ($1.venue, $1.symbol) }
        }
    }

    private func venueSymbol(_ id: arb_instrument_id_t) -> String {
        engine.instruments.instrument(InstrumentId(rawValue: id)).map { "\($0.venue):\($0.symbol)" } ?? "#\(id)"
    }

    public var digestHex: String {
        let hex = String(digest, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
