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
    /// Sets (quantity > 0) or removes (quantity ≤ 0) the level at `price`, keeping best-first order.
    mutating func set(_ side: PaperBookSide, price: ExactDecimal, quantity: ExactDecimal) {
        switch side {
        case .bid: Self.set(&bids, price: price, quantity: quantity, better: { $0 > $1 })
        case .ask: Self.set(&asks, price: price, quantity: quantity, better: { $0 < $1 })
        }
    }

    /// Binary search for the first level not better than `price`; replace, remove or insert there.
    private static func set(_ levels: inout [PaperLevel], price: ExactDecimal, quantity: ExactDecimal,
                            better: (ExactDecimal, ExactDecimal) -> Bool) {
        var lo = 0, hi = levels.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if better(levels[mid].price, price) { lo = mid + 1 } else { hi = mid }
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

    /// The levels a taker on `side` trades against (asks for a buy, bids for a sell).
    func opposite(of side: OrderSide) -> [PaperLevel] { side == .buy ? asks : bids }

    /// Removes `quantity` from the best level a taker on `side` trades against (the walk always
    /// consumes from the front, so a fully taken level is simply dropped).
    mutating func consumeBest(against side: OrderSide, quantity: ExactDecimal) throws(DecimalError) {
        if side == .buy { try Self.consume(&asks, quantity) } else { try Self.consume(&bids, quantity) }
    }

    private static func consume(_ levels: inout [PaperLevel], _ quantity: ExactDecimal) throws(DecimalError) {
        guard !levels.isEmpty else { return }
        let left = try levels[0].quantity.minus(quantity)
        if left.units <= 0 { levels.removeFirst() } else { levels[0].quantity = left }
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
