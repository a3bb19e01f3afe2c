import ArbBook
import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbSDK
import ArbTrading
import Logging
import Synchronization

/// One configured venue: a named instance of an exchange-adapter plugin, with the plugin build,
/// its settings, the host table it was given and the names of its credentials' variables.
public final class ExchangeInstance: VenueEndpoint, @unchecked Sendable {
    public internal(set) var plugin: LoadedPlugin
    let host: UnsafeMutablePointer<arb_exchange_host_t>
    let settings: CParameterList
    /// The name's bytes, for matching instruments without allocating.
    let nameBytes: [UInt8]

    /// The host table this venue's adapter was given: what its I/O threads call to emit.
    public var hostTable: UnsafePointer<arb_exchange_host_t> { UnsafePointer(host) }

    /// Names of the environment variables with this venue's secrets (never the secrets).
    public internal(set) var credentials = ExchangeConfig.Credentials()

    /// The last connection state the adapter reported.
    public internal(set) var connection: arb_connection_state_t = ARB_CONNECTION_DISCONNECTED

    /// The last error-level line the adapter logged (any thread): why its connect failed.
    private let loggedError = Mutex<String?>(nil)

    func noteLoggedError(_ message: String) { loggedError.withLock { $0 = message } }

    /// The last error the adapter logged since the previous call, if any.
    func takeLoggedError() -> String? {
        loggedError.withLock { value in
            defer { value = nil }
            return value
        }
    }

    init(name: String, slot: Int, plugin: LoadedPlugin, settings: CParameterList, engine: Engine) {
        self.plugin = plugin
        self.settings = settings
        nameBytes = Array(name.utf8)
        var logger = Logger(label: "exchange")
        logger[metadataKey: "venue"] = .string(name)
        logger[metadataKey: "plugin"] = .string(plugin.info.id)
        host = .allocate(capacity: 1)
        host.initialize(to: ExchangeHostTable.make(engine: engine))
        super.init(name: name, slot: slot, table: plugin.exchange!.pointee, logger: logger, engine: engine,
                   describedAs: "venue '\(name)' (plugin \(plugin.info.id) \(plugin.info.version), \(plugin.path))")
        host.pointee.host_data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        host.deinitialize(count: 1)
        host.deallocate()
    }
}
