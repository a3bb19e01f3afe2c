import ArbModel
import ArbPlugins
import ArbSDK

/// One applied version of the configuration.
public struct ConfigVersion: Sendable, Equatable {
    /// 1 for the configuration the host started with, then +1 per applied change.
    public var number: Int
    /// Host clock (ns) when it was applied.
    public var appliedAt: Int64
    /// One line per change ("strategy quoter: parameters offset_ticks 4 → 6").
    public var summary: [String]
    /// FNV-1a of the file's bytes.
    public var contentHash: UInt64
}
