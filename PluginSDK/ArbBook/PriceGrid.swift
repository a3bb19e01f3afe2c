import ArbModel
import ArbSDK

/// The levels of a book side that lie on the instrument's price grid near the top of the book,
/// one slot per price step: setting a level is an index and a store, with no search and no
/// shifting. Slot 0 is the worst price of the window and each slot one step better, on both
/// sides (bids: slot i is `origin + i·step`; asks: `origin − i·step`). An occupancy bitmap
/// finds the next level when the best one goes.
///
/// The window follows the book: `PriceLadder` rebuilds it around the best level when a level
/// comes in better than the window, or worse while the window is still small or the best has
/// drifted to its bottom. What lies outside the window, or off the grid, the ladder keeps in
/// `SortedLevels`.
@usableFromInline
struct PriceGrid: Sendable {
    /// The price step in units of 1e-18; 0: no grid.
    @usableFromInline let step: Int128
    @usableFromInline let inverseStep: Double
    @usableFromInline let higherIsBetter: Bool
    /// The price of slot 0 (units).
    @usableFromInline var origin: Int128 = 0
    /// Quantity per slot; zero where no level is.
    @usableFromInline var quantities: ContiguousArray<ExactDecimal> = []
    /// One bit per slot, set where a level is.
    @usableFromInline var occupied: ContiguousArray<UInt64> = []
    /// The best (highest) occupied slot; -1 when none is.
    @usableFromInline var best = -1
    @usableFromInline var count = 0

    /// Slots are a power of two between these; 4096 steps covers Binance's 1000-level BTC book.
    @usableFromInline static let minimumCapacity = 64
    @usableFromInline static let maximumCapacity = 4096

    /// What `placement` answers besides a slot.
    @usableFromInline static let worseThanWindow = -1
    @usableFromInline static let betterThanWindow = -2
    @usableFromInline static let offGrid = -3

    @usableFromInline init(step: ExactDecimal?, higherIsBetter: Bool) {
        let units = max(step?.units ?? 0, 0)
        self.step = units
        inverseStep = units > 0 ? 1 / Self.double(units) : 0
        self.higherIsBetter = higherIsBetter
    }

    @inlinable var capacity: Int { quantities.count }

    /// Whether a window exists (a step is known and a level has been placed).
    @inlinable var isActive: Bool { !quantities.isEmpty }

    @inlinable @inline(__always)
    static func double(_ value: Int128) -> Double {
        Double(Int64(truncatingIfNeeded: value >> 64)) * 0x1p64 + Double(UInt64(truncatingIfNeeded: value))
    }

    /// The slot of `price`, or `worseThanWindow`, `betterThanWindow` (also when there is no
    /// window yet) or `offGrid`. Division-free: an estimate from the inverse step, checked
    /// exactly with one multiplication.
    @inlinable @inline(__always)
    func placement(_ price: Int128) -> Int { window.placement(price) }

    /// What placing a price needs: plain values, no storage (so reading them never retains the
    /// arrays, and a copy never makes them shared).
    @usableFromInline
    struct Window {
        @usableFromInline let origin: Int128, step: Int128, inverseStep: Double, capacity: Int, higherIsBetter: Bool

        @inlinable init(origin: Int128, step: Int128, inverseStep: Double, capacity: Int, higherIsBetter: Bool) {
            self.origin = origin
            self.step = step
            self.inverseStep = inverseStep
            self.capacity = capacity
            self.higherIsBetter = higherIsBetter
        }

        @inlinable @inline(__always)
        func placement(_ price: Int128) -> Int {
            let (distance, overflow) = higherIsBetter ? price.subtractingReportingOverflow(origin)
                                                      : origin.subtractingReportingOverflow(price)
            if overflow { return PriceGrid.offGrid }  // 2^127 units away: the sorted chunks hold it
            if distance < 0 { return PriceGrid.worseThanWindow }
            let estimate = PriceGrid.double(distance) * inverseStep
            guard estimate < Double(capacity) - 0.5 else { return PriceGrid.betterThanWindow }
            let slot = Int(estimate + 0.5)
            return Int128(slot) &* step == distance ? slot : PriceGrid.offGrid
        }
    }

    @inlinable var window: Window {
        Window(origin: origin, step: step, inverseStep: inverseStep, capacity: quantities.count, higherIsBetter: higherIsBetter)
    }

    /// Whether `price` is a whole number of steps from the grid's zero.
    @usableFromInline func isOnGrid(_ price: Int128) -> Bool { step > 0 && price % step == 0 }

