import ArbBook
import ArbEngine
import ArbModel
import ArbSDK

/// A perpetual's funding rate as a venue last published it (the seed's FundingRate).
public struct FundingRate: Sendable, Hashable {
    public var venue: String
    public var symbol: String
    public var instrument: InstrumentId
    /// The current interval's rate; > 0 means longs pay shorts.
    public var rate: ExactDecimal
    /// The venue's own estimate of the next rate, if it publishes one.
    public var predictedRate: ExactDecimal?
    public var markPrice: ExactDecimal
    public var indexPrice: ExactDecimal
    /// When the current interval settles, ns since the epoch; 0 if unknown.
    public var nextFundingTime: Int64
    /// Always positive: a rate without a known interval is not comparable and is never built.
    public var intervalNanoseconds: Int64
    /// nil when the venue publishes no cap (the ABI's 0).
    public var rateCap: ExactDecimal?
    /// nil when the venue publishes no floor.
    public var rateFloor: ExactDecimal?
    /// Venue time of the update, ns.
    public var timestamp: Int64

    /// Reads the ABI struct; nil if it is malformed (no positive interval, negative prices, a
    /// floor above the cap). The venue's interval wins; the instrument spec's is the fallback.
    public init?(_ c: arb_funding_rate_t, venue: String, symbol: String, specIntervalNanoseconds: Int64 = 0) {
        let interval = c.funding_interval_ns > 0 ? c.funding_interval_ns : specIntervalNanoseconds
        let cap = ExactDecimal(c.rate_cap), floor = ExactDecimal(c.rate_floor)
        guard interval > 0, ExactDecimal(c.mark_price).signum >= 0, ExactDecimal(c.index_price).signum >= 0,
              cap.isZero || floor.isZero || floor <= cap else { return nil }
        self.venue = venue
        self.symbol = symbol
        instrument = InstrumentId(rawValue: c.instrument)
        rate = ExactDecimal(c.rate)
        predictedRate = c.has_predicted_rate != 0 ? ExactDecimal(c.predicted_rate) : nil
        markPrice = ExactDecimal(c.mark_price)
        indexPrice = ExactDecimal(c.index_price)
        nextFundingTime = c.next_funding_time_ns
        intervalNanoseconds = interval
        // The ABI marks "none published" with 0; a real bound of exactly 0 does not occur.
        rateCap = cap.isZero ? nil : cap
        rateFloor = floor.isZero ? nil : floor
        timestamp = c.ts_event
    }

    /// The rate per hour (see `FundingMath.ratePerHour`).
    public func ratePerHour() throws(FundingMathError) -> ExactDecimal {
        try FundingMath.ratePerHour(rate, intervalNanoseconds: intervalNanoseconds)
    }

    /// The simple annual rate, per hour × 8760.
    public func annualizedRate() throws(FundingMathError) -> ExactDecimal {
        try FundingMath.annualizedRate(rate, intervalNanoseconds: intervalNanoseconds)
    }

    /// This update's premium sample, (mark − index) / index; nil without both prices.
    public var premium: ExactDecimal? {
        guard markPrice.signum > 0, indexPrice.signum > 0 else { return nil }
        return try? FundingMath.premium(markPrice: markPrice, indexPrice: indexPrice)
    }
}

/// A funding settlement on one of the account's positions.
public struct FundingSettlement: Sendable, Hashable {
    public var venue: String
    public var symbol: String
    public var instrument: InstrumentId
    public var rate: ExactDecimal
    /// > 0 long, < 0 short.
    public var positionQuantity: ExactDecimal
    public var markPrice: ExactDecimal
    /// > 0 received, < 0 paid.
    public var amount: ExactDecimal
    public var currency: String
    public var timestamp: Int64

