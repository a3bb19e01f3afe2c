import PluginKit

// Funding of perpetuals and expiry of dated futures.
extension PaperExchange {
    /// Settles one funding period of a perpetual.
    ///
    /// payment = positionQuantity × contractSize × markPrice × rate. A positive rate means longs
    /// pay and shorts receive (a negative rate the reverse), so the account's amount is −payment,
    /// rounded half-even to the settle precision and booked to the settle balance.
    ///
    /// `rate` is the rate for one period of `fundingInterval`; each period (now / interval,
    /// floored) settles at most once, so a venue that restarts or a feed that repeats the
    /// funding event cannot charge twice (-4140). A flat account settles with no payment and
    /// no `fundingPayment` event.
    public func settleFunding(instrument id: UInt32, rate: ExactDecimal, markPrice: ExactDecimal,
                              now: Int64) -> [PaperEvent] {
        func reject(_ code: PaperRejectCode, _ reason: String) -> [PaperEvent] {
            [.settlementRejected(instrument: id, code: code.rawValue, reason: reason)]
        }
        if let reason = stoppedReason { return reject(.internalError, reason) }
        guard let instrument = instruments[id] else { return reject(.unknownInstrument, "Invalid symbol: unknown instrument \(id).") }
        guard instrument.kind == .perpetual else { return reject(.invalidInstrumentStatus, "Funding applies to perpetuals only.") }
        guard markPrice.units > 0 else { return reject(.priceNotPositive, "Mark price less than or equal to zero.") }
        if let period = instrument.fundingPeriod(at: now), let last = fundingPeriods[id], period <= last {
            return reject(.invalidInstrumentStatus, "Funding for period \(period) of \(instrument.symbol) is already settled.")
        }
        let before = snapshot()
        var events: [PaperEvent] = []
        do throws(DecimalError) {
            let quantity = positionQuantity(id)
            let payment = try quantity.times(instrument.contractSize).times(markPrice).times(rate)
            let amount = try round(payment.negated(), instrument.settle, .halfEven)
            try commit(.funding(instrument: id, rate: rate, markPrice: markPrice, positionQuantity: quantity,
                                amount: amount, currency: instrument.settle, time: now), &events)
        } catch {
            return reject(.internalError, "Funding amount out of range: \(error).")
        }
        finish(&events, since: before)
        return events
    }

    /// Settles a dated future at or after its expiry: cancels its open orders, closes every
    /// position at `indexPrice` (realized PnL, no delivery fee) and refuses new orders and
    /// amends from then on (-4140). Emits the cancellations, `positionChanged`, `expired`.
    public func settleExpiry(instrument id: UInt32, indexPrice: ExactDecimal, now: Int64) -> [PaperEvent] {
        func reject(_ code: PaperRejectCode, _ reason: String) -> [PaperEvent] {
            [.settlementRejected(instrument: id, code: code.rawValue, reason: reason)]
        }
        if let reason = stoppedReason { return reject(.internalError, reason) }
        guard let instrument = instruments[id] else { return reject(.unknownInstrument, "Invalid symbol: unknown instrument \(id).") }
        guard let expiry = instrument.expiry else { return reject(.invalidInstrumentStatus, "\(instrument.symbol) is not a dated future.") }
        guard !settledInstruments.contains(id) else { return reject(.invalidInstrumentStatus, "\(instrument.symbol) is already settled.") }
        guard now >= expiry else { return reject(.invalidInstrumentStatus, "\(instrument.symbol) expires at \(expiry), not yet.") }
        guard indexPrice.units > 0 else { return reject(.priceNotPositive, "Index price less than or equal to zero.") }
        let before = snapshot()
        var events: [PaperEvent] = []
        do throws(DecimalError) {
            for index in openSlots[id] ?? [] {
                try commit(.cancel(clientOrderId: slots[index].order.clientOrderId, time: now), &events)
            }
            try commit(.expirySettlement(instrument: id, indexPrice: indexPrice, time: now), &events)
        } catch {
            events.append(.internalError(reason: "decimal \(error) while settling \(instrument.symbol)"))
        }
        finish(&events, since: before)
        return events
    }
}

extension PaperInstrument {
    /// The funding period `now` falls in (floor of now / fundingInterval), nil without an interval.
    func fundingPeriod(at now: Int64) -> Int64? {
        guard fundingInterval > 0 else { return nil }
        let (q, r) = now.quotientAndRemainder(dividingBy: fundingInterval)
        return r < 0 ? q - 1 : q
    }
}
