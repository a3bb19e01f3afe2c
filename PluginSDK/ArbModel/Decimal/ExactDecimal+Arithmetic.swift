/// Checked arithmetic. Every operation that can overflow throws `DecimalError` instead of
/// trapping or wrapping; there are deliberately no `+ - * /` operators.
extension ExactDecimal: Comparable {
    /// True if `lhs` is less than `rhs` (integer comparison of the unit counts).
    @inlinable
    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool { lhs.units < rhs.units }

    /// True if both values are equal (one representation per value, so this is exact).
    @inlinable
    public static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool { lhs.units == rhs.units }

    /// self + other, or `.overflow`.
    @inlinable
    public func adding(_ other: ExactDecimal) throws(DecimalError) -> ExactDecimal {
        let (r, o) = units.addingReportingOverflow(other.units)
        if o { throw .overflow }
        return ExactDecimal(units: r)
    }

    /// self - other, or `.overflow`.
    @inlinable
    public func subtracting(_ other: ExactDecimal) throws(DecimalError) -> ExactDecimal {
        let (r, o) = units.subtractingReportingOverflow(other.units)
        if o { throw .overflow }
        return ExactDecimal(units: r)
    }

    /// self * n for a whole number n (e.g. a lot count), or `.overflow`.
    @inlinable
    public func multiplied(byInteger n: Int) throws(DecimalError) -> ExactDecimal {
        let (r, o) = units.multipliedReportingOverflow(by: Int128(n))
        if o { throw .overflow }
        return ExactDecimal(units: r)
    }

    /// self * other rounded to 18 places by `rounding`; exact whenever the true product has ≤ 18 places.
    public func multiplied(by other: ExactDecimal, rounding: RoundingMode) throws(DecimalError) -> ExactDecimal {
        let negative = (units < 0) != (other.units < 0)
        let a = units.magnitude, b = other.units.magnitude
        let q: UInt128, r: UInt64
        if a >> 64 == 0 && b >> 64 == 0 {
            // Both below ~18.4: the product fits 128 bits, two hardware divisions.
            let p = UInt64(truncatingIfNeeded: a).multipliedFullWidth(by: UInt64(truncatingIfNeeded: b))
            (q, r) = DecimalMath.divMod(UInt128(p.high) << 64 | UInt128(p.low), DecimalMath.one)
        } else {
            // Prices times quantities need the 256-bit product; divide it limb by limb by 10^18.
            let p = a.multipliedFullWidth(by: b)
            guard let (q256, r256) = DecimalMath.divMod256(high: p.high, low: p.low, DecimalMath.one) else {
                throw .overflow
            }
            (q, r) = (q256, r256)
        }
        let frac = DecimalMath.classify(UInt128(r), UInt128(DecimalMath.one))
        let m = try DecimalMath.round(q, frac, negative: negative, rounding)
        return ExactDecimal(units: try DecimalMath.signed(m, negative: negative))
    }

    /// self / other rounded to 18 places by `rounding` (computed as self * 10^18 / other in 256 bits).
    public func divided(by other: ExactDecimal, rounding: RoundingMode) throws(DecimalError) -> ExactDecimal {
        if other.units == 0 { throw .divisionByZero }
        let negative = (units < 0) != (other.units < 0)
        let a = units.magnitude, d = other.units.magnitude
        let n = a.multipliedFullWidth(by: UInt128(DecimalMath.one)) // < 2^188
        let q: UInt128, frac: DecimalMath.Fraction
        if d >> 64 == 0 {
            let d64 = UInt64(truncatingIfNeeded: d)
            guard let (q256, r) = DecimalMath.divMod256(high: n.high, low: n.low, d64) else { throw .overflow }
            (q, frac) = (q256, DecimalMath.classify(UInt128(r), d))
        } else {
            // n.high < 2^60 < d, so the quotient fits 128 bits and dividingFullWidth cannot trap.
            let (q128, r) = d.dividingFullWidth(n)
            (q, frac) = (q128, DecimalMath.classify(r, d))
        }
        let m = try DecimalMath.round(q, frac, negative: negative, rounding)
        return ExactDecimal(units: try DecimalMath.signed(m, negative: negative))
    }

    /// The value rounded to `places` fraction digits (0...18), else `.invalidPlaces`.
    public func rounded(places: Int, rounding: RoundingMode) throws(DecimalError) -> ExactDecimal {
        guard places >= 0 && places <= ExactDecimal.scale else { throw .invalidPlaces }
        if places == ExactDecimal.scale { return self }
        let step = DecimalMath.pow10(ExactDecimal.scale - places)
        let negative = units < 0
        let (q, r) = DecimalMath.divMod(units.magnitude, step)
        let m = try DecimalMath.round(q, DecimalMath.classify(UInt128(r), UInt128(step)), negative: negative, rounding)
        let (scaled, o) = m.multipliedReportingOverflow(by: UInt128(step))
        if o { throw .overflow }
        return ExactDecimal(units: try DecimalMath.signed(scaled, negative: negative))
    }

