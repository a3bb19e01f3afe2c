import ArbSDK
import Testing
@testable import ArbBook
import ArbModel

// The book side against a plain dictionary, through enough random updates to split and empty
// chunks and to move the price grid's window many times, on both sides; without a price step
// (sorted chunks only), with step 1 (every price on the grid) and step 2 (odd prices off it).

@Suite struct PriceLadderTests {
    static func step(_ n: Int?) -> ExactDecimal? { n.map { ExactDecimal($0) } }

    @Test(arguments: [true, false], [nil, 1, 2])
    func matchesASortedDictionaryThroughRandomUpdates(higherIsBetter: Bool, step: Int?) throws {
        var ladder = PriceLadder(higherIsBetter: higherIsBetter, step: Self.step(step))
        var reference: [Int: Int] = [:]
        var random = SplitMix64(seed: higherIsBetter ? 7 : 8)
        func bestFirst() -> [(Int, Int)] {
            reference.sorted { higherIsBetter ? $0.key > $1.key : $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        for step in 0..<20_000 {
            let roll = random.next() % 100
            if roll < 5, let top = bestFirst().first {
                // A taker takes part or all of the best level.
                let take = Int(random.next() % UInt64(top.1)) + 1
                try ladder.consumeBest(ExactDecimal(take))
                reference[top.0] = top.1 == take ? nil : top.1 - take
            } else {
                // Prices cluster near the top (the middle of 0..<400) but reach the whole range.
                let price = roll < 60 ? 190 + Int(random.next() % 20) : Int(random.next() % 400)
                let quantity = random.next() % 3 == 0 ? 0 : Int(random.next() % 50) + 1
                ladder.set(price: ExactDecimal(price), quantity: ExactDecimal(quantity))
                reference[price] = quantity == 0 ? nil : quantity
            }
            if step % 500 == 0 || step == 19_999 {
                let expected = bestFirst()
                #expect(ladder.count == expected.count)
                #expect(ladder.bestFirst.map { $0.price } == expected.map { ExactDecimal($0.0) })
                #expect(ladder.bestFirst.map { $0.quantity } == expected.map { ExactDecimal($0.1) })
                #expect(ladder.best?.price == expected.first.map { ExactDecimal($0.0) })
                if !expected.isEmpty {
                    let i = Int(random.next() % UInt64(expected.count))
                    #expect(ladder[i].price == ExactDecimal(expected[i].0))
                }
                var visited: [ExactDecimal] = []
                ladder.forEachBestFirst { visited.append($0.price); return visited.count < 10 }
                #expect(visited == expected.prefix(10).map { ExactDecimal($0.0) })
            }
        }
    }

    /// Venue diffs: each one a batch of levels in price order, best first, spread over a deep
    /// book, so consecutive updates usually land in the same chunk (the ladder's hint).
    @Test(arguments: [true, false], [nil, 1, 2])
    func sortedDiffsOverADeepBookMatchADictionary(higherIsBetter: Bool, step: Int?) {
        var ladder = PriceLadder(higherIsBetter: higherIsBetter, step: Self.step(step))
        var reference: [Int: Int] = [:]
        var random = SplitMix64(seed: higherIsBetter ? 21 : 22)
        for price in 0..<1_000 {
            ladder.set(price: ExactDecimal(price), quantity: ExactDecimal(price % 7 + 1))
            reference[price] = price % 7 + 1
        }
        for _ in 0..<400 {
            var prices = Set<Int>()
            for _ in 0..<(Int(random.next() % 60) + 1) { prices.insert(Int(random.next() % 1_200)) }
            for price in prices.sorted(by: { higherIsBetter ? $0 > $1 : $0 < $1 }) {
                let quantity = random.next() % 4 == 0 ? 0 : Int(random.next() % 9) + 1
                ladder.set(price: ExactDecimal(price), quantity: ExactDecimal(quantity))
                reference[price] = quantity == 0 ? nil : quantity
            }
        }
        let expected = reference.sorted { higherIsBetter ? $0.key > $1.key : $0.key < $1.key }
        #expect(ladder.count == expected.count)
        #expect(ladder.bestFirst == expected.map { PriceLadder.Level(price: ExactDecimal($0.key), quantity: ExactDecimal($0.value)) })
        // Prices on the step live in the grid (its window grows to the 1200 steps), the rest
        // in the sorted chunks.
        if let step {
            #expect(ladder.outside.count == expected.filter { $0.key % step != 0 }.count)
        }
    }

    @Test(arguments: [nil, 1])
    func deepBookSplitsIntoChunksAndEmptiesBack(step: Int?) {
        var ladder = PriceLadder(higherIsBetter: false, step: Self.step(step))
        for price in (1...1_000).reversed() { ladder.set(price: ExactDecimal(price), quantity: .one) }
        #expect(ladder.count == 1_000)
        #expect(ladder.best?.price == ExactDecimal(1))
        #expect(ladder[999].price == ExactDecimal(1_000))
        for price in 1...1_000 { ladder.set(price: ExactDecimal(price), quantity: .zero) }
        #expect(ladder.isEmpty && ladder.best == nil && ladder.bestFirst.isEmpty)
    }

    @Test(arguments: [nil, 1])
    func snapshotRefillEqualsAFreshLadder(step: Int?) throws {
        var reused = PriceLadder(higherIsBetter: true, step: Self.step(step))
        for price in 1...300 { reused.set(price: ExactDecimal(price), quantity: .one) }
        reused.removeAll()
        #expect(reused.isEmpty && reused.best == nil && reused == PriceLadder(higherIsBetter: true))
        try reused.consumeBest(.one)  // nothing to take: no effect
        reused.set(price: ExactDecimal(5), quantity: .zero)
        var fresh = PriceLadder(higherIsBetter: true)
        for price in [7, 3, 9] {
            reused.set(price: ExactDecimal(price), quantity: ExactDecimal(price))
            fresh.set(price: ExactDecimal(price), quantity: ExactDecimal(price))
        }
        #expect(reused == fresh && reused.hashValue == fresh.hashValue)
        #expect(reused.bestFirst.map(\.price) == [9, 7, 3].map { ExactDecimal($0) })
        try reused.consumeBest(ExactDecimal(9))
        #expect(reused.best?.price == ExactDecimal(7) && reused.count == 2)
    }

    /// A market that drifts tens of thousands of steps, with a deep book, far outliers (a bid
    /// at a tenth of the price), prices off the step and whole-book snapshots: the grid's window
    /// must follow the best level, grow, shrink back to the sorted chunks and never lose or
    /// duplicate a level.
    @Test(arguments: [true, false])
    func gridFollowsADriftingMarket(higherIsBetter: Bool) throws {
        let tick = ExactDecimal(units: 100_000_000_000_000_000)  // 0.1
        var ladder = PriceLadder(higherIsBetter: higherIsBetter, step: tick)
        var reference: [Int: Int] = [:]  // price in hundredths → quantity
        var random = SplitMix64(seed: higherIsBetter ? 31 : 32)
        func price(_ hundredths: Int) -> ExactDecimal { ExactDecimal(units: Int128(hundredths) * 10_000_000_000_000_000) }
        func check() {
            let expected = reference.sorted { higherIsBetter ? $0.key > $1.key : $0.key < $1.key }
            #expect(ladder.count == expected.count)
            #expect(ladder.bestFirst == expected.map { PriceLadder.Level(price: price($0.key), quantity: ExactDecimal($0.value)) })
            #expect(ladder.best?.price == expected.first.map { price($0.key) })
        }
        var mid = 6_000_000  // 60000.00
        for round in 0..<3_000 {
            // The market trends for a while one way, then the other.
            mid += (round / 500) % 2 == 0 ? Int(random.next() % 400) : -Int(random.next() % 400)
            if round % 700 == 0 {
                // A snapshot: the whole side again, worst first, 1000 levels a tick or two apart.
                ladder.removeAll()
                reference.removeAll()
                var levels: [Int] = []
                var p = mid
                for _ in 0..<1_000 {
                    levels.append(p)
                    p += (higherIsBetter ? -10 : 10) * (1 + Int(random.next() % 2))
                }
                // Best first, as a feed sends it; the batch call applies it worst first.
                let batch = levels.map { p -> arb_book_level_t in
                    let q = Int(random.next() % 9) + 1
                    reference[p] = q
                    return arb_book_level_t(price: price(p).cValue, quantity: ExactDecimal(q).cValue)
                }
                batch.withUnsafeBufferPointer { ladder.set(levels: $0, reversed: true) }
                continue
            }
            var updates: [(Int, Int)] = []
            for _ in 0..<(Int(random.next() % 40) + 1) {
                let roll = random.next() % 100
                let p: Int
                if roll < 3 {
                    p = higherIsBetter ? mid / 10 + Int(random.next() % 1000) * 10 : mid * 10 + Int(random.next() % 1000) * 10
                } else if roll < 6 {
                    p = mid + (higherIsBetter ? -1 : 1) * (Int(random.next() % 5000) * 10 + 3)  // off the step
                } else {
                    p = mid + (higherIsBetter ? -1 : 1) * Int(random.next() % 3000) * 10
                }
                let q = random.next() % 3 == 0 ? 0 : Int(random.next() % 9) + 1
                updates.append((p, q))
            }
            let sorted = updates.sorted(by: { $0.0 < $1.0 })
            for (p, q) in sorted { reference[p] = q == 0 ? nil : q }
            if round % 2 == 0 {
                // A diff in one call (runs inside the window set in one pass over the grid).
                let batch = sorted.map { arb_book_level_t(price: price($0.0).cValue, quantity: ExactDecimal($0.1).cValue) }
                batch.withUnsafeBufferPointer { ladder.set(levels: $0) }
            } else {
                for (p, q) in sorted { ladder.set(price: price(p), quantity: ExactDecimal(q)) }
            }
            if random.next() % 10 == 0, let best = ladder.best {
                let take = Int(random.next() % 12) + 1
                try ladder.consumeBest(ExactDecimal(take))
                let key = reference.keys.first { price($0) == best.price }!
                let left = reference[key]! - take
                reference[key] = left <= 0 ? nil : left
            }
            if round % 50 == 0 { check() }
        }
        check()
        // The window moved with the market, a few hundred steps at a time, not per update.
        #expect(ladder.windowRebuilds > 20 && ladder.windowRebuilds < 400, "\(ladder.windowRebuilds) rebuilds")
        // The step learnt late: every level kept.
        var late = PriceLadder(higherIsBetter: higherIsBetter)
        for level in ladder.bestFirst.reversed() { late.set(price: level.price, quantity: level.quantity) }
        late.setPriceStep(tick)
        #expect(late == ladder && late.priceStep == tick)
        late.setPriceStep(nil)
        #expect(late == ladder && late.priceStep == nil)
    }

    /// Prices as far apart as 128 bits allow (a plugin may send anything): no trap, nothing
    /// lost, the best is the best. The grid gives up on a window it cannot compute and the
    /// sorted chunks hold the level.
    @Test(arguments: [true, false], [ExactDecimal(units: 1), ExactDecimal(units: 10_000_000_000_000_000)])
    func extremePricesNeitherTrapNorMisplace(higherIsBetter: Bool, step: ExactDecimal) {
        var ladder = PriceLadder(higherIsBetter: higherIsBetter, step: step)
        let prices: [Int128] = [Int128.max - 100, Int128.min, 0, 100_000_000_000_000_000_000_000_000_000_000_000_000,
                                -100_000_000_000_000_000_000_000_000_000_000_000_000, Int128.min + 5, Int128.max, 10_000_000_000_000_000]
        var reference: Set<Int128> = []
        for p in prices {
            ladder.set(price: ExactDecimal(units: p), quantity: .one)
            reference.insert(p)
            let expected = reference.sorted { higherIsBetter ? $0 > $1 : $0 < $1 }
            #expect(ladder.count == expected.count)
            #expect(ladder.bestFirst.map(\.price.units) == expected)
            #expect(ladder.best?.price.units == expected.first)
        }
        for p in prices {
            ladder.set(price: ExactDecimal(units: p), quantity: .zero)
        }
        #expect(ladder.isEmpty && ladder.best == nil)
    }
}
