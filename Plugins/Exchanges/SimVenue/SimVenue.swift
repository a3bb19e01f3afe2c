import Glibc
import PaperExchange
import PluginKit
import Synchronization

/// A simulated venue: one instrument whose market comes from recorded data (a Binance capture
/// parsed and sequence-checked by PluginKit, or the quotes CSV of the cross-venue workload),
/// and a paper matching engine for orders. In replay the engine steps it on the data's time;
/// live, it paces the data by wall time on its own thread.
final class SimVenue: ExchangeAdapter, @unchecked Sendable {
    static let descriptor = PluginDescriptor(
        id: "org.arbhost.exchange.sim", name: "Simulated venue", version: "1.0.0",
        summary: "Replays recorded Binance data or a quotes CSV, with paper matching")
    static let capabilities: ExchangeCapabilities = [.amend, .stepMode, .funding]
    static var settings: [ParameterSpec] {
        [
            ParameterSpec("symbol", .string, default: "BTCUSDT", "the venue's symbol"),
            ParameterSpec("kind", .string, default: "perpetual", "spot, perpetual or dated_future"),
            ParameterSpec("source", .string, default: "capture", "capture (a Binance capture) or quotes (a quotes CSV)"),
            ParameterSpec("capture", .string, default: "Data/binance/usdm_btcusdt_20240808.gz", "the capture file"),
            ParameterSpec("market", .string, default: "usdm", "the capture's market: usdm or spot (its sync rule)"),
            ParameterSpec("quotes", .string, default: "", "the quotes CSV (ts_ns,venue,symbol,bid_px,bid_sz,ask_px,ask_sz)"),
            ParameterSpec("quotes_venue", .string, default: "BINANCE", "which CSV venue feeds this venue"),
            ParameterSpec("speed", .string, default: "1x", "live pacing: 1x, 10x, … or max"),
            ParameterSpec("drop_message", .int, default: "0", min: ExactDecimal(0),
                          "fault injection: the n-th book message (1-based) is lost on its way to the host; 0 none"),
            ParameterSpec("base", .string, default: "BTC", "base currency"),
            ParameterSpec("quote", .string, default: "USDT", "quote (and settlement) currency"),
            ParameterSpec("tick_size", .decimal, default: "0.1", min: ExactDecimal(units: 1), "price increment"),
            ParameterSpec("lot_size", .decimal, default: "0.001", min: ExactDecimal(units: 1), "quantity increment"),
            ParameterSpec("min_quantity", .decimal, default: "0.001", min: ExactDecimal(0), "smallest order"),
            ParameterSpec("min_notional", .decimal, default: "5", min: ExactDecimal(0), "smallest notional"),
            ParameterSpec("maker_fee", .decimal, default: "0.0002", "maker fee rate"),
            ParameterSpec("taker_fee", .decimal, default: "0.0004", "taker fee rate"),
            ParameterSpec("initial_margin", .decimal, default: "0.05", min: ExactDecimal(0), max: ExactDecimal(1),
                          "initial margin rate (perpetuals and dated futures; 0.05 is 20x)"),
            ParameterSpec("maintenance_margin", .decimal, default: "0.025", min: ExactDecimal(0), max: ExactDecimal(1),
                          "maintenance margin rate"),
            ParameterSpec("balance", .decimal, default: "1000000", min: ExactDecimal(0),
                          "starting balance in the quote currency (spot: also 0 base)"),
            ParameterSpec("journal", .string, default: "",
                          "the venue's own durable journal (run: fsynced, recovered at connect, so the venue outlives the host; replay: started fresh, not synced); empty: none"),
        ]
    }

    struct State {
        var source: (any MarketSource)?
        var paper: PaperExchange?
        /// The venue's last book update id.
        var bookSequence: UInt64 = 0
        var instrument = InstrumentHandle(0)
        var subscribedBook = false
        var subscribedTrades = false
        var delivered: UInt64 = 0
        var bookMessages = 0
        var needsSnapshot = true
        var connected = false
    }

    let host: ExchangeHost
    let name: String
    let symbol: String
    let kind: ContractKind
    let sourceKind: String
    let capturePath: String
    let market: BinanceBookSync.Market
    let quotesPath: String
    let quotesVenue: String
    let speed: Int64?  // nil: max
    let dropMessage: Int
    let journalPath: String
    let spec: (base: String, quote: String, tick: ExactDecimal, lot: ExactDecimal, minQuantity: ExactDecimal,
               minNotional: ExactDecimal, maker: ExactDecimal, taker: ExactDecimal, initialMargin: ExactDecimal,
               maintenanceMargin: ExactDecimal, balance: ExactDecimal)
    let state = Locked(State())
    private let running = Atomic<Bool>(false)
    private var thread: pthread_t?

