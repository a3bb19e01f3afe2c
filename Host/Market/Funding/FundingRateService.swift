import ArbBook
import ArbEngine
import ArbModel
import ArbSDK

/// Funding rates across venues over the engine's cache (the seed's FundingRateService):
/// lookups, per-hour spreads, a predicted next rate, handlers, and bus topics
/// `data.funding.<venue>.<symbol>` and `data.funding_settlement.<venue>.<symbol>`.
///
/// It learns on the engine thread (each funding update), and publishes what it knows
/// (`PublishedState`): its queries answer from any thread without waiting for the engine. Set the
/// settings before the engine starts. Funding updates are rare (seconds apart), so the service
/// allocates freely, unlike the book path.
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
    struct PremiumWindow: Sendable {
        var nextFundingTime: Int64
        var samples: [ExactDecimal] = []
    }

    /// The premium samples of each perpetual's current interval, published for queries.
    let windows = PublishedState<[InstrumentId: PremiumWindow]>([:])
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

    // get_funding_rate and get_all_funding_rates: FundingRateService+GetFundingRate.swift

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
        engine.instruments.existingId(for: Instrument(venue: venue, symbol: symbol, kind: .perpetual))
            .flatMap(fundingRate(of:))
            .flatMap(predictedRate)
    }

    /// The premium samples kept for the current interval of `symbol` on `venue`, oldest first.
    public func premiumSamples(venue: String, symbol: String) -> [ExactDecimal] {
        guard let id = engine.instruments.existingId(for: Instrument(venue: venue, symbol: symbol, kind: .perpetual)) else { return [] }
        return windows.read { $0[id]?.samples } ?? []
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

    // MARK: Learning (engine thread) and answering (any thread)

    /// The latest well-formed rate of a perpetual, from what the market data service published.
    func fundingRate(of id: InstrumentId) -> FundingRate? {
        market.publishedFundingRate(id).flatMap { fundingRate($0, specInterval: market.publishedSpec(id)?.fundingIntervalNanoseconds ?? 0) }
    }

    private func fundingRate(_ c: arb_funding_rate_t, specInterval: Int64) -> FundingRate? {
        guard let instrument = engine.instruments.instrument(InstrumentId(rawValue: c.instrument)) else { return nil }
        return FundingRate(c, venue: instrument.venue, symbol: instrument.symbol, specIntervalNanoseconds: specInterval)
    }

    /// An update as the engine thread hands it over (the spec from the engine's own cache).
    private func fundingRate(_ c: arb_funding_rate_t) -> FundingRate? {
        fundingRate(c, specInterval: market.spec(InstrumentId(rawValue: c.instrument))?.fundingIntervalNanoseconds ?? 0)
    }

    private func predictedRate(_ rate: FundingRate) -> ExactDecimal? {
        // Samples of an earlier interval (the cache moved on without this service seeing it)
        // say nothing about this one.
        if let window = windows.read({ $0[rate.instrument] }), window.nextFundingTime == rate.nextFundingTime,
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
        // A new settlement time means a new interval: its premium starts from nothing. In place:
        // the samples are appended where queries read them.
        let id = rate.instrument, limit = max(1, maximumPremiumSamples)
        windows.update { windows in
            if windows[id]?.nextFundingTime != rate.nextFundingTime {
                windows[id] = PremiumWindow(nextFundingTime: rate.nextFundingTime)
            }
            if let premium = rate.premium {
                if windows[id]!.samples.count >= limit { windows[id]!.samples.removeFirst() }
                windows[id]!.samples.append(premium)
            }
        }
        publish(topic: Topic.funding(venue: rate.venue, symbol: rate.symbol), correlationId: correlationId) {
            var json = JSONObject()
            json.field("venue", rate.venue)
            json.field("symbol", rate.symbol)
            json.field("rate", rate.rate)
            json.field("predicted_rate", rate.predictedRate)
            json.field("estimated_rate", predictedRate(rate))
            json.field("rate_per_hour", try? rate.ratePerHour())
            json.field("rate_annualized", try? rate.annualizedRate())
            json.field("mark_price", rate.markPrice)
            json.field("index_price", rate.indexPrice)
            json.field("next_funding_time_ns", rate.nextFundingTime)
            json.field("funding_interval_ns", rate.intervalNanoseconds)
            json.field("rate_cap", rate.rateCap)
            json.field("rate_floor", rate.rateFloor)
            json.field("ts_event", rate.timestamp)
            return json.text
        }
    }

    private func fundingSettled(_ c: arb_funding_payment_t) {
        guard let instrument = engine.instruments.instrument(InstrumentId(rawValue: c.instrument)) else { return }
        let s = FundingSettlement(c, venue: instrument.venue, symbol: instrument.symbol)
        publish(topic: Topic.fundingSettlement(venue: s.venue, symbol: s.symbol), correlationId: 0) {
            var json = JSONObject()
            json.field("venue", s.venue)
            json.field("symbol", s.symbol)
            json.field("rate", s.rate)
            json.field("position_quantity", s.positionQuantity)
            json.field("mark_price", s.markPrice)
            json.field("amount", s.amount)
            json.field("currency", s.currency)
            json.field("ts_event", s.timestamp)
            return json.text
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

}
