import ArbSDK
import Logging
import PluginKit

/// One configured venue: a named instance of an exchange-adapter plugin.
public final class ExchangeInstance: @unchecked Sendable {
    public enum State: String, Sendable { case created, connected, disconnected, destroyed }

    public let name: String
    /// The engine's index for this venue (also its EventSource index).
    public let slot: Int
    public internal(set) var plugin: LoadedPlugin
    public internal(set) var state: State = .created { didSet { engine.exchangesChanged() } }
    let logger: Logger
    // unowned(unsafe): the engine outlives every instance, and a checked reference would cost
    // a refcount round trip on every host call.
    unowned(unsafe) let engine: Engine
    /// The same engine, for hot paths: `withEngine` borrows it without any refcount traffic.
    let engineRef: Unmanaged<Engine>

    let table: arb_exchange_v1_t
    var instance: UnsafeMutableRawPointer? { didSet { engine.exchangesChanged() } }
    let host: UnsafeMutablePointer<arb_exchange_host_t>
    let settings: CParameterList
    /// The name's bytes, for matching instruments without allocating.
    let nameBytes: [UInt8]

    /// The host table this venue's adapter was given: what its I/O threads call to emit.
    public var hostTable: UnsafePointer<arb_exchange_host_t> { UnsafePointer(host) }

    /// Stepped by the engine (replay) rather than running its own threads.
    public var isStepped: Bool {
        engine.mode == .replay && (table.capabilities & ARB_EXCHANGE_CAP_STEP_MODE) != 0
            && table.next_event_time != nil && table.advance_to != nil
    }

    /// Names of the environment variables with this venue's secrets (never the secrets).
    public internal(set) var credentials = ExchangeConfig.Credentials()

    /// The last connection state the adapter reported.
    public internal(set) var connection: arb_connection_state_t = ARB_CONNECTION_DISCONNECTED

    init(name: String, slot: Int, plugin: LoadedPlugin, settings: CParameterList, engine: Engine) {
        self.name = name
        self.slot = slot
        self.plugin = plugin
        self.settings = settings
        self.engine = engine
        engineRef = Unmanaged.passUnretained(engine)
        nameBytes = Array(name.utf8)
        table = plugin.exchange!.pointee
        var logger = Logger(label: "exchange")
        logger[metadataKey: "venue"] = .string(name)
        logger[metadataKey: "plugin"] = .string(plugin.info.id)
        self.logger = logger
        host = .allocate(capacity: 1)
        host.initialize(to: ExchangeHostTable.make(engine: engine))
        host.pointee.host_data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        host.deinitialize(count: 1)
        host.deallocate()
    }

    /// Calls `body` with the engine borrowed (+0): no retain/release on the hot path.
    @inline(__always)
    func withEngine<R>(_ body: (Engine) -> R) -> R { engineRef._withUnsafeGuaranteedRef(body) }
}
