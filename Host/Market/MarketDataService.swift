import ArbBook
import ArbEngine
import ArbModel
import ArbSDK

/// Books, last prices, funding rates and instrument specs as the engine last saw them, and who
/// listens to each instrument (the seed's MarketDataService). Engine thread only.
///
/// Everything is indexed by instrument handle in arrays, so a lookup on the hot path is an
/// index, not a hash.
public final class MarketDataService: @unchecked Sendable {
    /// A book per instrument handle, in place: `OrderBook?` elements were copied out and back
    /// on every mutation through `!` (hundreds of bytes a book event). `hasBook` says which
    /// instruments have had book data.
    @usableFromInline var books: ContiguousArray<OrderBook> = [OrderBook(instrument: InstrumentId(rawValue: 0))]
    @usableFromInline private(set) var hasBook: ContiguousArray<Bool> = [false]
    /// Whether the host asked the venue for a snapshot of a book it found wrong itself, until a
    /// snapshot makes the book valid again.
    private var resyncRequests: ContiguousArray<Bool> = [false]
    private(set) var lastPrices: ContiguousArray<ExactDecimal?> = [nil]
    private(set) var fundingRates: ContiguousArray<arb_funding_rate_t?> = [nil]
    private(set) var specs: ContiguousArray<InstrumentSpec?> = [nil]
    /// The C form of each spec, with strings owned here (borrowed by plugins during a call).
    private var cSpecs: ContiguousArray<CSpec?> = [nil]
    /// Bus topic indexes of each instrument's `data.book.<venue>.<symbol>` and
    /// `data.trades.<venue>.<symbol>` (-1 until first needed).
    private(set) var bookTopics: ContiguousArray<Int32> = [-1]
    private(set) var tradeTopics: ContiguousArray<Int32> = [-1]
    /// Strategy slots subscribed to each instrument.
    @usableFromInline var subscribers: ContiguousArray<ContiguousArray<Int32>> = [[]]
    public let instruments: InstrumentRegistry
    // unowned(unsafe): the engine outlives its services; a checked reference would cost a
    // refcount round trip per event.
    unowned(unsafe) let engine: Engine
    /// The engine's router and bus, borrowed on the book path without refcounting.
    let routerRef: Unmanaged<EventRouter>
    /// Some bus subscription may match `data.book.…`/`data.trades.…`: only then are market
    /// updates turned into bus messages (one Bool test per event otherwise).
    var marketTopicsActive = false
    /// Funding rates and specs as last seen, for other threads (they change seconds apart).
    let publishedFunding = PublishedState<[InstrumentId: arb_funding_rate_t]>([:])
    let publishedSpecs = PublishedState<[InstrumentId: InstrumentSpec]>([:])

    /// Creates the service and makes it the engine's handler of market records (books, trades,
    /// tickers, funding, gaps, specs). Call before the engine runs.
    public init(engine: Engine) {
        self.engine = engine
        routerRef = Unmanaged.passUnretained(engine.router)
        instruments = engine.instruments
        registerRecordHandlers()
        engine.bus.subscriptionsChanged.append { [unowned(unsafe) self] in
            self.marketTopicsActive = self.engine.bus.mayMatch(firstSegment: "data")
        }
    }

    /// Grows the tables to cover `id` (only when a new instrument appears).
    @inline(__always)
    func ensure(_ id: InstrumentId) {
        let needed = Int(id.rawValue) + 1
        guard books.count < needed else { return }
        let grow = needed - books.count
        for i in books.count..<needed { books.append(OrderBook(instrument: InstrumentId(rawValue: UInt32(i)))) }
        hasBook.append(contentsOf: repeatElement(false, count: grow))
        resyncRequests.append(contentsOf: repeatElement(false, count: grow))
        lastPrices.append(contentsOf: repeatElement(nil, count: grow))
        fundingRates.append(contentsOf: repeatElement(nil, count: grow))
        specs.append(contentsOf: repeatElement(nil, count: grow))
        cSpecs.append(contentsOf: repeatElement(nil, count: grow))
        subscribers.append(contentsOf: repeatElement([], count: grow))
        bookTopics.append(contentsOf: repeatElement(-1, count: grow))
        tradeTopics.append(contentsOf: repeatElement(-1, count: grow))
    }

    // MARK: The seed's operations (subscribe_symbol and unsubscribe_symbol:
    // MarketDataService+SubscribeSymbol.swift)

    /// The latest book of an instrument (get_latest_orderbook), valid or not.
    public func latestOrderBook(_ id: InstrumentId) -> OrderBook? {
        Int(id.rawValue) < books.count && hasBook[Int(id.rawValue)] ? books[Int(id.rawValue)] : nil
    }

    /// The latest book by venue and symbol.
    public func latestOrderBook(venue: String, symbol: String, kind: InstrumentKind = .perpetual) -> OrderBook? {
        instruments.existingId(for: Instrument(venue: venue, symbol: symbol, kind: kind)).flatMap(latestOrderBook)
    }

    /// The last trade price, or the mid of a valid book (get_latest_price).
    public func latestPrice(_ id: InstrumentId) -> ExactDecimal? {
        let i = Int(id.rawValue)
        guard i < books.count else { return nil }
        if let last = lastPrices[i] { return last }
        return withExistingBook(id) { book -> ExactDecimal? in
            guard book.isValid, let bid = book.bestBid, let ask = book.bestAsk,
                  let sum = try? bid.price.adding(ask.price) else { return nil }
            return try? sum.divided(by: ExactDecimal(2), rounding: .halfEven)
        } ?? nil
    }

