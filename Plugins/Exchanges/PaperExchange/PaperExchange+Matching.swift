import ArbSDK
import ArbBook
import ArbModel

// Matching against the exchange-side book.
//
// Queue model (deliberately simple, no queue position): the account's resting orders are not
// in the book the feed describes. A resting order fills, as maker and at its own limit price,
// when the feed's opposite side reaches it (best ask ≤ buy limit, best bid ≥ sell limit); each
// opposite level at or through the limit fills at most its displayed quantity, which is then
// consumed. It is optimistic about queue position (as if first in line once the market trades
// through) and conservative about price (no improvement). Among the account's own resting
// orders, the better price goes first, then time priority. The account's orders never trade
// with each other (implicit self-trade prevention).
extension PaperExchange {
    /// Fills resting orders of `instrument` that the current book reaches; call after feeding
    /// a book change. Nothing happens on an expired instrument (it only awaits settlement).
    public func onBookChanged(instrument id: UInt32, now: Int64) -> [PaperEvent] {
        if let reason = stoppedReason { return [.internalError(reason: reason)] }
        guard let instrument = instruments[id], !isExpired(instrument, now: now) else { return [] }
        let before = snapshot()
        var events: [PaperEvent] = []
        do throws(DecimalError) {
            let open = openSlots[id] ?? []
            let buys = open.filter { slots[$0].order.side == .buy }.sorted { ranksBefore($0, $1, higherFirst: true) }
            let sells = open.filter { slots[$0].order.side == .sell }.sorted { ranksBefore($0, $1, higherFirst: false) }
            for index in buys + sells { try fillResting(index, instrument, now: now, &events) }
            try expireStaleReduceOnly(instrument, now: now, &events)
        } catch {
            events.append(.internalError(reason: "decimal \(error) while matching instrument \(id)"))
        }
        finish(&events, since: before)
        return events
    }

    /// Price priority, then time priority.
    private func ranksBefore(_ a: Int, _ b: Int, higherFirst: Bool) -> Bool {
        let pa = slots[a].order.price ?? .zero, pb = slots[b].order.price ?? .zero
        if pa != pb { return higherFirst ? pa > pb : pa < pb }
        return slots[a].priority < slots[b].priority
    }

    private func fillResting(_ index: Int, _ instrument: PaperInstrument, now: Int64,
                             _ events: inout [PaperEvent]) throws(DecimalError) {
        while true {
            let order = slots[index].order
            guard !order.status.isFinal, let limit = order.price,
                  let quantity = try nextFillQuantity(order, instrument, limit: limit) else { return }
            try books[instrument.id, default: PaperBook()].consumeBest(against: order.side, quantity: quantity)
            try commit(.fill(makeFill(order, instrument, price: limit, quantity: quantity, .maker, now: now)), &events)
        }
    }

    /// Walks the opposite side as taker, one fill per level at the level's price, until the
    /// order is done, the book is empty, or the next level is beyond `limit`.
    func takeLiquidity(_ index: Int, _ instrument: PaperInstrument, limit: ExactDecimal?, now: Int64,
                       _ events: inout [PaperEvent]) throws(DecimalError) {
        while true {
            let order = slots[index].order
            guard !order.status.isFinal, let price = book(instrument.id).bestOpposite(of: order.side)?.price,
                  let quantity = try nextFillQuantity(order, instrument, limit: limit) else { return }
            try books[instrument.id, default: PaperBook()].consumeBest(against: order.side, quantity: quantity)
            try commit(.fill(makeFill(order, instrument, price: price, quantity: quantity, .taker, now: now)), &events)
        }
    }

    /// How much the order can fill against the best opposite level: its remainder, capped by
    /// the level's quantity and, for reduce-only orders, by the position; nil when nothing.
    private func nextFillQuantity(_ order: PaperOrder, _ instrument: PaperInstrument,
                                  limit: ExactDecimal?) throws(DecimalError) -> ExactDecimal? {
        guard let level = book(instrument.id).bestOpposite(of: order.side),
              order.side.reaches(level.price, limit: limit) else { return nil }
        var quantity = min(order.remainingQuantity, level.quantity)
        if order.reduceOnly { quantity = min(quantity, reducible(instrument.id, side: order.side)) }
        return quantity.units > 0 ? quantity : nil
    }

    /// A fill record with the next trade id and the per-fill rounded fee.
    private func makeFill(_ order: PaperOrder, _ instrument: PaperInstrument, price: ExactDecimal,
                          quantity: ExactDecimal, _ liquidity: PaperLiquidity, now: Int64) throws(DecimalError) -> PaperFill {
        let rate = liquidity == .maker ? instrument.makerFee : instrument.takerFee
        return PaperFill(tradeId: "F\(nextTradeNumber)", clientOrderId: order.clientOrderId,
                         venueOrderId: order.venueOrderId, instrument: instrument.id, side: order.side, price: price,
                         quantity: quantity, fee: try fee(instrument, price: price, quantity: quantity, rate: rate),
                         feeCurrency: instrument.settle, liquidity: liquidity, time: now)
    }

    /// Expires open reduce-only orders left with nothing to reduce (position flat or flipped to
    /// their side), as venues do, instead of letting them open exposure later.
    func expireStaleReduceOnly(_ instrument: PaperInstrument, now: Int64,
                               _ events: inout [PaperEvent]) throws(DecimalError) {
        guard instrument.kind.isDerivative else { return }
        for index in openSlots[instrument.id] ?? [] {
            let order = slots[index].order
            if order.reduceOnly && reducible(instrument.id, side: order.side).isZero {
                try commit(.expire(clientOrderId: order.clientOrderId, time: now), &events)
            }
        }
    }

    /// What walking the book for `quantity` would give, without changing it.
    struct WalkEstimate {
        var quantity = ExactDecimal.zero
        var notional = ExactDecimal.zero
        /// Notional of the part beyond `reducible` (the part that opens exposure; it fills last).
        var openingNotional = ExactDecimal.zero
        /// Σ of the per-level taker fees, each rounded as the fill would be.
        var fees = ExactDecimal.zero
    }

    func estimateWalk(_ instrument: PaperInstrument, side: OrderSide, quantity: ExactDecimal, limit: ExactDecimal?,
                      reducible: ExactDecimal) throws(DecimalError) -> WalkEstimate {
        var estimate = WalkEstimate()
        var left = quantity, closing = reducible
        var failure: DecimalError?
        books[instrument.id]?.forEachOpposite(of: side) { level in
            guard left.units > 0, side.reaches(level.price, limit: limit) else { return false }
            do throws(DecimalError) {
                let q = min(left, level.quantity)
                let notional = try level.price.times(q).times(instrument.contractSize)
                let closed = min(q, closing)
                closing = try closing.minus(closed)
                estimate.quantity = try estimate.quantity.plus(q)
                estimate.notional = try estimate.notional.plus(notional)
                estimate.openingNotional = try estimate.openingNotional.plus(
                    level.price.times(q.minus(closed)).times(instrument.contractSize))
                estimate.fees = try estimate.fees.plus(fee(instrument, price: level.price, quantity: q, rate: instrument.takerFee))
                left = try left.minus(q)
                return true
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        return estimate
    }
}
