import ArbEngine
import ArbModel
import ArbSDK

extension OrderManager {
    /// Queues the cancel of a strategy's order (cancel_order); returns the action id.
    public func cancelOrder(strategy: Int, orderId: UInt64) -> (status: arb_status_t, actionId: UInt64) {
        guard let order = orders.order(orderId), order.strategySlot == strategy else { return (ARB_ERR_NOT_FOUND, 0) }
        guard !order.isFinal else { return (ARB_ERR_WRONG_STATE, 0) }
        let actionId = newActionId()
        queue(.cancel(strategy: strategy, actionId: actionId, orderId: orderId))
        return (ARB_OK, actionId)
    }

    /// Cancels every open order of a strategy now (the `cancel_orders` removal policy); returns
    /// how many cancels were sent.
    @discardableResult
    public func cancelOpenOrders(strategy slot: Int) -> Int {
        var sent = 0
        for order in orders.openOrders(strategy: slot) {
            sendCancel(slot, newActionId(), order.id)
            sent += 1
        }
        return sent
    }

    func sendCancel(_ strategy: Int, _ actionId: UInt64, _ orderId: UInt64) {
        guard let order = orders.order(orderId), let venue = engine.venue(order.exchangeSlot) else { return }
        if order.isFinal {
            finishAction(kind: ARB_ACTION_CANCEL_ORDER, strategy: strategy, actionId: actionId, orderId: orderId,
                         outcome: ARB_OUTCOME_REJECTED, code: 0, reason: "the order is already final")
            return
        }
        let action = InFlight(kind: ARB_ACTION_CANCEL_ORDER, strategy: strategy, actionId: actionId, orderId: orderId)
        let status = send(action, to: venue) { request in orderRef(order) { ref in venue.calling("cancel_order") { venue.table.cancel_order!(venue.instance, request, ref) } } }
        if status != ARB_OK {
            finishAction(kind: ARB_ACTION_CANCEL_ORDER, strategy: strategy, actionId: actionId, orderId: orderId,
                         outcome: ARB_OUTCOME_REJECTED, code: 0, reason: "adapter '\(venue.name)' refused the cancel (status \(status))")
        }
    }

    /// An order's reference as the adapter receives it (borrowed for the call).
    func orderRef(_ order: TrackedOrder, _ body: (UnsafePointer<arb_order_ref_t>) -> arb_status_t) -> arb_status_t {
        order.clientOrderId.withArbStr { cid in
            order.venueOrderId.withArbStr { vid in
                var ref = arb_order_ref_t(struct_size: structSize(arb_order_ref_t.self), instrument: order.instrument.rawValue,
                                          venue_order_id: vid, client_order_id: cid)
                return body(&ref)
            }
        }
    }
}