    /// The latest funding rate of a perpetual.
    public func latestFundingRate(_ id: InstrumentId) -> arb_funding_rate_t? {
        Int(id.rawValue) < fundingRates.count ? fundingRates[Int(id.rawValue)] : nil
    }

    /// What the venue said about the instrument.
    public func spec(_ id: InstrumentId) -> InstrumentSpec? {
        Int(id.rawValue) < specs.count ? specs[Int(id.rawValue)] : nil
    }

    // MARK: Updates from the engine

    @inline(__always)
    public func withBook<R>(_ id: InstrumentId, _ body: (inout OrderBook) -> R) -> R {
        ensure(id)
        let i = Int(id.rawValue)
        hasBook[i] = true
        // Through the buffer: an element reached through the class property from another
        // module was copied out and back (a few hundred bytes per event).
        return books.withUnsafeMutableBufferPointer { body(&$0[i]) }
    }

    /// Reads an existing book in place (nil when there is none). Copying an `OrderBook` out
    /// retains each of its ladders' arrays; per strategy query that was a third of an event's cost.
    @inlinable @inline(__always)
    public func withExistingBook<R>(_ id: InstrumentId, _ body: (inout OrderBook) -> R) -> R? {
        let i = Int(id.rawValue)
        guard i < books.count, hasBook[i] else { return nil }
        return books.withUnsafeMutableBufferPointer { body(&$0[i]) }
    }

    func resyncRequested(_ id: InstrumentId) -> Bool {
        Int(id.rawValue) < resyncRequests.count && resyncRequests[Int(id.rawValue)]
    }

    func setResyncRequested(_ id: InstrumentId, _ requested: Bool) {
        ensure(id)
        resyncRequests[Int(id.rawValue)] = requested
    }

    func recordTrade(_ id: InstrumentId, price: ExactDecimal) {
        ensure(id)
        lastPrices[Int(id.rawValue)] = price
    }

    public func recordFunding(_ rate: arb_funding_rate_t) {
        let id = InstrumentId(rawValue: rate.instrument)
        ensure(id)
        fundingRates[Int(id.rawValue)] = rate
        publishedFunding.update { $0[id] = rate }
    }

    /// The latest funding rate of a perpetual, as published for other threads. Any thread.
    public func publishedFundingRate(_ id: InstrumentId) -> arb_funding_rate_t? {
        publishedFunding.read { $0[id] }
    }

    /// What the venue said about the instrument, as published for other threads. Any thread.
    public func publishedSpec(_ id: InstrumentId) -> InstrumentSpec? {
        publishedSpecs.read { $0[id] }
    }

    public func recordSpec(_ spec: InstrumentSpec) {
        ensure(spec.instrument)
        specs[Int(spec.instrument.rawValue)] = spec
        publishedSpecs.update { $0[spec.instrument] = spec }
        books[Int(spec.instrument.rawValue)].setPriceStep(spec.tickSize.units > 0 ? spec.tickSize : nil)
        cSpecs[Int(spec.instrument.rawValue)] = CSpec(spec)
    }

    /// The spec as the ABI struct; call only when `spec(id)` is non-nil.
    public func cSpec(_ id: InstrumentId) -> arb_instrument_spec_t {
        cSpecs[Int(id.rawValue)]?.value ?? arb_instrument_spec_t()
    }

    /// An `arb_instrument_spec_t` with its three strings in memory it owns.
    final class CSpec {
        let value: arb_instrument_spec_t
        private let strings: UnsafeMutableRawBufferPointer

        init(_ spec: InstrumentSpec) {
            let parts = [spec.base, spec.quote, spec.settle].map { Array($0.utf8) }
            strings = .allocate(byteCount: max(1, parts.reduce(0) { $0 + $1.count }), alignment: 1)
            var offset = 0
            var views: [arb_str_t] = []
            for part in parts {
                let start = strings.baseAddress!.advanced(by: offset)
                part.withUnsafeBytes { start.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(start), byteCount: $0.count) }
                views.append(arb_str_t(ptr: start.assumingMemoryBound(to: CChar.self), len: part.count))
                offset += part.count
            }
            var c = spec.withCSpec { $0 }
            c.base = views[0]
            c.quote = views[1]
            c.settle = views[2]
            value = c
        }

        deinit { strings.deallocate() }
    }

    /// The bus topic index for an instrument's books or trades, interned on first use.
    @inline(__always)
    func topic(_ id: InstrumentId, trades: Bool) -> Int {
        let i = Int(id.rawValue)
        if i < bookTopics.count {
            let cached = trades ? tradeTopics[i] : bookTopics[i]
            if cached >= 0 { return Int(cached) }
        }
        ensure(id)
        let instrument = instruments.instrument(id)
        let venue = instrument?.venue ?? "?", symbol = instrument?.symbol ?? "?"
        let index = engine.bus.topicIndex(trades ? Topic.trades(venue: venue, symbol: symbol) : Topic.book(venue: venue, symbol: symbol))
        if trades { tradeTopics[i] = Int32(index) } else { bookTopics[i] = Int32(index) }
        return index
    }

    /// Calls `body` for each strategy slot subscribed to `id`.
    @inlinable @inline(__always)
    public func forEachSubscriber(_ id: InstrumentId, _ body: (Int) -> Void) {
        let i = Int(id.rawValue)
        guard i < subscribers.count else { return }
        subscribers[i].withUnsafeBufferPointer { list in
            for slot in list { body(Int(slot)) }
        }
    }
}
