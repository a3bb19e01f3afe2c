import ArbBook
import ArbEngine
import ArbModel
import ArbSDK

/// Why a funding computation could not be done.
public enum FundingMathError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A funding interval of zero or less: the venue's interval is unknown, and 8 h is never assumed.
    case invalidInterval(nanoseconds: Int64)
    /// There are no premium samples to average.
    case noPremiumSamples
    /// Weights whose count differs from the samples', or that are negative or sum to zero.
    case invalidWeights
    /// An exact-decimal step failed (overflow, division by zero).
    case arithmetic(DecimalError)

    public var description: String {
        switch self {
        case .invalidInterval(let ns): "funding interval of \(ns) ns is not positive"
        case .noPremiumSamples: "no premium samples"
        case .invalidWeights: "premium weights do not match the samples, are negative or sum to zero"
        case .arithmetic(let error): "funding arithmetic: \(error)"
        }
    }
}

/// How the premium samples of one funding interval are averaged into the premium P.
public enum PremiumWeighting: Sendable, Hashable {
    /// Every sample counts the same: right for samples taken at irregular update times.
    case equal
    /// Sample i (1-based, oldest first) has weight i, so later samples count more: Binance's
    /// published time-weighted average over its 5-second premium-index samples.
    case linearlyIncreasing
    /// One weight a sample, same order; must be non-negative and not all zero.
    case custom([ExactDecimal])
}

/// How a venue turns the average premium into the rate of an interval that is not 8 h long.
/// Both give the same result for 8 h intervals.
public enum PremiumIndexMethod: Sendable, Hashable {
    /// F = P + clamp(I − P, ±clamp), with I the interest for the interval (0.01 % × N h / 8 h):
    /// Binance USD-M's formula until 2025-09-18.
    case interestScaledToInterval
    /// F = [P + clamp(I₈ − P, ±clamp)] × N h / 8 h, with I₈ the interest for 8 h: Binance USD-M's
    /// formula since 2025-09-18 (announced as "/ (8/N)").
    case rateScaledToInterval
}

/// The funding spread of one symbol between two venues, both rates normalised per hour.
///
/// The carry trade is long where the rate is lower (longs there pay least, or receive) and short
/// where it is higher (shorts there receive most); the spread is what a matched pair collects
/// per hour, or per year, while the rates hold.
public struct FundingSpread: Sendable, Hashable {
    /// One venue's rate, as published and normalised.
    public struct Leg: Sendable, Hashable {
        public let venue: String
        /// The rate of one funding interval, as the venue publishes it.
        public let rate: ExactDecimal
        public let intervalNanoseconds: Int64
        /// `FundingMath.ratePerHour(rate, intervalNanoseconds:)`.
        public let ratePerHour: ExactDecimal
        /// ratePerHour × 8760.
        public let annualizedRate: ExactDecimal

        /// Normalises a venue's rate; throws for an interval that is not positive.
        public init(venue: String, rate: ExactDecimal, intervalNanoseconds: Int64) throws(FundingMathError) {
            self.venue = venue
            self.rate = rate
            self.intervalNanoseconds = intervalNanoseconds
            ratePerHour = try FundingMath.ratePerHour(rate, intervalNanoseconds: intervalNanoseconds)
            let perHour = ratePerHour
            annualizedRate = try FundingMath.checked { () throws(DecimalError) in
                try perHour.multiplied(byInteger: FundingMath.hoursPerYear)
            }
        }
    }

    public let symbol: String
    /// The leg with the lower rate per hour: go long here.
    public let longLeg: Leg
    /// The leg with the higher rate per hour: go short here.
    public let shortLeg: Leg
    /// shortLeg − longLeg per hour; never negative.
    public let spreadPerHour: ExactDecimal
    /// spreadPerHour × 8760.
    public let annualizedSpread: ExactDecimal

    /// The venue whose funding is rich (the higher rate, to be short), nil when both are equal.
    public var richVenue: String? { spreadPerHour.isZero ? nil : shortLeg.venue }

    /// Orders two legs into long-the-low / short-the-high; equal rates keep the given order.
    public init(symbol: String, _ first: Leg, _ second: Leg) throws(FundingMathError) {
        self.symbol = symbol
        (longLeg, shortLeg) = second.ratePerHour < first.ratePerHour ? (second, first) : (first, second)
        let (low, high) = (longLeg, shortLeg)
        spreadPerHour = try FundingMath.checked { () throws(DecimalError) in
            try high.ratePerHour.subtracting(low.ratePerHour)
        }
        let perHour = spreadPerHour
        annualizedSpread = try FundingMath.checked { () throws(DecimalError) in
            try perHour.multiplied(byInteger: FundingMath.hoursPerYear)
        }
    }
}

