import ArbModel
import ArbSDK

/// One side of an order book: its price levels, best first.
///
/// When the instrument's price step (tick) is known, the levels near the top live in a
/// `PriceGrid`, a window of one slot per step, so that the common update, a level changing
/// anywhere in the top few thousand ticks, is an index and a store. Everything else (levels far
/// from the top, prices off the step, or every level when no step is given) lives in
/// `SortedLevels`, chunked sorted arrays. Which part holds a level is invisible from outside:
/// the ladder answers best first across both. Used by the host's books and the simulated
/// venues' matching engine.
public struct PriceLadder: Sendable, Hashable {
    public struct Level: Sendable, Hashable {
        public var price: ExactDecimal
        public var quantity: ExactDecimal
        public init(price: ExactDecimal, quantity: ExactDecimal) {
            self.price = price
            self.quantity = quantity
        }
    }

    /// Bids: higher prices are better; asks: lower.
    public let higherIsBetter: Bool
    /// Every level on the step grid inside the window; nothing else.
    @usableFromInline var grid: PriceGrid
    /// Every other level.
    @usableFromInline var outside: SortedLevels
    /// How many times the grid's window was rebuilt (tests: it follows the book, rarely).
    public private(set) var windowRebuilds = 0

    /// `step`: the instrument's price increment, if known; without it every level goes to the
    /// sorted chunks (correct, slower on deep books).
    public init(higherIsBetter: Bool, step: ExactDecimal? = nil) {
        self.higherIsBetter = higherIsBetter
        grid = PriceGrid(step: step, higherIsBetter: higherIsBetter)
        outside = SortedLevels(higherIsBetter: higherIsBetter)
    }

    /// The price step the grid uses (nil: none).
    public var priceStep: ExactDecimal? { grid.step > 0 ? ExactDecimal(units: grid.step) : nil }

    /// Equal when the levels are, however they are held.
    public static func == (a: Self, b: Self) -> Bool {
        a.higherIsBetter == b.higherIsBetter && a.count == b.count && a.bestFirst == b.bestFirst
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(higherIsBetter)
        forEachBestFirst { hasher.combine($0); return true }
    }

    /// The number of levels.
    @inlinable public var count: Int { grid.count + outside.count }
    @inlinable public var isEmpty: Bool { count == 0 }

    @inlinable public var best: Level? {
        @inline(__always) get {
        let other = outside.best
        guard grid.best >= 0 else { return other }
        let inGrid = Level(price: grid.price(grid.best), quantity: grid.quantities[grid.best])
        guard let other else { return inGrid }
        return SortedLevels.worse(inGrid.price, other.price, higherIsBetter) ? other : inGrid
        }
    }

    /// The i-th level, best first (O(i)).
    public subscript(_ i: Int) -> Level {
        precondition(i >= 0 && i < count, "level \(i) of \(count)")
        var found: Level?
        var seen = 0
        forEachBestFirst { level in
            if seen == i { found = level }
            seen += 1
            return found == nil
        }
        return found!
    }

    /// Every level, best first.
    public var bestFirst: [Level] {
        var levels: [Level] = []
        levels.reserveCapacity(count)
        forEachBestFirst { levels.append($0); return true }
        return levels
    }

    /// Calls `body` with levels best first until it returns false: the grid's slots and the
    /// sorted chunks, merged.
    @inlinable public func forEachBestFirst(_ body: (Level) -> Bool) {
        var slot = grid.best
        var stopped = false
        outside.forEachBestFirst { level in
            while slot >= 0 {
                let price = grid.price(slot)
                guard SortedLevels.worse(level.price, price, higherIsBetter) else { break }
                guard body(Level(price: price, quantity: grid.quantities[slot])) else {
                    stopped = true
                    return false
                }
                slot = grid.highestOccupied(below: slot)
            }
            stopped = !body(level)
            return !stopped
        }
        while !stopped && slot >= 0 {
            guard body(Level(price: grid.price(slot), quantity: grid.quantities[slot])) else { return }
            slot = grid.highestOccupied(below: slot)
        }
    }

    /// Empties the side but keeps its storage and window: a feed of snapshots (one per update)
    /// then refills it without allocating.
    public mutating func removeAll() {
        grid.removeAll()
        outside.removeAll()
    }

    /// Sets (quantity > 0) or removes (quantity ≤ 0) the level at `price`.
    @inlinable public mutating func set(price: ExactDecimal, quantity: ExactDecimal) {
        if grid.step > 0 {
            let slot = grid.placement(price.units)
            if slot >= 0 {
                _ = grid.set(slot, quantity)
                return
            }
            if quantity.units > 0 && slot != PriceGrid.offGrid && movesWindow(slot) && grid.isOnGrid(price.units) {
                rebuildWindow(including: price, quantity: quantity)
                return
            }
        }
        outside.set(price: price, quantity: quantity)
    }

    /// Sets each level of a feed update (quantity 0 removes), in order, or from the last back
    /// when `reversed` (a snapshot's levels come best first and are applied worst first). Runs
    /// of levels inside the grid's window are set in one pass over its storage.
    @inlinable public mutating func set(levels: UnsafeBufferPointer<arb_book_level_t>, reversed: Bool = false) {
        let n = levels.count
        var i = 0
        while i < n {
            if grid.step > 0 && grid.isActive {
                i += grid.setRun(levels, from: i, reversed: reversed)
                if i == n { return }
            }
            let level = levels[reversed ? n - 1 - i : i]
            set(price: ExactDecimal(level.price), quantity: ExactDecimal(level.quantity))
            i += 1
        }
    }

