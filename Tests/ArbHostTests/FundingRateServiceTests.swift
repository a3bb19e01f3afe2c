import ArbSDK
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

private func dec(_ text: String) throws -> ExactDecimal { try ExactDecimal(parsing: text) }

private let hour: Int64 = 3_600_000_000_000
/// A settlement time, 2024-08-08 08:00 UTC, and the one after it.
private let settles: Int64 = 1_723_104_000_000_000_000
private let settlesNext = settles + 8 * hour

/// An engine that is not started, driven inline the way the engine thread would be.
private final class Harness {
    let engine = Engine(mode: .replay)
    let service: FundingRateService

    let services: HostServices

    init() {
        services = HostServices(engine: engine)
        service = services.funding
    }

    func id(_ venue: String, _ symbol: String = "BTCUSDT") -> InstrumentId {
        engine.instruments.id(for: Instrument(venue: venue, symbol: symbol, kind: .perpetual))
    }

    /// Posts a funding update the way an adapter does (through the inbound ring) and runs it.
    func post(_ venue: String, _ symbol: String = "BTCUSDT", rate: String, interval: Int64 = 8 * hour,
              mark: String = "0", index: String = "0", next: Int64 = settles, cap: String = "0",
              floor: String = "0", predicted: String? = nil, time: Int64 = settles - hour) throws {
        var c = arb_funding_rate_t()
        c.struct_size = UInt32(MemoryLayout<arb_funding_rate_t>.size)
        c.instrument = id(venue, symbol).rawValue
        c.rate = try dec(rate).cValue
        if let predicted {
            c.has_predicted_rate = 1
            c.predicted_rate = try dec(predicted).cValue
        }
        c.mark_price = try dec(mark).cValue
        c.index_price = try dec(index).cValue
        c.next_funding_time_ns = next
        c.funding_interval_ns = interval
        c.rate_cap = try dec(cap).cValue
        c.rate_floor = try dec(floor).cValue
        c.ts_event = time
        c.ts_init = time
        #expect(RecordCodec.post(c, header: RecordHeader(source: 0, request: 0), to: engine.inbound) == ARB_OK)
        engine.runPending()
    }

    /// Collects what the bus delivers on `pattern`.
    func listen(_ pattern: String) throws -> Inbox {
        let inbox = Inbox()
        engine.bus.subscribe(try TopicPattern(pattern), .handler { message in
            inbox.messages.append((String(message.topic), String(decoding: message.payload.bytes, as: UTF8.self)))
        })
        return inbox
    }
}

private final class Inbox {
    var messages: [(topic: String, payload: String)] = []
}

@Suite("FundingRateService")
struct FundingRateServiceTests {
    @Test func readsTheLatestRateWithEveryField() throws {
        let h = Harness()
        try h.post("binance", rate: "0.00038246", mark: "11793.63104562", index: "11781.80495970",
                   cap: "0.02500000", floor: "-0.02500000", predicted: "0.0003")
        let rate = try #require(h.service.fundingRate(venue: "binance", symbol: "BTCUSDT"))
        #expect(rate.venue == "binance" && rate.symbol == "BTCUSDT")
        #expect(rate.rate == (try dec("0.00038246")))
        #expect(rate.predictedRate == (try dec("0.0003")))
        #expect(rate.markPrice == (try dec("11793.63104562")))
        #expect(rate.indexPrice == (try dec("11781.80495970")))
        #expect(rate.nextFundingTime == settles)
        #expect(rate.intervalNanoseconds == 8 * hour)
        #expect(rate.rateCap == (try dec("0.025")))
        #expect(rate.rateFloor == (try dec("-0.025")))
        #expect(rate.timestamp == settles - hour)
        // 0.00038246 / 8 = 0.0000478075 per hour.
        #expect(try rate.ratePerHour() == (try dec("0.0000478075")))
        #expect(h.service.fundingRate(venue: "okx", symbol: "BTCUSDT") == nil)
    }

    @Test func allRatesLeaveOutVenuesWithoutAWellFormedRate() throws {
        let h = Harness()
        try h.post("binance", rate: "0.0001")
        try h.post("hyperliquid", rate: "0.0000125", interval: hour)
        _ = h.id("okx")                                      // subscribed, no rate yet
        try h.post("htx", rate: "0.0001", interval: 0)       // no interval, no spec: malformed
        try h.post("bybit", rate: "0.0001", cap: "-0.01", floor: "0.01")  // floor above cap
        try h.post("binance", "ETHUSDT", rate: "0.0002")     // another symbol
        let rates = h.service.allFundingRates(symbol: "BTCUSDT")
        #expect(Set(rates.keys) == ["binance", "hyperliquid"])
        #expect(rates["hyperliquid"]?.intervalNanoseconds == hour)
    }

