import ArbModel
import Testing
@testable import PaperExchange

// Cancel and amend of resting orders.

@Suite struct AmendCancelTests {
    /// A venue with a perp book 59990 / 60010 and a resting buy "b1" of 0.01 at 59000.
    private func venueWithRestingBuy() -> PaperExchange {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, bids: [("59990", "1")], asks: [("60010", "0.003"), ("60020", "1")])
        _ = venue.submit(limit("b1", Fixture.perpId, .buy, "0.01", "59000"), now: t0)
        return venue
    }

    @Test func cancelReleasesTheReservationWithOneFinalUpdate() {
        let venue = venueWithRestingBuy()
        // 0.01 × 59000 = 590: margin 29.5 + worst-case fee 0.236.
        #expect(venue.balance("USDT").used == d("29.736"))
        #expect(venue.hasOpenOrders(instrument: Fixture.perpId) && !venue.hasOpenOrders(instrument: Fixture.spotId))
        let events = venue.cancel(clientOrderId: "b1", now: t0 + 1)
        #expect(events.finals.map(\.status) == [.cancelled])
        #expect(!venue.hasOpenOrders(instrument: Fixture.perpId))
        #expect(events.finals.first?.venueOrderId == "P1")
        #expect(events.balances.map(\.used) == [d("0")])
        #expect(venue.openOrders().isEmpty)
        #expect(venue.cancel(clientOrderId: "b1", now: t0 + 2).rejectCode == -2011)
        #expect(venue.cancel(clientOrderId: "nope", now: t0 + 2).rejectCode == -2011)
        #expect(venue.order(clientOrderId: "b1")?.status == .cancelled)
    }

    @Test func amendPriceKeepsIdsAndMovesTheReservation() {
        let venue = venueWithRestingBuy()
        let events = venue.amend(clientOrderId: "b1", price: d("59500"), now: t0 + 1)
        #expect(events.updates.count == 1)
        let order = venue.order(clientOrderId: "b1")
        #expect(order?.price == d("59500"))
        #expect(order?.venueOrderId == "P1")
        #expect(order?.status == .open)
        #expect(order?.updatedAt == t0 + 1)
        #expect(venue.balance("USDT").used == d("29.988")) // 595 × 0.05 + 595 × 0.0004
    }

    @Test func amendQuantityDownAndUp() {
        let venue = venueWithRestingBuy()
        _ = venue.amend(clientOrderId: "b1", quantity: d("0.004"), now: t0 + 1)
        #expect(venue.order(clientOrderId: "b1")?.quantity == d("0.004"))
        #expect(venue.balance("USDT").used == d("11.8944")) // 236 × 0.05 + 236 × 0.0004
        _ = venue.amend(clientOrderId: "b1", quantity: d("0.02"), now: t0 + 2)
        #expect(venue.balance("USDT").used == d("59.472"))
        #expect(venue.amend(clientOrderId: "b1", quantity: d("0.02"), now: t0 + 3).rejectCode == -5027)
        #expect(venue.amend(clientOrderId: "b1", quantity: d("0.0205"), now: t0 + 3).rejectCode == -1013)
        #expect(venue.amend(clientOrderId: "zz", quantity: d("0.02"), now: t0 + 3).rejectCode == -2013)
    }

    @Test func amendBelowFilledIsRejected() {
        let venue = venueWithRestingBuy()
        venue.feed(Fixture.perpId, bids: [("58000", "1")], asks: [("58990", "0.006")], now: t0 + 1)
        #expect(venue.order(clientOrderId: "b1")?.filledQuantity == d("0.006"))
        let below = venue.amend(clientOrderId: "b1", quantity: d("0.005"), now: t0 + 2)
        #expect(below.rejectCode == -4003)
        #expect(venue.amend(clientOrderId: "b1", quantity: d("0.006"), now: t0 + 2).rejectCode == -4003)
        #expect(venue.order(clientOrderId: "b1")?.quantity == d("0.01"))
        // Down to just above filled is fine; the order keeps its fills.
        let ok = venue.amend(clientOrderId: "b1", quantity: d("0.007"), now: t0 + 3)
        #expect(ok.rejectCode == nil)
        #expect(venue.order(clientOrderId: "b1")?.remainingQuantity == d("0.001"))
        #expect(venue.order(clientOrderId: "b1")?.filledQuantity == d("0.006"))
    }

    @Test func amendThatCrossesTradesAsTakerAndRestsTheRest() {
        let venue = venueWithRestingBuy()
        let events = venue.amend(clientOrderId: "b1", price: d("60015"), now: t0 + 1)
        // Takes the 0.003 at 60010 (taker, the level's price); 60020 is beyond the new limit.
        #expect(events.fills.map(\.price) == [d("60010")])
        #expect(events.fills.map(\.liquidity) == [.taker])
        #expect(events.fills.first?.fee == d("0.072012")) // 180.03 × 0.0004
        let order = venue.order(clientOrderId: "b1")
        #expect(order?.status == .partiallyFilled)
        #expect(order?.remainingQuantity == d("0.007"))
        #expect(venue.openOrders().count == 1)
    }

    @Test func postOnlyAmendThatWouldCrossIsRejected() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, bids: [("59990", "1")], asks: [("60010", "1")])
        _ = venue.submit(limit("p1", Fixture.perpId, .buy, "0.01", "59000", .postOnly), now: t0)
        #expect(venue.amend(clientOrderId: "p1", price: d("60010"), now: t0 + 1).rejectCode == -2010)
        #expect(venue.order(clientOrderId: "p1")?.price == d("59000"))
        #expect(venue.amend(clientOrderId: "p1", price: d("60000"), now: t0 + 1).rejectCode == nil)
    }

    @Test func amendLosesTimePriorityOnlyWhenItShouldNot() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, asks: [("61000", "1")])
        _ = venue.submit(limit("a", Fixture.perpId, .buy, "0.002", "60000"), now: t0)
        _ = venue.submit(limit("b", Fixture.perpId, .buy, "0.002", "60000"), now: t0)
        _ = venue.amend(clientOrderId: "a", quantity: d("0.001"), now: t0 + 1) // shrinking keeps priority
        var events = venue.feed(Fixture.perpId, asks: [("60000", "0.001")], now: t0 + 2)
        #expect(events.fills.map(\.clientOrderId) == ["a"])
        _ = venue.submit(limit("c", Fixture.perpId, .buy, "0.002", "60000"), now: t0 + 3)
        _ = venue.amend(clientOrderId: "b", quantity: d("0.003"), now: t0 + 4) // growing goes to the back
        events = venue.feed(Fixture.perpId, asks: [("60000", "0.002")], now: t0 + 5)
        #expect(events.fills.map(\.clientOrderId) == ["c"])
    }
}
