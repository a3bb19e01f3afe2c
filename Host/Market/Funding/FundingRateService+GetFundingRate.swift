import ArbModel
import ArbSDK

extension FundingRateService {
    /// The latest well-formed funding rate of `symbol`'s perpetual on `venue` (get_funding_rate).
    /// Any thread: answered from what the engine published, without waiting for it.
    public func fundingRate(venue: String, symbol: String) -> FundingRate? {
        engine.instruments.existingId(for: Instrument(venue: venue, symbol: symbol, kind: .perpetual))
            .flatMap(fundingRate(of:))
    }

    /// The latest rate of `symbol` on every venue that has one (get_funding_rates_all). A venue
    /// with no rate, or a malformed one, is left out; it never fails the whole call.
    public func allFundingRates(symbol: String) -> [String: FundingRate] {
        var rates: [String: FundingRate] = [:]
        for raw in 0..<UInt32(engine.instruments.count) {
            let id = InstrumentId(rawValue: raw + 1)
            guard let instrument = engine.instruments.instrument(id), instrument.kind == .perpetual,
                  instrument.symbol == symbol, let rate = fundingRate(of: id) else { continue }
            rates[instrument.venue] = rate
        }
        return rates
    }
}
