import ArbModel
import Testing
@testable import PaperExchange

// Netting positions: open, add, partial close, flip; margin and PnL in the settle currency.

@Suite struct PositionTests {
    /// Trades `quantity` on the 8 h perp at `price` (a market order against a one-level book).
    @discardableResult
    private func trade(_ venue: PaperExchange, _ id: String, _ side: OrderSide, _ quantity: String, at price: String,
                       now: Int64 = t0) -> [PaperEvent] {
        venue.feed(Fixture.perpId, bids: [(price, "10")], asks: [(price, "10")], now: now)
        return venue.submit(market(id, Fixture.perpId, side, quantity), now: now)
    }

    @Test func openAddPartialCloseAndFlip() throws {
        let venue = Fixture.venue(usdt: "10000")

        trade(venue, "o1", .buy, "0.01", at: "60000")             // fee 600 × 0.0004 = 0.24
        var p = try #require(venue.position(instrument: Fixture.perpId))
        #expect(p.quantity == d("0.01"))
        #expect(p.averageEntryPrice == d("60000"))
        #expect(p.marginUsed == d("30"))                          // 600 × 0.05 (20x)

        trade(venue, "o2", .buy, "0.01", at: "61000")             // fee 0.244
        p = try #require(venue.position(instrument: Fixture.perpId))
        #expect(p.quantity == d("0.02"))
        #expect(p.averageEntryPrice == d("60500"))                // (600 + 610) / 0.02
        #expect(p.entryNotional == d("1210"))

        let close = trade(venue, "c1", .sell, "0.005", at: "62000") // fee 0.124
        p = try #require(venue.position(instrument: Fixture.perpId))
        #expect(close.positions.last == p)
        #expect(p.quantity == d("0.015"))
        #expect(p.averageEntryPrice == d("60500"))                // unchanged by a reduction
        #expect(p.realizedPnL == d("7.5"))                        // (62000 − 60500) × 0.005

        trade(venue, "f1", .sell, "0.025", at: "59000")           // fee 1475 × 0.0004 = 0.59
        p = try #require(venue.position(instrument: Fixture.perpId))
        #expect(p.quantity == d("-0.01"))                         // flipped short
        #expect(p.averageEntryPrice == d("59000"))                // the flip's price
        #expect(p.realizedPnL == d("-15"))                        // 7.5 + (59000 − 60500) × 0.015
        #expect(p.marginUsed == d("29.5"))                        // 590 × 0.05
        #expect(try p.unrealizedPnL(markPrice: d("58000")) == d("10")) // (58000 − 59000) × −0.01

        // 10000 − fees (0.24 + 0.244 + 0.124 + 0.59 = 1.198) − 15 realized.
        let usdt = venue.balance("USDT")
        #expect(usdt.total == d("9983.802"))
        #expect(usdt.used == d("29.5"))
        #expect(usdt.free == d("9954.302"))
        #expect(Fixture.perp.leverage == d("20"))

        trade(venue, "x1", .buy, "0.01", at: "58000")             // close at a 10 profit, fee 0.232
        p = try #require(venue.position(instrument: Fixture.perpId))
        #expect(p.quantity == d("0"))
        #expect(p.averageEntryPrice == d("0"))
        #expect(p.marginUsed == d("0"))
        #expect(p.realizedPnL == d("-5"))
        #expect(venue.balance("USDT") == PaperBalance(currency: "USDT", free: d("9993.57"), used: d("0"), total: d("9993.57")))
    }

    @Test func reduceOnlyOrderExpiresWhenThePositionIsGone() {
        let venue = Fixture.venue()
        trade(venue, "open", .buy, "0.1", at: "60000")
        venue.feed(Fixture.perpId, bids: [("60000", "10")], asks: [("60100", "10")])
        _ = venue.submit(limit("tp", Fixture.perpId, .sell, "0.1", "65000", reduceOnly: true), now: t0)
        #expect(venue.openOrders().map(\.clientOrderId) == ["tp"])
        let events = venue.submit(market("flat", Fixture.perpId, .sell, "0.1"), now: t0 + 1)
        #expect(events.finals.map(\.clientOrderId) == ["flat", "tp"])
        #expect(venue.order(clientOrderId: "tp")?.status == .expired)
        #expect(venue.balance("USDT").used == d("0"))
    }

    @Test func reduceOnlyFillIsCappedAtThePosition() {
        let venue = Fixture.venue()
        trade(venue, "open", .buy, "0.1", at: "60000")
        venue.feed(Fixture.perpId, bids: [("59000", "10")], asks: [("60100", "10")])
        _ = venue.submit(limit("tp", Fixture.perpId, .sell, "0.1", "61000", reduceOnly: true), now: t0)
        _ = venue.submit(market("part", Fixture.perpId, .sell, "0.04"), now: t0)
        // 0.06 left to reduce: the 0.1 reduce-only order fills 0.06 and expires.
        let events = venue.feed(Fixture.perpId, bids: [("61500", "10")], asks: [("61600", "10")], now: t0 + 1)
        #expect(events.fills.map(\.quantity) == [d("0.06")])
        #expect(events.finals.map(\.status) == [.expired])
        #expect(venue.position(instrument: Fixture.perpId)?.quantity == d("0"))
    }
}
