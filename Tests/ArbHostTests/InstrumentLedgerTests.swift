import ArbBook
import ArbModel
import ArbTestKit
import Testing
@testable import ArbConfig
@testable import ArbEngine
@testable import ArbMarket
@testable import ArbPlugins
@testable import ArbRuntime
@testable import ArbTrading

/// A replay's per-instrument PnL, worked by hand: average-cost entry, realised on reduction,
/// reversal through flat, fees and funding, unrealised at a mark.
@Suite("Instrument ledger")
struct InstrumentLedgerTests {
    /// A decimal from text; a typo in a fixture fails the test instead of reading as zero.
    func d(_ text: String) throws -> ExactDecimal { try ExactDecimal(parsing: text) }

    @Test func averageCostRealisedOnReductionThroughAReversal() throws {
        var l = InstrumentLedger()
        try l.fill(buy: true, price: try d("100"), quantity: d("1"), fee: d("0.04"), feeCurrency: "USDT")
        try l.fill(buy: true, price: try d("110"), quantity: d("1"), fee: d("0.044"), feeCurrency: "USDT")
        #expect(try l.position == d("2") && l.averagePrice == d("105") && l.realized == .zero)
        // Sell 1.5 at 120: 1.5 × (120 − 105) = 22.5 realised; 0.5 left at 105.
        try l.fill(buy: false, price: try d("120"), quantity: d("1.5"), fee: d("0.072"), feeCurrency: "USDT")
        #expect(try l.position == d("0.5") && l.averagePrice == d("105") && l.realized == d("22.5"))
        // Sell 1 at 100: closes 0.5 at −5 each (−2.5), then short 0.5 from 100.
        try l.fill(buy: false, price: try d("100"), quantity: d("1"), fee: d("0.04"), feeCurrency: "USDT")
        #expect(try l.position == d("-0.5") && l.averagePrice == d("100") && l.realized == d("20"))
        // Short 0.5 from 100 marked at 96: +2 unrealised.
        #expect(try try l.unrealized(at: d("96")) == d("2"))
        // Buy 0.5 at 90 closes it: +5 realised, flat.
        try l.fill(buy: true, price: try d("90"), quantity: d("0.5"), fee: d("0.018"), feeCurrency: "USDT")
        #expect(try l.position == .zero && l.averagePrice == .zero && l.realized == d("25"))
        try l.fundingPayment(try d("-0.3"))
        #expect(try l.fees == d("0.214") && l.funding == d("-0.3") && l.feeCurrency == "USDT")
        // Net: 25 realised − 0.214 fees − 0.3 funding; flat, so the mark does not matter.
        #expect(try try l.net(at: d("1000")) == d("24.486"))
        #expect(try l.tradedNotional == d("100") + d("110") + d("180") + d("100") + d("45"))
    }

    @Test func aShortMarkedAtALowerPriceGains() throws {
        var l = InstrumentLedger()
        try l.fill(buy: false, price: try d("50"), quantity: d("2"), fee: d("0.1"), feeCurrency: "USDT")
        #expect(try l.position == d("-2") && l.averagePrice == d("50"))
        #expect(try try l.unrealized(at: d("40")) == d("20"))
        #expect(try try l.net(at: d("40")) == d("19.9"))
        #expect(try try l.net(at: nil) == d("-0.1"))
    }
}

private func + (a: ExactDecimal, b: ExactDecimal) -> ExactDecimal { (try? a.adding(b)) ?? .zero }
