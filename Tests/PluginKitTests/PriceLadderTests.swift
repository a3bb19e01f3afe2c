import Testing
@testable import PluginKit

// The chunked book side against a plain dictionary, through enough random updates to split
// and empty chunks many times, on both sides.

@Suite struct PriceLadderTests {
    @Test(arguments: [true, false])
    func matchesASortedDictionaryThroughRandomUpdates(higherIsBetter: Bool) throws {
        var ladder = PriceLadder(higherIsBetter: higherIsBetter)
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
    @Test(arguments: [true, false])
    func sortedDiffsOverADeepBookMatchADictionary(higherIsBetter: Bool) {
        var ladder = PriceLadder(higherIsBetter: higherIsBetter)
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
    }

    @Test func deepBookSplitsIntoChunksAndEmptiesBack() {
        var ladder = PriceLadder(higherIsBetter: false)
        for price in (1...1_000).reversed() { ladder.set(price: ExactDecimal(price), quantity: .one) }
        #expect(ladder.count == 1_000)
        #expect(ladder.best?.price == ExactDecimal(1))
        #expect(ladder[999].price == ExactDecimal(1_000))
        for price in 1...1_000 { ladder.set(price: ExactDecimal(price), quantity: .zero) }
        #expect(ladder.isEmpty && ladder.best == nil && ladder.bestFirst.isEmpty)
    }

    @Test func snapshotRefillEqualsAFreshLadder() throws {
        var reused = PriceLadder(higherIsBetter: true)
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
}
