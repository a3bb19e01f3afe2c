import ArbModel
import Testing
@testable import PaperExchange

// Same inputs → same outputs, bit for bit: events, state and journal bytes.

@Suite struct DeterminismTests {
    @Test func sameCallsGiveIdenticalEvents() {
        let first = Fixture.venue(), second = Fixture.venue()
        let a = runScenario(first), b = runScenario(second)
        #expect(a == b)
        #expect(a.count > 60)
        expectSameState(first, second)
        // Every accepted order ended in exactly one final update (or is still open).
        let finals = a.finals.map(\.clientOrderId)
        #expect(Set(finals).count == finals.count)
        #expect(Set(a.accepted.map(\.clientOrderId)) == Set(finals).union(first.openOrders().map(\.clientOrderId)))
    }

    @Test func sameCallsWriteIdenticalJournals() throws {
        let dir = TemporaryDirectory()
        defer { withExtendedLifetime(dir) {} }
        let paths = [dir.file("a.jsonl"), dir.file("b.jsonl")]
        for path in paths {
            let venue = try PaperExchange.open(journalAt: path, durable: true, instruments: Fixture.all,
                                               balances: ["USDT": d("100000"), "BTC": d("1")]).get()
            _ = runScenario(venue)
        }
        #expect(!contents(paths[0]).isEmpty)
        #expect(contents(paths[0]) == contents(paths[1]))
    }

    @Test func balancesAreReportedSortedByCurrency() {
        let venue = PaperExchange(instruments: Fixture.all, balances: ["USDT": d("1000"), "BTC": d("1"), "ETH": d("2")])
        #expect(venue.balances.map(\.currency) == ["BTC", "ETH", "USDT"])
        venue.feed(Fixture.spotId, bids: [("60000", "1")], asks: [("60001", "1")])
        let events = venue.submit(market("s", Fixture.spotId, .sell, "0.01"), now: t0)
        #expect(events.balances.map(\.currency) == ["BTC", "USDT"])
    }
}
