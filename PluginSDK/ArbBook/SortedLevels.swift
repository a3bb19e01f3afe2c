import ArbSDK
import ArbModel
/// The levels of a book side kept in sorted chunks of a few dozen: the part of a `PriceLadder`
/// that its price grid does not hold (levels off the grid's steps or outside its window, or
/// every level when the ladder has no price step).
///
/// Venue feeds update levels all through a deep book (Binance's 1000 levels), so one sorted
/// array would shift hundreds of entries per insert. Chunks bound that to one chunk; finding
/// the chunk is a binary search over chunk boundaries. Levels are kept worst first, and the
/// best chunk is a flat array of its own, where a change at the top is one binary search and a
/// store and inserting or removing shifts little.
@usableFromInline
struct SortedLevels: Sendable {
    @usableFromInline typealias Level = PriceLadder.Level

    /// Bids: higher prices are better; asks: lower.
    @usableFromInline let higherIsBetter: Bool
    /// The best levels, worst first. Empty only when the whole side is.
    @usableFromInline var top: ContiguousArray<Level> = []
    /// The levels worse than all of `top`: chunks worst first, each worst first.
    @usableFromInline var deeper: [ContiguousArray<Level>] = []
    @usableFromInline var levelCount = 0
    /// The deeper chunk the last deep update went to (a hint, checked before use).
    @usableFromInline var lastChunk = 0
    @usableFromInline static let chunkSize = 48

    @usableFromInline init(higherIsBetter: Bool) { self.higherIsBetter = higherIsBetter }

    /// The number of levels.
    @inlinable var count: Int { levelCount }
    @inlinable var isEmpty: Bool { levelCount == 0 }
    @inlinable var best: Level? { top.last }

    /// Calls `body` with levels best first until it returns false.
    @inlinable func forEachBestFirst(_ body: (Level) -> Bool) {
        for level in top.reversed() where !body(level) { return }
        for chunk in deeper.reversed() {
            for level in chunk.reversed() where !body(level) { return }
        }
    }

    /// Empties the side but keeps the top's storage: a feed of snapshots (one per update) then
    /// refills it without allocating.
    @usableFromInline mutating func removeAll() {
        top.removeAll(keepingCapacity: true)
        deeper.removeAll()
        levelCount = 0
    }

    /// Sets (quantity > 0) or removes (quantity ≤ 0) the level at `price`.
    @inlinable mutating func set(price: ExactDecimal, quantity: ExactDecimal) {
        let remove = quantity.units <= 0
        if deeper.isEmpty || top.isEmpty || !Self.worse(price, top[0].price, higherIsBetter) {
            levelCount += Self.set(price, quantity, remove: remove, in: &top, higherIsBetter)
            if top.count > 2 * Self.chunkSize {
                // The worse part becomes the best chunk below the top.
                let cut = top.count - Self.chunkSize
                deeper.append(ContiguousArray(top[..<cut]))
                top.removeFirst(cut)
            } else if top.isEmpty && !deeper.isEmpty {
                top = deeper.removeLast()
            }
            return
        }
        // The first chunk whose best level is not worse than `price`, else the last one. A
        // diff's levels come in price order, so the last chunk used is tried first.
        let c: Int
        if lastChunk < deeper.count && chunkHolds(lastChunk, price) {
            c = lastChunk
        } else {
            var lo = 0, hi = deeper.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if Self.worse(deeper[mid][deeper[mid].count - 1].price, price, higherIsBetter) { lo = mid + 1 } else { hi = mid }
            }
            c = min(lo, deeper.count - 1)
            lastChunk = c
        }
        levelCount += Self.set(price, quantity, remove: remove, in: &deeper[c], higherIsBetter)
        if deeper[c].count > 2 * Self.chunkSize {
            let tail = ContiguousArray(deeper[c][Self.chunkSize...])
            deeper[c].removeLast(deeper[c].count - Self.chunkSize)
            deeper.insert(tail, at: c + 1)
        } else if deeper[c].isEmpty {
            deeper.remove(at: c)
        }
    }

    /// Whether chunk `c` is where `price` belongs among the deeper chunks.
    @inlinable func chunkHolds(_ c: Int, _ price: ExactDecimal) -> Bool {
        // Better than the chunk's best level: only the last chunk takes it (above every chunk).
        if Self.worse(deeper[c][deeper[c].count - 1].price, price, higherIsBetter) { return c == deeper.count - 1 }
        return c == 0 || Self.worse(deeper[c - 1][deeper[c - 1].count - 1].price, price, higherIsBetter)
    }

    /// Takes `quantity` from the best level; a level taken whole is removed.
    @usableFromInline mutating func consumeBest(_ quantity: ExactDecimal) throws(DecimalError) {
        guard let best = top.last else { return }
        let left = try best.quantity.subtracting(quantity)
        if left.units <= 0 {
            top.removeLast()
            levelCount -= 1
            if top.isEmpty && !deeper.isEmpty { top = deeper.removeLast() }
        } else {
            top[top.count - 1].quantity = left
        }
    }

    /// Whether `a` is a worse price than `b` on this side (bids: lower; asks: higher).
    @inlinable @inline(__always)
    static func worse(_ a: ExactDecimal, _ b: ExactDecimal, _ higherIsBetter: Bool) -> Bool {
        higherIsBetter ? a < b : a > b
    }

    /// Sets or removes one level in a worst-first array; returns the change in level count.
    @inlinable @inline(__always)
    static func set(_ price: ExactDecimal, _ quantity: ExactDecimal, remove: Bool,
                    in levels: inout ContiguousArray<Level>, _ higherIsBetter: Bool) -> Int {
        // A new best level (snapshots are applied worst first) appends without searching.
        if levels.isEmpty || worse(levels[levels.count - 1].price, price, higherIsBetter) {
            guard !remove else { return 0 }
            levels.append(Level(price: price, quantity: quantity))
            return 1
        }
        var low = 0, high = levels.count
        while low < high {
            let mid = (low + high) / 2
            if worse(levels[mid].price, price, higherIsBetter) { low = mid + 1 } else { high = mid }
        }
        let exists = low < levels.count && levels[low].price == price
        if remove {
            guard exists else { return 0 }
            levels.remove(at: low)
            return -1
        }
        if exists {
            levels[low].quantity = quantity
            return 0
        }
        levels.insert(Level(price: price, quantity: quantity), at: low)
        return 1
    }
}
