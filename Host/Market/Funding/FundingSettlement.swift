import ArbBook
import ArbEngine
import ArbModel
import ArbSDK

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
