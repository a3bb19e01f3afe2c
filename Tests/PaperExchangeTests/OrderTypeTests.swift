import ArbModel
import Testing
@testable import PaperExchange

// Each order type against the exchange-side book.

@Suite struct OrderTypeTests {
    @Test func marketOrderWalksLevelsWithExactAverage() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, bids: [("59990", "1")], asks: [("60000", "0.001"), ("60010", "0.002"), ("60020", "1")])
        let events = venue.submit(market("m1", Fixture.perpId, .buy, "0.004"), now: t0)

        // One taker fill per level at that level's price.
        #expect(events.fills.map(\.price) == [d("60000"), d("60010"), d("60020")])
        #expect(events.fills.map(\.quantity) == [d("0.001"), d("0.002"), d("0.001")])
        #expect(events.fills.allSatisfy { $0.liquidity == .taker })
        #expect(events.fills.map(\.tradeId) == ["F1", "F2", "F3"])
        // Fees 60 × 0.0004 = 0.024, 120.02 × 0.0004 = 0.048008, 60.02 × 0.0004 = 0.024008.
        #expect(events.fills.map(\.fee) == [d("0.024"), d("0.048008"), d("0.024008")])
        let order = venue.order(clientOrderId: "m1")
        #expect(order?.venueOrderId == "P1")
        #expect(order?.status == .filled)
        // (60 + 120.02 + 60.02) / 0.004 = 60010 exactly.
        #expect(order?.averagePrice == d("60010"))
        #expect(order?.filledNotional == d("240.04"))
        #expect(order?.cumulativeFee == d("0.096016"))
        #expect(venue.position(instrument: Fixture.perpId)?.averageEntryPrice == d("60010"))
        // The consumed liquidity is gone until the feed overwrites it.
        #expect(venue.book(Fixture.perpId).asks == levels([("60020", "0.999")]))

        // Event order: accepted, then per fill: fill, update, position; balances last.
        guard events.count == 11 else { Issue.record("unexpected events \(events)"); return }
        guard case .accepted = events[0], case .fill = events[1], case .orderUpdated(let u1) = events[2],
              case .positionChanged = events[3], case .orderUpdated(let last) = events[8],
              case .balanceChanged(let usdt) = events[10] else { Issue.record("unexpected order \(events)"); return }
        #expect(u1.status == .partiallyFilled)
        #expect(last.status == .filled)
        #expect(events.finals.count == 1)
        // 100000 − fees 0.096016; margin 240.04 × 0.05 = 12.002 used.
        #expect(usdt.total == d("99999.903984"))
        #expect(usdt.used == d("12.002"))
        #expect(usdt.free == d("99987.901984"))
    }

    @Test func marketRemainderExpiresOnThinBook() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, asks: [("60000", "0.002"), ("60001", "0.001")])
        let events = venue.submit(market("m1", Fixture.perpId, .buy, "0.005", .gtc), now: t0)
        #expect(events.fills.count == 2)
        #expect(events.finals.map(\.status) == [.expired])
        #expect(venue.order(clientOrderId: "m1")?.filledQuantity == d("0.003"))
        #expect(venue.book(Fixture.perpId).asks.isEmpty)
        #expect(venue.openOrders().isEmpty)
    }

    @Test func gtcLimitRestsThenFillsAsMakerAtItsPrice() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, bids: [("59900", "1")], asks: [("60100", "1")])
        let placed = venue.submit(limit("b1", Fixture.perpId, .buy, "0.01", "60000"), now: t0)
        #expect(placed.fills.isEmpty)
        #expect(venue.openOrders(instrument: Fixture.perpId).map(\.clientOrderId) == ["b1"])
        // Reserved: margin 600 × 0.05 = 30 plus the worst-case fee 600 × 0.0004 = 0.24.
        #expect(venue.balance("USDT").used == d("30.24"))

        // The ask drops through the limit with 0.004 shown: fill 0.004 at the limit, as maker.
        venue.applyLevel(instrument: Fixture.perpId, side: .ask, price: d("59990"), quantity: d("0.004"))
        let first = venue.onBookChanged(instrument: Fixture.perpId, now: t0 + 1)
        #expect(first.fills.map(\.price) == [d("60000")])
        #expect(first.fills.map(\.quantity) == [d("0.004")])
        #expect(first.fills.first?.liquidity == .maker)
        #expect(first.fills.first?.fee == d("0.048")) // 240 × 0.0002
        #expect(venue.order(clientOrderId: "b1")?.status == .partiallyFilled)
        #expect(venue.book(Fixture.perpId).asks == levels([("60100", "1")]))

        // Nothing more while the book stays away.
        #expect(venue.onBookChanged(instrument: Fixture.perpId, now: t0 + 2).isEmpty)

        let second = venue.feed(Fixture.perpId, bids: [("59900", "1")], asks: [("60000", "5")], now: t0 + 3)
        #expect(second.fills.map(\.quantity) == [d("0.006")])
        #expect(second.finals.map(\.status) == [.filled])
        #expect(venue.order(clientOrderId: "b1")?.averagePrice == d("60000"))
        #expect(venue.openOrders().isEmpty)
        // The reservation is gone; only the position's margin (600 × 0.05) remains.
        #expect(venue.balance("USDT").used == d("30"))
    }

    @Test func restingOrdersFillBestPriceFirstThenTime() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, asks: [("61000", "1")])
        _ = venue.submit(limit("low", Fixture.perpId, .buy, "0.002", "59000"), now: t0)
        _ = venue.submit(limit("early", Fixture.perpId, .buy, "0.002", "60000"), now: t0 + 1)
        _ = venue.submit(limit("late", Fixture.perpId, .buy, "0.002", "60000"), now: t0 + 2)
        let events = venue.feed(Fixture.perpId, asks: [("58000", "0.003")], now: t0 + 3)
        #expect(events.fills.map(\.clientOrderId) == ["early", "late"])
        #expect(events.fills.map(\.quantity) == [d("0.002"), d("0.001")])
        #expect(events.fills.map(\.price) == [d("60000"), d("60000")])
    }

    @Test func iocFillsWhatItCanThenExpires() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, asks: [("100", "1"), ("101", "1"), ("103", "5")])
        let events = venue.submit(limit("i1", Fixture.perpId, .buy, "3", "102", .ioc), now: t0)
        #expect(events.fills.map(\.price) == [d("100"), d("101")])
        #expect(events.finals.map(\.status) == [.expired])
        let order = venue.order(clientOrderId: "i1")
        #expect(order?.filledQuantity == d("2"))
        #expect(order?.averagePrice == d("100.5"))
        #expect(venue.book(Fixture.perpId).asks == levels([("103", "5")]))
    }

    @Test func fokFillsEverythingWhenTheDepthIsThere() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, asks: [("100", "1"), ("101", "1"), ("103", "5")])
        let events = venue.submit(limit("f1", Fixture.perpId, .buy, "3", "103", .fok), now: t0)
        #expect(events.fills.map(\.quantity) == [d("1"), d("1"), d("1")])
        #expect(events.finals.map(\.status) == [.filled])
        // (100 + 101 + 103) / 3 = 101.333… rounded half-even at 18 places.
        #expect(venue.order(clientOrderId: "f1")?.averagePrice == d("101.333333333333333333"))
        #expect(venue.order(clientOrderId: "f1")?.filledNotional == d("304"))
    }

    @Test func fokExpiresWithNoFillWhenTheDepthIsShort() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, asks: [("100", "1"), ("101", "1"), ("103", "5")])
        let before = venue.balances
        let events = venue.submit(limit("f1", Fixture.perpId, .buy, "3", "102", .fok), now: t0)
        #expect(events.accepted.count == 1)
        #expect(events.fills.isEmpty)
        #expect(events.finals.map(\.status) == [.expired])
        #expect(events.balances.isEmpty) // reserved and released within the call: no net change
        #expect(venue.balances == before)
        #expect(venue.book(Fixture.perpId).asks == levels([("100", "1"), ("101", "1"), ("103", "5")]))
        #expect(venue.position(instrument: Fixture.perpId) == nil)
    }

    @Test func postOnlyIsRejectedWhenItWouldTake() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, bids: [("59990", "1")], asks: [("60000", "1")])
        let events = venue.submit(limit("p1", Fixture.perpId, .buy, "0.01", "60000", .postOnly), now: t0)
        #expect(events.rejectCode == -2010)
        #expect(venue.order(clientOrderId: "p1") == nil)
        let sell = venue.submit(limit("p2", Fixture.perpId, .sell, "0.01", "59990", .postOnly), now: t0)
        #expect(sell.rejectCode == -2010)
    }

    @Test func postOnlyRestsWhenItDoesNotCross() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, bids: [("59990", "1")], asks: [("60000", "1")])
        let events = venue.submit(limit("p1", Fixture.perpId, .buy, "0.01", "59995", .postOnly), now: t0)
        #expect(events.accepted.count == 1)
        #expect(events.fills.isEmpty)
        #expect(venue.order(clientOrderId: "p1")?.status == .open)
        let filled = venue.feed(Fixture.perpId, asks: [("59995", "1")], now: t0 + 1)
        #expect(filled.fills.first?.liquidity == .maker)
        #expect(filled.finals.map(\.status) == [.filled])
    }

    @Test func marketableGtcTakesThenRestsTheRemainder() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, asks: [("100", "1"), ("101", "1"), ("103", "5")])
        let events = venue.submit(limit("g1", Fixture.perpId, .buy, "3", "101"), now: t0)
        #expect(events.fills.map(\.price) == [d("100"), d("101")])
        #expect(events.finals.isEmpty)
        #expect(venue.order(clientOrderId: "g1")?.status == .partiallyFilled)
        #expect(venue.openOrders(instrument: Fixture.perpId).map(\.remainingQuantity) == [d("1")])
    }

    @Test func spotFillsMoveBaseAndQuote() {
        let venue = Fixture.venue(usdt: "1000", btc: "0")
        venue.feed(Fixture.spotId, bids: [("59000", "1")], asks: [("60000", "1")])
        let buy = venue.submit(market("s1", Fixture.spotId, .buy, "0.001"), now: t0)
        #expect(buy.fills.first?.fee == d("0.06")) // 60 × 0.001, in USDT
        #expect(venue.balance("BTC").total == d("0.001"))
        #expect(venue.balance("USDT").total == d("939.94")) // 1000 − 60 − 0.06
        let sell = venue.submit(market("s2", Fixture.spotId, .sell, "0.001"), now: t0)
        #expect(sell.fills.first?.fee == d("0.059"))
        #expect(venue.balance("BTC").total == d("0"))
        #expect(venue.balance("USDT").total == d("998.881")) // + 59 − 0.059
        #expect(venue.positions.isEmpty)
    }
}
