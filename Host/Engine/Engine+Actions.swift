import ArbSDK
import Logging
import PluginKit

/// An action a strategy took during an event, carried out after it.
enum PendingAction {
    case submit(orderId: UInt64)
    case cancel(strategy: Int, actionId: UInt64, orderId: UInt64)
    case amend(strategy: Int, actionId: UInt64, orderId: UInt64, price: arb_decimal_t, quantity: arb_decimal_t)
}

/// A request in flight to an adapter, waiting for its one final answer.
struct PendingRequest {
    /// The host's own order queries (get_order, get_open_orders).
    static let orderQuery: arb_action_kind_t = 100

    let kind: arb_action_kind_t   // 0: the host's own request
    var exchange = -1
    let strategy: Int
    let actionId: UInt64
    let orderId: UInt64
    var price = arb_decimal_t()
    var quantity = arb_decimal_t()
}

/// A bus message published during an event, delivered after it.
struct PendingMessage {
    var topicStart: Int
    var topicCount: Int
    var payloadStart: Int
    var payloadCount: Int
    var source: EventSource
    var correlationId: UInt64
    var timestamp: Int64
}

extension Engine {
    // MARK: Strategy actions (called from host-table thunks, engine thread)

    func submitOrder(from s: StrategyInstance, _ request: arb_order_request_t) -> (arb_status_t, UInt64) {
        let id = InstrumentId(rawValue: request.instrument)
        guard let instrument = instruments.instrument(id) else { return (ARB_ERR_NOT_FOUND, 0) }
        guard let venue = exchangeSlots.firstIndex(where: { $0?.name == instrument.venue }) else {
            s.logger.warning("order for \(instrument): no venue named '\(instrument.venue)' is configured")
            return (ARB_ERR_NOT_FOUND, 0)
        }
        guard request.side == ARB_SIDE_BUY || request.side == ARB_SIDE_SELL,
              request.type == ARB_ORDER_MARKET || request.type == ARB_ORDER_LIMIT,
              request.type == ARB_ORDER_MARKET || (ARB_TIF_GTC...ARB_TIF_POST_ONLY).contains(request.time_in_force),
              ExactDecimal(request.quantity) > .zero,
              request.type == ARB_ORDER_MARKET || ExactDecimal(request.price) > .zero
        else { return (ARB_ERR_INVALID_ARGUMENT, 0) }
        let orderId = nextActionId
        nextActionId += 1
        let clientOrderId = request.client_order_id.len > 0 ? String(request.client_order_id)
                                                            : s.clientOrderPrefix + String(orderId)
        guard orders.id(clientOrderId: clientOrderId) == nil else { return (ARB_ERR_REJECTED, 0) }
        orders.add(TrackedOrder(id: orderId, strategySlot: s.slot, exchangeSlot: venue, instrument: id,
                                clientOrderId: clientOrderId, side: request.side, type: request.type,
                                timeInForce: request.type == ARB_ORDER_MARKET ? ARB_TIF_IOC : request.time_in_force,
                                quantity: ExactDecimal(request.quantity), price: ExactDecimal(request.price),
                                reduceOnly: request.reduce_only != 0))
        pendingActions.append(.submit(orderId: orderId))
        return (ARB_OK, orderId)
    }

    func cancelOrder(from s: StrategyInstance, orderId: UInt64) -> (arb_status_t, UInt64) {
        guard let order = orders.order(orderId), order.strategySlot == s.slot else { return (ARB_ERR_NOT_FOUND, 0) }
        guard !order.isFinal else { return (ARB_ERR_WRONG_STATE, 0) }
        let actionId = nextActionId
        nextActionId += 1
        pendingActions.append(.cancel(strategy: s.slot, actionId: actionId, orderId: orderId))
        return (ARB_OK, actionId)
    }

    func amendOrder(from s: StrategyInstance, orderId: UInt64, price: arb_decimal_t, quantity: arb_decimal_t)
        -> (arb_status_t, UInt64)
    {
        guard let order = orders.order(orderId), order.strategySlot == s.slot else { return (ARB_ERR_NOT_FOUND, 0) }
        guard !order.isFinal else { return (ARB_ERR_WRONG_STATE, 0) }
        guard ExactDecimal(quantity) > .zero, ExactDecimal(price) > .zero else { return (ARB_ERR_INVALID_ARGUMENT, 0) }
        let actionId = nextActionId
        nextActionId += 1
        pendingActions.append(.amend(strategy: s.slot, actionId: actionId, orderId: orderId, price: price, quantity: quantity))
        return (ARB_OK, actionId)
    }

