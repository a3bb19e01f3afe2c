import ArbEngine
import ArbModel
import ArbSDK

extension OrderManager {
    /// Queues a change of a strategy's order's price and quantity (modify_order; the ABI's
    /// `amend_order`); returns the action id.
    public func modifyOrder(strategy: Int, orderId: UInt64, price: arb_decimal_t, quantity: arb_decimal_t)
        -> (status: arb_status_t, actionId: UInt64)
    {
        guard let order = orders.order(orderId), order.strategySlot == strategy else { return (ARB_ERR_NOT_FOUND, 0) }
        guard !order.isFinal else { return (ARB_ERR_WRONG_STATE, 0) }
        guard ExactDecimal(quantity) > .zero, ExactDecimal(price) > .zero else { return (ARB_ERR_INVALID_ARGUMENT, 0) }
        let actionId = newActionId()
        queue(.amend(strategy: strategy, actionId: actionId, orderId: orderId, price: price, quantity: quantity))
        return (ARB_OK, actionId)
    }

    func sendAmend(_ strategy: Int, _ actionId: UInt64, _ orderId: UInt64, _ price: arb_decimal_t, _ quantity: arb_decimal_t) {
        guard let order = orders.order(orderId), let venue = engine.venue(order.exchangeSlot) else { return }
        guard let amend = venue.table.amend_order, (venue.table.capabilities & ARB_EXCHANGE_CAP_AMEND) != 0 else {
            finishAction(kind: ARB_ACTION_AMEND_ORDER, strategy: strategy, actionId: actionId, orderId: orderId,
                         outcome: ARB_OUTCOME_REJECTED, code: 0,
                         reason: "venue '\(venue.name)' has no native amend; cancel-replace comes with the orders issue")
            return
        }
        let action = InFlight(kind: ARB_ACTION_AMEND_ORDER, strategy: strategy, actionId: actionId, orderId: orderId,
                              price: price, quantity: quantity)
        let status = send(action, to: venue) { request in orderRef(order) { ref in venue.calling("amend_order") { amend(venue.instance, request, ref, price, quantity) } } }
        if status != ARB_OK {
            finishAction(kind: ARB_ACTION_AMEND_ORDER, strategy: strategy, actionId: actionId, orderId: orderId,
                         outcome: ARB_OUTCOME_REJECTED, code: 0, reason: "adapter '\(venue.name)' refused the amend (status \(status))")
        }
    }
}
