/// One side of an order book: price levels sorted best first, kept in chunks of a few dozen.
///
/// Venue feeds update levels all through a deep book (Binance's 1000 levels), so one sorted
/// array would shift hundreds of entries per insert. Chunks bound that to one chunk; finding
/// the chunk is a binary search over chunk boundaries. The best level is the first of the first
/// chunk. Used by the host's books and the simulated venues' matching engine.
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
    private var chunks: [[Level]] = []
    public private(set) var count = 0
    static let chunkSize = 48

    public init(higherIsBetter: Bool) { self.higherIsBetter = higherIsBetter }

    @inline(__always)
    private func better(_ a: ExactDecimal, _ b: ExactDecimal) -> Bool { higherIsBetter ? a > b : a < b }

    public var isEmpty: Bool { count == 0 }
    public var best: Level? { chunks.first?.first }

    /// The i-th level, best first (O(number of chunks)).
    public subscript(_ i: Int) -> Level {
        var i = i
        for chunk in chunks {
            if i < chunk.count { return chunk[i] }
            i -= chunk.count
        }
        preconditionFailure("level \(i) of \(count)")
    }

    /// Every level, best first.
    public var bestFirst: [Level] { chunks.flatMap { $0 } }

    /// Calls `body` with levels best first until it returns false.
    public func forEachBestFirst(_ body: (Level) -> Bool) {
        for chunk in chunks {
            for level in chunk where !body(level) { return }
        }
    }

    public mutating func removeAll() {
        chunks.removeAll(keepingCapacity: true)
        count = 0
    }

    /// Sets (quantity > 0) or removes (quantity ≤ 0) the level at `price`.
    public mutating func set(price: ExactDecimal, quantity: ExactDecimal) {
        let remove = quantity.units <= 0
        guard !chunks.isEmpty else {
            if !remove {
                chunks.append([Level(price: price, quantity: quantity)])
                count = 1
            }
            return
        }
        // The first chunk whose worst level is not better than `price`, else the last chunk.
        var lo = 0, hi = chunks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if better(chunks[mid][chunks[mid].count - 1].price, price) { lo = mid + 1 } else { hi = mid }
        }
        let c = min(lo, chunks.count - 1)
        var l = 0, h = chunks[c].count
        while l < h {
            let mid = (l + h) / 2
            if better(chunks[c][mid].price, price) { l = mid + 1 } else { h = mid }
        }
        let exists = l < chunks[c].count && chunks[c][l].price == price
        if remove {
            guard exists else { return }
            chunks[c].remove(at: l)
            count -= 1
            if chunks[c].isEmpty { chunks.remove(at: c) }
        } else if exists {
            chunks[c][l].quantity = quantity
        } else {
            chunks[c].insert(Level(price: price, quantity: quantity), at: l)
            count += 1
            if chunks[c].count > 2 * Self.chunkSize {
                let tail = Array(chunks[c][Self.chunkSize...])
                chunks[c].removeLast(chunks[c].count - Self.chunkSize)
                chunks.insert(tail, at: c + 1)
            }
        }
    }

    /// Takes `quantity` from the best level; a level taken whole is removed.
    public mutating func consumeBest(_ quantity: ExactDecimal) throws(DecimalError) {
        guard let best = chunks.first?.first else { return }
        let left = try best.quantity.subtracting(quantity)
        if left.units <= 0 {
            chunks[0].removeFirst()
            count -= 1
            if chunks[0].isEmpty { chunks.removeFirst() }
        } else {
            chunks[0][0].quantity = left
        }
    }
}
