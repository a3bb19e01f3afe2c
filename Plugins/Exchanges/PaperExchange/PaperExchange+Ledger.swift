import ArbSDK
import ArbBook
import ArbModel

// State transitions. Each journal record changes the state in exactly one way, here; live
// calls and recovery both come through `apply`, so they cannot disagree.
extension PaperExchange {
    /// Applies one record to the state and appends the events it causes.
    func apply(_ record: PaperJournalRecord, _ events: inout [PaperEvent]) throws(DecimalError) {
        switch record {
        case .deposit(let currency, let amount):
            totals[currency] = try (totals[currency] ?? .zero).plus(amount)
        case .order(let request, let venueOrderId, let time):
            try applyOrder(request, venueOrderId: venueOrderId, time: time, &events)
        case .amend(let clientOrderId, let price, let quantity, let time):
            guard let index = slotIndex[clientOrderId] else { return }
            let old = slots[index].order
            // Moving the price or raising the quantity loses time priority; shrinking keeps it.
            if price != old.price || quantity > old.quantity {
                slots[index].priority = nextPriority
                nextPriority += 1
            }
            slots[index].order.price = price
            slots[index].order.quantity = quantity
            slots[index].order.updatedAt = time
            try refreshReservations(old.instrument)
            events.append(.orderUpdated(slots[index].order))
        case .cancel(let clientOrderId, let time):
            try close(clientOrderId, .cancelled, time: time, &events)
        case .expire(let clientOrderId, let time):
            try close(clientOrderId, .expired, time: time, &events)
        case .fill(let fill):
            try applyFill(fill, &events)
        case .funding(let instrument, let rate, let markPrice, let positionQuantity, let amount, let currency, let time):
            totals[currency] = try (totals[currency] ?? .zero).plus(amount)
            if let period = instruments[instrument]?.fundingPeriod(at: time) { fundingPeriods[instrument] = period }
            if !positionQuantity.isZero {
                events.append(.fundingPayment(instrument: instrument, rate: rate, positionQuantity: positionQuantity,
                                              markPrice: markPrice, amount: amount, currency: currency))
            }
        case .expirySettlement(let instrument, let indexPrice, _):
            try applyExpiry(instrument, indexPrice: indexPrice, &events)
        }
    }

    private func applyOrder(_ request: PaperOrderRequest, venueOrderId: String, time: Int64,
                            _ events: inout [PaperEvent]) throws(DecimalError) {
        let feeCurrency = instruments[request.instrument]?.settle ?? ""
        let order = PaperOrder(
            clientOrderId: request.clientOrderId, venueOrderId: venueOrderId, instrument: request.instrument,
            side: request.side, type: request.type, timeInForce: request.timeInForce, quantity: request.quantity,
            price: request.price, reduceOnly: request.reduceOnly, status: .open, filledQuantity: .zero,
            filledNotional: .zero, averagePrice: nil, cumulativeFee: .zero, feeCurrency: feeCurrency,
            createdAt: time, updatedAt: time)
        slotIndex[order.clientOrderId] = slots.count
        openSlots[order.instrument, default: []].append(slots.count)
        slots.append(OrderSlot(order: order, priority: nextPriority, reserved: .zero, reservedCurrency: feeCurrency))
        nextPriority += 1
        nextOrderNumber += 1
        try refreshReservations(order.instrument)
        events.append(.accepted(order))
    }

    /// Moves an open order to a final status and releases what it held.
    private func close(_ clientOrderId: String, _ status: PaperOrderStatus, time: Int64,
                       _ events: inout [PaperEvent]) throws(DecimalError) {
        guard let index = slotIndex[clientOrderId], !slots[index].order.status.isFinal else { return }
        slots[index].order.status = status
        slots[index].order.updatedAt = time
        try release(index)
        events.append(.orderUpdated(slots[index].order))
    }

    /// Drops a now-final order from the open list and returns its reservation to `free`.
    private func release(_ index: Int) throws(DecimalError) {
        let slot = slots[index]
        try adjustReserved(slot.reservedCurrency, by: slot.reserved.negated())
        slots[index].reserved = .zero
        openSlots[slot.order.instrument]?.removeAll { $0 == index }
    }

