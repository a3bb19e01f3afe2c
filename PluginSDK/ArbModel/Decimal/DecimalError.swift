import ArbSDK

/// Why a decimal operation failed; every case maps to one `arb_status_t`.
public enum DecimalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The result does not fit in the signed 128-bit range.
    case overflow
    /// The divisor was zero.
    case divisionByZero
    /// The text to parse was empty.
    case empty
    /// The byte at `offset` (or the end of the text, when `offset` equals its length) is not allowed there.
    case invalidCharacter(offset: Int)
    /// The text has more than 18 fraction digits and the extra ones are not all zero.
    case tooManyFractionDigits
    /// Rounding mode `.unnecessary` was given a value that needs rounding.
    case inexact
    /// A number of decimal places outside 0...18.
    case invalidPlaces
    /// A rounding step that is zero or negative.
    case invalidStep

    /// The C status code for this error.
    public var status: arb_status_t {
        switch self {
        case .overflow: ARB_ERR_OVERFLOW
        case .divisionByZero: ARB_ERR_DIVISION_BY_ZERO
        case .empty, .invalidCharacter: ARB_ERR_PARSE
        case .tooManyFractionDigits, .inexact: ARB_ERR_REJECTED
        case .invalidPlaces, .invalidStep: ARB_ERR_INVALID_ARGUMENT
        }
    }

    /// A short human-readable explanation.
    public var description: String {
        switch self {
        case .overflow: "decimal overflow"
        case .divisionByZero: "division by zero"
        case .empty: "empty number"
        case .invalidCharacter(let offset): "invalid character at byte offset \(offset)"
        case .tooManyFractionDigits: "more than 18 significant fraction digits"
        case .inexact: "value is not exact at the requested precision"
        case .invalidPlaces: "decimal places must be in 0...18"
        case .invalidStep: "rounding step must be greater than zero"
        }
    }
}
