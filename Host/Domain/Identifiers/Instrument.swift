import ArbSDK

/// What kind of contract an instrument is.
public enum InstrumentKind: Int32, Sendable, CaseIterable {
    case spot = 1
    case perpetual = 2
    case datedFuture = 3

    /// The name used in logs and configuration.
    public var name: String {
        switch self {
        case .spot: "spot"
        case .perpetual: "perpetual"
        case .datedFuture: "dated_future"
        }
    }
}

/// A tradable instrument: a configured venue instance, the venue's own symbol and the kind.
public struct Instrument: Hashable, Sendable, CustomStringConvertible {
    public var venue: String
    public var symbol: String
    public var kind: InstrumentKind
    /// Delivery time of a dated future (ns since the epoch), 0 otherwise.
    public var expiryNanoseconds: Int64

    public init(venue: String, symbol: String, kind: InstrumentKind, expiryNanoseconds: Int64 = 0) {
        self.venue = venue
        self.symbol = symbol
        self.kind = kind
        self.expiryNanoseconds = expiryNanoseconds
    }

    public var description: String {
        kind == .datedFuture ? "\(venue):\(symbol)@\(expiryNanoseconds)" : "\(venue):\(symbol):\(kind.name)"
    }
}

/// The host's handle for an instrument; events carry handles so the hot path compares integers.
public struct InstrumentId: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let none = InstrumentId(rawValue: 0)
    public static func < (a: InstrumentId, b: InstrumentId) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "#\(rawValue)" }
}
