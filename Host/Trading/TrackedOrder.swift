import ArbSDK
import PluginKit

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

/// Orders by host id and by client order id, for routing venue events back to strategies.
/// Engine thread only. (The full OrderManager with persistence comes with the orders issue.)
public struct OrderRegistry {
    private(set) var orders: [UInt64: TrackedOrder] = [:]
    private var byClientId: [String: UInt64] = [:]

    init() {}

    mutating func add(_ order: TrackedOrder) {
        orders[order.id] = order
        byClientId[order.clientOrderId] = order.id
    }

    public func order(_ id: UInt64) -> TrackedOrder? { orders[id] }

    func id(clientOrderId: String) -> UInt64? { byClientId[clientOrderId] }

    mutating func update(_ id: UInt64, _ body: (inout TrackedOrder) -> Void) {
        guard var order = orders[id] else { return }
        body(&order)
        orders[id] = order
    }

    /// Open (not final) orders of a strategy.
    public func openOrders(strategy slot: Int) -> [TrackedOrder] {
        orders.values.filter { $0.strategySlot == slot && !$0.isFinal }.sorted { $0.id < $1.id }
    }

    public var all: [TrackedOrder] { orders.values.sorted { $0.id < $1.id } }
}