    // MARK: Carrying them out

    func runPendingActions() {
        var i = 0
        while i < pendingActions.count {
            let action = pendingActions[i]
            i += 1
            switch action {
            case .submit(let orderId): sendOrder(orderId)
            case .cancel(let strategy, let actionId, let orderId): sendCancel(strategy, actionId, orderId)
            case .amend(let strategy, let actionId, let orderId, let price, let quantity):
                sendAmend(strategy, actionId, orderId, price, quantity)
            }
        }
        pendingActions.removeAll(keepingCapacity: true)
    }

    private func newRequest(_ request: PendingRequest, exchange: Int) -> UInt64 {
        let id = nextRequestId
        nextRequestId += 1
        var request = request
        request.exchange = exchange
        pendingRequests[id] = request
        return id
    }

    /// Ends every request in flight to venue slot `exchange` as UNKNOWN (its adapter instance is
    /// gone: reconnected or replaced); an order's real state is learned from the venue, never
    /// by resending.
    func abandonRequests(exchange: Int, reason: String) {
        let abandoned = pendingRequests.filter { $0.value.exchange == exchange }.sorted { $0.key < $1.key }
        for (id, request) in abandoned {
            pendingRequests[id] = nil
            guard request.kind != 0 else { continue }
            finishAction(kind: request.kind, strategy: request.strategy, actionId: request.actionId, orderId: request.orderId,
                         outcome: ARB_OUTCOME_UNKNOWN, code: 0, reason: reason)
        }
    }

    /// Cancels every open order of a strategy slot (the `cancel_orders` removal policy);
    /// returns how many cancels were sent.
    @discardableResult
    func cancelOpenOrders(strategy slot: Int) -> Int {
        var sent = 0
        for order in orders.openOrders(strategy: slot) {
            let actionId = nextActionId
            nextActionId += 1
            sendCancel(slot, actionId, order.id)
            sent += 1
        }
        return sent
    }

    private func sendOrder(_ orderId: UInt64) {
        guard let order = orders.order(orderId), let e = exchangeSlots[order.exchangeSlot] else { return }
        guard e.state == .connected else {
            finishAction(kind: ARB_ACTION_SUBMIT_ORDER, strategy: order.strategySlot, actionId: orderId, orderId: orderId,
                         outcome: ARB_OUTCOME_REJECTED, code: 0, reason: "venue '\(e.name)' is not connected")
            return
        }
        let request = newRequest(PendingRequest(kind: ARB_ACTION_SUBMIT_ORDER, strategy: order.strategySlot,
                                                actionId: orderId, orderId: orderId), exchange: e.slot)
        deliverOrderUpdate(order, status: ARB_ORDER_PENDING, reason: "")
        var c = arb_order_request_t(struct_size: structSize(arb_order_request_t.self), instrument: order.instrument.rawValue,
                                    side: order.side, type: order.type, time_in_force: order.timeInForce,
                                    quantity: order.quantity.cValue, price: order.price.cValue,
                                    reduce_only: order.reduceOnly ? 1 : 0,
                                    client_order_id: .empty)
        let status = order.clientOrderId.withArbStr { cid in
            c.client_order_id = cid
            return e.table.create_order!(e.instance, request, &c)
        }
        if status != ARB_OK {
            pendingRequests[request] = nil
            finishAction(kind: ARB_ACTION_SUBMIT_ORDER, strategy: order.strategySlot, actionId: orderId, orderId: orderId,
                         outcome: ARB_OUTCOME_REJECTED, code: 0,
                         reason: "adapter '\(e.name)' refused the request (status \(status))")
        }
    }

    private func orderRef(_ order: TrackedOrder, _ body: (UnsafePointer<arb_order_ref_t>) -> arb_status_t) -> arb_status_t {
        order.clientOrderId.withArbStr { cid in
            order.venueOrderId.withArbStr { vid in
                var ref = arb_order_ref_t(struct_size: structSize(arb_order_ref_t.self), instrument: order.instrument.rawValue,
                                          venue_order_id: vid, client_order_id: cid)
                return body(&ref)
            }
        }
    }