/// Funding-rate arithmetic on exact decimals; pure functions, no Double anywhere.
///
/// Rounding: every division rounds once, to 18 places (the `ExactDecimal` scale), half-even;
/// payments are then rounded to the settlement precision, half-even.
public enum FundingMath {
    /// Nanoseconds in an hour, the unit all rates are normalised to.
    public static let nanosecondsPerHour: Int64 = 3_600_000_000_000
    /// Hours in the 365-day year used to annualise (24 × 365; leap days are ignored).
    public static let hoursPerYear = 8_760
    /// Binance's interest component: 0.03 % a day (0.01 % per 8 h).
    public static let binanceInterestRatePerDay = ExactDecimal(units: 300_000_000_000_000)
    /// Binance's dampener on I − P: ±0.05 %.
    public static let binancePremiumClamp = ExactDecimal(units: 500_000_000_000_000)
    /// The precision payments are rounded to unless the venue says otherwise.
    public static let defaultSettlementPlaces = 8

    private static let nanosecondsPerDay: Int64 = 24 * nanosecondsPerHour
    private static let eightHours: Int64 = 8 * nanosecondsPerHour

    // MARK: Normalisation

    /// The rate per hour of a rate paid every `intervalNanoseconds`: rate × 1 h / interval.
    ///
    /// Venues publish the rate of one funding interval, and 1 h (Hyperliquid, some Binance and
    /// OKX contracts), 4 h and 8 h intervals are all in use, so rates are only comparable per
    /// hour. The product rate × 3.6e12 is exact; the one division rounds to 18 places half-even.
    public static func ratePerHour(_ rate: ExactDecimal, intervalNanoseconds: Int64) throws(FundingMathError) -> ExactDecimal {
        try scale(rate, by: nanosecondsPerHour, over: intervalNanoseconds)
    }

    /// The simple annual rate: per-hour rate × 8760 (no compounding, 365-day year), the way venues
    /// show "annualised funding" (an 8 h rate × 3 × 365). Exact once the per-hour rate is known.
    public static func annualizedRate(_ rate: ExactDecimal, intervalNanoseconds: Int64) throws(FundingMathError) -> ExactDecimal {
        let perHour = try ratePerHour(rate, intervalNanoseconds: intervalNanoseconds)
        return try checked { () throws(DecimalError) in try perHour.multiplied(byInteger: hoursPerYear) }
    }

    /// The interest component for one interval: rate per day × interval / 24 h (0.03 %/day gives
    /// 0.01 % for 8 h, 0.005 % for 4 h, 0.00125 % for 1 h).
    public static func interestRate(perDay: ExactDecimal, intervalNanoseconds: Int64) throws(FundingMathError) -> ExactDecimal {
        guard intervalNanoseconds > 0 else { throw .invalidInterval(nanoseconds: intervalNanoseconds) }
        return try scale(perDay, by: intervalNanoseconds, over: nanosecondsPerDay)
    }

    // MARK: Prediction

    /// One premium sample: (mark − index) / index, rounded to 18 places half-even.
    public static func premium(markPrice: ExactDecimal, indexPrice: ExactDecimal) throws(FundingMathError) -> ExactDecimal {
        try checked { () throws(DecimalError) in
            try markPrice.subtracting(indexPrice).divided(by: indexPrice, rounding: .halfEven)
        }
    }

    /// The weighted mean Σ wᵢpᵢ / Σ wᵢ of the samples (one rounding, at the division).
    public static func averagePremium(_ samples: [ExactDecimal], weighting: PremiumWeighting = .equal) throws(FundingMathError) -> ExactDecimal {
        guard !samples.isEmpty else { throw .noPremiumSamples }
        if case .custom(let weights) = weighting {
            guard weights.count == samples.count, weights.allSatisfy({ $0.signum >= 0 }),
                  weights.contains(where: { !$0.isZero }) else { throw .invalidWeights }
        }
        return try checked { () throws(DecimalError) in
            var weighted = ExactDecimal.zero
            var total = ExactDecimal.zero
            for (i, sample) in samples.enumerated() {
                let weight: ExactDecimal = switch weighting {
                case .equal: .one
                case .linearlyIncreasing: ExactDecimal(i + 1)
                case .custom(let weights): weights[i]
                }
                weighted = try weighted.adding(sample.multiplied(by: weight, rounding: .halfEven))
                total = try total.adding(weight)
            }
            return try weighted.divided(by: total, rounding: .halfEven)
        }
    }

