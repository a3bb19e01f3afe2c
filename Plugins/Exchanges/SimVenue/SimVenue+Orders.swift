import ArbSDK
import PaperExchange
import ArbBook
import PluginKit
import VenueBinance
import VenueWire

extension SimVenue {
    /// The host clock: the current event's time in replay, wall time live.
    private func now(_ s: State) -> Int64 { host.now }

    func createOrder(request: UInt64, order: UnsafePointer<arb_order_request_t>) throws(HostError) {
        let o = order.pointee
        let side: OrderSide = o.side == ARB_SIDE_SELL ? .sell : .buy
        let type: PaperOrderType = o.type == ARB_ORDER_MARKET ? .market : .limit
        let tif: PaperTimeInForce
        switch o.time_in_force {
        case ARB_TIF_IOC: tif = .ioc
        case ARB_TIF_FOK: tif = .fok
        case ARB_TIF_POST_ONLY: tif = .postOnly
        default: tif = .gtc
        }
        let paperRequest = PaperOrderRequest(
            clientOrderId: String(o.client_order_id), instrument: o.instrument, side: side, type: type,
            timeInForce: type == .market ? .ioc : tif, quantity: ExactDecimal(o.quantity),
            price: type == .market ? nil : ExactDecimal(o.price), reduceOnly: o.reduce_only != 0)
        try state.withLock { s throws(HostError) in
            guard let paper = s.paper else { throw .wrongState }
            answer(paper.submit(paperRequest, now: now(s)), request: request, &s)
        }
        scheduleDelayed()
    }

    func cancelOrder(request: UInt64, order: UnsafePointer<arb_order_ref_t>) throws(HostError) {
        let clientOrderId = String(order.pointee.client_order_id)
        try state.withLock { s throws(HostError) in
            guard let paper = s.paper else { throw .wrongState }
            answer(paper.cancel(clientOrderId: clientOrderId, now: now(s)), request: request, &s)
        }
        scheduleDelayed()
    }

    func amendOrder(request: UInt64, order: UnsafePointer<arb_order_ref_t>, price: ExactDecimal,
                    quantity: ExactDecimal) throws(HostError) {
        let clientOrderId = String(order.pointee.client_order_id)
        try state.withLock { s throws(HostError) in
            guard let paper = s.paper else { throw .wrongState }
            answer(paper.amend(clientOrderId: clientOrderId, price: price, quantity: quantity, now: now(s)), request: request, &s)
        }
        scheduleDelayed()
    }

    /// An order by client id (or venue id), from the venue's state — after a restart, from its journal.
    func getOrder(request: UInt64, order: UnsafePointer<arb_order_ref_t>) throws(HostError) {
        let clientOrderId = String(order.pointee.client_order_id), venueOrderId = String(order.pointee.venue_order_id)
        let found = state.withLock { s -> PaperOrder? in
            guard let paper = s.paper else { return nil }
            return paper.order(clientOrderId: clientOrderId) ?? paper.orders.first { !venueOrderId.isEmpty && $0.venueOrderId == venueOrderId }
        }
        guard let found else {
            host.requestDone(request, ARB_OUTCOME_REJECTED, code: -2013, message: "order does not exist")
            return
        }
        emit(order: found, request: request)
        host.requestDone(request, ARB_OUTCOME_ACCEPTED)
    }

    func getOpenOrders(request: UInt64, instrument: InstrumentId?) throws(HostError) {
        let open = state.withLock { $0.paper?.openOrders(instrument: instrument?.rawValue) ?? [] }
        for order in open { emit(order: order, request: request) }
        host.requestDone(request, ARB_OUTCOME_ACCEPTED)
    }

    func getBalance(request: UInt64) throws(HostError) {
        let balances = state.withLock { $0.paper?.balances ?? [] }
        for b in balances { emit(balance: b, request: request) }
        host.requestDone(request, ARB_OUTCOME_ACCEPTED)
    }

    /// Answers a request now, or after `ack_latency` through a host timer.
    private func answer(_ events: [PaperEvent], request: UInt64, _ s: inout State) {
        if ackLatency > 0 {
            let due = now(s) + ackLatency
            for event in events where event.isAnswerToAnOrder { s.ackDue[event.clientOrderId ?? ""] = due }
            s.delayed.append((due, request, events))
        } else {
            deliver(events, request: request, venue: s.paper)
        }
    }

    /// Hands the matching engine's events to the host: the request's one final answer, then
    /// order states, fills, positions and balances in the order they happened. Positions are
    /// marked at `venue`'s book mid.
    func deliver(_ events: [PaperEvent], request: UInt64, venue: PaperExchange?) {
        var answered = request == 0
        func answer(_ outcome: arb_outcome_t, _ code: Int32 = 0, _ message: String = "") {
            guard !answered else { return }
            answered = true
            host.requestDone(request, outcome, code: code, message: message)
        }
        for event in events {
            switch event {
            case .accepted(let order):
                answer(ARB_OUTCOME_ACCEPTED)
                emit(order: order)
            case .rejected(_, let code, let reason), .cancelRejected(_, let code, let reason),
                 .amendRejected(_, let code, let reason):
                answer(ARB_OUTCOME_REJECTED, code, reason)
            case .orderUpdated(let order):
                answer(ARB_OUTCOME_ACCEPTED)
                emit(order: order)
            case .fill(let fill): emit(fill: fill)
            case .positionChanged(let position): emit(position: position, mark: venue?.book(position.instrument).mid)
            case .balanceChanged(let balance): emit(balance: balance, request: 0)
            case .fundingPayment(let instrument, let rate, let quantity, let mark, let amount, let currency):
                let time = host.now
                currency.withArbStr { c in
                    var p = arb_funding_payment_t(struct_size: structSize(arb_funding_payment_t.self), instrument: instrument,
                                                  rate: rate.cValue, position_quantity: quantity.cValue, mark_price: mark.cValue,
                                                  amount: amount.cValue, currency: c, ts_event: time)
                    _ = host.table.pointee.emit_funding_payment(host.table, &p)
                }
            case .liquidated(let instrument, let mark, let quantity):
                host.log(.warning, "position \(quantity) of instrument #\(instrument) liquidated at mark \(mark): equity below maintenance margin")
            case .expired, .settlementRejected: break
            case .internalError(let reason):
                host.log(.error, "paper matching engine: \(reason)")
                answer(ARB_OUTCOME_UNKNOWN, -1001, reason)
            }
        }
        answer(ARB_OUTCOME_ACCEPTED)
    }

