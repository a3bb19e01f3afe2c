import ArbEngine
import ArbModel
import ArbSDK

extension OrderManager {
    // MARK: Answers to requests

    func requestAnswered(_ answer: RequestOutcome) {
        guard let action = inFlight.removeValue(forKey: answer.request) else { return }
        if action.kind == Self.orderQuery {
            queryOutcomes[answer.request] = answer.outcome
            return
        }
        if action.kind == ARB_ACTION_AMEND_ORDER && answer.outcome == ARB_OUTCOME_ACCEPTED {
            orders.update(action.orderId) {
                $0.price = ExactDecimal(action.price)
                $0.quantity = ExactDecimal(action.quantity)
            }
        }
        finishAction(kind: action.kind, strategy: action.strategy, actionId: action.actionId, orderId: action.orderId,
                     outcome: answer.outcome, code: answer.venueCode, reason: String(answer.message))
    }

    /// Delivers the one final result of an action; a refused order submission also ends the order.
    func finishAction(kind: arb_action_kind_t, strategy: Int, actionId: UInt64, orderId: UInt64, outcome: arb_outcome_t,
                      code: Int32, reason: String) {
        if kind == ARB_ACTION_SUBMIT_ORDER, let order = orders.order(orderId), !order.isFinal {
            if outcome == ARB_OUTCOME_REJECTED {
                orders.update(orderId) {
                    $0.status = ARB_ORDER_REJECTED
                    $0.isFinal = true
                }
                deliverOrderUpdate(order, status: ARB_ORDER_REJECTED, reason: reason)
            } else if outcome == ARB_OUTCOME_UNKNOWN {
                orders.update(orderId) { $0.status = ARB_ORDER_UNKNOWN }
                deliverOrderUpdate(order, status: ARB_ORDER_UNKNOWN, reason: reason)
            }
        }
        reason.withArbStr { text in
            var result = arb_action_result_t(struct_size: structSize(arb_action_result_t.self), action_id: actionId,
                                             kind: kind, outcome: outcome, order_id: orderId, reason: text,
                                             venue_code: code, ts_event: engine.now())
            withUnsafePointer(to: &result) { p in
                engine.router.routeEvent(Event(type: .actionResult, timestamp: p.pointee.ts_event, source: .strategy(strategy),
                                               correlationId: actionId, strategy: strategy, payload: .actionResult(p)))
            }
        }
    }

    /// Sends a host-made order update (pending, rejected, unknown) to the owning strategy.
    func deliverOrderUpdate(_ order: TrackedOrder, status: arb_order_status_t, reason: String) {
        order.clientOrderId.withArbStr { cid in
            order.venueOrderId.withArbStr { vid in
                reason.withArbStr { why in
                    var event = arb_order_event_t()
                    event.struct_size = structSize(arb_order_event_t.self)
                    event.order_id = order.id
                    event.instrument = order.instrument.rawValue
                    event.client_order_id = cid
                    event.venue_order_id = vid
                    event.side = order.side
                    event.type = order.type
                    event.time_in_force = order.timeInForce
                    event.status = status
                    event.is_final = TrackedOrder.isFinal(status) ? 1 : 0
                    event.quantity = order.quantity.cValue
                    event.price = order.price.cValue
                    event.filled_quantity = order.filledQuantity.cValue
                    event.remaining_quantity = ((try? order.quantity.subtracting(order.filledQuantity)) ?? .zero).cValue
                    event.reason = why
                    event.ts_event = engine.now()
                    event.ts_init = event.ts_event
                    routeOrderEvent(&event, strategy: order.strategySlot, source: .host)
                }
            }
        }
    }

