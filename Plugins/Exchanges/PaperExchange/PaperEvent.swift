import ArbSDK
import ArbBook
import ArbModel

/// What a call to the engine produced, in the order it happened.
///
/// Per accepted order: `accepted`, then per fill `fill` + `orderUpdated` (+ `positionChanged`
/// for derivatives), then at most one final `orderUpdated` (filled, cancelled or expired) — a
/// fill that completes the order is itself that final update. Balances are reported once per
/// call, after everything else, for each currency whose free/used/total changed (sorted by name).
public enum PaperEvent: Sendable, Hashable {
    /// The order passed validation and exists at the venue (status `.open`, nothing filled yet).
    case accepted(PaperOrder)
    /// The order request was refused; no order exists. `code` is a `PaperRejectCode` raw value.
    case rejected(clientOrderId: String, code: Int32, reason: String)
    /// The order after a change (fill, amend, cancel, expiry).
    case orderUpdated(PaperOrder)
    case fill(PaperFill)
    case positionChanged(PaperPosition)
    case balanceChanged(PaperBalance)
    /// A funding settlement; `amount` is signed from the account's view (negative = paid).
    case fundingPayment(instrument: UInt32, rate: ExactDecimal, positionQuantity: ExactDecimal,
                        markPrice: ExactDecimal, amount: ExactDecimal, currency: String)
    /// A dated future was settled: positions closed at the index price, open orders cancelled.
    case expired(instrument: UInt32)
    /// A position was liquidated at the mark price (`quantity`: what it was, signed): the
    /// account's equity in its settle currency fell below the maintenance margin.
    case liquidated(instrument: UInt32, markPrice: ExactDecimal, quantity: ExactDecimal)
    /// A cancel was refused; the order (if any) is unchanged.
    case cancelRejected(clientOrderId: String, code: Int32, reason: String)
    /// An amend was refused; the order (if any) is unchanged.
    case amendRejected(clientOrderId: String, code: Int32, reason: String)
    /// A funding or expiry settlement was refused; nothing changed.
    case settlementRejected(instrument: UInt32, code: Int32, reason: String)
    /// The engine could not complete a call (decimal overflow at absurd magnitudes, or a failed
    /// journal write, after which every mutating call is refused: the venue fails stopped).
    case internalError(reason: String)
}

/// Reject codes, modelled on Binance's (spot and USDⓈ-M futures) so adapters can map them the
/// same way they map a real venue's. Reasons carry the specifics.
public enum PaperRejectCode: Int32, Sendable {
    /// Internal error: the journal failed (fail-stop) or arithmetic overflowed.
    case internalError = -1001
    /// A required parameter is missing (limit order without a price).
    case missingParameter = -1102
    /// A parameter was sent where it is not allowed (price on a market order, reduce-only on spot).
    case parameterNotRequired = -1106
    /// Invalid order type (post-only market order).
    case invalidOrderType = -1116
    /// Unknown instrument (Binance: "Invalid symbol").
    case unknownInstrument = -1121
    /// Filter failure: tick size, lot size, minimum quantity, minimum notional, misconfigured instrument.
    case filterFailure = -1013
    /// Spot: insufficient balance. Also: post-only order would immediately match and take.
    case insufficientBalance = -2010
    /// Cancel of an unknown or already final order.
    case unknownOrder = -2011
    /// Amend of an unknown or already final order.
    case orderDoesNotExist = -2013
    /// Derivatives: margin is insufficient.
    case insufficientMargin = -2019
    /// Reduce-only order would increase (or open) a position.
    case reduceOnlyRejected = -2022
    /// Price ≤ 0.
    case priceNotPositive = -4001
    /// Quantity ≤ 0, or an amend that leaves nothing to fill (new quantity ≤ filled).
    case quantityNotPositive = -4003
    /// Client order id empty or longer than 36 characters.
    case invalidClientOrderId = -4015
    /// Client order id already used (Binance futures' "ClientOrderId is duplicated").
    case duplicateClientOrderId = -4116
    /// Instrument not tradable or not settleable in its current state (expired, not a dated
    /// future, not yet at expiry, funding on a non-perpetual, funding period already settled).
    case invalidInstrumentStatus = -4140
    /// Amend that changes nothing.
    case noChange = -5027
}