    private func emit(order o: PaperOrder, request: UInt64 = 0) {
        let status: arb_order_status_t
        switch o.status {
        case .open: status = ARB_ORDER_OPEN
        case .partiallyFilled: status = ARB_ORDER_PARTIALLY_FILLED
        case .filled: status = ARB_ORDER_FILLED
        case .cancelled: status = ARB_ORDER_CANCELLED
        case .expired: status = ARB_ORDER_EXPIRED
        case .rejected: status = ARB_ORDER_REJECTED
        }
        o.clientOrderId.withArbStr { cid in
            o.venueOrderId.withArbStr { vid in
                o.feeCurrency.withArbStr { currency in
                    var e = arb_order_event_t()
                    e.struct_size = structSize(arb_order_event_t.self)
                    e.instrument = o.instrument
                    e.client_order_id = cid
                    e.venue_order_id = vid
                    e.side = o.side == .buy ? ARB_SIDE_BUY : ARB_SIDE_SELL
                    e.type = o.type == .market ? ARB_ORDER_MARKET : ARB_ORDER_LIMIT
                    e.status = status
                    e.quantity = o.quantity.cValue
                    e.price = (o.price ?? .zero).cValue
                    e.filled_quantity = o.filledQuantity.cValue
                    e.remaining_quantity = o.remainingQuantity.cValue
                    e.average_price = (o.averagePrice ?? .zero).cValue
                    e.fee = o.cumulativeFee.cValue
                    e.fee_currency = currency
                    e.ts_event = o.updatedAt
                    e.ts_init = o.updatedAt
                    host.emit(order: e, request: request)
                }
            }
        }
    }

    private func emit(fill f: PaperFill) {
        f.clientOrderId.withArbStr { cid in
            f.venueOrderId.withArbStr { vid in
                f.tradeId.withArbStr { tid in
                    f.feeCurrency.withArbStr { currency in
                        host.emit(fill: arb_fill_t(struct_size: structSize(arb_fill_t.self), order_id: 0, instrument: f.instrument,
                                                   client_order_id: cid, venue_order_id: vid, trade_id: tid,
                                                   side: f.side == .buy ? ARB_SIDE_BUY : ARB_SIDE_SELL, price: f.price.cValue,
                                                   quantity: f.quantity.cValue, fee: f.fee.cValue, fee_currency: currency,
                                                   liquidity: f.liquidity == .maker ? ARB_LIQUIDITY_MAKER : ARB_LIQUIDITY_TAKER,
                                                   ts_event: f.time, ts_init: f.time))
                    }
                }
            }
        }
    }

    /// A position as the venue reports it: marked at `mark` (the book's mid) when there is
    /// one, with its unrealised PnL and effective leverage (exposure at the mark ÷ margin).
    private func emit(position p: PaperPosition, mark: ExactDecimal?) {
        var unrealized = ExactDecimal.zero, leverage = ExactDecimal.zero
        if let mark {
            unrealized = (try? p.unrealizedPnL(markPrice: mark)) ?? .zero
            if p.marginUsed.units > 0, let exposure = try? p.quantity.absolute().multiplied(by: mark, rounding: .halfEven)
                .multiplied(by: p.contractSize, rounding: .halfEven) {
                leverage = (try? exposure.divided(by: p.marginUsed, rounding: .halfEven)) ?? .zero
            }
        }
        var c = arb_position_t(struct_size: structSize(arb_position_t.self), instrument: p.instrument, quantity: p.quantity.cValue,
                               entry_price: p.averageEntryPrice.cValue, mark_price: (mark ?? .zero).cValue,
                               unrealized_pnl: unrealized.cValue, realized_pnl: p.realizedPnL.cValue,
                               margin: p.marginUsed.cValue, leverage: leverage.cValue, ts_event: host.now)
        _ = host.table.pointee.emit_position(host.table, 0, &c)
    }

    private func emit(balance b: PaperBalance, request: UInt64) {
        name.withArbStr { venue in
            b.currency.withArbStr { currency in
                host.emit(balance: arb_balance_t(struct_size: structSize(arb_balance_t.self), venue: venue, currency: currency,
                                                 free: b.free.cValue, used: b.used.cValue, total: b.total.cValue, ts_event: 0),
                          request: request)
            }
        }
    }
}

extension PaperEvent {
    /// Whether this is a request's answer about an order (accepted, or an amend applied): its
    /// order's fills must not overtake it.
    var isAnswerToAnOrder: Bool {
        switch self {
        case .accepted, .orderUpdated: true
        default: false
        }
    }

    /// The order an event is about, if any (fills and order updates).
    var clientOrderId: String? {
        switch self {
        case .fill(let fill): fill.clientOrderId
        case .orderUpdated(let order), .accepted(let order): order.clientOrderId
        default: nil
        }
    }
}