    /// Whether a new level at this placement (better or worse than the window) should move it:
    /// always for a better one (the best is kept in the grid), for a worse one only while the
    /// window can still grow or the best has drifted to its bottom.
    @inlinable func movesWindow(_ placement: Int) -> Bool {
        placement == PriceGrid.betterThanWindow
            || grid.capacity < PriceGrid.maximumCapacity
            || grid.best < grid.capacity / 8
    }

    /// Picks a new window around the best level and moves every level to where it now belongs,
    /// then sets the new level. Rare: the window grows to fit the book (at most a few times) and
    /// moves when the best has moved half a window.
    @usableFromInline mutating func rebuildWindow(including price: ExactDecimal, quantity: ExactDecimal) {
        // The level may be outside already (on the grid but beyond an earlier window).
        outside.set(price: price, quantity: .zero)
        guard let window = newWindow(including: price.units) else {
            // Prices too far apart for a window (near the 128-bit limits): the chunks hold it.
            outside.set(price: price, quantity: quantity)
            return
        }
        windowRebuilds += 1
        var held: [Level] = []
        held.reserveCapacity(grid.count)
        var slot = grid.best
        while slot >= 0 {
            held.append(Level(price: grid.price(slot), quantity: grid.quantities[slot]))
            slot = grid.highestOccupied(below: slot)
        }
        grid.reset(capacity: window.capacity, origin: window.origin)
        for level in held { place(level) }
        // Levels that were outside the old window and are inside the new one move in. Outside
        // levels come best first: any better than the window are off the grid; the walk ends at
        // the first one worse than the window.
        var moving: [Level] = []
        outside.forEachBestFirst { level in
            let slot = grid.placement(level.price.units)
            if slot >= 0 { moving.append(level) }
            return slot != PriceGrid.worseThanWindow
        }
        for level in moving {
            outside.set(price: level.price, quantity: .zero)
            _ = grid.set(grid.placement(level.price.units), level.quantity)
        }
        place(Level(price: price, quantity: quantity))
    }

    /// The window for the grid's levels and one at `price`: spanning them twice over, with the
    /// best in the middle (room to move either way before the next rebuild). Nil when the
    /// arithmetic would overflow (prices near the 128-bit limits).
    @usableFromInline func newWindow(including price: Int128) -> (capacity: Int, origin: Int128)? {
        var best = price, worst = price
        if grid.best >= 0 {
            let top = grid.price(grid.best).units, bottom = grid.price(grid.lowestOccupied()).units
            if SortedLevels.worse(ExactDecimal(units: price), ExactDecimal(units: top), higherIsBetter) { best = top }
            if SortedLevels.worse(ExactDecimal(units: bottom), ExactDecimal(units: price), higherIsBetter) { worst = bottom }
        }
        let (span, spanOverflow) = higherIsBetter ? best.subtractingReportingOverflow(worst) : worst.subtractingReportingOverflow(best)
        guard !spanOverflow else { return nil }
        let steps = span / grid.step
        var capacity = PriceGrid.minimumCapacity
        while capacity < PriceGrid.maximumCapacity && Int128(capacity / 2) <= steps { capacity *= 2 }
        let (below, belowOverflow) = Int128(capacity / 2).multipliedReportingOverflow(by: grid.step)
        guard !belowOverflow else { return nil }
        let (origin, originOverflow) = higherIsBetter ? best.subtractingReportingOverflow(below) : best.addingReportingOverflow(below)
        // The window's far end must be a price too.
        let (_, endOverflow) = Int128(capacity).multipliedReportingOverflow(by: grid.step)
        guard !originOverflow, !endOverflow,
              !(higherIsBetter ? origin.addingReportingOverflow(Int128(capacity) * grid.step).overflow
                               : origin.subtractingReportingOverflow(Int128(capacity) * grid.step).overflow) else { return nil }
        return (capacity, origin)
    }

    /// Puts a level in the grid if its window holds it, else in the sorted chunks.
    @usableFromInline mutating func place(_ level: Level) {
        let slot = grid.placement(level.price.units)
        if slot >= 0 {
            _ = grid.set(slot, level.quantity)
        } else {
            outside.set(price: level.price, quantity: level.quantity)
        }
    }

    /// Uses `step` for the grid from now on (nil: none), keeping every level.
    public mutating func setPriceStep(_ step: ExactDecimal?) {
        guard step?.units ?? 0 != grid.step else { return }
        let levels = bestFirst
        grid = PriceGrid(step: step, higherIsBetter: higherIsBetter)
        outside.removeAll()
        for level in levels.reversed() { set(price: level.price, quantity: level.quantity) }
    }

    /// Takes `quantity` from the best level; a level taken whole is removed.
    public mutating func consumeBest(_ quantity: ExactDecimal) throws(DecimalError) {
        guard let top = best else { return }
        let left = try top.quantity.subtracting(quantity)
        if grid.best >= 0 && grid.price(grid.best) == top.price {
            _ = grid.set(grid.best, left.units <= 0 ? .zero : left)
        } else {
            try outside.consumeBest(quantity)
        }
    }
}