    private func applyFill(_ fill: PaperFill, _ events: inout [PaperEvent]) throws(DecimalError) {
        guard let index = slotIndex[fill.clientOrderId], let instrument = instruments[fill.instrument] else { return }
        nextTradeNumber += 1
        let notional = try fill.price.times(fill.quantity).times(instrument.contractSize)
        var order = slots[index].order
        order.filledQuantity = try order.filledQuantity.plus(fill.quantity)
        order.filledNotional = try order.filledNotional.plus(fill.price.times(fill.quantity))
        order.averagePrice = try order.filledNotional.divided(by: order.filledQuantity, rounding: .halfEven)
        order.cumulativeFee = try order.cumulativeFee.plus(fill.fee)
        order.status = order.filledQuantity >= order.quantity ? .filled : .partiallyFilled
        order.updatedAt = fill.time

        var position: PaperPosition?
        if instrument.kind.isDerivative {
            let current = positionBook[instrument.id] ?? PaperPosition(
                instrument: instrument.id, quantity: .zero, averageEntryPrice: .zero, entryNotional: .zero, realizedPnL: .zero,
                marginUsed: .zero, settleCurrency: instrument.settle, contractSize: instrument.contractSize)
            let (next, realized) = try positionAfter(current, side: fill.side, quantity: fill.quantity,
                                                     price: fill.price, instrument)
            try credit(instrument.settle, realized)
            position = next
        } else {
            let base = try fill.quantity.times(instrument.contractSize)
            try credit(instrument.base, fill.side == .buy ? base : base.negated())
            try credit(instrument.quote, fill.side == .buy ? notional.negated() : notional)
        }
        try credit(fill.feeCurrency, fill.fee.negated())

        slots[index].order = order
        if order.status == .filled { try release(index) }
        if let position { positionBook[instrument.id] = position }
        try refreshReservations(instrument.id)
        events.append(.fill(fill))
        events.append(.orderUpdated(slots[index].order))
        if let updated = positionBook[instrument.id], position != nil { events.append(.positionChanged(updated)) }
    }

    /// The netting position after a fill, and the PnL the fill realized (rounded half-even to
    /// the settle precision, as a venue credits it).
    func positionAfter(_ position: PaperPosition, side: OrderSide, quantity: ExactDecimal, price: ExactDecimal,
                       _ instrument: PaperInstrument) throws(DecimalError) -> (PaperPosition, ExactDecimal) {
        var p = position
        let current = p.quantity
        let size = current.absValue
        let signed = try (side == .buy ? quantity : quantity.negated())
        p.quantity = try current.plus(signed)
        if current.isZero || current.signum == signed.signum {
            // Adding: the cost basis grows exactly; the average is derived from it.
            p.entryNotional = try p.entryNotional.plus(quantity.times(price))
            p.averageEntryPrice = try p.entryNotional.divided(by: p.quantity.absValue, rounding: .halfEven)
            return (p, .zero)
        }
        // Reducing (and possibly flipping): the closed part takes its pro-rata share of the cost.
        let closed = min(quantity, size)
        let closedCost = try closed == size ? p.entryNotional
            : p.entryNotional.times(closed).divided(by: size, rounding: .halfEven)
        let pnl = try closed.times(price).minus(closedCost).times(instrument.contractSize).times(ExactDecimal(current.signum))
        let realized = try round(pnl, instrument.settle, .halfEven)
        p.realizedPnL = try p.realizedPnL.plus(realized)
        if p.quantity.isZero {
            p.entryNotional = .zero
            p.averageEntryPrice = .zero
        } else if p.quantity.signum != current.signum {
            // Flipped: the new side opened at this fill's price.
            p.entryNotional = try p.quantity.absValue.times(price)
            p.averageEntryPrice = price
        } else {
            p.entryNotional = try p.entryNotional.minus(closedCost)
            p.averageEntryPrice = try p.entryNotional.divided(by: p.quantity.absValue, rounding: .halfEven)
        }
        return (p, realized)
    }

