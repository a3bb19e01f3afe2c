import ArbSDK

/// How a result with more digits than fit is brought to the target precision (the ARB_ROUND_* constants).
public enum RoundingMode: Int32, Sendable, CaseIterable {
    /// Toward zero (truncate).
    case down = 0
    /// Away from zero.
    case up = 1
    /// Toward negative infinity.
    case floor = 2
    /// Toward positive infinity.
    case ceiling = 3
    /// To nearest, ties away from zero.
    case halfUp = 4
    /// To nearest, ties toward zero.
    case halfDown = 5
    /// To nearest, ties to even (banker's rounding).
    case halfEven = 6
    /// The value must already be exact; otherwise `DecimalError.inexact`.
    case unnecessary = 7

    /// The mode for a C `arb_rounding_t`, or nil for a value outside ARB_ROUND_DOWN...ARB_ROUND_UNNECESSARY.
    @inlinable
    public init?(cValue: arb_rounding_t) {
        self.init(rawValue: cValue)
    }

    /// The C `arb_rounding_t` constant for this mode.
    @inlinable
    public var cValue: arb_rounding_t { rawValue }
}