    /// The value rounded to a whole multiple of `step` (a tick or lot size, > 0), else `.invalidStep`.
    public func rounded(toStep step: ExactDecimal, rounding: RoundingMode) throws(DecimalError) -> ExactDecimal {
        guard step.units > 0 else { throw .invalidStep }
        let s = step.units.magnitude
        let negative = units < 0
        let (q, r) = units.magnitude.quotientAndRemainder(dividingBy: s)
        let m = try DecimalMath.round(q, DecimalMath.classify(r, s), negative: negative, rounding)
        let (scaled, o) = m.multipliedReportingOverflow(by: s)
        if o { throw .overflow }
        return ExactDecimal(units: try DecimalMath.signed(scaled, negative: negative))
    }
}

/// Unsigned 128/256-bit helpers shared by arithmetic, parsing and formatting. All work on
/// magnitudes; signs are applied last by `signed`, so Int128.min is handled like any value.
enum DecimalMath {
    /// 10^n for n in 0...19 (all fit UInt64); a switch lowers to a constant table, with no lazy global.
    @inline(__always)
    static func pow10(_ n: Int) -> UInt64 {
        switch n {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        case 8: 100_000_000
        case 9: 1_000_000_000
        case 10: 10_000_000_000
        case 11: 100_000_000_000
        case 12: 1_000_000_000_000
        case 13: 10_000_000_000_000
        case 14: 100_000_000_000_000
        case 15: 1_000_000_000_000_000
        case 16: 10_000_000_000_000_000
        case 17: 100_000_000_000_000_000
        case 18: 1_000_000_000_000_000_000
        default: 10_000_000_000_000_000_000
        }
    }

    /// 10^18 as UInt64.
    static let one: UInt64 = 1_000_000_000_000_000_000

    /// Where a discarded remainder lies relative to half of the divisor.
    enum Fraction { case zero, belowHalf, half, aboveHalf }

    /// Classifies remainder r (< d) against d / 2 without overflowing.
    @inline(__always)
    static func classify(_ r: UInt128, _ d: UInt128) -> Fraction {
        if r == 0 { return .zero }
        let rest = d &- r // r < d, so no wrap
        return r < rest ? .belowHalf : (r == rest ? .half : .aboveHalf)
    }

    /// Applies `mode` to the truncated magnitude q of a value with the given sign.
    @inline(__always)
    static func round(_ q: UInt128, _ f: Fraction, negative: Bool, _ mode: RoundingMode) throws(DecimalError) -> UInt128 {
        if f == .zero { return q }
        let up: Bool
        switch mode {
        case .down: up = false
        case .up: up = true
        case .floor: up = negative
        case .ceiling: up = !negative
        case .halfUp: up = f != .belowHalf
        case .halfDown: up = f == .aboveHalf
        case .halfEven: up = f == .aboveHalf || (f == .half && q & 1 == 1)
        case .unnecessary: throw .inexact
        }
        if !up { return q }
        let (s, o) = q.addingReportingOverflow(1)
        if o { throw .overflow }
        return s
    }

    /// The Int128 with magnitude m and the given sign, or `.overflow` (allows exactly Int128.min).
    @inline(__always)
    static func signed(_ m: UInt128, negative: Bool) throws(DecimalError) -> Int128 {
        if negative {
            guard m <= Int128.min.magnitude else { throw .overflow }
            return Int128(bitPattern: 0 &- m)
        }
        guard m <= UInt128(Int128.max) else { throw .overflow }
        return Int128(bitPattern: m)
    }

    /// (n / d, n % d) for d > 0 using two 128-by-64 hardware divisions.
    @inline(__always)
    static func divMod(_ n: UInt128, _ d: UInt64) -> (UInt128, UInt64) {
        if n >> 64 == 0 {
            // Common for small values; a 64-bit division (by a multiply when d is a constant).
            let (q, r) = UInt64(truncatingIfNeeded: n).quotientAndRemainder(dividingBy: d)
            return (UInt128(q), r)
        }
        let (q1, r1) = UInt64(truncatingIfNeeded: n >> 64).quotientAndRemainder(dividingBy: d)
        let (q0, r0) = d.dividingFullWidth((r1, UInt64(truncatingIfNeeded: n))) // r1 < d: cannot trap
        return (UInt128(q1) << 64 | UInt128(q0), r0)
    }

    /// (high:low) / d for d > 0, or nil if the quotient does not fit 128 bits.
    @inline(__always)
    static func divMod256(high: UInt128, low: UInt128, _ d: UInt64) -> (UInt128, UInt64)? {
        let (qh, rh) = divMod(high, d)
        if qh != 0 { return nil }
        // rh < d: divide (rh:low) as three limbs, each step's remainder < d.
        let (q1, r1) = d.dividingFullWidth((rh, UInt64(truncatingIfNeeded: low >> 64)))
        let (q0, r0) = d.dividingFullWidth((r1, UInt64(truncatingIfNeeded: low)))
        return (UInt128(q1) << 64 | UInt128(q0), r0)
    }
}
