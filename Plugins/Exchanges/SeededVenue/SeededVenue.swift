import Glibc
import PluginKit
import Synchronization

/// A simulated venue driven by a seeded random walk: perpetual books, trades and funding, and
/// a simple paper fill model (market orders and marketable limits take the best price; resting
/// limits fill when the market crosses them). Live, it runs its own thread on wall time;
/// in replay the engine steps it on event time. The full paper matching engine and replay of
/// recorded data come with the market/sim issue.
final class SeededVenue: ExchangeAdapter, @unchecked Sendable {
    static let descriptor = PluginDescriptor(
        id: "org.arbhost.exchange.seeded", name: "Seeded venue", version: "1.0.0",
        summary: "Simulated perpetual venue from a seeded random walk, with paper fills")
    static let capabilities: ExchangeCapabilities = [.amend, .stepMode, .funding]
    static var settings: [ParameterSpec] {
        [
            ParameterSpec("seed", .int, default: "1", "market seed: venues with the same seed share the mid's walk"),
            ParameterSpec("venue_seed", .int, default: "0", "this venue's noise, spread and sizes; 0: same as seed"),
            ParameterSpec("basis_ticks", .int, default: "0", "this venue's constant price offset, in ticks"),
            ParameterSpec("symbols", .string, default: "BTCUSDT", "comma-separated perpetual symbols"),
            ParameterSpec("start_price", .decimal, default: "60000", min: ExactDecimal(units: 1), "first mid price"),
            ParameterSpec("tick_size", .decimal, default: "0.1", min: ExactDecimal(units: 1), "price increment"),
            ParameterSpec("lot_size", .decimal, default: "0.001", min: ExactDecimal(units: 1), "quantity increment"),
            ParameterSpec("depth", .int, default: "10", min: ExactDecimal(1), max: ExactDecimal(500), "levels per side"),
            ParameterSpec("interval", .duration, default: "100ms", min: ExactDecimal(0), "time between market updates"),
            ParameterSpec("max_updates", .int, default: "0", min: ExactDecimal(0), "stop after this many updates; 0 never"),
            ParameterSpec("start_time", .int, default: "1704067200000000000", "first event time in replay (ns)"),
            ParameterSpec("taker_fee", .decimal, default: "0.0004", "fee rate for taking liquidity"),
            ParameterSpec("maker_fee", .decimal, default: "0.0002", "fee rate for resting orders that fill"),
            ParameterSpec("funding_rate", .decimal, default: "0.0001", "funding rate per interval"),
            ParameterSpec("funding_interval", .duration, default: "8h", "funding interval"),
        ]
    }

    struct PaperOrder {
        let clientOrderId: String
        let venueOrderId: String
        let instrument: InstrumentHandle
        let side: arb_side_t
        let type: arb_order_type_t
        let timeInForce: arb_time_in_force_t
        var price: ExactDecimal
        var quantity: ExactDecimal
    }

    struct State {
        var rng: SplitMix64
        var venueRng: SplitMix64
        var markets: [SeededMarket] = []
        var orders: [PaperOrder] = []
        var nextVenueOrderId = 1
        var nextTradeId = 1
        var updates = 0
        var nextTime: Int64 = 0
        var connected = false
    }

    let host: ExchangeHost
    let name: String
    let symbols: [String]
    let startPrice: ExactDecimal
    let tick: ExactDecimal
    let lot: ExactDecimal
    let depth: Int
    let interval: Int64
    let maxUpdates: Int
    let takerFee: ExactDecimal
    let makerFee: ExactDecimal
    let fundingRate: ExactDecimal
    let fundingInterval: Int64
    let basisTicks: Int64
    let state: Mutex<State>
    private let running = Atomic<Bool>(false)
    private var thread: pthread_t?