    @Test func theInstrumentSpecSuppliesAMissingInterval() throws {
        let h = Harness()
        var spec = arb_instrument_spec_t()
        spec.instrument = h.id("htx").rawValue
        spec.funding_interval_ns = 4 * hour
        h.services.market.recordSpec(InstrumentSpec(spec))
        try h.post("htx", rate: "0.0001", interval: 0)
        #expect(h.service.fundingRate(venue: "htx", symbol: "BTCUSDT")?.intervalNanoseconds == 4 * hour)
    }

    @Test func spreadsCoverEveryPairWidestFirst() throws {
        // binance 0.0001/8 h and hyperliquid 0.0000125/1 h: both 0.0000125 per hour.
        // okx 0.0003/8 h: 0.0000375 per hour, 0.000025 above both (0.219 a year).
        let h = Harness()
        try h.post("binance", rate: "0.0001")
        try h.post("hyperliquid", rate: "0.0000125", interval: hour)
        try h.post("okx", rate: "0.0003")
        let spreads = h.service.fundingRateSpread(symbol: "BTCUSDT")
        #expect(spreads.map { "\($0.longLeg.venue)/\($0.shortLeg.venue)" }
            == ["binance/okx", "hyperliquid/okx", "binance/hyperliquid"])
        #expect(spreads.map(\.spreadPerHour) == [try dec("0.000025"), try dec("0.000025"), .zero])
        #expect(spreads[0].annualizedSpread == (try dec("0.219")))
        #expect(spreads.map(\.richVenue) == ["okx", "okx", nil])
        #expect(h.service.fundingRateSpread(symbol: "SOLUSDT").isEmpty)
    }

    @Test func predictsFromTheIntervalsPremiumSamples() throws {
        // Index 100; marks 100.1, 100.2, 100.3 → premiums 0.001, 0.002, 0.003; P = 0.002.
        // I (8 h) = 0.0001; I − P = −0.0019 → −0.0005; F = 0.0015 (inside cap 0.0075).
        let h = Harness()
        for mark in ["100.1", "100.2", "100.3"] {
            try h.post("binance", rate: "0.0001", mark: mark, index: "100", cap: "0.0075", floor: "-0.0075",
                       predicted: "0.0009")
        }
        #expect(h.service.premiumSamples(venue: "binance", symbol: "BTCUSDT")
            == [try dec("0.001"), try dec("0.002"), try dec("0.003")])
        #expect(h.service.predictFundingRate(venue: "binance", symbol: "BTCUSDT") == (try dec("0.0015")))

        // A huge premium in the same interval: P = (0.001 + 0.002 + 0.003 + 0.1) / 4 = 0.0265,
        // F = 0.026 → capped at 0.0075.
        try h.post("binance", rate: "0.0001", mark: "110", index: "100", cap: "0.0075", floor: "-0.0075")
        #expect(h.service.predictFundingRate(venue: "binance", symbol: "BTCUSDT") == (try dec("0.0075")))

        // The next interval starts from its own first sample: 0.0002 → F = I = 0.0001.
        try h.post("binance", rate: "0.0015", mark: "100.02", index: "100", next: settlesNext)
        #expect(h.service.premiumSamples(venue: "binance", symbol: "BTCUSDT") == [try dec("0.0002")])
        #expect(h.service.predictFundingRate(venue: "binance", symbol: "BTCUSDT") == (try dec("0.0001")))
    }

    @Test func aFourHourVenueUsesItsOwnInterestAndTheVenuesSettings() throws {
        // 4 h, P = 0.0003: I = 0.00005; I − P = −0.00025, inside the clamp; F = 0.00005.
        let h = Harness()
        try h.post("bybit", rate: "0.0001", interval: 4 * hour, mark: "100.03", index: "100")
        #expect(h.service.predictFundingRate(venue: "bybit", symbol: "BTCUSDT") == (try dec("0.00005")))
        // A contract without interest (I = 0): F = P + clamp(−0.0003) = 0.
        h.service.interestRatesPerDay["bybit"] = .zero
        #expect(h.service.predictFundingRate(venue: "bybit", symbol: "BTCUSDT") == .zero)
    }

    @Test func fallsBackToTheVenuesPredictionWithoutSamples() throws {
        let h = Harness()
        // No mark or index: no premium sample, so the venue's own prediction stands.
        try h.post("okx", rate: "0.0000182221218054", predicted: "0.0000910113652644")
        #expect(h.service.premiumSamples(venue: "okx", symbol: "BTCUSDT").isEmpty)
        #expect(h.service.predictFundingRate(venue: "okx", symbol: "BTCUSDT") == (try dec("0.0000910113652644")))
        // Neither samples nor a prediction: nothing to say.
        try h.post("htx", rate: "0.0001")
        #expect(h.service.predictFundingRate(venue: "htx", symbol: "BTCUSDT") == nil)
        #expect(h.service.predictFundingRate(venue: "nowhere", symbol: "BTCUSDT") == nil)
    }

    @Test func readsTheCacheWhenTheRateWasRecordedWithoutRouting() throws {
        // recordFunding alone (no router event): the rate is there, but the service saw no
        // sample, so it falls back to the venue's prediction.
        let h = Harness()
        var c = arb_funding_rate_t()
        c.instrument = h.id("binance").rawValue
        c.rate = try dec("0.0001").cValue
        c.mark_price = try dec("101").cValue
        c.index_price = try dec("100").cValue
        c.has_predicted_rate = 1
        c.predicted_rate = try dec("0.0002").cValue
        c.funding_interval_ns = 8 * hour
        h.services.market.recordFunding(c)
        #expect(h.service.fundingRate(venue: "binance", symbol: "BTCUSDT")?.rate == (try dec("0.0001")))
        #expect(h.service.predictFundingRate(venue: "binance", symbol: "BTCUSDT") == (try dec("0.0002")))
        // Routing it now, as the engine would, adds the sample 0.01: F = 0.01 − 0.0005 = 0.0095,
        // no cap published.
        withUnsafePointer(to: c) { p in
            h.engine.router.routeEvent(Event(type: .fundingRateUpdate, timestamp: 0, source: .venue(0), payload: .funding(p)))
        }
        #expect(h.service.predictFundingRate(venue: "binance", symbol: "BTCUSDT") == (try dec("0.0095")))
    }

    @Test func handlersReceiveUpdatesAndSettlements() throws {
        let h = Harness()
        var rates: [FundingRate] = []
        var settlements: [FundingSettlement] = []
        h.service.onFundingRateUpdate { rates.append($0) }
        h.service.onFundingSettlement { settlements.append($0) }
        try h.post("binance", rate: "0.0001")
        try h.post("htx", rate: "0.0001", interval: 0)       // malformed: not handed on

        // The venue settles: long 0.5 at 61800.30, rate 0.0001, paid 3.090015 USDT.
        var payment = arb_funding_payment_t()
        payment.struct_size = UInt32(MemoryLayout<arb_funding_payment_t>.size)
        payment.instrument = h.id("binance").rawValue
        payment.rate = try dec("0.0001").cValue
        payment.position_quantity = try dec("0.5").cValue
        payment.mark_price = try dec("61800.30").cValue
        payment.amount = try FundingMath.payment(quantity: dec("0.5"), markPrice: dec("61800.30"), rate: dec("0.0001")).cValue
        let inbox = try h.listen("data.funding_settlement.>")
        "USDT".withArbStr { currency in
            payment.currency = currency
            #expect(RecordCodec.post(payment, header: RecordHeader(source: 0, request: 0), to: h.engine.inbound) == ARB_OK)
        }
        h.engine.runPending()

        #expect(rates.map(\.venue) == ["binance"])
        #expect(settlements.count == 1)
        #expect(settlements.first?.amount == (try dec("-3.090015")))
        #expect(settlements.first?.currency == "USDT")
        #expect(inbox.messages.map(\.topic) == ["data.funding_settlement.binance.BTCUSDT"])
        #expect(inbox.messages.first?.payload.contains("\"amount\":\"-3.090015\"") == true)
    }

    @Test func publishesOnTheBusOnlyWhenSomeoneListens() throws {
        let h = Harness()
        try h.post("binance", rate: "0.0001")
        #expect(h.engine.bus.publishedCount == 0)

        let inbox = try h.listen("data.funding.*.BTCUSDT")
        try h.post("binance", rate: "0.0001", mark: "100.1", index: "100", cap: "0.0075", floor: "-0.0075")
        try h.post("binance", "ETHUSDT", rate: "0.0001")
        #expect(inbox.messages.map(\.topic) == ["data.funding.binance.BTCUSDT"])
        let payload = try #require(inbox.messages.first?.payload)
        // Decimals travel as strings; 0.0001 / 8 h = 0.0000125 per hour, 0.1095 a year;
        // one sample 0.001: F = 0.001 − 0.0005 = 0.0005.
        for field in ["\"rate\":\"0.0001\"", "\"predicted_rate\":null", "\"estimated_rate\":\"0.0005\"",
                      "\"rate_per_hour\":\"0.0000125\"", "\"rate_annualized\":\"0.1095\"", "\"rate_cap\":\"0.0075\"",
                      "\"funding_interval_ns\":28800000000000", "\"next_funding_time_ns\":\(settles)"] {
            #expect(payload.contains(field), "\(field) in \(payload)")
        }
    }
}