    @inlinable @inline(__always)
    func price(_ slot: Int) -> ExactDecimal {
        let offset = Int128(slot) &* step
        return ExactDecimal(units: higherIsBetter ? origin &+ offset : origin &- offset)
    }

    /// Sets (quantity > 0) or removes the level in `slot`; returns the change in level count.
    @inlinable @inline(__always)
    mutating func set(_ slot: Int, _ quantity: ExactDecimal) -> Int {
        let word = slot &>> 6
        let bit = UInt64(1) &<< UInt64(slot & 63)
        let present = occupied[word] & bit != 0
        if quantity.units <= 0 {
            guard present else { return 0 }
            occupied[word] &= ~bit
            quantities[slot] = .zero
            count -= 1
            if slot == best { best = highestOccupied(below: slot) }
            return -1
        }
        quantities[slot] = quantity
        guard !present else { return 0 }
        occupied[word] |= bit
        count += 1
        if slot > best { best = slot }
        return 1
    }

    /// Sets levels from `levels` (in order, or from the last one back when `reversed`) while
    /// they fall in the window; returns how many it set (the next one needs the ladder's slow
    /// path). One uniqueness check per array per call rather than two per level: a feed's
    /// update sets dozens of levels.
    @inlinable
    mutating func setRun(_ levels: UnsafeBufferPointer<arb_book_level_t>, from start: Int, reversed: Bool) -> Int {
        let n = levels.count
        var i = start
        var count = self.count, best = self.best
        let window = self.window  // read while the arrays are borrowed mutably below
        quantities.withUnsafeMutableBufferPointer { q in
            occupied.withUnsafeMutableBufferPointer { o in
                while i < n {
                    let level = levels[reversed ? n - 1 - i : i]
                    let slot = window.placement(ExactDecimal(level.price).units)
                    guard slot >= 0 else { break }
                    let quantity = ExactDecimal(level.quantity)
                    let word = slot &>> 6
                    let bit = UInt64(1) &<< UInt64(slot & 63)
                    let present = o[word] & bit != 0
                    if quantity.units <= 0 {
                        if present {
                            o[word] &= ~bit
                            q[slot] = .zero
                            count -= 1
                            if slot == best { best = Self.highestOccupied(below: slot, in: UnsafeBufferPointer(o)) }
                        }
                    } else {
                        q[slot] = quantity
                        if !present {
                            o[word] |= bit
                            count += 1
                            if slot > best { best = slot }
                        }
                    }
                    i += 1
                }
            }
        }
        self.count = count
        self.best = best
        return i - start
    }

    /// The highest occupied slot below `slot`, or -1.
    @inlinable
    func highestOccupied(below slot: Int) -> Int {
        occupied.withUnsafeBufferPointer { Self.highestOccupied(below: slot, in: $0) }
    }

    @inlinable
    static func highestOccupied(below slot: Int, in occupied: UnsafeBufferPointer<UInt64>) -> Int {
        guard slot > 0 else { return -1 }
        var word = (slot - 1) &>> 6
        let shift = 63 - ((slot - 1) & 63)
        var bits = (occupied[word] &<< UInt64(shift)) &>> UInt64(shift)
        while true {
            if bits != 0 { return word &* 64 + 63 - bits.leadingZeroBitCount }
            if word == 0 { return -1 }
            word -= 1
            bits = occupied[word]
        }
    }

    /// The lowest (worst) occupied slot, or -1.
    @usableFromInline func lowestOccupied() -> Int {
        for word in occupied.indices where occupied[word] != 0 {
            return word &* 64 + occupied[word].trailingZeroBitCount
        }
        return -1
    }

    /// Empties every slot, keeping the window.
    @usableFromInline mutating func removeAll() {
        for word in occupied.indices where occupied[word] != 0 {
            var bits = occupied[word]
            while bits != 0 {
                quantities[word * 64 + bits.trailingZeroBitCount] = .zero
                bits &= bits - 1
            }
            occupied[word] = 0
        }
        best = -1
        count = 0
    }

    /// A new window of `capacity` slots whose slot 0 is at `origin`, empty.
    @usableFromInline mutating func reset(capacity: Int, origin: Int128) {
        if capacity == self.capacity {
            removeAll()
        } else {
            quantities = ContiguousArray(repeating: .zero, count: capacity)
            occupied = ContiguousArray(repeating: 0, count: (capacity + 63) / 64)
            best = -1
            count = 0
        }
        self.origin = origin
    }
}
