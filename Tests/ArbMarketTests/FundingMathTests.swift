import ArbSDK
import ArbModel
import Testing
@testable import ArbMarket

/// An exact decimal from its text (tests spell every value out).
private func dec(_ text: String) throws -> ExactDecimal { try ExactDecimal(parsing: text) }

private let hour: Int64 = 3_600_000_000_000

@Suite("FundingMath")
struct FundingMathTests {
    // MARK: Per hour and annualised

    @Test func oneHourAndEightHourVenuesAtTheSameHourlyRateHaveNoSpread() throws {
        // 1 h venue: 0.0000125 / 1 = 0.0000125 per hour.
        // 8 h venue: 0.0001 / 8     = 0.0000125 per hour.
        // Annualised: 0.0000125 × 8760 = 0.1095 (10.95 %) each; spread 0, neither is rich.
        let hyper = try FundingSpread.Leg(venue: "hyperliquid", rate: dec("0.0000125"), intervalNanoseconds: hour)
        let binance = try FundingSpread.Leg(venue: "binance", rate: dec("0.0001"), intervalNanoseconds: 8 * hour)
        #expect(hyper.ratePerHour == (try dec("0.0000125")))
        #expect(binance.ratePerHour == (try dec("0.0000125")))
        #expect(hyper.annualizedRate == (try dec("0.1095")))
        #expect(binance.annualizedRate == (try dec("0.1095")))

        let spread = try FundingSpread(symbol: "BTCUSDT", hyper, binance)
        #expect(spread.spreadPerHour == .zero)
        #expect(spread.annualizedSpread == .zero)
        #expect(spread.richVenue == nil)
        // Equal rates keep the given order.
        #expect(spread.longLeg.venue == "hyperliquid")
    }

    @Test func twoEightHourVenuesLongTheLowShortTheHigh() throws {
        // okx 0.0003 / 8 = 0.0000375 per hour; binance 0.0001 / 8 = 0.0000125 per hour.
        // Spread 0.0000375 − 0.0000125 = 0.000025 per hour; × 8760 = 0.219 (21.9 % a year).
        // Legs annualised: 0.3285 and 0.1095. Long binance (low), short okx (high, rich).
        let spread = try FundingSpread(
            symbol: "BTCUSDT",
            FundingSpread.Leg(venue: "okx", rate: dec("0.0003"), intervalNanoseconds: 8 * hour),
            FundingSpread.Leg(venue: "binance", rate: dec("0.0001"), intervalNanoseconds: 8 * hour))
        #expect(spread.longLeg.venue == "binance")
        #expect(spread.shortLeg.venue == "okx")
        #expect(spread.richVenue == "okx")
        #expect(spread.shortLeg.ratePerHour == (try dec("0.0000375")))
        #expect(spread.shortLeg.annualizedRate == (try dec("0.3285")))
        #expect(spread.spreadPerHour == (try dec("0.000025")))
        #expect(spread.annualizedSpread == (try dec("0.219")))
    }

    @Test func aFourHourVenueIsNormalisedByFourNotEight() throws {
        // bybit 4 h at 0.0001: 0.0001 / 4 = 0.000025 per hour, twice binance's 8 h 0.0001
        // (0.0000125). Spread 0.0000125 per hour, × 8760 = 0.1095. Short bybit (rich).
        let bybit = try FundingSpread.Leg(venue: "bybit", rate: dec("0.0001"), intervalNanoseconds: 4 * hour)
        let binance = try FundingSpread.Leg(venue: "binance", rate: dec("0.0001"), intervalNanoseconds: 8 * hour)
        #expect(bybit.ratePerHour == (try dec("0.000025")))
        #expect(bybit.annualizedRate == (try dec("0.219")))
        let spread = try FundingSpread(symbol: "BTCUSDT", bybit, binance)
        #expect(spread.richVenue == "bybit")
        #expect(spread.longLeg.venue == "binance")
        #expect(spread.spreadPerHour == (try dec("0.0000125")))
        #expect(spread.annualizedSpread == (try dec("0.1095")))
        // 0.00005 every 4 h is 0.0000125 an hour: the same as 0.0001 every 8 h.
        #expect(try FundingMath.ratePerHour(dec("0.00005"), intervalNanoseconds: 4 * hour) == binance.ratePerHour)
    }

