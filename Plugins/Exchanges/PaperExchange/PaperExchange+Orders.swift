import ArbSDK
import ArbBook
import ArbModel

// New orders: validation (in the order a venue checks), acceptance and immediate matching.
extension PaperExchange {
    typealias Rejection = (code: PaperRejectCode, reason: String)

    /// Validates and, if accepted, executes an order.
    ///
    /// Market orders and marketable limits walk the opposite side level by level (one taker
    /// fill per level at that level's price; limits stop at their price). GTC remainders rest;
    /// IOC and market remainders expire; FOK checks the depth first and either fills entirely
    /// or expires with no fill; post-only orders that would take are rejected (-2010).
    public func submit(_ request: PaperOrderRequest, now: Int64) -> [PaperEvent] {
        let id = request.clientOrderId
        if let reason = stoppedReason {
            return [.rejected(clientOrderId: id, code: PaperRejectCode.internalError.rawValue, reason: reason)]
        }
        let rejection: Rejection?
        do throws(DecimalError) {
            rejection = try validate(request, now: now)
        } catch {
            rejection = (.filterFailure, "Order values out of range: \(error).")
        }
        if let rejection {
            return [.rejected(clientOrderId: id, code: rejection.code.rawValue, reason: rejection.reason)]
        }
        guard let instrument = instruments[request.instrument] else { return [] } // validated above
        let before = snapshot()
        var events: [PaperEvent] = []
        do throws(DecimalError) {
            try execute(request, instrument, now: now, &events)
        } catch {
            events.append(.internalError(reason: "decimal \(error) while executing \(id)"))
        }
        finish(&events, since: before)
        return events
    }

    private func execute(_ request: PaperOrderRequest, _ instrument: PaperInstrument, now: Int64,
                         _ events: inout [PaperEvent]) throws(DecimalError) {
        try commit(.order(request, venueOrderId: "P\(nextOrderNumber)", time: now), &events)
        guard let index = slotIndex[request.clientOrderId] else { return }
        let limit = request.type == .limit ? request.price : nil
        switch request.timeInForce {
        case .postOnly:
            break // validated not to cross: it rests and can only fill as maker
        case .fok:
            // All or nothing: look at the depth before touching it.
            let depth = try estimateWalk(instrument, side: request.side, quantity: request.quantity, limit: limit,
                                         reducible: .zero)
            if depth.quantity >= request.quantity { try takeLiquidity(index, instrument, limit: limit, now: now, &events) }
        case .gtc, .ioc:
            try takeLiquidity(index, instrument, limit: limit, now: now, &events)
        }
        let rests = request.type == .limit && (request.timeInForce == .gtc || request.timeInForce == .postOnly)
        if !rests && !slots[index].order.status.isFinal {
            try commit(.expire(clientOrderId: request.clientOrderId, time: now), &events)
        }
        try expireStaleReduceOnly(instrument, now: now, &events)
    }

    /// The first reason the request must be refused, nil if it may be accepted.
    func validate(_ r: PaperOrderRequest, now: Int64) throws(DecimalError) -> Rejection? {
        guard let instrument = instruments[r.instrument] else {
            return (.unknownInstrument, "Invalid symbol: unknown instrument \(r.instrument).")
        }
        if isExpired(instrument, now: now) { return (.invalidInstrumentStatus, "\(instrument.symbol) has expired.") }
        guard (1...36).contains(r.clientOrderId.count) else {
            return (.invalidClientOrderId, "Client order id must be 1 to 36 characters.")
        }
        guard slotIndex[r.clientOrderId] == nil else { return (.duplicateClientOrderId, "ClientOrderId is duplicated.") }
        switch r.type {
        case .limit:
            guard r.price != nil else { return (.missingParameter, "Mandatory parameter 'price' was not sent.") }
        case .market:
            guard r.price == nil else { return (.parameterNotRequired, "A market order takes no price.") }
            guard r.timeInForce != .postOnly else { return (.invalidOrderType, "A market order cannot be post-only.") }
        }
        if r.reduceOnly && !instrument.kind.isDerivative {
            return (.parameterNotRequired, "Reduce-only applies to derivatives only.")
        }
        guard r.quantity.units > 0 else { return (.quantityNotPositive, "Quantity less than or equal to zero.") }
        if let price = r.price, price.units <= 0 { return (.priceNotPositive, "Price less than or equal to zero.") }
        if let failure = try filterFailure(instrument, side: r.side, quantity: r.quantity, price: r.price,
                                           reduceOnly: r.reduceOnly) {
            return (.filterFailure, failure)
        }
        if r.reduceOnly {
            let reducible = self.reducible(instrument.id, side: r.side)
            if reducible.isZero { return (.reduceOnlyRejected, "ReduceOnly Order is rejected: it would open or increase a position.") }
            if r.quantity > reducible {
                return (.reduceOnlyRejected, "ReduceOnly Order is rejected: quantity \(r.quantity) exceeds the position \(reducible).")
            }
        }
        if r.timeInForce == .postOnly, wouldTake(instrument, side: r.side, price: r.price) {
            return (.insufficientBalance, "Order would immediately match and take.")
        }
        let (currency, required) = try requiredFunds(r, instrument)
        if required > balance(currency).free { return insufficientFunds(instrument, currency, required) }
        return nil
    }

