import ArbModel
import Testing
@testable import PaperExchange

// Rejections and their codes; a rejected request leaves no order and changes nothing.

@Suite struct ValidationTests {
    private func code(_ venue: PaperExchange, _ request: PaperOrderRequest) -> Int32? {
        let events = venue.submit(request, now: t0)
        if events.rejectCode != nil {
            #expect(events.count == 1)
            #expect(venue.order(clientOrderId: request.clientOrderId) == nil || request.clientOrderId == "dup")
        }
        return events.rejectCode
    }

    @Test func parameterAndFilterRejections() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, bids: [("3990", "1")], asks: [("4000", "1")])
        #expect(code(venue, limit("a", 99, .buy, "0.01", "60000")) == -1121)
        #expect(code(venue, limit("a", Fixture.perpId, .buy, "0.01", "3000.05")) == -1013) // tick 0.1
        #expect(code(venue, limit("a", Fixture.perpId, .buy, "0.0015", "3000")) == -1013) // lot 0.001
        #expect(code(venue, limit("a", Fixture.perpId, .buy, "0.001", "3000")) == -1013) // notional 3 < 5
        #expect(code(venue, market("a", Fixture.perpId, .buy, "0.001")) == -1013) // 0.001 × best ask 4000 = 4 < 5
        #expect(code(venue, limit("a", Fixture.perpId, .buy, "0", "3000")) == -4003)
        #expect(code(venue, limit("a", Fixture.perpId, .buy, "0.01", "-3000")) == -4001)
        #expect(code(venue, limit("", Fixture.perpId, .buy, "0.01", "3000")) == -4015)
        #expect(code(venue, limit(String(repeating: "x", count: 37), Fixture.perpId, .buy, "0.01", "3000")) == -4015)
        var noPrice = limit("a", Fixture.perpId, .buy, "0.01", "3000")
        noPrice.price = nil
        #expect(code(venue, noPrice) == -1102)
        var pricedMarket = market("a", Fixture.perpId, .buy, "0.01")
        pricedMarket.price = d("3000")
        #expect(code(venue, pricedMarket) == -1106)
        #expect(code(venue, market("a", Fixture.perpId, .buy, "0.01", .postOnly)) == -1116)
        #expect(code(venue, limit("a", Fixture.spotId, .sell, "0.01", "60000", reduceOnly: true)) == -1106)
        #expect(venue.orders.isEmpty)
    }

    @Test func minimumQuantity() {
        var instrument = Fixture.perp
        instrument.minQuantity = d("0.01")
        let venue = PaperExchange(instruments: [instrument], balances: ["USDT": d("10000")])
        #expect(code(venue, limit("a", instrument.id, .buy, "0.005", "60000")) == -1013)
        #expect(code(venue, limit("b", instrument.id, .buy, "0.01", "60000")) == nil)
    }

    @Test func misconfiguredInstrumentRejectsInsteadOfTrapping() {
        var instrument = Fixture.perp
        instrument.lotSize = .zero
        let venue = PaperExchange(instruments: [instrument], balances: ["USDT": d("10000")])
        #expect(code(venue, limit("a", instrument.id, .buy, "0.01", "60000")) == -1013)
    }

    @Test func duplicateClientOrderIdIsRejectedForever() {
        let venue = Fixture.venue()
        #expect(code(venue, limit("dup", Fixture.perpId, .buy, "0.01", "50000")) == nil)
        #expect(code(venue, limit("dup", Fixture.perpId, .buy, "0.01", "50000")) == -4116)
        _ = venue.cancel(clientOrderId: "dup", now: t0)
        #expect(code(venue, limit("dup", Fixture.perpId, .buy, "0.01", "50000")) == -4116)
        #expect(venue.orders.count == 1)
    }

    @Test func spotBuyNeedsNotionalPlusFee() {
        // 0.001 × 60000 = 60, fee 60 × 0.001 = 0.06: exactly 60.06 USDT needed.
        let enough = Fixture.venue(usdt: "60.06", btc: "0")
        #expect(code(enough, limit("a", Fixture.spotId, .buy, "0.001", "60000")) == nil)
        #expect(enough.balance("USDT").free == d("0"))
        let short = Fixture.venue(usdt: "60.05999999", btc: "0")
        #expect(code(short, limit("a", Fixture.spotId, .buy, "0.001", "60000")) == -2010)
        // Market orders: the estimate walks the book (0.0005 at 59000 + 0.0005 at 61000 = 60, fees 0.0295 + 0.0305).
        short.feed(Fixture.spotId, asks: [("59000", "0.0005"), ("61000", "1")])
        #expect(code(short, market("m", Fixture.spotId, .buy, "0.001")) == -2010)
        let exact = Fixture.venue(usdt: "60.06", btc: "0")
        exact.feed(Fixture.spotId, asks: [("59000", "0.0005"), ("61000", "1")])
        #expect(code(exact, market("m", Fixture.spotId, .buy, "0.001")) == nil)
        #expect(exact.balance("USDT").total == d("0"))
    }

    @Test func spotSellNeedsTheBase() {
        let venue = Fixture.venue(usdt: "0", btc: "0.0005")
        #expect(code(venue, limit("a", Fixture.spotId, .sell, "0.001", "60000")) == -2010)
        #expect(code(venue, limit("b", Fixture.spotId, .sell, "0.0005", "60000")) == nil)
        #expect(venue.balance("BTC").used == d("0.0005"))
        #expect(code(venue, limit("c", Fixture.spotId, .sell, "0.00001", "600000")) == -2010) // all BTC is reserved
    }

    @Test func perpNeedsInitialMarginPlusFee() {
        // 0.1 × 60000 = 6000: margin 6000 × 0.05 = 300, worst-case fee 6000 × 0.0004 = 2.4.
        let enough = Fixture.venue(usdt: "302.4")
        #expect(code(enough, limit("a", Fixture.perpId, .buy, "0.1", "60000")) == nil)
        let short = Fixture.venue(usdt: "302.39999999")
        #expect(code(short, limit("a", Fixture.perpId, .buy, "0.1", "60000")) == -2019)
    }

    @Test func reducingPartNeedsNoMargin() {
        // Open long 0.1 at 60000: fee 2.4, margin 300. With 456 deposited, 153.6 stays free.
        // A sell of 0.15 reduces 0.1 and opens 0.05: margin 0.05 × 60000 × 0.05 = 150, fee 9000 × 0.0004 = 3.6.
        for (deposit, expected) in [("456", nil), ("455.99999999", Int32(-2019))] {
            let venue = Fixture.venue(usdt: deposit)
            venue.feed(Fixture.perpId, asks: [("60000", "1")])
            _ = venue.submit(market("open", Fixture.perpId, .buy, "0.1"), now: t0)
            #expect(venue.balance("USDT").free == d(deposit).minusSaturating(d("302.4")))
            venue.feed(Fixture.perpId, bids: [("59000", "1")], asks: [("60100", "1")])
            #expect(code(venue, limit("flip", Fixture.perpId, .sell, "0.15", "60000")) == expected)
        }
    }

    @Test func reduceOnlyThatWouldIncreaseIsRejected() {
        let venue = Fixture.venue()
        #expect(code(venue, limit("r0", Fixture.perpId, .sell, "0.01", "60000", reduceOnly: true)) == -2022) // flat
        venue.feed(Fixture.perpId, asks: [("60000", "1")])
        _ = venue.submit(market("open", Fixture.perpId, .buy, "0.1"), now: t0)
        venue.feed(Fixture.perpId, bids: [("59000", "1")], asks: [("60100", "1")])
        #expect(code(venue, limit("r1", Fixture.perpId, .buy, "0.01", "59000", reduceOnly: true)) == -2022) // same side
        #expect(code(venue, limit("r2", Fixture.perpId, .sell, "0.2", "61000", reduceOnly: true)) == -2022) // too big
        #expect(code(venue, limit("r3", Fixture.perpId, .sell, "0.1", "61000", reduceOnly: true)) == nil)
        // Reduce-only orders are exempt from the minimum notional (0.001 × 1000 = 1 < 5).
        #expect(code(venue, limit("r4", Fixture.perpId, .sell, "0.001", "1000", reduceOnly: true)) == nil)
    }
}
