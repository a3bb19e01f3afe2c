import ArbModel
import ArbSDK

/// What a plugin file says about itself (its descriptor).
public struct PluginInfo: Sendable, Equatable {
    public enum Kind: String, Sendable { case strategy, exchange }
    public var kind: Kind
    public var id: String
    public var name: String
    public var version: String
    public var summary: String
    public var abiMajor: UInt32
    public var abiMinor: UInt32
}

/// A plugin image loaded with dlopen. Never unloaded: a Swift library cannot be dlclose'd safely,
/// so each load costs its mapped size for the life of the process.
public final class LoadedPlugin: @unchecked Sendable {
    /// The file it was loaded from.
    public let path: String
    /// The private copy that was actually mapped (already unlinked).
    public let mappedPath: String
    public let info: PluginInfo
    let handle: UnsafeMutableRawPointer
    package let strategy: UnsafePointer<arb_strategy_v1_t>?
    package let exchange: UnsafePointer<arb_exchange_v1_t>?
    public let parameterDeclarations: [ParameterDeclaration]?

    init(path: String, mappedPath: String, info: PluginInfo, handle: UnsafeMutableRawPointer,
         strategy: UnsafePointer<arb_strategy_v1_t>?, exchange: UnsafePointer<arb_exchange_v1_t>?) {
        self.path = path
        self.mappedPath = mappedPath
        self.info = info
        self.handle = handle
        self.strategy = strategy
        self.exchange = exchange
        let describe = strategy?.pointee.param_decls ?? exchange?.pointee.param_decls
        if let describe {
            var decls: UnsafePointer<arb_param_decl_t>?
            var count = 0
            describe(&decls, &count)
            parameterDeclarations = UnsafeBufferPointer(start: decls, count: decls == nil ? 0 : count)
                .compactMap(ParameterDeclaration.init)
        } else {
            parameterDeclarations = nil
        }
    }
}
