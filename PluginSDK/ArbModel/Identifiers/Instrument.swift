import ArbSDK

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

extension Instrument {
    /// Reads an instrument from the ABI; nil if a field is malformed.
    public init?(_ c: arb_instrument_t) {
        guard let kind = InstrumentKind(rawValue: c.kind) else { return nil }
        let venue = String(c.venue), symbol = String(c.symbol)
        guard !symbol.isEmpty else { return nil }
        self.init(venue: venue, symbol: symbol, kind: kind, expiryNanoseconds: c.expiry_ns)
    }
}
