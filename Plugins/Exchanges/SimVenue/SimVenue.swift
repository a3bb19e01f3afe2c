import ArbSDK
import Glibc
import PaperExchange
import ArbBook
import PluginKit
import VenueBinance
import VenueWire
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
            ParameterSpec("source", .string, default: "capture",
                          "capture (a Binance capture), quotes (a quotes CSV) or generator (a seeded market)"),
            ParameterSpec("markets", .string, default: "",
                          "generator: SYMBOL:kind[:yyyy-mm-dd] list (spot, perpetual, dated_future); empty: symbol and kind"),
            ParameterSpec("seed", .int, default: "1", "generator: venues with the same seed share the index's walk"),
            ParameterSpec("venue_seed", .int, default: "0", "generator: this venue's noise, spreads, sizes; 0: the seed"),
            ParameterSpec("start_price", .decimal, default: "60000", min: ExactDecimal(units: 1), "generator: first index price"),
            ParameterSpec("basis_bps", .int, default: "0", "generator: this venue's price offset from the index, in bps"),
            ParameterSpec("contango_bps", .int, default: "500", "generator: dated futures' annual contango, in bps"),
            ParameterSpec("premium_range_bps", .int, default: "10", min: ExactDecimal(0), max: ExactDecimal(1000),
                          "generator: how far perpetuals' and dated futures' premium wanders from the venue's basis (funding follows it)"),
            ParameterSpec("depth", .int, default: "10", min: ExactDecimal(1), max: ExactDecimal(500), "generator: levels a side"),
            ParameterSpec("interval", .duration, default: "100ms", min: ExactDecimal(units: 1), "generator: time between updates"),
            ParameterSpec("updates", .int, default: "3000", min: ExactDecimal(1), "generator: how many updates (replays end there)"),
            ParameterSpec("start_time", .int, default: "1704067200000000000", "generator: event time of the first update (ns)"),
            ParameterSpec("funding_interval", .duration, default: "8h", min: ExactDecimal(units: 1), "perpetuals' funding interval"),
            ParameterSpec("funding_cap", .decimal, default: "0.0075", min: ExactDecimal(0), "funding rate cap (and -floor)"),
            ParameterSpec("capture", .string, default: "Data/binance/usdm_btcusdt_20240808.gz", "the capture file"),
            ParameterSpec("market", .string, default: "",
                          "the capture's market, usdm or spot (its sync rule); empty: from kind (spot → spot, else usdm)"),
            ParameterSpec("quotes", .string, default: "", "the quotes CSV (ts_ns,venue,symbol,bid_px,bid_sz,ask_px,ask_sz)"),
            ParameterSpec("quotes_venue", .string, default: "BINANCE", "which CSV venue feeds this venue"),
            ParameterSpec("speed", .string, default: "1x", "live pacing: 1x, 10x, … or max"),
            ParameterSpec("corrupt_message", .int, default: "0", min: ExactDecimal(0),
                          "fault injection: the n-th book message (1-based) reaches the host with a bid above the best ask; 0 none"),
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
            ParameterSpec("spot_maker_fee", .string, default: "", "spot markets' maker fee rate; empty: maker_fee"),
            ParameterSpec("spot_taker_fee", .string, default: "", "spot markets' taker fee rate; empty: taker_fee"),
            ParameterSpec("initial_margin", .decimal, default: "0.05", min: ExactDecimal(0), max: ExactDecimal(1),
                          "initial margin rate (perpetuals and dated futures; 0.05 is 20x)"),
            ParameterSpec("maintenance_margin", .decimal, default: "0.025", min: ExactDecimal(0), max: ExactDecimal(1),
                          "maintenance margin rate"),
            ParameterSpec("currency_precision", .int, default: "8", min: ExactDecimal(0), max: ExactDecimal(18),
                          "decimal places fees, funding, PnL and margin are booked at, in the quote and base currencies"),
            ParameterSpec("balance", .decimal, default: "1000000", min: ExactDecimal(0),
                          "starting balance in the quote currency (spot: also 0 base)"),
            ParameterSpec("ack_latency", .duration, default: "0ms", min: ExactDecimal(0),
                          "time from a request to the venue's answer (and any immediate fills), through host timers"),
            ParameterSpec("fill_latency", .duration, default: "0ms", min: ExactDecimal(0),
                          "time from the market reaching a resting order to its fill report; 0: before the next market event"),
            ParameterSpec("journal", .string, default: "",
                          "the venue's own durable journal (run: fsynced, recovered at connect, so the venue outlives the host; replay: started fresh, not synced); empty: none"),
        ]
    }

    struct State {
        var source: (any MarketSource)?
        var paper: PaperExchange?
        var books: [MarketState] = []
        var bookMessages = 0
        var connected = false
        var fundingSettlements = 0
        /// Answers and fills waiting for their latency: (due time, request, events).
        var delayed: [(due: Int64, request: UInt64, events: [PaperEvent])] = []
        var waiting: [UInt64: (request: UInt64, events: [PaperEvent])] = [:]
        var nextTag: UInt64 = 1
        /// When each order's acknowledgement is due (client order id → time), while it waits
        /// for `ack_latency`: the order's fills wait for it too, never reported before it.
        var ackDue: [String: Int64] = [:]
        /// Added to the data's event times (live: recorded data shifted to now; replay: 0).
        var timeOffset: Int64 = 0

        func market(_ instrument: InstrumentId) -> Int? { books.firstIndex { $0.instrument == instrument } }
    }

    /// What the venue tracks per market.
    struct MarketState {
        var instrument = InstrumentId(0)
        /// The venue's last book update id.
        var bookSequence: UInt64 = 0
        var subscribedBook = false
        var subscribedTrades = false
        var subscribedFunding = false
        var delivered: UInt64 = 0
        var needsSnapshot = true
    }

    let host: ExchangeHost
    let name: String
    let symbol: String
    let kind: InstrumentKind
    let markets: [GeneratedMarket]
    let generator: GeneratorSource.Settings
    let sourceKind: String
    let capturePath: String
    let market: BinanceBookSync.Market
    let quotesPath: String
    let quotesVenue: String
    let speed: Int64?  // nil: max
    let dropMessage: Int
    let corruptMessage: Int
    let journalPath: String
    let ackLatency: Int64
    let fillLatency: Int64
    let currencyPrecision: Int
    /// Spot markets' maker and taker fee rates (venues charge spot differently from futures).
    let spotFees: (maker: ExactDecimal, taker: ExactDecimal)
    let spec: (base: String, quote: String, tick: ExactDecimal, lot: ExactDecimal, minQuantity: ExactDecimal,
               minNotional: ExactDecimal, maker: ExactDecimal, taker: ExactDecimal, initialMargin: ExactDecimal,
               maintenanceMargin: ExactDecimal, balance: ExactDecimal)
    let state = Locked(State())
    private let running = Atomic<Bool>(false)
    private var thread: pthread_t?

    /// The settings `init` would refuse, checked before it (and by `arbhost check`); every
    /// choice is read by the same functions `init` uses.
    static func validate(_ settings: ParameterValues) throws {
        let kind = try Self.kind(settings)
        let source = try Self.source(settings)
        _ = try Self.captureMarket(settings, kind: kind)
        _ = try Self.speed(settings)
        let list = try settings.string("markets")
        let markets = list.isEmpty ? [] : try parseMarkets(list)
        guard source == "generator" || markets.count <= 1 else {
            throw ParameterProblem("markets", "a \(source) source feeds one market; several need source: generator")
        }
        if try source == "quotes" && settings.string("quotes").isEmpty {
            throw ParameterProblem("quotes", "source quotes needs a quotes file")
        }
    }

    static func kind(_ settings: ParameterValues) throws -> InstrumentKind {
        switch try settings.string("kind") {
        case "spot": .spot
        case "perpetual": .perpetual
        case "dated_future": .datedFuture
        case let other: throw ParameterProblem("kind", "expected spot, perpetual or dated_future, found '\(other)'")
        }
    }

    static func source(_ settings: ParameterValues) throws -> String {
        let source = try settings.string("source")
        guard ["capture", "quotes", "generator"].contains(source) else {
            throw ParameterProblem("source", "expected capture, quotes or generator, found '\(source)'")
        }
        return source
    }

    /// The capture's sync rule: `market`, or from `kind` when it is left out. One setting is
    /// enough; two that disagree are refused by name.
    static func captureMarket(_ settings: ParameterValues, kind: InstrumentKind) throws -> BinanceBookSync.Market {
        switch try settings.string("market") {
        case "": return kind == .spot ? .spot : .usdm
        case "usdm":
            guard kind != .spot else {
                throw ParameterProblem("market", "usdm does not fit kind spot: for a spot capture set kind: spot and leave market out (or market: spot)")
            }
            return .usdm
        case "spot":
            guard kind == .spot else {
                throw ParameterProblem("market", "spot does not fit kind \(kind.name): for a spot capture set kind: spot and leave market out")
            }
            return .spot
        case let other:
            throw ParameterProblem("market", "expected usdm or spot, found '\(other)' (COIN-M captures are not replayed yet)")
        }
    }

    /// Live pacing: nil as fast as possible, else `speed` times wall time.
    static func speed(_ settings: ParameterValues) throws -> Int64? {
        let pace = try settings.string("speed")
        if pace == "max" { return nil }
        guard pace.hasSuffix("x"), let n = Int64(pace.dropLast()), n >= 1 else {
            throw ParameterProblem("speed", "expected 1x, 10x, … or max, found '\(pace)'")
        }
        return n
    }

    init(host: ExchangeHost, name: String, settings: ParameterValues) throws {
        self.host = host
        self.name = name
        symbol = try settings.string("symbol")
        kind = try Self.kind(settings)
        sourceKind = try Self.source(settings)
        let list = try settings.string("markets")
        markets = try list.isEmpty ? [GeneratedMarket(symbol: symbol, kind: kind, expiry: 0)] : Self.parseMarkets(list)
        guard sourceKind == "generator" || markets.count == 1 else {
            throw ParameterProblem("markets", "a \(sourceKind) source feeds one market; several need source: generator")
        }
        let seed = try settings.int("seed"), venueSeed = try settings.int("venue_seed")
        generator = GeneratorSource.Settings(
            seed: UInt64(bitPattern: seed), venueSeed: UInt64(bitPattern: venueSeed == 0 ? seed : venueSeed),
            startPrice: try settings.decimal("start_price"), tick: try settings.decimal("tick_size"),
            lot: try settings.decimal("lot_size"), depth: Int(try settings.int("depth")), interval: try settings.duration("interval"),
            updates: Int(try settings.int("updates")), startTime: try settings.int("start_time"),
            basisBps: try settings.int("basis_bps"), fundingInterval: try settings.duration("funding_interval"),
            fundingCap: try settings.decimal("funding_cap"), contangoBps: try settings.int("contango_bps"),
            premiumRangeBps: try settings.int("premium_range_bps"))
        capturePath = try settings.string("capture")
        market = try Self.captureMarket(settings, kind: kind)
        quotesPath = try settings.string("quotes")
        quotesVenue = try settings.string("quotes_venue")
        if sourceKind == "quotes" && quotesPath.isEmpty { throw ParameterProblem("quotes", "source quotes needs a quotes file") }
        speed = try Self.speed(settings)
        dropMessage = Int(try settings.int("drop_message"))
        corruptMessage = Int(try settings.int("corrupt_message"))
        journalPath = try settings.string("journal")
        ackLatency = try settings.duration("ack_latency")
        currencyPrecision = Int(try settings.int("currency_precision"))
        fillLatency = try settings.duration("fill_latency")
        func fee(_ key: String, else fallback: String) throws -> ExactDecimal {
            let text = try settings.string(key)
            if text.isEmpty { return try settings.decimal(fallback) }
            guard let rate = try? ExactDecimal(parsing: text), rate >= ExactDecimal(-1), rate <= ExactDecimal(1) else {
                throw ParameterProblem(key, "expected a fee rate such as 0.001, found '\(text)'")
            }
            return rate
        }
        spotFees = (try fee("spot_maker_fee", else: "maker_fee"), try fee("spot_taker_fee", else: "taker_fee"))
        spec = (try settings.string("base"), try settings.string("quote"), try settings.decimal("tick_size"),
                try settings.decimal("lot_size"), try settings.decimal("min_quantity"), try settings.decimal("min_notional"),
                try settings.decimal("maker_fee"), try settings.decimal("taker_fee"), try settings.decimal("initial_margin"),
                try settings.decimal("maintenance_margin"), try settings.decimal("balance"))
    }

    /// "BTCUSDT:perpetual,BTCUSDT:spot,BTCUSDT-250328:dated_future:2025-03-28"
    static func parseMarkets(_ text: String) throws -> [GeneratedMarket] {
        try text.split(separator: ",").map { item in
            let parts = item.split(separator: ":").map { String($0.filter { $0 != " " }) }
            guard parts.count >= 2, !parts[0].isEmpty else { throw ParameterProblem("markets", "'\(item)' is not SYMBOL:kind[:yyyy-mm-dd]") }
            switch parts[1] {
            case "spot": return GeneratedMarket(symbol: parts[0], kind: .spot, expiry: 0)
            case "perpetual": return GeneratedMarket(symbol: parts[0], kind: .perpetual, expiry: 0)
            case "dated_future":
                guard parts.count == 3, let expiry = DeliveryTime.nanoseconds(forDate: parts[2]) else {
                    throw ParameterProblem("markets", "'\(item)': a dated future needs its expiry as yyyy-mm-dd")
                }
                return GeneratedMarket(symbol: parts[0], kind: .datedFuture, expiry: expiry)
            default: throw ParameterProblem("markets", "'\(item)': kind must be spot, perpetual or dated_future")
            }
        }
    }

    /// Loads (and decompresses) the data up front, so replay time is spent on the messages.
    func connect() throws {
        let source: any MarketSource
        if sourceKind == "generator" {
            var settings = generator
            // Live, the generated market starts now (on its interval's grid), so its event
            // times, the host's clock, order times and futures' expiries agree.
            if !host.isReplay { settings.startTime = host.now / max(settings.interval, 1) * max(settings.interval, 1) }
            source = GeneratorSource(settings: settings, markets: markets)
        } else if sourceKind == "quotes" {
            let host = self.host
            do {
                source = try QuoteSource(path: quotesPath, venue: quotesVenue, symbol: symbol) { host.log(.warning, $0) }
            } catch {
                host.log(.error, error.description)
                throw HostError.notFound
            }
        } else {
            let host = self.host
            do {
                source = CaptureSource(capture: try Capture.load(path: capturePath), market: market, path: capturePath) {
                    host.log(.warning, $0)
                }
            } catch {
                host.log(.error, error.description)
                throw HostError.notFound
            }
        }
        var handles: [InstrumentId] = []
        var instruments: [PaperInstrument] = []
        for m in markets {
            let id = try host.instrument(symbol: m.symbol, kind: m.kind, expiry: m.expiry)
            handles.append(id)
            let derivative = m.kind != .spot
            instruments.append(PaperInstrument(
                id: id.rawValue, symbol: m.symbol,
                kind: m.kind, expiry: m.expiry,
                base: spec.base, quote: spec.quote, tickSize: spec.tick, lotSize: spec.lot, minQuantity: spec.minQuantity,
                minNotional: spec.minNotional, makerFee: derivative ? spec.maker : spotFees.maker,
                takerFee: derivative ? spec.taker : spotFees.taker,
                initialMargin: derivative ? spec.initialMargin : .zero,
                maintenanceMargin: derivative ? spec.maintenanceMargin : .zero,
                fundingInterval: m.kind == .perpetual ? generator.fundingInterval : 0))
        }
        let instrument = instruments[0]
        // Handed over to the venue's state, which only the lock touches from here on.
        let opened: PaperExchange
        if journalPath.isEmpty {
            opened = PaperExchange(instruments: instruments, balances: [spec.quote: spec.balance],
                                   currencyPrecision: [spec.quote: currencyPrecision, spec.base: currencyPrecision])
        } else {
            switch PaperExchange.open(journalAt: journalPath, durable: !host.isReplay, instruments: instruments,
                                      balances: [spec.quote: spec.balance],
                                      currencyPrecision: [spec.quote: currencyPrecision, spec.base: currencyPrecision]) {
            case .success(let venue):
                opened = venue
                let known = venue.orders.count
                if known > 0 { host.log(.info, "recovered \(known) order(s) from the journal \(journalPath)") }
            case .failure(let error):
                // The venue cannot start without its state: the host refuses to run without it.
                switch error {
                case .instrumentHandles, .unknownInstrument: host.log(.error, "\(error)")  // they name the file
                default: host.log(.error, "journal \(journalPath): \(error)")
                }
                throw HostError.rejected
            }
        }
        nonisolated(unsafe) let paper = opened
        nonisolated(unsafe) let data = source
        // Live, recorded data is replayed as if it were happening now: its times are shifted
        // by where its first event falls from the host's clock (the generator already starts now).
        let offset = host.isReplay ? 0 : host.now - (source.nextTime ?? host.now)
        state.withLock {
            $0.timeOffset = offset
            $0.source = data
            $0.paper = paper
            $0.books = handles.map { MarketState(instrument: $0) }
            $0.connected = true
        }
        _ = instrument
        let what = sourceKind == "generator" ? "\(markets.count) market(s)" : (sourceKind == "quotes" ? quotesPath : capturePath)
        host.reportConnection(ARB_CONNECTION_CONNECTED, "\(sourceKind) \(what)")
        if !host.isReplay { startPacing() }
    }

    func disconnect() {
        if let t = thread {
            running.store(false, ordering: .releasing)
            pthread_join(t, nil)
            thread = nil
        }
        if let quotes = state.withLock({ $0.source as? QuoteSource }), quotes.problems > 0 {
            host.log(.warning, "\(quotesPath): \(quotes.problems) malformed row(s) of this venue skipped in all")
        }
        if let capture = state.withLock({ $0.source as? CaptureSource }), capture.problems > 0 {
            host.log(.warning, "\(capturePath): \(capture.problems) unreadable line(s) skipped in all")
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

    /// Steps the data up to `time`: one lock for the steps and for collecting what waits for
    /// its latency (this runs once per replayed line).
    func advance(to time: Int64) {
        let due = state.withLock { s -> [(tag: UInt64, time: Int64)] in
            if let source = s.source {  // held once: each read of the optional existential retains it
                while s.connected, let t = source.nextTime, t <= time { step(&s, source) }
            }
            return Self.takeDelayed(&s)
        }
        if !due.isEmpty { setTimers(due) }
    }

    /// Sets a host timer for each answer or fill waiting for its latency.
    func scheduleDelayed() {
        let due = state.withLock { Self.takeDelayed(&$0) }
        if !due.isEmpty { setTimers(due) }
    }

    /// Moves the answers and fills waiting for their latency to `waiting`, each under a new tag.
    private static func takeDelayed(_ s: inout State) -> [(tag: UInt64, time: Int64)] {
        guard !s.delayed.isEmpty else { return [] }
        let batch = s.delayed
        s.delayed.removeAll()
        return batch.map { item in
            let tag = s.nextTag
            s.nextTag += 1
            s.waiting[tag] = (item.request, item.events)
            return (tag, item.due)
        }
    }

    /// Called with the lock released. (The host's `set_timer` no longer waits for the engine
    /// from a venue thread, so holding the lock would be safe too; releasing it first keeps the
    /// lock short.)
    private func setTimers(_ due: [(tag: UInt64, time: Int64)]) {
        for (tag, time) in due where (try? host.setTimer(at: time, tag: tag)) == nil {
            // No timer (the host refused one): answer now rather than never.
            host.log(.warning, "latency timer refused; delivering at once")
            onTimer(0, tag: tag)
        }
    }

    /// A latency timer fired: report what was waiting for it.
    func onTimer(_ timer: UInt64, tag: UInt64) {
        state.withLock { s in
            guard let item = s.waiting.removeValue(forKey: tag) else { return }
            if item.request != 0 {  // a request's answer: its orders' fills may follow now
                for event in item.events where event.isAnswerToAnOrder { s.ackDue[event.clientOrderId ?? ""] = nil }
            }
            deliver(item.events, request: item.request, venue: s.paper)
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
            scheduleDelayed()
        }
    }

    /// Takes one event from the data: the venue's own book follows every update; what reaches
    /// the host goes through the venue's delivery, where a lost message shows as a gap.
    private func step(_ s: inout State) {
        if let source = s.source { step(&s, source) }
    }

    private func step(_ s: inout State, _ source: any MarketSource) {
        _ = source.next { dataTime, m, event, bids, asks in
            guard m < s.books.count else { return }
            let time = dataTime &+ s.timeOffset
            let instrument = s.books[m].instrument
            switch event {
            case .book(let snapshot, let sequence, let previous):
                s.books[m].bookSequence = sequence
                s.bookMessages += 1
                if let paper = s.paper {
                    // The matching engine keeps the venue's book, then fills what now crosses.
                    if paper.applyFeed(instrument: instrument.rawValue, snapshot: snapshot, bids: bids, asks: asks) {
                        // Stale levels gave way to the update: the host gets the venue's book whole.
                        s.books[m].needsSnapshot = true
                    }
                    if paper.hasPosition(instrument: instrument.rawValue), let mark = paper.mid(instrument.rawValue) {
                        // Positions are marked at the book's mid; below maintenance the venue liquidates.
                        let liquidation = paper.checkMargin(instrument: instrument.rawValue, markPrice: mark, now: host.now)
                        if !liquidation.isEmpty { deliver(liquidation, request: 0, venue: paper) }
                    }
                    if paper.hasOpenOrders(instrument: instrument.rawValue) {
                        let fills = paper.onBookChanged(instrument: instrument.rawValue, now: time)
                        // Deadlines on the host's clock (live, data times run ahead at speeds
                        // above 1x). A fill of an order whose answer is still on its way goes
                        // through the timers too, due no earlier than that answer: timers due
                        // together fire in the order they were set, so the answer comes first.
                        let now = host.now
                        var due = now + fillLatency
                        var waitsForAnswer = false
                        for event in fills {
                            guard let cid = event.clientOrderId, let answerDue = s.ackDue[cid] else { continue }
                            waitsForAnswer = true
                            due = max(due, answerDue)
                        }
                        if !fills.isEmpty && (fillLatency > 0 || waitsForAnswer) {
                            s.delayed.append((due, 0, fills))
                        } else {
                            deliver(fills, request: 0, venue: paper)
                        }
                    }
                }
                guard s.books[m].subscribedBook else { return }
                if s.bookMessages == dropMessage { return }  // lost on the wire
                if !snapshot && !s.books[m].needsSnapshot && previous != s.books[m].delivered {
                    // The adapter sees pu ≠ the last u it delivered: report the gap, resync.
                    host.reportGap(instrument, expected: s.books[m].delivered, received: sequence)
                    emitSnapshot(&s, m, time: time, request: 0)
                    return
                }
                if !snapshot && s.books[m].needsSnapshot {
                    emitSnapshot(&s, m, time: time, request: 0)
                    return
                }
                // Corrupted on the wire (fault injection): a bid above the best ask that the venue
                // never had, added to the message as it goes out.
                var corrupted: [arb_book_level_t] = []
                if s.bookMessages == corruptMessage, let ask = s.paper?.book(instrument.rawValue).bestAsk,
                   let wrong = try? ask.price.adding(spec.tick) {
                    corrupted = Array(bids) + [arb_book_level_t(price: wrong.cValue, quantity: ExactDecimal.one.cValue)]
                }
                corrupted.withUnsafeBufferPointer { extra in
                    let sent = extra.isEmpty ? bids : extra
                    _ = host.emitBook(instrument: instrument, isSnapshot: snapshot, sequence: sequence,
                                      previousSequence: snapshot ? 0 : s.books[m].delivered, tsEvent: time, tsInit: time,
                                      bids: sent, asks: asks)
                }
                s.books[m].delivered = sequence
                if snapshot { s.books[m].needsSnapshot = false }
            case .trade(let t):
                guard s.books[m].subscribedTrades else { return }
                String(t.tradeId).withArbStr { id in
                    host.emit(trade: arb_trade_t(struct_size: structSize(arb_trade_t.self), instrument: instrument.rawValue,
                                                 trade_id: id, aggressor_side: t.buyerIsMaker ? ARB_SIDE_SELL : ARB_SIDE_BUY,
                                                 price: t.price.cValue, quantity: t.quantity.cValue, ts_event: time, ts_init: time))
                }
            case .funding(let rate, let mark, let index, let next):
                guard s.books[m].subscribedFunding else { return }
                host.emit(funding: arb_funding_rate_t(
                    struct_size: structSize(arb_funding_rate_t.self), instrument: instrument.rawValue, rate: rate.cValue,
                    has_predicted_rate: 1, predicted_rate: rate.cValue, mark_price: mark.cValue, index_price: index.cValue,
                    next_funding_time_ns: next, funding_interval_ns: generator.fundingInterval,
                    rate_cap: generator.fundingCap.cValue, rate_floor: ((try? generator.fundingCap.negated()) ?? .zero).cValue,
                    ts_event: time, ts_init: time))
            case .settleFunding(let rate, let mark):
                // Positions pay or receive at the venue's schedule (a positive rate: longs pay).
                if let paper = s.paper {
                    s.fundingSettlements += 1
                    deliver(paper.settleFunding(instrument: instrument.rawValue, rate: rate, markPrice: mark, now: time), request: 0,
                            venue: paper)
                }
            case .expire(let index):
                if let paper = s.paper {
                    deliver(paper.settleExpiry(instrument: instrument.rawValue, indexPrice: index, now: time), request: 0,
                            venue: paper)
                }
                host.log(.info, "\(markets[m].symbol) expired and settled at the index \(index)")
            case .ticker:
                break
            case .gap(let expected, let received):
                // The recording itself lost a message: what follows is not the book the stream
                // described. The host hears of the gap (its book goes stale) and gets the venue's
                // own book as a snapshot with the next update, never a diff over the hole.
                host.log(.warning, "the recorded data itself has a gap (expected \(expected), received \(received))")
                guard s.books[m].subscribedBook, !s.books[m].needsSnapshot else { return }
                host.reportGap(instrument, expected: expected, received: received)
                s.books[m].needsSnapshot = true
            }
        }
    }

    /// Answers from the venue's own book (what a resync after a gap gets).
    private func emitSnapshot(_ s: inout State, _ m: Int, time: Int64, request: UInt64) {
        let instrument = s.books[m].instrument
        let book = s.paper?.book(instrument.rawValue) ?? PaperBook()
        let bids = book.bids.map { arb_book_level_t(price: $0.price.cValue, quantity: $0.quantity.cValue) }
        let asks = book.asks.map { arb_book_level_t(price: $0.price.cValue, quantity: $0.quantity.cValue) }
        bids.withUnsafeBufferPointer { b in
            asks.withUnsafeBufferPointer { a in
                host.emitBook(request: request, instrument: instrument, isSnapshot: true, sequence: s.books[m].bookSequence,
                              tsEvent: time, tsInit: time, bids: b, asks: a)
            }
        }
        s.books[m].delivered = s.books[m].bookSequence
        s.books[m].needsSnapshot = false
    }

    // MARK: Requests

    func subscribe(request: UInt64, instrument: InstrumentId, channel: arb_channel_t) throws(HostError) {
        let ok = state.withLock { s -> Bool in
            guard let m = s.market(instrument) else { return false }
            switch channel {
            case ARB_CHANNEL_BOOK:
                s.books[m].subscribedBook = true
                s.books[m].needsSnapshot = true
                if s.books[m].bookSequence != 0 {
                    emitSnapshot(&s, m, time: host.now, request: request)
                }
            case ARB_CHANNEL_TRADES: s.books[m].subscribedTrades = true
            case ARB_CHANNEL_FUNDING: s.books[m].subscribedFunding = true
            default: break
            }
            return true
        }
        guard ok else { throw .notFound }
        host.requestDone(request, ARB_OUTCOME_ACCEPTED)
    }

    func getOrderbook(request: UInt64, instrument: InstrumentId, depth: Int) throws(HostError) {
        try state.withLock { s throws(HostError) in
            guard let m = s.market(instrument) else { throw .notFound }
            emitSnapshot(&s, m, time: host.now, request: request)
        }
        host.requestDone(request, ARB_OUTCOME_ACCEPTED)
    }

    func getSymbols(request: UInt64) throws(HostError) {
        let handles = state.withLock { $0.books.map(\.instrument) }
        for (i, id) in handles.enumerated() {
            spec.base.withArbStr { base in
                spec.quote.withArbStr { quote in
                    var c = arb_instrument_spec_t()
                    c.struct_size = structSize(arb_instrument_spec_t.self)
                    c.instrument = id.rawValue
                    c.base = base
                    c.quote = quote
                    c.settle = quote
                    c.tick_size = spec.tick.cValue
                    c.lot_size = spec.lot.cValue
                    c.min_quantity = spec.minQuantity.cValue
                    c.min_notional = spec.minNotional.cValue
                    c.contract_size = ExactDecimal.one.cValue
                    c.funding_interval_ns = markets[i].kind == .perpetual ? generator.fundingInterval : 0
                    c.maker_fee = (markets[i].kind == .spot ? spotFees.maker : spec.maker).cValue
                    c.taker_fee = (markets[i].kind == .spot ? spotFees.taker : spec.taker).cValue
                    c.initial_margin = (markets[i].kind == .spot ? .zero : spec.initialMargin).cValue
                    c.maintenance_margin = (markets[i].kind == .spot ? .zero : spec.maintenanceMargin).cValue
                    host.emit(spec: c, request: request)
                }
            }
        }
        host.requestDone(request, ARB_OUTCOME_ACCEPTED)
    }
}