    init(_ c: arb_funding_payment_t, venue: String, symbol: String) {
        self.venue = venue
        self.symbol = symbol
        instrument = InstrumentId(rawValue: c.instrument)
        rate = ExactDecimal(c.rate)
        positionQuantity = ExactDecimal(c.position_quantity)
        markPrice = ExactDecimal(c.mark_price)
        amount = ExactDecimal(c.amount)
        currency = String(c.currency)
        timestamp = c.ts_event
    }
}

/// Funding rates across venues over the engine's cache (the seed's FundingRateService):
/// lookups, per-hour spreads, a predicted next rate, handlers, and bus topics
/// `data.funding.<venue>.<symbol>` and `data.funding_settlement.<venue>.<symbol>`.
///
/// Its state belongs to the engine thread; every public method hops there (`Engine.perform`),
/// so it may be called from any thread; set the settings before the engine starts or on its thread. Funding updates are rare (seconds apart), so the
/// service allocates freely, unlike the book path.
public final class FundingRateService: @unchecked Sendable {
    public let engine: Engine
    public let market: MarketDataService
    /// Interest per day for the predicted rate, unless `interestRatesPerDay` names the venue.
    public var interestRatePerDay = FundingMath.binanceInterestRatePerDay
    /// Per-venue interest per day (e.g. 0 for contracts without an interest component).
    public var interestRatesPerDay: [String: ExactDecimal] = [:]
    /// How the premium samples are averaged. Equal by default: samples arrive at update times,
    /// not on Binance's 5-second grid that its linear weights assume.
    public var premiumWeighting = PremiumWeighting.equal
    /// How intervals other than 8 h are scaled.
    public var premiumIndexMethod = PremiumIndexMethod.interestScaledToInterval
    /// The most samples kept per instrument (Binance takes 5760 in 8 h); the oldest go first.
    public var maximumPremiumSamples = 5_760

    /// The premium samples of the interval that settles at `nextFundingTime`.
    private struct PremiumWindow {
        var nextFundingTime: Int64
        var samples: [ExactDecimal] = []
    }

    private var windows: [InstrumentId: PremiumWindow] = [:]
    private var malformedReported: Set<InstrumentId> = []
    private var registrations: [EventRouter.Registration] = []

    /// Starts collecting premium samples and publishing on the bus.
    public init(engine: Engine, market: MarketDataService) {
        self.engine = engine
        self.market = market
        engine.perform { [self] engine in
            registrations.append(engine.router.registerHandler(.fundingRateUpdate) { [weak self] event in
                guard let self, case .funding(let p) = event.payload else { return }
                self.fundingRateUpdated(p.pointee, correlationId: event.correlationId)
            })
            registrations.append(engine.router.registerHandler(.fundingSettlement) { [weak self] event in
                guard let self, case .fundingPayment(let p) = event.payload else { return }
                self.fundingSettled(p.pointee)
            })
        }
    }

    deinit {
        let registrations = registrations
        engine.perform { engine in registrations.forEach(engine.router.unregister) }
    }

    // MARK: Queries

    /// The latest well-formed funding rate of `symbol`'s perpetual on `venue` (get_funding_rate).
    public func fundingRate(venue: String, symbol: String) -> FundingRate? {
        engine.perform { engine in
            engine.instruments.existingId(for: Instrument(venue: venue, symbol: symbol, kind: .perpetual))
                .flatMap(self.fundingRate(of:))
        }
    }

    /// The latest rate of `symbol` on every venue that has one (get_funding_rates_all). A venue
    /// with no rate, or a malformed one, is left out; it never fails the whole call.
    public func allFundingRates(symbol: String) -> [String: FundingRate] {
        engine.perform { engine in
            var rates: [String: FundingRate] = [:]
            for raw in 0..<UInt32(engine.instruments.count) {
                let id = InstrumentId(rawValue: raw + 1)
                guard let instrument = engine.instruments.instrument(id), instrument.kind == .perpetual,
                      instrument.symbol == symbol, let rate = self.fundingRate(of: id) else { continue }
                rates[instrument.venue] = rate
            }
            return rates
        }
    }