    @Test func negativeRatesAndAnUnknownInterval() throws {
        // −0.0002 / 8 = −0.000025 per hour; × 8760 = −0.219.
        #expect(try FundingMath.annualizedRate(dec("-0.0002"), intervalNanoseconds: 8 * hour) == (try dec("-0.219")))
        // Never assume 8 h: a missing interval is an error, not a default.
        #expect(throws: FundingMathError.invalidInterval(nanoseconds: 0)) {
            try FundingMath.ratePerHour(dec("0.0001"), intervalNanoseconds: 0)
        }
        // 1/3 of 0.0001 per hour for a 3 h interval rounds at 18 places, half-even.
        #expect(try FundingMath.ratePerHour(dec("0.0001"), intervalNanoseconds: 3 * hour) == (try dec("0.000033333333333333")))
    }

    // MARK: Predicted rate

    @Test func interestIsScaledToTheInterval() throws {
        // 0.03 % a day: × 8/24 = 0.0001, × 4/24 = 0.00005, × 1/24 = 0.0000125.
        let perDay = FundingMath.binanceInterestRatePerDay
        #expect(perDay == (try dec("0.0003")))
        #expect(try FundingMath.interestRate(perDay: perDay, intervalNanoseconds: 8 * hour) == (try dec("0.0001")))
        #expect(try FundingMath.interestRate(perDay: perDay, intervalNanoseconds: 4 * hour) == (try dec("0.00005")))
        #expect(try FundingMath.interestRate(perDay: perDay, intervalNanoseconds: hour) == (try dec("0.0000125")))
    }

    @Test func aSmallPremiumGivesTheInterestRate() throws {
        // P = (0.0001 + 0.0003) / 2 = 0.0002; I (8 h) = 0.0001; I − P = −0.0001, inside ±0.0005,
        // so F = P + (I − P) = I = 0.0001.
        let f = try FundingMath.predictedRate(premiumSamples: [dec("0.0001"), dec("0.0003")],
                                              intervalNanoseconds: 8 * hour, cap: dec("0.0075"), floor: dec("-0.0075"))
        #expect(f == (try dec("0.0001")))
    }

    @Test func iMinusPIsClampedAtPlusAndMinusFiveBasisPoints() throws {
        // Discount: P = −0.001; I − P = 0.0011 → clamped to +0.0005; F = −0.001 + 0.0005 = −0.0005.
        #expect(try FundingMath.predictedRate(premiumSamples: [dec("-0.001")], intervalNanoseconds: 8 * hour,
                                              cap: nil, floor: nil) == (try dec("-0.0005")))
        // Premium: P = 0.002; I − P = −0.0019 → clamped to −0.0005; F = 0.002 − 0.0005 = 0.0015.
        #expect(try FundingMath.predictedRate(premiumSamples: [dec("0.002")], intervalNanoseconds: 8 * hour,
                                              cap: nil, floor: nil) == (try dec("0.0015")))
        // Exactly at the bound: P = −0.0004; I − P = 0.0005, kept; F = 0.0001.
        #expect(try FundingMath.predictedRate(premiumSamples: [dec("-0.0004")], intervalNanoseconds: 8 * hour,
                                              cap: nil, floor: nil) == (try dec("0.0001")))
    }

    @Test func aHugePremiumHitsTheCapAndAHugeDiscountTheFloor() throws {
        // P = 0.05: F = 0.05 − 0.0005 = 0.0495, above the cap 0.0075 → 0.0075.
        #expect(try FundingMath.predictedRate(premiumSamples: [dec("0.05")], intervalNanoseconds: 8 * hour,
                                              cap: dec("0.0075"), floor: dec("-0.0075")) == (try dec("0.0075")))
        // P = −0.05: F = −0.05 + 0.0005 = −0.0495, below the floor −0.0075 → −0.0075.
        #expect(try FundingMath.predictedRate(premiumSamples: [dec("-0.05")], intervalNanoseconds: 8 * hour,
                                              cap: dec("0.0075"), floor: dec("-0.0075")) == (try dec("-0.0075")))
    }

    @Test func aFourHourContractUnderBothScalingMethods() throws {
        // P = 0.001 over a 4 h interval.
        // Interest scaled: I = 0.00005; I − P = −0.00095 → −0.0005; F = 0.001 − 0.0005 = 0.0005.
        // Rate scaled (Binance since 2025-09-18): I₈ = 0.0001; I₈ − P = −0.0009 → −0.0005;
        // F₈ = 0.0005; F = 0.0005 × 4/8 = 0.00025.
        let samples = [try dec("0.001")]
        #expect(try FundingMath.predictedRate(premiumSamples: samples, intervalNanoseconds: 4 * hour,
                                              cap: nil, floor: nil) == (try dec("0.0005")))
        #expect(try FundingMath.predictedRate(premiumSamples: samples, intervalNanoseconds: 4 * hour, cap: nil,
                                              floor: nil, method: .rateScaledToInterval) == (try dec("0.00025")))
        // Quiet market, P = 0.00001: both give the 4 h interest 0.00005.
        #expect(try FundingMath.predictedRate(premiumSamples: [dec("0.00001")], intervalNanoseconds: 4 * hour, cap: nil,
                                              floor: nil, method: .rateScaledToInterval) == (try dec("0.00005")))
    }

    @Test func premiumSamplesAndTheirWeights() throws {
        // Binance's premiumIndex example: (11793.63104562 − 11781.80495970) / 11781.80495970
        // = 11.82608592 / 11781.80495970 = 0.001003758419058154|866 → 0.001003758419058155.
        #expect(try FundingMath.premium(markPrice: dec("11793.63104562"), indexPrice: dec("11781.80495970"))
            == (try dec("0.001003758419058155")))
        // Linear weights: (1 × 0.0001 + 2 × 0.0004) / (1 + 2) = 0.0009 / 3 = 0.0003.
        let samples = [try dec("0.0001"), try dec("0.0004")]
        #expect(try FundingMath.averagePremium(samples, weighting: .linearlyIncreasing) == (try dec("0.0003")))
        #expect(try FundingMath.averagePremium(samples) == (try dec("0.00025")))
        #expect(try FundingMath.averagePremium(samples, weighting: .custom([.zero, .one])) == (try dec("0.0004")))
        #expect(throws: FundingMathError.invalidWeights) { try FundingMath.averagePremium(samples, weighting: .custom([.one])) }
        #expect(throws: FundingMathError.noPremiumSamples) {
            try FundingMath.predictedRate(premiumSamples: [], intervalNanoseconds: 8 * hour, cap: nil, floor: nil)
        }
    }

    // MARK: Payments

    @Test func paymentSignFollowsRateAndSide() throws {
        // Long 0.5 BTC at mark 61800.30: notional 30900.15; × 0.0001 = 3.090015.
        // Positive rate: the long pays (−3.090015), the short receives (+3.090015).
        // Negative rate −0.0001: the other way round.
        let mark = try dec("61800.30")
        func pay(_ quantity: String, _ rate: String) throws -> ExactDecimal {
            try FundingMath.payment(quantity: dec(quantity), markPrice: mark, rate: dec(rate))
        }
        #expect(try pay("0.5", "0.0001") == (try dec("-3.090015")))
        #expect(try pay("-0.5", "0.0001") == (try dec("3.090015")))
        #expect(try pay("0.5", "-0.0001") == (try dec("3.090015")))
        #expect(try pay("-0.5", "-0.0001") == (try dec("-3.090015")))
    }

    @Test func aFourHourVenueChargesItsOwnIntervalsRate() throws {
        // 4 h venue at 0.00005 (same per hour as 0.0001 / 8 h): long 0.5 at 61800.30 pays
        // 30900.15 × 0.00005 = 1.5450075 each settlement, twice per 8 h = 3.090015, what the
        // 8 h venue charges once.
        let four = try FundingMath.payment(quantity: dec("0.5"), markPrice: dec("61800.30"), rate: dec("0.00005"))
        #expect(four == (try dec("-1.5450075")))
        #expect(try four.multiplied(byInteger: 2) == (try dec("-3.090015")))
    }

    @Test func paymentRoundsHalfEvenToTheSettlementPrecision() throws {
        // 1 × 1 × 0.000000125 = 0.00000012|5: a tie, to the even 0.00000012 (paid: negative).
        #expect(try FundingMath.payment(quantity: .one, markPrice: .one, rate: dec("0.000000125")) == (try dec("-0.00000012")))
        // 0.00000013|5 → 0.00000014.
        #expect(try FundingMath.payment(quantity: .one, markPrice: .one, rate: dec("0.000000135")) == (try dec("-0.00000014")))
        // 1.000000000000000001 × 0.000000025 = 0.000000025000000000000000025: just above the tie,
        // so 0.00000003. Rounding to 18 places first would have made it a tie and given 0.00000002.
        #expect(try FundingMath.payment(quantity: dec("1.000000000000000001"), markPrice: .one, rate: dec("0.000000025"))
            == (try dec("-0.00000003")))
        // Two places, as some venues settle: 3.090015 → 3.09.
        #expect(try FundingMath.payment(quantity: dec("0.5"), markPrice: dec("61800.30"), rate: dec("0.0001"), places: 2)
            == (try dec("-3.09")))
    }

    @Test func inverseContractsPayInTheBaseCurrency() throws {
        // COIN-M: 10 contracts of 100 USD at mark 50000 = 1000 / 50000 = 0.02 BTC; × 0.0001 = 0.000002 BTC.
        #expect(try FundingMath.payment(quantity: dec("10"), contractSize: dec("100"), markPrice: dec("50000"),
                                        rate: dec("0.0001"), inverse: true) == (try dec("-0.000002")))
        // 1 contract of 100 USD at 61800.30, short, rate 0.0001: 100 / 61800.30 × 0.0001
        // = 0.000000161811...; received, to 8 places: 0.00000016.
        #expect(try FundingMath.payment(quantity: dec("-1"), contractSize: dec("100"), markPrice: dec("61800.30"),
                                        rate: dec("0.0001"), inverse: true) == (try dec("0.00000016")))
    }
}