    func sendCancel(_ strategy: Int, _ actionId: UInt64, _ orderId: UInt64) {
        guard let order = orders.order(orderId), let e = exchangeSlots[order.exchangeSlot] else { return }
        if order.isFinal {
            finishAction(kind: ARB_ACTION_CANCEL_ORDER, strategy: strategy, actionId: actionId, orderId: orderId,
                         outcome: ARB_OUTCOME_REJECTED, code: 0, reason: "the order is already final")
            return
        }
        let request = newRequest(PendingRequest(kind: ARB_ACTION_CANCEL_ORDER, strategy: strategy, actionId: actionId,
                                                orderId: orderId), exchange: e.slot)
        let status = orderRef(order) { e.table.cancel_order!(e.instance, request, $0) }
        if status != ARB_OK {
            pendingRequests[request] = nil
            finishAction(kind: ARB_ACTION_CANCEL_ORDER, strategy: strategy, actionId: actionId, orderId: orderId,
                         outcome: ARB_OUTCOME_REJECTED, code: 0, reason: "adapter '\(e.name)' refused the cancel (status \(status))")
        }
    }

    private func sendAmend(_ strategy: Int, _ actionId: UInt64, _ orderId: UInt64, _ price: arb_decimal_t,
                           _ quantity: arb_decimal_t) {
        guard let order = orders.order(orderId), let e = exchangeSlots[order.exchangeSlot] else { return }
        guard let amend = e.table.amend_order, (e.table.capabilities & ARB_EXCHANGE_CAP_AMEND) != 0 else {
            finishAction(kind: ARB_ACTION_AMEND_ORDER, strategy: strategy, actionId: actionId, orderId: orderId,
                         outcome: ARB_OUTCOME_REJECTED, code: 0,
                         reason: "venue '\(e.name)' has no native amend; cancel-replace comes with the orders issue")
            return
        }
        let request = newRequest(PendingRequest(kind: ARB_ACTION_AMEND_ORDER, strategy: strategy, actionId: actionId,
                                                orderId: orderId, price: price, quantity: quantity), exchange: e.slot)
        let status = orderRef(order) { amend(e.instance, request, $0, price, quantity) }
        if status != ARB_OK {
            pendingRequests[request] = nil
            finishAction(kind: ARB_ACTION_AMEND_ORDER, strategy: strategy, actionId: actionId, orderId: orderId,
                         outcome: ARB_OUTCOME_REJECTED, code: 0, reason: "adapter '\(e.name)' refused the amend (status \(status))")
        }
    }

    /// Sends an order query of the host's own; its answers collect in `queryResults`.
    func startOrderQuery(_ e: ExchangeInstance, _ body: (UInt64) -> arb_status_t) -> UInt64? {
        let request = newRequest(PendingRequest(kind: PendingRequest.orderQuery, strategy: -1, actionId: 0, orderId: 0),
                                 exchange: e.slot)
        guard body(request) == ARB_OK else {
            pendingRequests[request] = nil
            return nil
        }
        return request
    }

    /// Issues a request of the host's own (subscriptions, queries) to an adapter.
    func hostRequest(_ e: ExchangeInstance, _ body: (UInt64) -> arb_status_t) -> arb_status_t {
        let request = newRequest(PendingRequest(kind: 0, strategy: -1, actionId: 0, orderId: 0), exchange: e.slot)
        let status = body(request)
        if status != ARB_OK { pendingRequests[request] = nil }
        return status
    }

    // MARK: Answers from adapters