    init(host: ExchangeHost, name: String, settings: ParameterValues) throws {
        self.host = host
        self.name = name
        symbol = try settings.string("symbol")
        switch try settings.string("kind") {
        case "spot": kind = .spot
        case "perpetual": kind = .perpetual
        case "dated_future": kind = .datedFuture
        default: throw ParameterProblem("kind", "expected spot, perpetual or dated_future")
        }
        sourceKind = try settings.string("source")
        guard sourceKind == "capture" || sourceKind == "quotes" else {
            throw ParameterProblem("source", "expected capture or quotes, found '\(sourceKind)'")
        }
        capturePath = try settings.string("capture")
        switch try settings.string("market") {
        case "usdm": market = .usdm
        case "spot": market = .spot
        default: throw ParameterProblem("market", "expected usdm or spot")
        }
        quotesPath = try settings.string("quotes")
        quotesVenue = try settings.string("quotes_venue")
        if sourceKind == "quotes" && quotesPath.isEmpty { throw ParameterProblem("quotes", "source quotes needs a quotes file") }
        let pace = try settings.string("speed")
        if pace == "max" {
            speed = nil
        } else if pace.hasSuffix("x"), let n = Int64(pace.dropLast()), n >= 1 {
            speed = n
        } else {
            throw ParameterProblem("speed", "expected 1x, 10x, … or max, found '\(pace)'")
        }
        dropMessage = Int(try settings.int("drop_message"))
        journalPath = try settings.string("journal")
        spec = (try settings.string("base"), try settings.string("quote"), try settings.decimal("tick_size"),
                try settings.decimal("lot_size"), try settings.decimal("min_quantity"), try settings.decimal("min_notional"),
                try settings.decimal("maker_fee"), try settings.decimal("taker_fee"), try settings.decimal("initial_margin"),
                try settings.decimal("maintenance_margin"), try settings.decimal("balance"))
    }

