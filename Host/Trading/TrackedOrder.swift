import ArbEngine
import ArbModel
import ArbSDK

/// An order the host placed for a strategy, as far as the host knows it.
public struct TrackedOrder: Sendable, Equatable {
    public let id: UInt64
    public let strategySlot: Int
    public let exchangeSlot: Int
    public let instrument: InstrumentId
    public let clientOrderId: String
    public var venueOrderId: String = ""
    public let side: arb_side_t
    public let type: arb_order_type_t
    public let timeInForce: arb_time_in_force_t
    public var quantity: ExactDecimal
    public var price: ExactDecimal
    /// Only reduces a position (the venue refuses what would open or grow one).
    public var reduceOnly = false
    public var status: arb_order_status_t = ARB_ORDER_PENDING
    public var filledQuantity: ExactDecimal = .zero
    /// Set once the final event was delivered; later duplicates from the venue are dropped.
    public var isFinal = false

    public static func isFinal(_ status: arb_order_status_t) -> Bool {
        status == ARB_ORDER_FILLED || status == ARB_ORDER_CANCELLED || status == ARB_ORDER_REJECTED
            || status == ARB_ORDER_EXPIRED
    }
}