    func handleRequestDone(_ payload: UnsafeMutableRawPointer) {
        let (header, done) = RecordCodec.read(payload, as: RequestDoneRecord.self)
        guard let request = pendingRequests.removeValue(forKey: header.request) else {
            logger.warning("venue slot \(header.source) answered request \(header.request), which is not pending (answered twice?)")
            return
        }
        if request.kind == PendingRequest.orderQuery {
            queryOutcomes[header.request] = done.outcome
            return
        }
        if request.kind == 0 {
            if done.outcome != ARB_OUTCOME_ACCEPTED, let e = exchangeSlots[Int(header.source)] {
                e.logger.warning("request \(header.request) failed: \(String(done.message))")
            }
            return
        }
        if request.kind == ARB_ACTION_AMEND_ORDER && done.outcome == ARB_OUTCOME_ACCEPTED {
            orders.update(request.orderId) {
                $0.price = ExactDecimal(request.price)
                $0.quantity = ExactDecimal(request.quantity)
            }
        }
        finishAction(kind: request.kind, strategy: request.strategy, actionId: request.actionId, orderId: request.orderId,
                     outcome: done.outcome, code: done.venueCode, reason: String(done.message))
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
                                             venue_code: code, ts_event: now())
            withUnsafePointer(to: &result) { p in
                if let s = runningStrategy(strategy) { s.table.on_action_result?(s.instance, p) }
                router.routeEvent(Event(type: .actionResult, timestamp: p.pointee.ts_event, source: .strategy(strategy),
                                        correlationId: actionId, payload: .actionResult(p)))
            }
        }
    }

    /// Sends a host-made order update (pending, rejected, unknown) to the owning strategy.
    private func deliverOrderUpdate(_ order: TrackedOrder, status: arb_order_status_t, reason: String) {
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
                    event.ts_event = now()
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
            if let s = runningStrategy(strategy) { s.table.on_order_update?(s.instance, p) }
            router.routeEvent(Event(type: type, timestamp: p.pointee.ts_event, source: source,
                                    correlationId: p.pointee.order_id, payload: .order(p)))
        }
    }

    /// Finds the host order an adapter event is about.
    private func resolveOrder(_ orderId: UInt64, _ clientOrderId: arb_str_t) -> TrackedOrder? {
        if orderId != 0, let order = orders.order(orderId) { return order }
        guard clientOrderId.len > 0, let id = orders.id(clientOrderId: String(clientOrderId)) else { return nil }
        return orders.order(id)
    }

    func handleOrder(_ payload: UnsafeMutableRawPointer) {
        var (header, event) = RecordCodec.read(payload, as: arb_order_event_t.self)
        // The answer to the host's own order query (after a restart the host may not know it).
        if header.request != 0, pendingRequests[header.request]?.kind == PendingRequest.orderQuery {
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
                router.routeEvent(Event(type: .fill, timestamp: p.pointee.ts_event, source: .venue(Int(header.source)),
                                        correlationId: 0, payload: .fill(p)))
            }
            return
        }
        fill.order_id = order.id
        withUnsafePointer(to: &fill) { p in
            if let s = runningStrategy(order.strategySlot) { s.table.on_fill?(s.instance, p) }
            router.routeEvent(Event(type: .fill, timestamp: p.pointee.ts_event, source: .venue(Int(header.source)),
                                    correlationId: order.id, payload: .fill(p)))
        }
    }

    // MARK: Bus

    /// Queues a message for delivery after the current event (strategies' publish).
    func enqueueMessage(topic: arb_str_t, payload: arb_str_t, source: EventSource, correlationId: UInt64) {
        let topicStart = messageBytes.count
        messageBytes.append(contentsOf: topic.bytes)
        let payloadStart = messageBytes.count
        messageBytes.append(contentsOf: payload.bytes)
        pendingMessages.append(PendingMessage(topicStart: topicStart, topicCount: topic.bytes.count,
                                              payloadStart: payloadStart, payloadCount: payload.bytes.count,
                                              source: source, correlationId: correlationId, timestamp: now()))
    }

    func deliverPendingMessages() {
        var i = 0
        // Messages published while delivering are delivered in the same pass, in order.
        while i < pendingMessages.count {
            let m = pendingMessages[i]
            i += 1
            let sourceName: String
            switch m.source.kind {
            case .strategy: sourceName = strategySlots[Int(m.source.index)]?.name ?? ""
            case .venue: sourceName = exchangeSlots[Int(m.source.index)]?.name ?? ""
            case .host: sourceName = "host"
            }
            messageBytes.withUnsafeBufferPointer { bytes in
                sourceName.withArbStr { name in
                    let base = bytes.baseAddress!
                    let message = BusMessage(
                        topic: arb_str_t(UnsafeBufferPointer(start: base + m.topicStart, count: m.topicCount)),
                        payload: arb_str_t(UnsafeBufferPointer(start: base + m.payloadStart, count: m.payloadCount)),
                        source: m.source, sourceName: name, correlationId: m.correlationId, timestamp: m.timestamp)
                    bus.publish(message)
                }
            }
        }
        pendingMessages.removeAll(keepingCapacity: true)
        messageBytes.removeAll(keepingCapacity: true)
    }

    func deliverBusMessage(_ slot: Int, _ message: BusMessage) {
        guard let s = runningStrategy(slot), let f = s.table.on_bus_message else { return }
        var c = arb_bus_message_t(struct_size: structSize(arb_bus_message_t.self), topic: message.topic,
                                  payload: message.payload, source: message.sourceName,
                                  correlation_id: message.correlationId, ts_event: message.timestamp)
        f(s.instance, &c)
    }

    /// Publishes a system event (JSON) on the bus under `system.<event name>`.
    public func publishSystem(_ type: EventType, json: String) {
        let topic = "system.\(type.name)"
        topic.withArbStr { t in
            guard bus.hasSubscribers(t) else { return }
            json.withArbStr { p in enqueueMessage(topic: t, payload: p, source: .host, correlationId: 0) }
        }
    }
}
