import ArbBook
import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbSDK
import ArbTrading

/// One instrument's trading in a replay, from its fills and funding payments: the net position
/// at its average entry price, PnL realised when the position is reduced (average cost), fees
/// and funding. Unrealised PnL is marked at a price given at the end. Values in the quote
/// (settlement) currency; fills are rare, so plain arithmetic and allocation are fine here.
public struct InstrumentLedger: Sendable, Equatable {
    public var position: ExactDecimal = .zero
    /// Average entry price of the open position (zero when flat).
    public var averagePrice: ExactDecimal = .zero
    public var realized: ExactDecimal = .zero
    public var fees: ExactDecimal = .zero
    public var feeCurrency = ""
    /// Funding received (positive) or paid (negative).
    public var funding: ExactDecimal = .zero
    public var tradedNotional: ExactDecimal = .zero

    public init() {}

    /// Books a fill: `quantity` positive, `buy` its side.
    public mutating func fill(buy: Bool, price: ExactDecimal, quantity: ExactDecimal, fee: ExactDecimal,
                              feeCurrency: String) throws(DecimalError) {
        fees = try fees.adding(fee)
        if !feeCurrency.isEmpty { self.feeCurrency = feeCurrency }
        tradedNotional = try tradedNotional.adding(price.multiplied(by: quantity, rounding: .halfEven))
        let signed = buy ? quantity : try quantity.negated()
        if position.isZero || (position.units > 0) == buy {
            // Opening or adding: the average entry moves toward this price.
            let held = try position.absolute()
            let total = try held.adding(quantity)
            let cost = try held.multiplied(by: averagePrice, rounding: .halfEven).adding(quantity.multiplied(by: price, rounding: .halfEven))
            averagePrice = try cost.divided(by: total, rounding: .halfEven)
            position = try position.adding(signed)
            return
        }
        // Reducing (and maybe reversing): the closed part realises price − entry per unit.
        let held = try position.absolute()
        let closed = min(held, quantity)
        let perUnit = position.units > 0 ? try price.subtracting(averagePrice) : try averagePrice.subtracting(price)
        realized = try realized.adding(closed.multiplied(by: perUnit, rounding: .halfEven))
        position = try position.adding(signed)
        if position.isZero {
            averagePrice = .zero
        } else if quantity > held {
            averagePrice = price  // reversed: the rest opened at this fill's price
        }
    }

    public mutating func fundingPayment(_ amount: ExactDecimal) throws(DecimalError) {
        funding = try funding.adding(amount)
    }

    /// PnL of the open position at `mark`.
    public func unrealized(at mark: ExactDecimal) throws(DecimalError) -> ExactDecimal {
        guard !position.isZero else { return .zero }
        return try mark.subtracting(averagePrice).multiplied(by: position, rounding: .halfEven)
    }

    /// Realised + unrealised at `mark` − fees + funding.
    public func net(at mark: ExactDecimal?) throws(DecimalError) -> ExactDecimal {
        let open = try mark.map { m throws(DecimalError) in try unrealized(at: m) } ?? .zero
        return try realized.adding(open).subtracting(fees).adding(funding)
    }
}
