import ArbSDK

/// The host's handle for an instrument; events carry handles so the hot path compares integers.
///
/// One name for it on both sides of the ABI: the host interns instruments into these, and a
/// plugin receives them (`arb_instrument_id_t`) in every event and passes them back in calls.
public struct InstrumentId: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: arb_instrument_id_t
    @inlinable public init(rawValue: arb_instrument_id_t) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: arb_instrument_id_t) { self.rawValue = rawValue }
    public static let none = InstrumentId(rawValue: 0)
    public static func < (a: InstrumentId, b: InstrumentId) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "#\(rawValue)" }
}
