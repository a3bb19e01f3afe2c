import ArbSDK
import ArbBook
import ArbModel

// Cancel and amend of open orders.
extension PaperExchange {
    /// Cancels an open order: one final `orderUpdated(.cancelled)`, its reservation released.
    /// Unknown or already final orders get `cancelRejected` (-2011) and nothing changes.
    public func cancel(clientOrderId: String, now: Int64) -> [PaperEvent] {
        if let reason = stoppedReason {
            return [.cancelRejected(clientOrderId: clientOrderId, code: PaperRejectCode.internalError.rawValue, reason: reason)]
        }
        guard let index = slotIndex[clientOrderId] else {
            return [.cancelRejected(clientOrderId: clientOrderId, code: PaperRejectCode.unknownOrder.rawValue,
                                    reason: "Unknown order sent.")]
        }
        let status = slots[index].order.status
        guard !status.isFinal else {
            return [.cancelRejected(clientOrderId: clientOrderId, code: PaperRejectCode.unknownOrder.rawValue,
                                    reason: "Unknown order sent: the order is already \(status.rawValue).")]
        }
        let before = snapshot()
        var events: [PaperEvent] = []
        do throws(DecimalError) {
            try commit(.cancel(clientOrderId: clientOrderId, time: now), &events)
        } catch {
            events.append(.internalError(reason: "decimal \(error) while cancelling \(clientOrderId)"))
        }
        finish(&events, since: before)
        return events
    }

    /// Changes an open limit order's price and/or total quantity (nil keeps the current value),
    /// keeping its client and venue ids and its fills.
    ///
    /// - The new quantity is the total, including what has filled; it must exceed the filled
    ///   quantity (-4003 otherwise). The same filters, reduce-only and funds checks as a new
    ///   order apply to the new values.
    /// - A new price that crosses the book trades immediately as taker (GTC); a post-only order
    ///   that would cross is refused (-2010) and stays as it was.
    /// - Moving the price or raising the quantity loses time priority; shrinking keeps it.
    public func amend(clientOrderId: String, price: ExactDecimal? = nil, quantity: ExactDecimal? = nil,
                      now: Int64) -> [PaperEvent] {
        func reject(_ code: PaperRejectCode, _ reason: String) -> [PaperEvent] {
            [.amendRejected(clientOrderId: clientOrderId, code: code.rawValue, reason: reason)]
        }
        if let reason = stoppedReason { return reject(.internalError, reason) }
        guard let index = slotIndex[clientOrderId], !slots[index].order.status.isFinal,
              let instrument = instruments[slots[index].order.instrument] else {
            return reject(.orderDoesNotExist, "Order does not exist (unknown or no longer open).")
        }
        let order = slots[index].order
        if isExpired(instrument, now: now) { return reject(.invalidInstrumentStatus, "\(instrument.symbol) has expired.") }
        let newPrice = price ?? order.price, newQuantity = quantity ?? order.quantity
        guard newPrice != order.price || newQuantity != order.quantity else {
            return reject(.noChange, "No need to modify the order.")
        }
        let before = snapshot()
        var events: [PaperEvent] = []
        do throws(DecimalError) {
            if let rejection = try validateAmend(index, instrument, price: newPrice, quantity: newQuantity) {
                return reject(rejection.code, rejection.reason)
            }
            try commit(.amend(clientOrderId: clientOrderId, price: newPrice, quantity: newQuantity, time: now), &events)
            if order.timeInForce == .gtc {
                try takeLiquidity(index, instrument, limit: newPrice, now: now, &events)
            }
            try expireStaleReduceOnly(instrument, now: now, &events)
        } catch {
            events.append(.internalError(reason: "decimal \(error) while amending \(clientOrderId)"))
        }
        finish(&events, since: before)
        return events
    }

    private func validateAmend(_ index: Int, _ instrument: PaperInstrument, price: ExactDecimal?,
                               quantity: ExactDecimal) throws(DecimalError) -> Rejection? {
        let order = slots[index].order
        guard quantity > order.filledQuantity else {
            return (.quantityNotPositive, "New quantity \(quantity) leaves nothing to fill: \(order.filledQuantity) already filled.")
        }
        guard let price else { return (.missingParameter, "Only limit orders can be amended.") }
        guard price.units > 0 else { return (.priceNotPositive, "Price less than or equal to zero.") }
        if let failure = try filterFailure(instrument, side: order.side, quantity: quantity, price: price,
                                           reduceOnly: order.reduceOnly) {
            return (.filterFailure, failure)
        }
        let remaining = try quantity.minus(order.filledQuantity)
        if order.reduceOnly && remaining > reducible(instrument.id, side: order.side) {
            return (.reduceOnlyRejected, "ReduceOnly Order is rejected: the new quantity exceeds the position.")
        }
        if order.timeInForce == .postOnly, wouldTake(instrument, side: order.side, price: price) {
            return (.insufficientBalance, "Order would immediately match and take.")
        }
        // Only the increase over what the order already holds must be free.
        let (currency, required) = try reservation(instrument, side: order.side, price: price, remaining: remaining,
                                                   reduceOnly: order.reduceOnly, position: positionQuantity(instrument.id))
        let held = slots[index].reservedCurrency == currency ? slots[index].reserved : .zero
        let extra = try required.minus(held)
        if extra > balance(currency).free { return insufficientFunds(instrument, currency, extra) }
        return nil
    }
}
