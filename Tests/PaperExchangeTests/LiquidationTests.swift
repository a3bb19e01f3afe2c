import ArbModel
import Testing
@testable import PaperExchange

// Maintenance margin and liquidation, worked by hand. The perpetual: 5 % initial margin,
// 0.4 % maintenance, 0.04 % taker fee; the account: 4000 USDT.

@Suite struct LiquidationTests {
    /// A long of 1 BTC bought at 60000 (fee 24), and a resting bid on the same perpetual.
    private func longOneBitcoin(_ venue: PaperExchange) {
        venue.feed(Fixture.perpId, bids: [("59999.9", "5")], asks: [("60000", "5")])
        let opened = venue.submit(market("open", Fixture.perpId, .buy, "1"), now: t0)
        #expect(opened.fills.map(\.price) == [d("60000")] && opened.fills.map(\.fee) == [d("24")])
        #expect(venue.submit(limit("rest", Fixture.perpId, .buy, "0.01", "50000"), now: t0).accepted.count == 1)
        #expect(venue.balance("USDT").total == d("3976"))
    }

    @Test func equityAboveMaintenanceKeepsThePosition() {
        let venue = Fixture.venue(usdt: "4000")
        longOneBitcoin(venue)
        // Mark 56300: unrealised −3700, equity 276 ≥ maintenance 56300 × 0.004 = 225.2.
        #expect(venue.checkMargin(instrument: Fixture.perpId, markPrice: d("56300"), now: t0 + hour).isEmpty)
        #expect(venue.hasPosition(instrument: Fixture.perpId))
    }

    @Test func equityBelowMaintenanceLiquidatesAtTheMark() {
        let venue = Fixture.venue(usdt: "4000")
        longOneBitcoin(venue)
        // Mark 56200: unrealised −3800, equity 176 < maintenance 224.8.
        let events = venue.checkMargin(instrument: Fixture.perpId, markPrice: d("56200"), now: t0 + hour)
        #expect(events.contains(.liquidated(instrument: Fixture.perpId, markPrice: d("56200"), quantity: d("1"))))
        // The resting bid cancelled, then the venue's own order closes the position at the mark.
        #expect(events.finals.map(\.clientOrderId) == ["rest", "autoclose-3"])
        #expect(events.finals.map(\.status) == [.cancelled, .filled])
        #expect(events.fills.map(\.price) == [d("56200")] && events.fills.map(\.quantity) == [d("1")])
        #expect(events.fills.map(\.side) == [.sell] && events.fills.map(\.fee) == [.zero])
        #expect(events.positions.last?.quantity == .zero)
        #expect(!venue.hasPosition(instrument: Fixture.perpId))
        // Realised −3800 at the mark: 3976 − 3800, nothing held back any more.
        #expect(venue.balance("USDT").total == d("176") && venue.balance("USDT").used == .zero)
        // A short loses as the price rises: the same rule from the other side.
        let short = Fixture.venue(usdt: "4000")
        short.feed(Fixture.perpId, bids: [("60000", "5")], asks: [("60000.1", "5")])
        #expect(short.submit(market("s", Fixture.perpId, .sell, "1"), now: t0).fills.count == 1)
        #expect(short.checkMargin(instrument: Fixture.perpId, markPrice: d("63700"), now: t0).isEmpty)
        #expect(!short.checkMargin(instrument: Fixture.perpId, markPrice: d("63800"), now: t0).isEmpty)
        #expect(short.balance("USDT").total == d("176"))
    }

    /// Marks that move a little at a time are checked against the cushion left at the last full
    /// check; the liquidation still comes at the first mark below maintenance, not before.
    @Test func smallMovesAreCheckedAgainstTheCushionUntilTheLimit() {
        let venue = Fixture.venue(usdt: "4000")
        longOneBitcoin(venue)
        var mark = 59_000
        while mark > 56_300 {
            #expect(venue.checkMargin(instrument: Fixture.perpId, markPrice: ExactDecimal(mark), now: t0).isEmpty, "\(mark)")
            mark -= 100
        }
        #expect(venue.checkMargin(instrument: Fixture.perpId, markPrice: d("56300"), now: t0).isEmpty)
        #expect(venue.hasPosition(instrument: Fixture.perpId))
        #expect(!venue.checkMargin(instrument: Fixture.perpId, markPrice: d("56200"), now: t0).isEmpty)
        #expect(!venue.hasPosition(instrument: Fixture.perpId) && venue.balance("USDT").total == d("176"))
    }

    @Test func aLiquidationIsJournaledAndRecovered() throws {
        let dir = TemporaryDirectory(), path = dir.file("venue.jsonl")
        defer { withExtendedLifetime(dir) {} }
        let venue = try PaperExchange.open(journalAt: path, durable: true, instruments: Fixture.all,
                                           balances: ["USDT": d("4000"), "BTC": d("1")]).get()
        longOneBitcoin(venue)
        #expect(!venue.checkMargin(instrument: Fixture.perpId, markPrice: d("56200"), now: t0 + hour).isEmpty)
        let recovered = try PaperExchange.recover(from: path, instruments: Fixture.all).get()
        expectSameState(venue, recovered)
        #expect(recovered.balance("USDT").total == d("176"))
        #expect(recovered.order(clientOrderId: "autoclose-3")?.status == .filled)
    }
}
