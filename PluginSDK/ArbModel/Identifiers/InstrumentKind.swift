import ArbSDK

/// What kind of contract an instrument is.
public enum InstrumentKind: Int32, Sendable, CaseIterable {
    case spot = 1
    case perpetual = 2
    case datedFuture = 3

    /// Perpetuals and dated futures: netting positions, margin, funding or delivery.
    @inlinable public var isDerivative: Bool { self != .spot }

    /// The kind as the ABI spells it (`ARB_INSTRUMENT_*`).
    @inlinable public var cValue: arb_instrument_kind_t { arb_instrument_kind_t(rawValue) }

    /// The name used in logs and configuration.
    public var name: String {
        switch self {
        case .spot: "spot"
        case .perpetual: "perpetual"
        case .datedFuture: "dated_future"
        }
    }
}
