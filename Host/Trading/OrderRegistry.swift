import ArbEngine
import ArbModel
import ArbSDK

/// Orders by host id and by client order id, for routing venue events back to strategies.
/// Engine thread only. (The full OrderManager with persistence comes with the orders issue.)
public struct OrderRegistry {
    private(set) var orders: [UInt64: TrackedOrder] = [:]
    private var byClientId: [String: UInt64] = [:]

    public init() {}

    public mutating func add(_ order: TrackedOrder) {
        orders[order.id] = order
        byClientId[order.clientOrderId] = order.id
    }

    public func order(_ id: UInt64) -> TrackedOrder? { orders[id] }

    public func id(clientOrderId: String) -> UInt64? { byClientId[clientOrderId] }

    public mutating func update(_ id: UInt64, _ body: (inout TrackedOrder) -> Void) {
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
