import ArbModel
import Testing
@testable import PaperExchange

// Fees: price × quantity × contractSize × rate, rounded half-even to the settle precision per fill.

@Suite struct FeeTests {
    @Test func takerFeeOnTheFourHourVenueIsExact() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perp4hId, asks: [("60000", "1")])
        let events = venue.submit(market("t1", Fixture.perp4hId, .buy, "0.001"), now: t0)
        // Notional 0.001 × 60000 = 60; 60 × 0.00018 = 0.0108 (exact, no rounding needed).
        #expect(events.fills.map(\.fee) == [d("0.0108")])
        #expect(events.fills.first?.feeCurrency == "USDT")
        #expect(venue.balance("USDT").total == d("99999.9892"))
    }

    @Test func feeOfAFillAt61659point8IsExact() throws {
        let venue = Fixture.venue()
        venue.feed(Fixture.perpId, asks: [("61659.8", "1")])
        let events = venue.submit(market("t1", Fixture.perpId, .buy, "0.003"), now: t0)
        // 0.003 × 61659.8 = 184.9794; × 0.0004 = 0.07399176 (8 places exactly).
        #expect(events.fills.map(\.fee) == [d("0.07399176")])
        #expect(venue.order(clientOrderId: "t1")?.cumulativeFee == d("0.07399176"))
    }

    @Test func feesAreRoundedPerFillNotOnTheSum() {
        let venue = Fixture.venue()
        venue.feed(Fixture.perp4hId, asks: [("60000.3", "0.001"), ("60001.3", "0.001"), ("60002.3", "0.001")])
        let events = venue.submit(market("t1", Fixture.perp4hId, .buy, "0.003"), now: t0)
        // Per fill at 0.00018:
        //   60.0003 × 0.00018 = 0.010800054 → 0.01080005
        //   60.0013 × 0.00018 = 0.010800234 → 0.01080023
        //   60.0023 × 0.00018 = 0.010800414 → 0.01080041
        // Σ rounded = 0.03240069, whereas rounding the unrounded Σ (0.032400702) would give 0.03240070.
        #expect(events.fills.map(\.fee) == [d("0.01080005"), d("0.01080023"), d("0.01080041")])
        #expect(venue.order(clientOrderId: "t1")?.cumulativeFee == d("0.03240069"))
        #expect(venue.balance("USDT").total == d("99999.96759931"))
    }

    @Test func roundingIsHalfEvenAtTheSettlePrecision() {
        // A taker rate of 0.0125%: 184.9794 × 0.000125 = 0.023122425, an exact tie at 8 places.
        var instrument = Fixture.perp
        instrument.takerFee = d("0.000125")
        let venue = PaperExchange(instruments: [instrument], balances: ["USDT": d("1000")])
        venue.feed(instrument.id, asks: [("61659.8", "1")])
        let first = venue.submit(market("t1", instrument.id, .buy, "0.003"), now: t0)
        #expect(first.fills.map(\.fee) == [d("0.02312242")]) // tie → the even neighbour (half-up would give …43)
        // 0.003 × 61659.9 = 184.9797; × 0.000125 = 0.0231224625 → 0.02312246 (below half beyond 8 places)
        venue.feed(instrument.id, asks: [("61659.9", "1")])
        let second = venue.submit(market("t2", instrument.id, .buy, "0.003"), now: t0)
        #expect(second.fills.map(\.fee) == [d("0.02312246")])
    }

    @Test func precisionFollowsTheSettleCurrency() {
        // A venue booking USDT at 2 places: 0.07399176 → 0.07.
        let venue = PaperExchange(instruments: [Fixture.perp], balances: ["USDT": d("1000")], currencyPrecision: ["USDT": 2])
        venue.feed(Fixture.perpId, asks: [("61659.8", "1")])
        let events = venue.submit(market("t1", Fixture.perpId, .buy, "0.003"), now: t0)
        #expect(events.fills.map(\.fee) == [d("0.07")])
    }

    @Test func makerRebateIsCredited() {
        var instrument = Fixture.perp
        instrument.makerFee = d("-0.0001")
        let venue = PaperExchange(instruments: [instrument], balances: ["USDT": d("1000")])
        _ = venue.submit(limit("m1", instrument.id, .buy, "0.002", "60000"), now: t0)
        let events = venue.feed(instrument.id, asks: [("60000", "1")], now: t0 + 1)
        #expect(events.fills.map(\.fee) == [d("-0.012")]) // 120 × −0.0001
        #expect(venue.balance("USDT").total == d("1000.012"))
    }
}
