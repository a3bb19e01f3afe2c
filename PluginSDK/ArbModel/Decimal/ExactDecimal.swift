/// An exact signed decimal with 18 fraction digits: a count of 1e-18 units in an `Int128`.
///
/// Same representation as the C `arb_decimal_t`, so every value has exactly one form and
/// comparison, hashing and equality are integer operations. Range about ±1.7e20.
@frozen
public struct ExactDecimal: Sendable, Hashable {
    /// The value as a count of 1e-18 units.
    public var units: Int128

    /// The number of fraction digits (the value is `units * 10^-scale`).
    public static let scale = 18

    /// 10^18, the unit count of 1.0.
    @inlinable
    static var unitsPerOne: Int128 { 1_000_000_000_000_000_000 }

    /// Zero.
    // Computed, not stored: a stored static is a lazily initialised global, and every use from
    // another module pays its initialisation check through an addressor call.
    @inlinable public static var zero: ExactDecimal { ExactDecimal(units: 0) }
    /// One.
    @inlinable public static var one: ExactDecimal { ExactDecimal(units: unitsPerOne) }
    /// The largest value, 170141183460469231731.687303715884105727.
    @inlinable public static var max: ExactDecimal { ExactDecimal(units: .max) }
    /// The smallest value, -170141183460469231731.687303715884105728.
    @inlinable public static var min: ExactDecimal { ExactDecimal(units: .min) }

    /// The decimal with exactly `units` 1e-18 units.
    @inlinable
    public init(units: Int128) {
        self.units = units
    }

    /// The whole number `whole`; never overflows (|Int64| * 1e18 < 9.3e36 < Int128.max).
    @inlinable
    public init(_ whole: Int) {
        // The bound above makes the wrapping multiply exact, and it cannot trap.
        self.units = Int128(whole) &* Self.unitsPerOne
    }

    /// True if the value is zero.
    @inlinable
    public var isZero: Bool { units == 0 }

    /// -1, 0 or 1 as the value is negative, zero or positive.
    @inlinable
    public var signum: Int { units < 0 ? -1 : (units == 0 ? 0 : 1) }

    /// The value with the opposite sign; `.overflow` only for `ExactDecimal.min`.
    @inlinable
    public func negated() throws(DecimalError) -> ExactDecimal {
        let (r, o) = Int128(0).subtractingReportingOverflow(units)
        if o { throw .overflow }
        return ExactDecimal(units: r)
    }

    /// The absolute value; `.overflow` only for `ExactDecimal.min`.
    @inlinable
    public func absolute() throws(DecimalError) -> ExactDecimal {
        units < 0 ? try negated() : self
    }
}