    private func applyExpiry(_ id: UInt32, indexPrice: ExactDecimal, _ events: inout [PaperEvent]) throws(DecimalError) {
        settledInstruments.insert(id)
        if let instrument = instruments[id], let position = positionBook[id], !position.quantity.isZero {
            // Closing at the index price is a fill of the opposite side without fee.
            let side: OrderSide = position.quantity.units > 0 ? .sell : .buy
            let (closed, realized) = try positionAfter(position, side: side, quantity: position.quantity.absValue,
                                                       price: indexPrice, instrument)
            try credit(instrument.settle, realized)
            positionBook[id] = closed
            try refreshReservations(id)
            if let updated = positionBook[id] { events.append(.positionChanged(updated)) }
        }
        events.append(.expired(instrument: id))
    }

    /// Adds `amount` to a currency's total.
    func credit(_ currency: String, _ amount: ExactDecimal) throws(DecimalError) {
        if amount.isZero { return }
        totals[currency] = try (totals[currency] ?? .zero).plus(amount)
    }

    private func adjustReserved(_ currency: String, by delta: ExactDecimal) throws(DecimalError) {
        if delta.isZero { return }
        reserved[currency] = try (reserved[currency] ?? .zero).plus(delta)
    }

    /// Recomputes what the instrument's open orders and position hold back, after anything that
    /// changed them (the position nets the margin of reducing orders, so both move together).
    func refreshReservations(_ id: UInt32) throws(DecimalError) {
        guard let instrument = instruments[id] else { return }
        let positionQuantity = self.positionQuantity(id)
        for index in openSlots[id] ?? [] {
            let order = slots[index].order
            let (currency, amount) = try reservation(instrument, side: order.side, price: order.price ?? .zero,
                                                     remaining: order.remainingQuantity, reduceOnly: order.reduceOnly,
                                                     position: positionQuantity)
            try adjustReserved(slots[index].reservedCurrency, by: slots[index].reserved.negated())
            try adjustReserved(currency, by: amount)
            slots[index].reserved = amount
            slots[index].reservedCurrency = currency
        }
        if var position = positionBook[id] {
            let margin = try round(position.entryNotional.times(instrument.contractSize).times(instrument.initialMargin),
                                   instrument.settle, .ceiling)
            try adjustReserved(instrument.settle, by: margin.minus(position.marginUsed))
            position.marginUsed = margin
            positionBook[id] = position
        }
    }

    /// What an order with `remaining` open at `price` must hold back, and in which currency.
    ///
    /// Spot buy: quote for price × qty plus the worst-case fee (max of maker/taker). Spot sell:
    /// the base it would deliver (the fee comes out of the proceeds). Derivatives: initial
    /// margin on the part that would open exposure (the part that reduces the current position
    /// frees margin instead) plus the worst-case fee on all of it. Rounded up: never under-reserve.
    func reservation(_ instrument: PaperInstrument, side: OrderSide, price: ExactDecimal, remaining: ExactDecimal,
                     reduceOnly: Bool, position: ExactDecimal) throws(DecimalError) -> (String, ExactDecimal) {
        let rate = max(instrument.makerFee, instrument.takerFee, .zero)
        let notional = try price.times(remaining).times(instrument.contractSize)
        switch instrument.kind {
        case .spot where side == .sell:
            return (instrument.base, try remaining.times(instrument.contractSize))
        case .spot:
            let fee = try (instrument.settle == instrument.quote ? notional.times(rate) : .zero)
            return (instrument.quote, try round(notional.plus(fee), instrument.quote, .ceiling))
        case .perpetual, .datedFuture:
            let opening = try (reduceOnly ? .zero : openingQuantity(side: side, quantity: remaining, position: position))
            let margin = try price.times(opening).times(instrument.contractSize).times(instrument.initialMargin)
            return (instrument.settle, try round(margin.plus(notional.times(rate)), instrument.settle, .ceiling))
        }
    }

    /// The part of `quantity` that would open or add exposure given the signed `position`.
    func openingQuantity(side: OrderSide, quantity: ExactDecimal, position: ExactDecimal) throws(DecimalError) -> ExactDecimal {
        let reduces = (side == .buy && position.units < 0) || (side == .sell && position.units > 0)
        guard reduces else { return quantity }
        return max(try quantity.minus(position.absValue), .zero)
    }
}
