import ArbModel
import Testing
@testable import PaperExchange

/// A session touching every kind of state change (taker walks, resting and maker fills, amend,
/// cancel, IOC/FOK expiry, spot, funding, expiry settlement, rejections), used by the journal
/// and determinism tests.
func runScenario(_ v: PaperExchange) -> [PaperEvent] {
    var e: [PaperEvent] = []
    let perp = Fixture.perpId, perp4h = Fixture.perp4hId, spot = Fixture.spotId, future = Fixture.futureId
    v.setBook(instrument: perp, bids: levels([("59990", "1"), ("59980", "2")]), asks: levels([("60010", "0.003"), ("60020", "1")]))
    e += v.submit(market("m1", perp, .buy, "0.005"), now: t0)
    e += v.submit(limit("l1", perp, .buy, "0.01", "59000"), now: t0 + 1)
    e += v.submit(limit("l2", perp, .sell, "0.002", "61000", .postOnly), now: t0 + 2)
    e += v.amend(clientOrderId: "l1", price: d("59500"), now: t0 + 3)
    v.setBook(instrument: perp, bids: levels([("59300", "1")]), asks: levels([("59400", "0.004")]))
    e += v.onBookChanged(instrument: perp, now: t0 + 4)
    e += v.amend(clientOrderId: "l1", quantity: d("0.008"), now: t0 + 5)
    e += v.cancel(clientOrderId: "l1", now: t0 + 6)
    e += v.settleFunding(instrument: perp, rate: d("0.0001"), markPrice: d("60000"), now: t0 + 7)

    v.setBook(instrument: spot, bids: levels([("59000", "0.5")]), asks: levels([("60000", "0.0002"), ("60001", "1")]))
    e += v.submit(market("s1", spot, .buy, "0.001"), now: t0 + 8)
    e += v.submit(limit("s2", spot, .sell, "0.5", "70000"), now: t0 + 9)

    v.setBook(instrument: perp4h, bids: levels([("100", "1")]), asks: levels([("101", "0.5")]))
    e += v.submit(limit("i1", perp4h, .buy, "1", "101", .ioc), now: t0 + 10)
    e += v.submit(limit("f1", perp4h, .buy, "1", "101", .fok), now: t0 + 11)
    e += v.submit(limit("x1", perp4h, .sell, "0.2", "100", .fok), now: t0 + 12)
    e += v.settleFunding(instrument: perp4h, rate: d("-0.000125"), markPrice: d("100.3"), now: t0 + 13)

    v.setBook(instrument: future, bids: levels([("60000", "1")]), asks: levels([("60000", "1")]))
    e += v.submit(market("fut", future, .sell, "0.01"), now: t0 + 14)
    e += v.submit(limit("futbid", future, .buy, "0.01", "50000"), now: t0 + 15)

    // Refused requests leave no trace in the journal.
    e += v.submit(limit("bad", perp, .buy, "0.0015", "60000"), now: t0 + 16)
    e += v.submit(limit("m1", perp, .buy, "0.001", "60000"), now: t0 + 16)
    e += v.cancel(clientOrderId: "m1", now: t0 + 16)

    e += v.settleExpiry(instrument: future, indexPrice: d("59000"), now: Fixture.expiry)
    return e
}

/// Asserts two venues hold the same account state (not the books, which are not journaled).
func expectSameState(_ a: PaperExchange, _ b: PaperExchange, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.orders == b.orders, sourceLocation: sourceLocation)
    #expect(a.openOrders() == b.openOrders(), sourceLocation: sourceLocation)
    #expect(a.balances == b.balances, sourceLocation: sourceLocation)
    #expect(a.positions == b.positions, sourceLocation: sourceLocation)
    #expect(a.fundingPeriods == b.fundingPeriods, sourceLocation: sourceLocation)
    #expect(a.settledInstruments == b.settledInstruments, sourceLocation: sourceLocation)
    #expect(a.nextOrderNumber == b.nextOrderNumber, sourceLocation: sourceLocation)
    #expect(a.nextTradeNumber == b.nextTradeNumber, sourceLocation: sourceLocation)
    #expect(a.nextPriority == b.nextPriority, sourceLocation: sourceLocation)
    #expect(a.slots.map(\.priority) == b.slots.map(\.priority), sourceLocation: sourceLocation)
    #expect(a.slots.map(\.reserved) == b.slots.map(\.reserved), sourceLocation: sourceLocation)
}
