import ArbModel
import Testing
@testable import PaperExchange

// Funding: payment = quantity × contractSize × mark × rate; a positive rate means longs pay
// and shorts receive. The account's amount is −payment, rounded half-even to 8 places.

struct FundingCase: Sendable, CustomTestStringConvertible {
    let instrument: UInt32
    let side: OrderSide
    let quantity: String
    let mark: String
    let rate: String
    let amount: String

    var testDescription: String { "\(instrument == Fixture.perpId ? "8h" : "4h") \(side) \(quantity) at \(rate) → \(amount)" }
}

@Suite struct FundingTests {
    /// Opens a position of `quantity` on `side` at `price`.
    private func venue(_ instrument: UInt32, _ side: OrderSide, _ quantity: String, at price: String) -> PaperExchange {
        let venue = Fixture.venue()
        venue.feed(instrument, bids: [(price, "10")], asks: [(price, "10")])
        _ = venue.submit(market("open", instrument, side, quantity), now: t0 - 1)
        return venue
    }

    @Test(arguments: [
        // 8 h venue, 0.5 BTC, mark 60000, |rate| 0.01%: 0.5 × 60000 × 0.0001 = 3 USDT.
        FundingCase(instrument: Fixture.perpId, side: .buy, quantity: "0.5", mark: "60000", rate: "0.0001", amount: "-3"),
        FundingCase(instrument: Fixture.perpId, side: .sell, quantity: "0.5", mark: "60000", rate: "0.0001", amount: "3"),
        FundingCase(instrument: Fixture.perpId, side: .buy, quantity: "0.5", mark: "60000", rate: "-0.0001", amount: "3"),
        FundingCase(instrument: Fixture.perpId, side: .sell, quantity: "0.5", mark: "60000", rate: "-0.0001", amount: "-3"),
        // 4 h venue, 0.003 BTC, mark 61659.8, |rate| 0.0125%: 184.9794 × 0.000125 = 0.023122425,
        // a tie at 8 places that half-even rounds to 0.02312242 (half-up would give …43).
        FundingCase(instrument: Fixture.perp4hId, side: .buy, quantity: "0.003", mark: "61659.8", rate: "0.000125",
                    amount: "-0.02312242"),
        FundingCase(instrument: Fixture.perp4hId, side: .sell, quantity: "0.003", mark: "61659.8", rate: "0.000125",
                    amount: "0.02312242"),
        FundingCase(instrument: Fixture.perp4hId, side: .buy, quantity: "0.003", mark: "61659.8", rate: "-0.000125",
                    amount: "0.02312242"),
        FundingCase(instrument: Fixture.perp4hId, side: .sell, quantity: "0.003", mark: "61659.8", rate: "-0.000125",
                    amount: "-0.02312242"),
    ])
    func signAndAmount(_ c: FundingCase) {
        let venue = venue(c.instrument, c.side, c.quantity, at: c.mark)
        let before = venue.balance("USDT").total
        let events = venue.settleFunding(instrument: c.instrument, rate: d(c.rate), markPrice: d(c.mark), now: t0)
        let signed = c.side == .buy ? d(c.quantity) : d("-" + c.quantity)
        #expect(events.funding.map(\.0) == [signed])
        #expect(events.funding.map(\.1) == [d(c.amount)])
        #expect(venue.balance("USDT").total == (try? before.adding(d(c.amount))))
        #expect(events.balances.map(\.total) == [venue.balance("USDT").total])
        guard case .fundingPayment(let id, let rate, _, let mark, _, let currency) = events.first else {
            Issue.record("first event is not the payment: \(events)")
            return
        }
        #expect(id == c.instrument && rate == d(c.rate) && mark == d(c.mark) && currency == "USDT")
    }

    @Test func eightHourVenueSettlesOncePerEightHours() {
        let venue = venue(Fixture.perpId, .buy, "0.5", at: "60000")
        #expect(venue.settleFunding(instrument: Fixture.perpId, rate: d("0.0001"), markPrice: d("60000"), now: t0).funding.count == 1)
        // 4 h later is still the same 8 h period: refused, nothing charged twice.
        let again = venue.settleFunding(instrument: Fixture.perpId, rate: d("0.0001"), markPrice: d("60000"), now: t0 + 4 * hour)
        #expect(again.rejectCode == -4140)
        let next = venue.settleFunding(instrument: Fixture.perpId, rate: d("0.0002"), markPrice: d("61000"), now: t0 + 8 * hour)
        // 0.5 × 61000 × 0.0002 = 6.1 paid by the long.
        #expect(next.funding.map(\.1) == [d("-6.1")])
        #expect(venue.balance("USDT").total == d("99978.9")) // 100000 − fee 12 − 3 − 6.1
    }

    @Test func fourHourVenueSettlesEveryFourHours() {
        let venue = venue(Fixture.perp4hId, .sell, "0.5", at: "60000")
        // Taker fee at open: 30000 × 0.00018 = 5.4. A short receives 0.5 × 60000 × 0.00005 = 1.5 per period.
        for k in 0..<3 {
            let events = venue.settleFunding(instrument: Fixture.perp4hId, rate: d("0.00005"), markPrice: d("60000"),
                                             now: t0 + Int64(k) * 4 * hour)
            #expect(events.funding.map(\.1) == [d("1.5")])
        }
        #expect(venue.balance("USDT").total == d("99999.1")) // 100000 − 5.4 + 3 × 1.5
    }

    @Test func flatAccountPaysNothingButThePeriodIsSettled() {
        let venue = Fixture.venue()
        #expect(venue.settleFunding(instrument: Fixture.perpId, rate: d("0.0001"), markPrice: d("60000"), now: t0).isEmpty)
        #expect(venue.settleFunding(instrument: Fixture.perpId, rate: d("0.0001"), markPrice: d("60000"), now: t0 + 1).rejectCode == -4140)
        #expect(venue.balance("USDT").total == d("100000"))
    }

    @Test func fundingOnlyForPerpetuals() {
        let venue = Fixture.venue()
        #expect(venue.settleFunding(instrument: Fixture.spotId, rate: d("0.0001"), markPrice: d("60000"), now: t0).rejectCode == -4140)
        #expect(venue.settleFunding(instrument: Fixture.futureId, rate: d("0.0001"), markPrice: d("60000"), now: t0).rejectCode == -4140)
        #expect(venue.settleFunding(instrument: 99, rate: d("0.0001"), markPrice: d("60000"), now: t0).rejectCode == -1121)
        #expect(venue.settleFunding(instrument: Fixture.perpId, rate: d("0.0001"), markPrice: d("0"), now: t0).rejectCode == -4001)
    }
}
