import ArbSDK
import ArbBook
import ArbModel

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

// Maintenance margin and liquidation.
extension PaperExchange {
    /// Marks a derivative at `markPrice` and checks the account's margin in its settle currency
    /// (cross margin): equity = wallet total + unrealised PnL of every position in it, each at
    /// its latest mark; maintenance = Σ |quantity| × mark × contract size × maintenance rate.
    /// Below maintenance, every position in that currency is liquidated at its mark, as a
    /// venue's liquidation engine would: the instrument's open orders are cancelled, then a
    /// reduce-only market order of the venue's own (`autoclose-<n>`, as Binance names them)
    /// fills the whole position at the mark without fee, reported like any order and fill.
    /// Otherwise nothing happens. Call it with each new mark (the simulated venue: each book
    /// update).
    public func checkMargin(instrument id: UInt32, markPrice: ExactDecimal, now: Int64) -> [PaperEvent] {
        guard stoppedReason == nil, let instrument = instruments[id], instrument.kind != .spot, markPrice.units > 0 else { return [] }
        let previous = marks.updateValue(markPrice, forKey: id)
        guard let position = positionBook[id], !position.quantity.isZero else { return [] }
        let currency = instrument.settle
        // Most marks move a tick: while the worst this move could cost leaves a cushion, done.
        if let cushion = marginCushions[currency], let previous,
           let worst = try? markPrice.minus(previous).absValue.times(position.quantity.absValue)
               .times(instrument.contractSize).times(ExactDecimal.one.plus(instrument.maintenanceMargin)),
           let left = try? cushion.minus(worst), left.units > 0 {
            marginCushions[currency] = left
            return []
        }
        var equity = totals[currency] ?? .zero, maintenance = ExactDecimal.zero
        var exposed: [UInt32] = []
        do throws(DecimalError) {
            for (other, p) in positionBook where !p.quantity.isZero {
                guard let spec = instruments[other], spec.settle == currency else { continue }
                let mark = marks[other] ?? p.averageEntryPrice
                equity = try equity.plus(p.unrealizedPnL(markPrice: mark))
                maintenance = try maintenance.plus(p.quantity.absValue.times(mark).times(spec.contractSize).times(spec.maintenanceMargin))
                exposed.append(other)
            }
        } catch {
            return [.internalError(reason: "decimal \(error) while checking the margin in \(currency)")]
        }
        guard maintenance.units > 0, equity < maintenance else {
            marginCushions[currency] = (try? equity.minus(maintenance)) ?? .zero
            return []
        }
        let before = snapshot()
        var events: [PaperEvent] = []
        do throws(DecimalError) {
            for other in exposed.sorted() {
                for index in openSlots[other] ?? [] {
                    try commit(.cancel(clientOrderId: slots[index].order.clientOrderId, time: now), &events)
                }
                guard let quantity = positionBook[other]?.quantity, !quantity.isZero, let spec = instruments[other] else { continue }
                let mark = marks[other] ?? positionBook[other]?.averageEntryPrice ?? markPrice
                let side: OrderSide = quantity.units > 0 ? .sell : .buy
                let clientOrderId = "autoclose-\(nextOrderNumber)", venueOrderId = "P\(nextOrderNumber)"
                let request = PaperOrderRequest(clientOrderId: clientOrderId, instrument: other, side: side, type: .market,
                                                timeInForce: .ioc, quantity: quantity.absValue, price: nil, reduceOnly: true)
                try commit(.order(request, venueOrderId: venueOrderId, time: now), &events)
                try commit(.fill(PaperFill(tradeId: "F\(nextTradeNumber)", clientOrderId: clientOrderId, venueOrderId: venueOrderId,
                                           instrument: other, side: side, price: mark, quantity: quantity.absValue, fee: .zero,
                                           feeCurrency: spec.settle, liquidity: .taker, time: now)), &events)
                events.append(.liquidated(instrument: other, markPrice: mark, quantity: quantity))
            }
        } catch {
            events.append(.internalError(reason: "decimal \(error) while liquidating in \(currency)"))
        }
        finish(&events, since: before)
        return events
    }

    /// Whether the account holds a position in the instrument.
    public func hasPosition(instrument id: UInt32) -> Bool { !(positionBook[id]?.quantity.isZero ?? true) }
}

extension PaperInstrument {
    /// The funding period `now` falls in (floor of now / fundingInterval), nil without an interval.
    func fundingPeriod(at now: Int64) -> Int64? {
        guard fundingInterval > 0 else { return nil }
        let (q, r) = now.quotientAndRemainder(dividingBy: fundingInterval)
        return r < 0 ? q - 1 : q
    }
}