    /// The next funding rate by the premium-index method of Binance USD-M (Bybit, OKX and HTX use
    /// the same shape with their own parameters): F = P + clamp(I − P, −clamp, +clamp), then
    /// clamped into [floor, cap] of the contract.
    ///
    /// - Parameters:
    ///   - premiumSamples: premium-index samples of the current interval, oldest first.
    ///   - weighting: how they are averaged into P.
    ///   - intervalNanoseconds: the contract's funding interval.
    ///   - interestRatePerDay: I per day (Binance: 0.0003; some contracts 0), scaled to the interval.
    ///   - cap: the highest rate allowed, nil if the venue publishes none.
    ///   - floor: the lowest, nil if none.
    ///   - premiumClamp: the bound on |I − P| (Binance: 0.0005).
    ///   - method: how non-8 h intervals are scaled.
    public static func predictedRate(
        premiumSamples: [ExactDecimal], weighting: PremiumWeighting = .equal, intervalNanoseconds: Int64,
        interestRatePerDay: ExactDecimal = binanceInterestRatePerDay, cap: ExactDecimal?, floor: ExactDecimal?,
        premiumClamp: ExactDecimal = binancePremiumClamp, method: PremiumIndexMethod = .interestScaledToInterval
    ) throws(FundingMathError) -> ExactDecimal {
        guard intervalNanoseconds > 0 else { throw .invalidInterval(nanoseconds: intervalNanoseconds) }
        let p = try averagePremium(premiumSamples, weighting: weighting)
        let interestInterval = method == .interestScaledToInterval ? intervalNanoseconds : eightHours
        let i = try interestRate(perDay: interestRatePerDay, intervalNanoseconds: interestInterval)
        let bound = try checked { () throws(DecimalError) in try premiumClamp.absolute() }
        var rate = try checked { () throws(DecimalError) in
            let dampened = clamp(try i.subtracting(p), lower: try bound.negated(), upper: bound)
            return try p.adding(dampened)
        }
        if method == .rateScaledToInterval {
            rate = try scale(rate, by: intervalNanoseconds, over: eightHours)
        }
        return clamp(rate, lower: floor, upper: cap)
    }

    // MARK: Payments

    /// The funding an account pays or receives at settlement, signed from the account's view
    /// (> 0 received, < 0 paid), rounded to `places` half-even.
    ///
    /// Venues charge the position's notional at mark × rate (Binance: "Funding Amount = Nominal
    /// Value of Positions × Funding Rate", nominal = mark price × contract size; OKX, Bybit and HTX
    /// alike); a positive rate means longs pay and shorts receive:
    /// amount = −(quantity × contract size × mark × rate) for linear contracts, and
    /// −(quantity × contract size / mark × rate), in the base currency, for inverse ones. The rate
    /// is the interval's rate as published: the interval length does not enter.
    ///
    /// - Parameters:
    ///   - quantity: the position in contracts, > 0 long, < 0 short.
    ///   - contractSize: the contract multiplier (1 for most linear perpetuals).
    ///   - places: the settlement precision (0...18).
    public static func payment(
        quantity: ExactDecimal, contractSize: ExactDecimal = .one, markPrice: ExactDecimal, rate: ExactDecimal,
        inverse: Bool = false, places: Int = defaultSettlementPlaces
    ) throws(FundingMathError) -> ExactDecimal {
        try checked { () throws(DecimalError) in
            let contracts = try quantity.multiplied(by: contractSize, rounding: .halfEven)
            let notional = inverse
                ? try stickyQuotient(contracts, markPrice)
                : try contracts.multiplied(by: markPrice, rounding: .halfEven)
            let owed = try stickyProduct(notional, rate)
            return try owed.negated().rounded(places: places, rounding: .halfEven)
        }
    }

    // MARK: Helpers

    /// value × numerator / denominator, with the product exact and one half-even rounding.
    private static func scale(_ value: ExactDecimal, by numerator: Int64, over denominator: Int64) throws(FundingMathError) -> ExactDecimal {
        guard denominator > 0 else { throw .invalidInterval(nanoseconds: denominator) }
        return try checked { () throws(DecimalError) in
            try value.multiplied(byInteger: Int(numerator)).divided(by: ExactDecimal(Int(denominator)), rounding: .halfEven)
        }
    }

    /// `value` bounded by whichever bounds exist.
    private static func clamp(_ value: ExactDecimal, lower: ExactDecimal?, upper: ExactDecimal?) -> ExactDecimal {
        if let upper, value > upper { return upper }
        if let lower, value < lower { return lower }
        return value
    }

    /// a × b at 18 places, rounded to "odd" when inexact, so that the payment's later rounding to
    /// fewer places is the same as rounding the true product once (no double-rounding ties).
    private static func stickyProduct(_ a: ExactDecimal, _ b: ExactDecimal) throws(DecimalError) -> ExactDecimal {
        do { return try a.multiplied(by: b, rounding: .unnecessary) } catch .inexact {
            return try sticky(a.multiplied(by: b, rounding: .down))
        }
    }

    /// a / b the same way.
    private static func stickyQuotient(_ a: ExactDecimal, _ b: ExactDecimal) throws(DecimalError) -> ExactDecimal {
        do { return try a.divided(by: b, rounding: .unnecessary) } catch .inexact {
            return try sticky(a.divided(by: b, rounding: .down))
        }
    }

    /// A truncated inexact result whose last digit is 0 or 5 looks exact or like a tie to a later
    /// rounding; moving it one unit away from zero (to 1 or 6) keeps it strictly between the
    /// same neighbours as the true value.
    private static func sticky(_ truncated: ExactDecimal) throws(DecimalError) -> ExactDecimal {
        let last = truncated.units.magnitude % 10
        guard last == 0 || last == 5 else { return truncated }
        return try truncated.adding(ExactDecimal(units: truncated.units < 0 ? -1 : 1))
    }

    /// Runs a decimal computation, reporting its failure as a funding error.
    @inline(__always)
    static func checked<T>(_ body: () throws(DecimalError) -> T) throws(FundingMathError) -> T {
        do { return try body() } catch { throw .arithmetic(error) }
    }
}