    init(host: ExchangeHost, name: String, settings: ParameterValues) throws {
        self.host = host
        self.name = name
        symbols = try settings.string("symbols").split(separator: ",").map { $0.trimmingSpaces }
        guard !symbols.isEmpty else { throw ParameterProblem("symbols", "needs at least one symbol") }
        startPrice = try settings.decimal("start_price")
        tick = try settings.decimal("tick_size")
        lot = try settings.decimal("lot_size")
        depth = Int(try settings.int("depth"))
        interval = try settings.duration("interval")
        maxUpdates = Int(try settings.int("max_updates"))
        takerFee = try settings.decimal("taker_fee")
        makerFee = try settings.decimal("maker_fee")
        fundingRate = try settings.decimal("funding_rate")
        fundingInterval = try settings.duration("funding_interval")
        basisTicks = try settings.int("basis_ticks")
        let seed = try settings.int("seed"), venueSeed = try settings.int("venue_seed")
        var s = State(rng: SplitMix64(seed: UInt64(bitPattern: seed)),
                      venueRng: SplitMix64(seed: UInt64(bitPattern: venueSeed == 0 ? seed : venueSeed) ^ 0x5EED))
        s.nextTime = host.isReplay ? try settings.int("start_time") : 0
        state = Mutex(s)
        guard interval > 0 || host.isReplay || maxUpdates > 0 else {
            throw ParameterProblem("interval", "must be > 0 when running live without max_updates")
        }
    }