    /// Loads (and decompresses) the data up front, so replay time is spent on the messages.
    func connect() throws {
        let source: any MarketSource
        if sourceKind == "quotes" {
            do { source = try QuoteSource(path: quotesPath, venue: quotesVenue) } catch {
                host.log(.error, error.description)
                throw HostError.notFound
            }
        } else {
            do { source = CaptureSource(capture: try Capture.load(path: capturePath), market: market) } catch {
                host.log(.error, error.description)
                throw HostError.notFound
            }
        }
        let id = try host.instrument(symbol: symbol, kind: kind)
        let instrument = PaperInstrument(
            id: id.rawValue, symbol: symbol, kind: kind == .spot ? .spot : .perpetual, base: spec.base, quote: spec.quote,
            tickSize: spec.tick, lotSize: spec.lot, minQuantity: spec.minQuantity, minNotional: spec.minNotional,
            makerFee: spec.maker, takerFee: spec.taker, initialMargin: kind == .spot ? .zero : spec.initialMargin,
            maintenanceMargin: kind == .spot ? .zero : spec.maintenanceMargin)
        // Handed over to the venue's state, which only the lock touches from here on.
        let opened: PaperExchange
        if journalPath.isEmpty {
            opened = PaperExchange(instruments: [instrument], balances: [spec.quote: spec.balance])
        } else {
            switch PaperExchange.open(journalAt: journalPath, durable: !host.isReplay, instruments: [instrument],
                                      balances: [spec.quote: spec.balance]) {
            case .success(let venue):
                opened = venue
                let known = venue.orders.count
                if known > 0 { host.log(.info, "recovered \(known) order(s) from the journal \(journalPath)") }
            case .failure(let error):
                host.log(.error, "journal \(journalPath): \(error)")
                throw HostError.rejected
            }
        }
        nonisolated(unsafe) let paper = opened
        nonisolated(unsafe) let data = source
        state.withLock {
            $0.source = data
            $0.paper = paper
            $0.instrument = id
            $0.connected = true
        }
        host.reportConnection(ARB_CONNECTION_CONNECTED, "\(sourceKind) \(sourceKind == "quotes" ? quotesPath : capturePath)")
        if !host.isReplay { startPacing() }
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

    /// Messages read from the data so far.
    var messages: Int { state.withLock { $0.source?.messages ?? 0 } }

    // MARK: Time

    func nextEventTime() -> Int64? {
        state.withLock { $0.connected ? $0.source?.nextTime : nil }
    }

    func advance(to time: Int64) {
        state.withLock { s in
            while s.connected, let t = s.source?.nextTime, t <= time { step(&s) }
        }
    }

    /// Live: replays the data against the wall clock (shifted to now, sped up by `speed`).
    private func startPacing() {
        running.store(true, ordering: .releasing)
        var t = pthread_t()
        pthread_create(&t, nil, { arg in
            let venue = Unmanaged<SimVenue>.fromOpaque(arg!).takeRetainedValue()
            venue.pace()
            return nil
        }, Unmanaged.passRetained(self).toOpaque())
        thread = t
    }

    private func pace() {
        let wallStart = host.now
        let dataStart = state.withLock { $0.source?.nextTime } ?? 0
        while running.load(ordering: .acquiring) {
            guard let next = state.withLock({ $0.source?.nextTime }) else { return }
            let due = speed.map { wallStart + (next - dataStart) / $0 } ?? host.now
            let wait = due - host.now
            if wait > 0 {
                usleep(useconds_t(min(wait, 20_000_000) / 1000 + 1))
                continue
            }
            state.withLock { s in if s.connected { step(&s) } }
        }
    }

    /// Takes one event from the data: the venue's own book follows every update; what reaches
    /// the host goes through the venue's delivery, where a lost message shows as a gap.
    private func step(_ s: inout State) {
        guard let source = s.source else { return }
        let instrument = s.instrument
        _ = source.next { time, event, bids, asks in
            switch event {
            case .book(let snapshot, let sequence, let previous):
                s.bookSequence = sequence
                s.bookMessages += 1
                if let paper = s.paper {
                    // The matching engine keeps the venue's book, then fills what now crosses.
                    if snapshot {
                        paper.setBook(instrument: instrument.rawValue,
                                      bids: bids.map { PaperLevel(price: ExactDecimal($0.price), quantity: ExactDecimal($0.quantity)) },
                                      asks: asks.map { PaperLevel(price: ExactDecimal($0.price), quantity: ExactDecimal($0.quantity)) })
                    } else {
                        for l in bids { paper.applyLevel(instrument: instrument.rawValue, side: .bid, price: ExactDecimal(l.price), quantity: ExactDecimal(l.quantity)) }
                        for l in asks { paper.applyLevel(instrument: instrument.rawValue, side: .ask, price: ExactDecimal(l.price), quantity: ExactDecimal(l.quantity)) }
                    }
                    if paper.hasOpenOrders {
                        deliver(paper.onBookChanged(instrument: instrument.rawValue, now: time), request: 0)
                    }
                }
                guard s.subscribedBook else { return }
                if s.bookMessages == dropMessage { return }  // lost on the wire
                if !snapshot && !s.needsSnapshot && previous != s.delivered {
                    // The adapter sees pu ≠ the last u it delivered: report the gap, resync.
                    host.reportGap(instrument, expected: s.delivered, received: sequence)
                    emitSnapshot(&s, time: time, request: 0)
                    return
                }
                if snapshot || s.needsSnapshot {
                    emitSnapshot(&s, time: time, request: 0)
                } else {
                    host.emitBook(instrument: instrument, isSnapshot: false, sequence: sequence, previousSequence: s.delivered,
                                  tsEvent: time, tsInit: time, bids: bids, asks: asks)
                    s.delivered = sequence
                }
            case .trade(let t):
                guard s.subscribedTrades else { return }
                String(t.tradeId).withArbStr { id in
                    host.emit(trade: arb_trade_t(struct_size: structSize(arb_trade_t.self), instrument: instrument.rawValue,
                                                 trade_id: id, aggressor_side: t.buyerIsMaker ? ARB_SIDE_SELL : ARB_SIDE_BUY,
                                                 price: t.price.cValue, quantity: t.quantity.cValue, ts_event: time, ts_init: time))
                }
            case .ticker:
                break
            case .gap(let expected, let received):
                host.log(.warning, "the recorded data itself has a gap (expected \(expected), received \(received))")
            }
        }
    }

    /// Answers from the venue's own book (what a resync after a gap gets).
    private func emitSnapshot(_ s: inout State, time: Int64, request: UInt64) {
        let book = s.paper?.book(s.instrument.rawValue) ?? PaperBook()
        let bids = book.bids.map { arb_book_level_t(price: $0.price.cValue, quantity: $0.quantity.cValue) }
        let asks = book.asks.map { arb_book_level_t(price: $0.price.cValue, quantity: $0.quantity.cValue) }
        bids.withUnsafeBufferPointer { b in
            asks.withUnsafeBufferPointer { a in
                host.emitBook(request: request, instrument: s.instrument, isSnapshot: true, sequence: s.bookSequence,
                              tsEvent: time, tsInit: time, bids: b, asks: a)
            }
        }
        s.delivered = s.bookSequence
        s.needsSnapshot = false
    }

    // MARK: Requests

    func subscribe(request: UInt64, instrument: InstrumentHandle, channel: arb_channel_t) throws(HostError) {
        let ok = state.withLock { s -> Bool in
            guard instrument == s.instrument else { return false }
            switch channel {
            case ARB_CHANNEL_BOOK:
                s.subscribedBook = true
                s.needsSnapshot = true
                if s.bookSequence != 0 { emitSnapshot(&s, time: host.isReplay ? (s.source?.nextTime ?? 0) : host.now, request: request) }
            case ARB_CHANNEL_TRADES: s.subscribedTrades = true
            default: break
            }
            return true
        }
        guard ok else { throw .notFound }
        host.requestDone(request, ARB_OUTCOME_ACCEPTED)
    }

    func getOrderbook(request: UInt64, instrument: InstrumentHandle, depth: Int) throws(HostError) {
        try state.withLock { s throws(HostError) in
            guard instrument == s.instrument else { throw .notFound }
            emitSnapshot(&s, time: host.isReplay ? (s.source?.nextTime ?? 0) : host.now, request: request)
        }
        host.requestDone(request, ARB_OUTCOME_ACCEPTED)
    }
}
