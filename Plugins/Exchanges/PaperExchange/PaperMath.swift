import PluginKit

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
        case .bid: Self.set(&bidsWorstFirst, price: price, quantity: quantity, before: { $0 < $1 })
        case .ask: Self.set(&asksWorstFirst, price: price, quantity: quantity, before: { $0 > $1 })
        }
    }

    /// Binary search in worst-first order for the first level not before `price`; replace,
    /// remove or insert there.
    private static func set(_ levels: inout [PaperLevel], price: ExactDecimal, quantity: ExactDecimal,
                            before: (ExactDecimal, ExactDecimal) -> Bool) {
        var lo = 0, hi = levels.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if before(levels[mid].price, price) { lo = mid + 1 } else { hi = mid }
        }
        let exists = lo < levels.count && levels[lo].price == price
        if quantity.units <= 0 {
            if exists { levels.remove(at: lo) }
        } else if exists {
            levels[lo].quantity = quantity
        } else {
            levels.insert(PaperLevel(price: price, quantity: quantity), at: lo)
        }
    }

    /// The levels a taker on `side` trades against (asks for a buy, bids for a sell), best first,
    /// without copying.
    func opposite(of side: OrderSide) -> ReversedCollection<[PaperLevel]> {
        (side == .buy ? asksWorstFirst : bidsWorstFirst).reversed()
    }

    /// The best level a taker on `side` would trade against.
    func bestOpposite(of side: OrderSide) -> PaperLevel? {
        (side == .buy ? asksWorstFirst : bidsWorstFirst).last
    }

    /// Removes `quantity` from the best level a taker on `side` trades against (the walk always
    /// consumes from the best end, so a fully taken level is simply dropped).
    mutating func consumeBest(against side: OrderSide, quantity: ExactDecimal) throws(DecimalError) {
        if side == .buy { try Self.consume(&asksWorstFirst, quantity) } else { try Self.consume(&bidsWorstFirst, quantity) }
    }

    private static func consume(_ levels: inout [PaperLevel], _ quantity: ExactDecimal) throws(DecimalError) {
        guard let best = levels.last else { return }
        let left = try best.quantity.minus(quantity)
        if left.units <= 0 { levels.removeLast() } else { levels[levels.count - 1].quantity = left }
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
