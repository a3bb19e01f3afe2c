import PluginKit

/// A deterministic random walk for one perpetual: a mid in ticks, a spread, a ladder of sizes.
/// The same seed gives the same books, trades and funding, bit for bit.
struct SeededMarket {
    let instrument: InstrumentHandle
    let symbol: String
    let tick: ExactDecimal
    let lot: ExactDecimal
    let depth: Int
    /// The market-wide mid (the same on every venue with the same seed).
    var commonMidTicks: Int64
    /// This venue's fixed offset and its current noise around it.
    let basisTicks: Int64
    var noiseTicks: Int64 = 0
    var spreadTicks: Int64 = 1
    var sequence: UInt64 = 0
    /// Price in ticks → size in lots, both sides.
    var bids: [Int64: Int64] = [:]
    var asks: [Int64: Int64] = [:]
    var subscribedBook = false
    var subscribedTrades = false
    var subscribedFunding = false

    var midTicks: Int64 { commonMidTicks + basisTicks + noiseTicks }
    var bestBidTicks: Int64 { midTicks - spreadTicks / 2 - spreadTicks % 2 }
    var bestAskTicks: Int64 { bestBidTicks + spreadTicks }

    init(instrument: InstrumentHandle, symbol: String, tick: ExactDecimal, lot: ExactDecimal, depth: Int, midTicks: Int64,
         basisTicks: Int64) {
        self.instrument = instrument
        self.symbol = symbol
        self.tick = tick
        self.lot = lot
        self.depth = depth
        commonMidTicks = midTicks
        self.basisTicks = basisTicks
        rebuild(sizes: { _ in 10 })
    }

    /// Moves the market one step and returns the changed levels (quantity 0: removed).
    /// `market` drives the mid every venue shares; `venue` this venue's noise, spread and sizes.
    mutating func step(market: inout SplitMix64, venue: inout SplitMix64) -> (bids: [arb_book_level_t], asks: [arb_book_level_t]) {
        let oldBids = bids, oldAsks = asks
        switch market.next() % 4 {
        case 0: commonMidTicks -= 1
        case 3: commonMidTicks += 1
        default: break
        }
        // Noise mean-reverts inside ±8 ticks, so venues drift apart and back: edges come and go.
        let pull: Int64 = noiseTicks > 0 ? -1 : (noiseTicks < 0 ? 1 : 0)
        noiseTicks = max(-8, min(8, noiseTicks + Int64(venue.next() % 3) - 1 + (venue.next() % 4 == 0 ? pull : 0)))
        spreadTicks = Int64(1 + venue.next() % 3)
        var r = venue
        rebuild { _ in Int64(1 + r.next() % 50) }
        venue = r
        sequence += 1
        return (diff(oldBids, bids, descending: true), diff(oldAsks, asks, descending: false))
    }

    private mutating func rebuild(sizes: (Int64) -> Int64) {
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        for i in 0..<Int64(depth) {
            bids[bestBidTicks - i] = sizes(i)
            asks[bestAskTicks + i] = sizes(i)
        }
    }

    private func diff(_ old: [Int64: Int64], _ new: [Int64: Int64], descending: Bool) -> [arb_book_level_t] {
        var changed: [(Int64, Int64)] = []
        for (price, size) in new where old[price] != size { changed.append((price, size)) }
        for (price, _) in old where new[price] == nil { changed.append((price, 0)) }
        changed.sort { descending ? $0.0 > $1.0 : $0.0 < $1.0 }
        return changed.map(level)
    }

    func level(_ entry: (Int64, Int64)) -> arb_book_level_t {
        arb_book_level_t(price: price(entry.0).cValue, quantity: quantity(entry.1).cValue)
    }

    func price(_ ticks: Int64) -> ExactDecimal { (try? tick.multiplied(byInteger: Int(ticks))) ?? .zero }
    func quantity(_ lots: Int64) -> ExactDecimal { (try? lot.multiplied(byInteger: Int(lots))) ?? .zero }

    /// The whole book, best first.
    func snapshot() -> (bids: [arb_book_level_t], asks: [arb_book_level_t]) {
        (bids.sorted { $0.key > $1.key }.map(level), asks.sorted { $0.key < $1.key }.map(level))
    }
}