    private func routeOrderEvent(_ event: inout arb_order_event_t, strategy: Int, source: EventSource) {
        let type: EventType
        switch event.status {
        case ARB_ORDER_PENDING, ARB_ORDER_OPEN: type = .orderCreated
        case ARB_ORDER_FILLED: type = .orderFilled
        case ARB_ORDER_CANCELLED, ARB_ORDER_EXPIRED: type = .orderCancelled
        case ARB_ORDER_REJECTED: type = .orderRejected
        default: type = .orderUpdated
        }
        withUnsafePointer(to: &event) { p in
            engine.router.routeEvent(Event(type: type, timestamp: p.pointee.ts_event, source: source,
                                           correlationId: p.pointee.order_id, strategy: strategy, payload: .order(p)))
        }
    }

    /// Finds the host order an adapter event is about.
    private func resolveOrder(_ orderId: UInt64, _ clientOrderId: arb_str_t) -> TrackedOrder? {
        if orderId != 0, let order = orders.order(orderId) { return order }
        guard clientOrderId.len > 0, let id = orders.id(clientOrderId: String(clientOrderId)) else { return nil }
        return orders.order(id)
    }

    // MARK: Venue records

    func handleOrder(_ payload: UnsafeMutableRawPointer) {
        var (header, event) = RecordCodec.read(payload, as: arb_order_event_t.self)
        // The answer to the host's own order query (after a restart the host may not know it).
        if header.request != 0, inFlight[header.request]?.kind == Self.orderQuery {
            queryResults[header.request, default: []].append(VenueOrder(event))
            return
        }
        guard let order = resolveOrder(event.order_id, event.client_order_id) else {
            logger.warning("venue slot \(header.source) reported order '\(String(event.client_order_id))', which this host did not place")
            return
        }
        // Exactly one final event per order: anything after it is a venue duplicate.
        guard !order.isFinal else { return }
        let final = TrackedOrder.isFinal(event.status)
        orders.update(order.id) { o in
            o.status = event.status
            if event.venue_order_id.len > 0 && o.venueOrderId.isEmpty { o.venueOrderId = String(event.venue_order_id) }
            o.filledQuantity = ExactDecimal(event.filled_quantity)
            o.isFinal = final
        }
        event.order_id = order.id
        event.is_final = final ? 1 : 0
        routeOrderEvent(&event, strategy: order.strategySlot, source: .venue(Int(header.source)))
    }

    func handleFill(_ payload: UnsafeMutableRawPointer) {
        var (header, fill) = RecordCodec.read(payload, as: arb_fill_t.self)
        guard let order = resolveOrder(fill.order_id, fill.client_order_id) else {
            // The venue's own order (a liquidation, say): no strategy owns it, but the trade
            // happened, so it is routed (order_id 0) for whoever books positions and PnL.
            logger.warning("venue slot \(header.source) reported a fill for order '\(String(fill.client_order_id))', which this host did not place; routed with order id 0")
            fill.order_id = 0
            withUnsafePointer(to: &fill) { p in
                engine.router.routeEvent(Event(type: .fill, timestamp: p.pointee.ts_event, source: .venue(Int(header.source)),
                                               correlationId: 0, payload: .fill(p)))
            }
            return
        }
        fill.order_id = order.id
        withUnsafePointer(to: &fill) { p in
            engine.router.routeEvent(Event(type: .fill, timestamp: p.pointee.ts_event, source: .venue(Int(header.source)),
                                           correlationId: order.id, strategy: order.strategySlot, payload: .fill(p)))
        }
    }

    func handlePosition(_ payload: UnsafeMutableRawPointer) {
        let (header, position) = RecordCodec.read(payload, as: arb_position_t.self)
        withUnsafePointer(to: position) { p in
            engine.router.routeEvent(Event(type: .positionUpdated, timestamp: position.ts_event,
                                           source: .venue(Int(header.source)), correlationId: header.request, payload: .position(p)))
        }
    }

    func handleBalance(_ payload: UnsafeMutableRawPointer) {
        let (header, balance) = RecordCodec.read(payload, as: arb_balance_t.self)
        withUnsafePointer(to: balance) { p in
            engine.router.routeEvent(Event(type: .balanceUpdated, timestamp: balance.ts_event,
                                           source: .venue(Int(header.source)), correlationId: header.request, payload: .balance(p)))
        }
    }
}
