import ArbSDK
import ArbBook
import ArbModel

// Short names for checked decimal arithmetic so the money formulas read like formulas.
// Products are exact whenever they fit 18 places (price × quantity with real ticks and lots
// always do); otherwise they round half-even at the 18th place before any currency rounding.
extension ExactDecimal {
    @inline(__always)
    func plus(_ other: ExactDecimal) throws(DecimalError) -> ExactDecimal { try adding(other) }

    @inline(__always)
    func minus(_ other: ExactDecimal) throws(DecimalError) -> ExactDecimal { try subtracting(other) }

    @inline(__always)
    func times(_ other: ExactDecimal) throws(DecimalError) -> ExactDecimal {
        try multiplied(by: other, rounding: .halfEven)
    }

    /// True if the value is a whole multiple of `step`; false for a step ≤ 0 (a misconfigured
    /// instrument must reject orders, not trap on a division by zero).
    func isMultiple(of step: ExactDecimal) -> Bool {
        step.units > 0 && units % step.units == 0
    }

    /// |self| without the throwing path: the engine never holds Int128.min units (every value
    /// is bounded far below by validation), and if it did the result saturates instead of trapping.
    var absValue: ExactDecimal {
        units >= 0 ? self : ExactDecimal(units: units == .min ? .max : -units)
    }

    /// self − other saturated to the representable range (for display-only values such as
    /// `PaperBalance.free`, which must be produced by non-throwing queries).
    func minusSaturating(_ other: ExactDecimal) -> ExactDecimal {
        let (r, o) = units.subtractingReportingOverflow(other.units)
        if !o { return ExactDecimal(units: r) }
        return other.units < 0 ? .max : .min
    }
}

// MARK: - Book maintenance

extension PaperBook {
    /// Sets (quantity > 0) or removes (quantity ≤ 0) the level at `price`.
    mutating func set(_ side: PaperBookSide, price: ExactDecimal, quantity: ExactDecimal) {
        switch side {
        case .bid: bidLadder.set(price: price, quantity: quantity)
        case .ask: askLadder.set(price: price, quantity: quantity)
        }
    }

    /// Calls `body` with the levels a taker on `side` trades against (asks for a buy, bids for
    /// a sell), best first, until it returns false; nothing is copied (a deep book has
    /// thousands of levels, a taker reaches a few).
    func forEachOpposite(of side: OrderSide, _ body: (PaperLevel) -> Bool) {
        (side == .buy ? askLadder : bidLadder).forEachBestFirst { body(PaperLevel(price: $0.price, quantity: $0.quantity)) }
    }

    /// The best level a taker on `side` would trade against.
    func bestOpposite(of side: OrderSide) -> PaperLevel? {
        (side == .buy ? askLadder.best : bidLadder.best).map { PaperLevel(price: $0.price, quantity: $0.quantity) }
    }

    /// Removes `quantity` from the best level a taker on `side` trades against.
    mutating func consumeBest(against side: OrderSide, quantity: ExactDecimal) throws(DecimalError) {
        if side == .buy { try askLadder.consumeBest(quantity) } else { try bidLadder.consumeBest(quantity) }
    }
}

extension OrderSide {
    /// True if a level at `levelPrice` is at or through `limit` for an order on this side
    /// (a buy takes asks at or below its limit, a sell takes bids at or above it).
    func reaches(_ levelPrice: ExactDecimal, limit: ExactDecimal?) -> Bool {
        guard let limit else { return true }
        return self == .buy ? levelPrice <= limit : levelPrice >= limit
    }

    /// +1 for buys, −1 for sells, as a decimal factor.
    var sign: ExactDecimal { self == .buy ? .one : ExactDecimal(-1) }
}
