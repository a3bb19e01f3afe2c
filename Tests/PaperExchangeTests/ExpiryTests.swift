import ArbModel
import Testing
@testable import PaperExchange

// Dated futures: settlement at the index price, open orders cancelled, no trading afterwards.

@Suite struct ExpiryTests {
    @Test func settlementClosesPositionsAtTheIndexAndCancelsOrders() throws {
        let venue = Fixture.venue(usdt: "10000")
        let id = Fixture.futureId
        venue.feed(id, bids: [("60000", "10")], asks: [("60000", "10")])
        _ = venue.submit(market("long", id, .buy, "0.01"), now: t0)          // fee 600 × 0.0004 = 0.24
        venue.feed(id, bids: [("60000", "10")], asks: [("60100", "10")])
        _ = venue.submit(limit("bid", id, .buy, "0.01", "59000"), now: t0)   // rests
        #expect(venue.balance("USDT").used == d("59.736"))                   // 30 margin + 29.736 reserved

        // Not before expiry.
        #expect(venue.settleExpiry(instrument: id, indexPrice: d("61000"), now: Fixture.expiry - 1).rejectCode == -4140)
        // After expiry but before settlement: no new orders, and resting ones no longer fill.
        #expect(venue.submit(limit("late", id, .buy, "0.01", "59000"), now: Fixture.expiry).rejectCode == -4140)
        #expect(venue.feed(id, asks: [("58000", "10")], now: Fixture.expiry).isEmpty)

        let events = venue.settleExpiry(instrument: id, indexPrice: d("61000"), now: Fixture.expiry)
        #expect(events.finals.map(\.clientOrderId) == ["bid"])
        #expect(events.finals.map(\.status) == [.cancelled])
        let position = try #require(events.positions.last)
        #expect(position.quantity == d("0"))
        #expect(position.realizedPnL == d("10"))                            // (61000 − 60000) × 0.01
        #expect(events.contains(.expired(instrument: id)))
        #expect(venue.balance("USDT") == PaperBalance(currency: "USDT", free: d("10009.76"), used: d("0"),
                                                       total: d("10009.76"))) // 10000 − 0.24 + 10, no delivery fee

        // Settled for good: no second settlement, no orders, no amends.
        #expect(venue.settleExpiry(instrument: id, indexPrice: d("61000"), now: Fixture.expiry + 1).rejectCode == -4140)
        #expect(venue.submit(limit("after", id, .sell, "0.01", "62000"), now: Fixture.expiry + 1).rejectCode == -4140)
        #expect(venue.openOrders(instrument: id).isEmpty)
    }

    @Test func shortSettlesWithTheOppositeSign() {
        let venue = Fixture.venue(usdt: "10000")
        let id = Fixture.futureId
        venue.feed(id, bids: [("60000", "10")], asks: [("60000", "10")])
        _ = venue.submit(market("short", id, .sell, "0.02"), now: t0)        // fee 1200 × 0.0004 = 0.48
        let events = venue.settleExpiry(instrument: id, indexPrice: d("61000.5"), now: Fixture.expiry + 5)
        #expect(events.positions.last?.realizedPnL == d("-20.01"))          // (61000.5 − 60000) × −0.02
        #expect(venue.balance("USDT").total == d("9979.51"))
    }

    @Test func onlyDatedFuturesExpire() {
        let venue = Fixture.venue()
        #expect(venue.settleExpiry(instrument: Fixture.perpId, indexPrice: d("60000"), now: t0).rejectCode == -4140)
        #expect(venue.settleExpiry(instrument: 99, indexPrice: d("60000"), now: t0).rejectCode == -1121)
    }
}