    /// Tick, lot, minimum quantity and minimum notional (market orders use the best opposite
    /// price as reference and skip the notional check on an empty book, where they cannot fill).
    func filterFailure(_ instrument: PaperInstrument, side: OrderSide, quantity: ExactDecimal, price: ExactDecimal?,
                       reduceOnly: Bool) throws(DecimalError) -> String? {
        guard quantity.isMultiple(of: instrument.lotSize) else {
            return "Filter failure: LOT_SIZE (quantity \(quantity) is not a multiple of \(instrument.lotSize))."
        }
        guard quantity >= instrument.minQuantity else {
            return "Filter failure: LOT_SIZE (quantity \(quantity) is below the minimum \(instrument.minQuantity))."
        }
        if let price, !price.isMultiple(of: instrument.tickSize) {
            return "Filter failure: PRICE_FILTER (price \(price) is not a multiple of \(instrument.tickSize))."
        }
        guard !reduceOnly, let reference = price ?? book(instrument.id).bestOpposite(of: side)?.price else { return nil }
        let notional = try reference.times(quantity).times(instrument.contractSize)
        guard notional >= instrument.minNotional else {
            return "Filter failure: MIN_NOTIONAL (notional \(notional) is below \(instrument.minNotional))."
        }
        return nil
    }

    /// True if a limit at `price` on `side` would trade against the current book.
    func wouldTake(_ instrument: PaperInstrument, side: OrderSide, price: ExactDecimal?) -> Bool {
        guard let best = book(instrument.id).bestOpposite(of: side) else { return false }
        return side.reaches(best.price, limit: price)
    }

    /// What accepting the order needs free: a limit's reservation, or for a market order the
    /// cost of walking the current book (exact per-level fills and per-fill rounded fees).
    private func requiredFunds(_ r: PaperOrderRequest, _ instrument: PaperInstrument) throws(DecimalError) -> (String, ExactDecimal) {
        let position = positionQuantity(instrument.id)
        if let price = r.price {
            return try reservation(instrument, side: r.side, price: price, remaining: r.quantity,
                                   reduceOnly: r.reduceOnly, position: position)
        }
        let reducible = r.reduceOnly ? r.quantity : self.reducible(instrument.id, side: r.side)
        let walk = try estimateWalk(instrument, side: r.side, quantity: r.quantity, limit: nil, reducible: reducible)
        switch instrument.kind {
        case .spot where r.side == .sell:
            return (instrument.base, try r.quantity.times(instrument.contractSize))
        case .spot:
            let fees = instrument.settle == instrument.quote ? walk.fees : .zero
            return (instrument.quote, try walk.notional.plus(fees))
        case .perpetual, .datedFuture:
            let margin = try walk.openingNotional.times(instrument.initialMargin)
            return (instrument.settle, try round(margin.plus(walk.fees), instrument.settle, .ceiling))
        }
    }

    func insufficientFunds(_ instrument: PaperInstrument, _ currency: String, _ required: ExactDecimal) -> Rejection {
        let free = balance(currency).free
        if instrument.kind.isDerivative {
            return (.insufficientMargin, "Margin is insufficient: needs \(required) \(currency), \(free) free.")
        }
        return (.insufficientBalance, "Account has insufficient balance for requested action: needs \(required) \(currency), \(free) free.")
    }
}