    /// The spread of every pair of venues quoting `symbol`, normalised per hour, widest first
    /// (ties by venue names). A pair whose arithmetic overflows is left out.
    public func fundingRateSpread(symbol: String) -> [FundingSpread] {
        let legs = allFundingRates(symbol: symbol).values.sorted { $0.venue < $1.venue }
            .compactMap { try? FundingSpread.Leg(venue: $0.venue, rate: $0.rate, intervalNanoseconds: $0.intervalNanoseconds) }
        var spreads: [FundingSpread] = []
        for i in legs.indices {
            for j in legs.indices where j > i {
                if let spread = try? FundingSpread(symbol: symbol, legs[i], legs[j]) { spreads.append(spread) }
            }
        }
        return spreads.sorted {
            ($1.spreadPerHour, $0.longLeg.venue, $0.shortLeg.venue) < ($0.spreadPerHour, $1.longLeg.venue, $1.shortLeg.venue)
        }
    }

    /// The next rate by the premium-index method (`FundingMath.predictedRate`) from the premium
    /// samples of the current interval; without samples, the venue's own predicted rate; nil if
    /// neither exists.
    public func predictFundingRate(venue: String, symbol: String) -> ExactDecimal? {
        engine.perform { engine in
            engine.instruments.existingId(for: Instrument(venue: venue, symbol: symbol, kind: .perpetual))
                .flatMap(self.fundingRate(of:))
                .flatMap(self.predictedRate)
        }
    }

    /// The premium samples kept for the current interval of `symbol` on `venue`, oldest first.
    public func premiumSamples(venue: String, symbol: String) -> [ExactDecimal] {
        engine.perform { engine in
            engine.instruments.existingId(for: Instrument(venue: venue, symbol: symbol, kind: .perpetual))
                .flatMap { self.windows[$0]?.samples } ?? []
        }
    }

    // MARK: Handlers

    /// Calls `handler` on the engine thread with every well-formed funding update, after the
    /// cache and this service's samples took it in. Remove it with `engine.router.unregister`.
    @discardableResult
    public func onFundingRateUpdate(_ handler: @escaping (FundingRate) -> Void) -> EventRouter.Registration {
        engine.perform { engine in
            engine.router.registerHandler(.fundingRateUpdate) { [weak self] event in
                guard let self, case .funding(let p) = event.payload,
                      let rate = self.fundingRate(p.pointee) else { return }
                handler(rate)
            }
        }
    }

    /// Calls `handler` on the engine thread with every funding settlement on a position.
    /// Remove it with `engine.router.unregister`.
    @discardableResult
    public func onFundingSettlement(_ handler: @escaping (FundingSettlement) -> Void) -> EventRouter.Registration {
        engine.perform { engine in
            engine.router.registerHandler(.fundingSettlement) { [weak engine] event in
                guard let engine, case .fundingPayment(let p) = event.payload,
                      let instrument = engine.instruments.instrument(InstrumentId(rawValue: p.pointee.instrument)) else { return }
                handler(FundingSettlement(p.pointee, venue: instrument.venue, symbol: instrument.symbol))
            }
        }
    }

    // MARK: Engine thread

    private func fundingRate(of id: InstrumentId) -> FundingRate? {
        market.latestFundingRate(id).flatMap(fundingRate)
    }

    private func fundingRate(_ c: arb_funding_rate_t) -> FundingRate? {
        let id = InstrumentId(rawValue: c.instrument)
        guard let instrument = engine.instruments.instrument(id) else { return nil }
        return FundingRate(c, venue: instrument.venue, symbol: instrument.symbol,
                           specIntervalNanoseconds: market.spec(id)?.fundingIntervalNanoseconds ?? 0)
    }

