import ArbEngine
import ArbModel
import ArbSDK

extension OrderManager {
    /// Checks and queues a strategy's new order (create_order); it is sent to the venue after
    /// the strategy's callback returns. Returns the order's host id.
    ///
    /// - Parameters:
    ///   - strategy: the owning strategy's slot.
    ///   - clientOrderPrefix: the strategy's client order id prefix, used when the request has none.
    public func submitOrder(strategy: Int, clientOrderPrefix: String, _ request: arb_order_request_t)
        -> (status: arb_status_t, orderId: UInt64)
    {
        let id = InstrumentId(rawValue: request.instrument)
        guard let instrument = engine.instruments.instrument(id) else { return (ARB_ERR_NOT_FOUND, 0) }
        guard let venue = engine.venue(named: instrument.venue) else {
            logger.warning("order for \(instrument): no venue named '\(instrument.venue)' is configured")
            return (ARB_ERR_NOT_FOUND, 0)
        }
        guard request.side == ARB_SIDE_BUY || request.side == ARB_SIDE_SELL,
              request.type == ARB_ORDER_MARKET || request.type == ARB_ORDER_LIMIT,
              request.type == ARB_ORDER_MARKET || (ARB_TIF_GTC...ARB_TIF_POST_ONLY).contains(request.time_in_force),
              ExactDecimal(request.quantity) > .zero,
              request.type == ARB_ORDER_MARKET || ExactDecimal(request.price) > .zero
        else { return (ARB_ERR_INVALID_ARGUMENT, 0) }
        let orderId = newActionId()
        let clientOrderId = request.client_order_id.len > 0 ? String(request.client_order_id)
                                                            : clientOrderPrefix + String(orderId)
        guard orders.id(clientOrderId: clientOrderId) == nil else { return (ARB_ERR_REJECTED, 0) }
        orders.add(TrackedOrder(id: orderId, strategySlot: strategy, exchangeSlot: venue.slot, instrument: id,
                                clientOrderId: clientOrderId, side: request.side, type: request.type,
                                timeInForce: request.type == ARB_ORDER_MARKET ? ARB_TIF_IOC : request.time_in_force,
                                quantity: ExactDecimal(request.quantity), price: ExactDecimal(request.price),
                                reduceOnly: request.reduce_only != 0))
        queue(.submit(orderId: orderId))
        return (ARB_OK, orderId)
    }

    /// Sends a queued order to its venue: PENDING to the strategy, then `create_order`.
    func sendOrder(_ orderId: UInt64) {
        guard let order = orders.order(orderId), let venue = engine.venue(order.exchangeSlot) else { return }
        guard venue.isConnected else {
            finishAction(kind: ARB_ACTION_SUBMIT_ORDER, strategy: order.strategySlot, actionId: orderId, orderId: orderId,
                         outcome: ARB_OUTCOME_REJECTED, code: 0, reason: "venue '\(venue.name)' is not connected")
            return
        }
        deliverOrderUpdate(order, status: ARB_ORDER_PENDING, reason: "")
        var c = arb_order_request_t(struct_size: structSize(arb_order_request_t.self), instrument: order.instrument.rawValue,
                                    side: order.side, type: order.type, time_in_force: order.timeInForce,
                                    quantity: order.quantity.cValue, price: order.price.cValue,
                                    reduce_only: order.reduceOnly ? 1 : 0,
                                    client_order_id: .empty)
        let action = InFlight(kind: ARB_ACTION_SUBMIT_ORDER, strategy: order.strategySlot, actionId: orderId, orderId: orderId)
        let status = send(action, to: venue) { request in
            order.clientOrderId.withArbStr { cid in
                c.client_order_id = cid
                return venue.calling("create_order") { venue.table.create_order!(venue.instance, request, &c) }
            }
        }
        if status != ARB_OK {
            finishAction(kind: ARB_ACTION_SUBMIT_ORDER, strategy: order.strategySlot, actionId: orderId, orderId: orderId,
                         outcome: ARB_OUTCOME_REJECTED, code: 0,
                         reason: "adapter '\(venue.name)' refused the request (status \(status))")
        }
    }
}
