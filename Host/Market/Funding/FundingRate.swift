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