    func connect() throws {
        let midTicks = try startPrice.divided(by: tick, rounding: .halfEven).rounded(places: 0, rounding: .halfEven)
        let mid = Int64(midTicks.units / ExactDecimal.one.units)
        var markets: [SeededMarket] = []
        for symbol in symbols {
            let id = try host.instrument(symbol: symbol, kind: .perpetual)
            markets.append(SeededMarket(instrument: id, symbol: symbol, tick: tick, lot: lot, depth: depth, midTicks: mid,
                                         basisTicks: basisTicks))
        }
        state.withLock {
            $0.markets = markets
            $0.connected = true
        }
        host.reportConnection(ARB_CONNECTION_CONNECTED, "seeded, \(symbols.count) symbol(s)")
        guard !host.isReplay else { return }
        running.store(true, ordering: .releasing)
        var t = pthread_t()
        let box = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&t, nil, { arg in
            let venue = Unmanaged<SeededVenue>.fromOpaque(arg!).takeRetainedValue()
            venue.runLive()
            return nil
        }, box)
        thread = t
    }

    func disconnect() {
        if let t = thread {
            running.store(false, ordering: .releasing)
            pthread_join(t, nil)
            thread = nil
        }
        state.withLock { $0.connected = false }
        host.reportConnection(ARB_CONNECTION_DISCONNECTED, "disconnected")
    }

    private func runLive() {
        var due = host.now + interval
        while running.load(ordering: .acquiring) {
            // Sleep in short slices so that disconnect never waits for a long interval.
            let left = due - host.now
            if left > 0 {
                usleep(useconds_t(min(left, 20_000_000) / 1000 + 1))
                continue
            }
            due += max(interval, 1)
            let done = state.withLock { s -> Bool in
                step(&s, at: host.now)
                return maxUpdates > 0 && s.updates >= maxUpdates
            }
            if done { break }
        }
    }

    // MARK: Step mode

    func nextEventTime() -> Int64? {
        state.withLock { s in
            guard s.connected, maxUpdates == 0 || s.updates < maxUpdates else { return nil }
            return s.nextTime
        }
    }

    func advance(to time: Int64) {
        state.withLock { s in
            while s.connected && s.nextTime <= time && (maxUpdates == 0 || s.updates < maxUpdates) {
                step(&s, at: s.nextTime)
                s.nextTime += max(interval, 1)
            }
        }
    }

    // MARK: The market

    private func step(_ s: inout State, at now: Int64) {
        s.updates += 1
        for m in s.markets.indices {
            let (bids, asks) = s.markets[m].step(market: &s.rng, venue: &s.venueRng)
            let market = s.markets[m]
            if market.subscribedBook {
                bids.withUnsafeBufferPointer { b in
                    asks.withUnsafeBufferPointer { a in
                        host.emitBook(instrument: market.instrument, isSnapshot: false, sequence: market.sequence,
                                      previousSequence: market.sequence - 1, tsEvent: now, tsInit: now, bids: b, asks: a)
                    }
                }
            }
            if market.subscribedTrades && s.venueRng.next() % 3 == 0 {
                let buy = s.venueRng.next() % 2 == 0
                let price = market.price(buy ? market.bestAskTicks : market.bestBidTicks)
                let quantity = market.quantity(Int64(1 + s.venueRng.next() % 20))
                let tradeId = String(s.nextTradeId)
                s.nextTradeId += 1
                tradeId.withArbStr { id in
                    host.emit(trade: arb_trade_t(struct_size: structSize(arb_trade_t.self), instrument: market.instrument.rawValue,
                                                 trade_id: id, aggressor_side: buy ? ARB_SIDE_BUY : ARB_SIDE_SELL,
                                                 price: price.cValue, quantity: quantity.cValue, ts_event: now, ts_init: now))
                }
            }
            if market.subscribedFunding && s.updates % 10 == 1 { emitFunding(market, now: now) }
        }
        matchRestingOrders(&s, now: now)
    }

    private func emitFunding(_ market: SeededMarket, now: Int64, request: UInt64 = 0) {
        let mark = market.price(market.midTicks)
        let next = (now / fundingInterval + 1) * fundingInterval
        host.emit(funding: arb_funding_rate_t(
            struct_size: structSize(arb_funding_rate_t.self), instrument: market.instrument.rawValue, rate: fundingRate.cValue,
            has_predicted_rate: 1, predicted_rate: fundingRate.cValue, mark_price: mark.cValue, index_price: mark.cValue,
            next_funding_time_ns: next, funding_interval_ns: fundingInterval, rate_cap: arb_decimal_t(),
            rate_floor: arb_decimal_t(), ts_event: now, ts_init: now), request: request)
    }

    // MARK: Requests

    func getSymbols(request: UInt64) throws(HostError) {
        let markets = state.withLock { $0.markets }
        for m in markets {
            "BTC".withArbStr { base in
                "USDT".withArbStr { quote in
                    var spec = arb_instrument_spec_t()
                    spec.struct_size = structSize(arb_instrument_spec_t.self)
                    spec.instrument = m.instrument.rawValue
                    spec.base = base
                    spec.quote = quote
                    spec.settle = quote
                    spec.tick_size = tick.cValue
                    spec.lot_size = lot.cValue
                    spec.min_quantity = lot.cValue
                    spec.contract_size = ExactDecimal.one.cValue
                    spec.funding_interval_ns = fundingInterval
                    spec.maker_fee = makerFee.cValue
                    spec.taker_fee = takerFee.cValue
                    host.emit(spec: spec, request: request)
                }
            }
        }
        host.requestDone(request, ARB_OUTCOME_ACCEPTED)
    }

    func subscribe(request: UInt64, instrument: InstrumentHandle, channel: arb_channel_t) throws(HostError) {
        let found = state.withLock { s -> Bool in
            guard let m = s.markets.firstIndex(where: { $0.instrument == instrument }) else { return false }
            switch channel {
            case ARB_CHANNEL_BOOK:
                s.markets[m].subscribedBook = true
                let market = s.markets[m]
                let (bids, asks) = market.snapshot()
                let now = host.isReplay ? s.nextTime : host.now
                bids.withUnsafeBufferPointer { b in
                    asks.withUnsafeBufferPointer { a in
                        host.emitBook(request: request, instrument: instrument, isSnapshot: true, sequence: market.sequence,
                                      tsEvent: now, tsInit: now, bids: b, asks: a)
                    }
                }
            case ARB_CHANNEL_TRADES: s.markets[m].subscribedTrades = true
            case ARB_CHANNEL_FUNDING:
                s.markets[m].subscribedFunding = true
                emitFunding(s.markets[m], now: host.isReplay ? s.nextTime : host.now, request: request)
            default: break
            }
            return true
        }
        guard found else { throw .notFound }
        host.requestDone(request, ARB_OUTCOME_ACCEPTED)
    }

    func createOrder(request: UInt64, order: UnsafePointer<arb_order_request_t>) throws(HostError) {
        let o = order.pointee
        let clientOrderId = String(o.client_order_id)
        state.withLock { s in
            let now = host.isReplay ? s.nextTime : host.now
            guard let m = s.markets.firstIndex(where: { $0.instrument.rawValue == o.instrument }) else {
                host.requestDone(request, ARB_OUTCOME_REJECTED, code: -1121, message: "unknown instrument")
                return
            }
            let quantity = ExactDecimal(o.quantity), price = ExactDecimal(o.price)
            guard isMultiple(quantity, of: lot), o.type == ARB_ORDER_MARKET || isMultiple(price, of: tick) else {
                host.requestDone(request, ARB_OUTCOME_REJECTED, code: -1013,
                                 message: "price must be a multiple of \(tick) and quantity of \(lot)")
                return
            }
            guard !s.orders.contains(where: { $0.clientOrderId == clientOrderId }) else {
                host.requestDone(request, ARB_OUTCOME_REJECTED, code: -2010, message: "duplicate client order id")
                return
            }
            let paper = PaperOrder(clientOrderId: clientOrderId, venueOrderId: "S\(s.nextVenueOrderId)",
                                   instrument: s.markets[m].instrument, side: o.side, type: o.type,
                                   timeInForce: o.time_in_force, price: price, quantity: quantity)
            s.nextVenueOrderId += 1
            host.requestDone(request, ARB_OUTCOME_ACCEPTED)
            let market = s.markets[m]
            let best = market.price(o.side == ARB_SIDE_BUY ? market.bestAskTicks : market.bestBidTicks)
            let marketable = o.type == ARB_ORDER_MARKET || (o.side == ARB_SIDE_BUY ? price >= best : price <= best)
            if marketable && o.time_in_force == ARB_TIF_POST_ONLY {
                emitOrder(paper, status: ARB_ORDER_REJECTED, filled: .zero, average: .zero, fee: .zero, now: now,
                          reason: "post-only order would take liquidity")
            } else if marketable {
                fill(paper, at: best, fee: takerFee, liquidity: ARB_LIQUIDITY_TAKER, now: now, s: &s)
            } else if o.time_in_force == ARB_TIF_IOC || o.time_in_force == ARB_TIF_FOK {
                emitOrder(paper, status: ARB_ORDER_EXPIRED, filled: .zero, average: .zero, fee: .zero, now: now,
                          reason: "not marketable")
            } else {
                s.orders.append(paper)
                emitOrder(paper, status: ARB_ORDER_OPEN, filled: .zero, average: .zero, fee: .zero, now: now, reason: "")
            }
        }
    }

    func cancelOrder(request: UInt64, order: UnsafePointer<arb_order_ref_t>) throws(HostError) {
        let clientOrderId = String(order.pointee.client_order_id)
        state.withLock { s in
            guard let i = s.orders.firstIndex(where: { $0.clientOrderId == clientOrderId }) else {
                host.requestDone(request, ARB_OUTCOME_REJECTED, code: -2011, message: "unknown order (already filled or cancelled?)")
                return
            }
            let paper = s.orders.remove(at: i)
            host.requestDone(request, ARB_OUTCOME_ACCEPTED)
            emitOrder(paper, status: ARB_ORDER_CANCELLED, filled: .zero, average: .zero, fee: .zero,
                      now: host.isReplay ? s.nextTime : host.now, reason: "cancelled by request")
        }
    }

    func amendOrder(request: UInt64, order: UnsafePointer<arb_order_ref_t>, price: ExactDecimal,
                    quantity: ExactDecimal) throws(HostError) {
        let clientOrderId = String(order.pointee.client_order_id)
        state.withLock { s in
            guard let i = s.orders.firstIndex(where: { $0.clientOrderId == clientOrderId }) else {
                host.requestDone(request, ARB_OUTCOME_REJECTED, code: -2011, message: "unknown order")
                return
            }
            guard isMultiple(price, of: tick), isMultiple(quantity, of: lot) else {
                host.requestDone(request, ARB_OUTCOME_REJECTED, code: -1013, message: "price or quantity off the grid")
                return
            }
            s.orders[i].price = price
            s.orders[i].quantity = quantity
            host.requestDone(request, ARB_OUTCOME_ACCEPTED)
            emitOrder(s.orders[i], status: ARB_ORDER_OPEN, filled: .zero, average: .zero, fee: .zero,
                      now: host.isReplay ? s.nextTime : host.now, reason: "amended")
        }
    }

    func getServerTime(request: UInt64) throws(HostError) {
        host.requestDone(request, ARB_OUTCOME_ACCEPTED, message: String(host.now))
    }

    // MARK: Paper fills

    private func matchRestingOrders(_ s: inout State, now: Int64) {
        var i = 0
        while i < s.orders.count {
            let o = s.orders[i]
            guard let market = s.markets.first(where: { $0.instrument == o.instrument }) else { i += 1; continue }
            let crossed = o.side == ARB_SIDE_BUY ? market.price(market.bestAskTicks) <= o.price
                                                 : market.price(market.bestBidTicks) >= o.price
            if crossed {
                s.orders.remove(at: i)
                fill(o, at: o.price, fee: makerFee, liquidity: ARB_LIQUIDITY_MAKER, now: now, s: &s)
            } else {
                i += 1
            }
        }
    }

    private func fill(_ o: PaperOrder, at price: ExactDecimal, fee rate: ExactDecimal, liquidity: arb_liquidity_t,
                      now: Int64, s: inout State) {
        // Fee on the notional, rounded per fill to 8 places of USDT, as venues book it.
        let notional = (try? price.multiplied(by: o.quantity, rounding: .halfEven)) ?? .zero
        let fee = (try? notional.multiplied(by: rate, rounding: .halfEven).rounded(places: 8, rounding: .halfEven)) ?? .zero
        let tradeId = "T\(s.nextTradeId)"
        s.nextTradeId += 1
        o.clientOrderId.withArbStr { cid in
            o.venueOrderId.withArbStr { vid in
                tradeId.withArbStr { tid in
                    "USDT".withArbStr { currency in
                        host.emit(fill: arb_fill_t(struct_size: structSize(arb_fill_t.self), order_id: 0,
                                                   instrument: o.instrument.rawValue, client_order_id: cid, venue_order_id: vid,
                                                   trade_id: tid, side: o.side, price: price.cValue, quantity: o.quantity.cValue,
                                                   fee: fee.cValue, fee_currency: currency, liquidity: liquidity,
                                                   ts_event: now, ts_init: now))
                    }
                }
            }
        }
        emitOrder(o, status: ARB_ORDER_FILLED, filled: o.quantity, average: price, fee: fee, now: now, reason: "")
    }

    private func emitOrder(_ o: PaperOrder, status: arb_order_status_t, filled: ExactDecimal, average: ExactDecimal,
                           fee: ExactDecimal, now: Int64, reason: String) {
        o.clientOrderId.withArbStr { cid in
            o.venueOrderId.withArbStr { vid in
                reason.withArbStr { why in
                    "USDT".withArbStr { currency in
                        var e = arb_order_event_t()
                        e.struct_size = structSize(arb_order_event_t.self)
                        e.instrument = o.instrument.rawValue
                        e.client_order_id = cid
                        e.venue_order_id = vid
                        e.side = o.side
                        e.type = o.type
                        e.time_in_force = o.timeInForce
                        e.status = status
                        e.quantity = o.quantity.cValue
                        e.price = o.price.cValue
                        e.filled_quantity = filled.cValue
                        e.remaining_quantity = ((try? o.quantity.subtracting(filled)) ?? .zero).cValue
                        e.average_price = average.cValue
                        e.fee = fee.cValue
                        e.fee_currency = currency
                        e.reason = why
                        e.ts_event = now
                        e.ts_init = now
                        host.emit(order: e)
                    }
                }
            }
        }
    }

    private func isMultiple(_ value: ExactDecimal, of step: ExactDecimal) -> Bool {
        step.units != 0 && value.units % step.units == 0
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