    private func predictedRate(_ rate: FundingRate) -> ExactDecimal? {
        // Samples of an earlier interval (the cache moved on without this service seeing it)
        // say nothing about this one.
        if let window = windows[rate.instrument], window.nextFundingTime == rate.nextFundingTime,
           let predicted = try? FundingMath.predictedRate(
               premiumSamples: window.samples, weighting: premiumWeighting, intervalNanoseconds: rate.intervalNanoseconds,
               interestRatePerDay: interestRatesPerDay[rate.venue] ?? interestRatePerDay,
               cap: rate.rateCap, floor: rate.rateFloor, method: premiumIndexMethod) {
            return predicted
        }
        return rate.predictedRate
    }

    private func fundingRateUpdated(_ c: arb_funding_rate_t, correlationId: UInt64) {
        guard let rate = fundingRate(c) else {
            let id = InstrumentId(rawValue: c.instrument)
            // Once per instrument: an adapter that always sends a bad field would flood the log.
            if malformedReported.insert(id).inserted {
                engine.logger.warning("funding rate for \(engine.instruments.instrument(id)?.description ?? "\(id)") is malformed (no interval, negative price or floor above cap); ignored by the funding service")
            }
            return
        }
        // A new settlement time means a new interval: its premium starts from nothing.
        var window = windows[rate.instrument] ?? PremiumWindow(nextFundingTime: rate.nextFundingTime)
        if window.nextFundingTime != rate.nextFundingTime { window = PremiumWindow(nextFundingTime: rate.nextFundingTime) }
        if let premium = rate.premium {
            if window.samples.count >= max(1, maximumPremiumSamples) { window.samples.removeFirst() }
            window.samples.append(premium)
        }
        windows[rate.instrument] = window
        publish(topic: Topic.funding(venue: rate.venue, symbol: rate.symbol), correlationId: correlationId) {
            let predicted = predictedRate(rate)
            return "{\"venue\":\(jsonString(rate.venue)),\"symbol\":\(jsonString(rate.symbol)),"
                + "\"rate\":\(json(rate.rate)),\"predicted_rate\":\(json(rate.predictedRate)),"
                + "\"estimated_rate\":\(json(predicted)),\"rate_per_hour\":\(json(try? rate.ratePerHour())),"
                + "\"rate_annualized\":\(json(try? rate.annualizedRate())),\"mark_price\":\(json(rate.markPrice)),"
                + "\"index_price\":\(json(rate.indexPrice)),\"next_funding_time_ns\":\(rate.nextFundingTime),"
                + "\"funding_interval_ns\":\(rate.intervalNanoseconds),\"rate_cap\":\(json(rate.rateCap)),"
                + "\"rate_floor\":\(json(rate.rateFloor)),\"ts_event\":\(rate.timestamp)}"
        }
    }

    private func fundingSettled(_ c: arb_funding_payment_t) {
        guard let instrument = engine.instruments.instrument(InstrumentId(rawValue: c.instrument)) else { return }
        let s = FundingSettlement(c, venue: instrument.venue, symbol: instrument.symbol)
        publish(topic: Topic.fundingSettlement(venue: s.venue, symbol: s.symbol), correlationId: 0) {
            "{\"venue\":\(jsonString(s.venue)),\"symbol\":\(jsonString(s.symbol)),\"rate\":\(json(s.rate)),"
                + "\"position_quantity\":\(json(s.positionQuantity)),\"mark_price\":\(json(s.markPrice)),"
                + "\"amount\":\(json(s.amount)),\"currency\":\(jsonString(s.currency)),\"ts_event\":\(s.timestamp)}"
        }
    }

    /// Queues a host message for delivery after the current event, building the JSON only when
    /// someone listens.
    private func publish(topic: String, correlationId: UInt64, _ payload: () -> String) {
        topic.withArbStr { t in
            guard engine.bus.hasSubscribers(t) else { return }
            payload().withArbStr { p in engine.enqueueMessage(topic: t, payload: p, source: .host, correlationId: correlationId) }
        }
    }

    /// Decimals travel as JSON strings so that no reader turns them into binary floating point.
    private func json(_ value: ExactDecimal?) -> String { value.map { "\"\($0)\"" } ?? "null" }
}
