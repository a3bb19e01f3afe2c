import ArbBook
import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbSDK
import ArbTrading
import Foundation
import Logging

/// The whole host: plugin loading, the engine, the seed's managers and the configuration,
/// wired together.
public final class HostRuntime: @unchecked Sendable {
    public let engine: Engine
    public let loader = PluginLoader()
    /// Books, prices, funding and specs as the engine last saw them (MarketDataService).
    public let market: MarketDataService
    /// Orders strategies placed (OrderManager).
    public let orders: OrderManager
    public let strategies: StrategyManager
    public let exchanges: ExchangeManager
    /// Funding rates per venue, spreads, predictions, and their bus events (`data.funding.…`,
    /// `data.funding_settlement.…`).
    public let funding: FundingRateService
    public let pluginDirectories: [String]
    /// strategies.yaml, when the host runs from a file.
    public private(set) var configManager: ConfigManager?
    public internal(set) var plugins: [LoadedPlugin] = []
    public private(set) var refused: [PluginLoadError] = []
    /// The configuration in effect (what `apply` last established).
    public internal(set) var config = SystemConfig()
    /// Portfolio risk limits in effect; a reload changes them at once (enforced from the orders issue on).
    public var riskLimits: RiskConfig { config.risk }
    /// File identity (device, inode, size, mtime) of each plugin file when loaded.
    var pluginFiles: [String: FileIdentity] = [:]
    var configWatcher: FileWatcher?
    var pluginWatcher: FileWatcher?
    let controlLock = NSLock()
    let logger = Logger(label: "host")

    public init(mode: RunMode = .live, pluginDirectories: [String], configPath: String? = nil) {
        // A plugin that crashes takes the process with it; the report names it first.
        CrashMarker.installReporter()
        let services = HostServices(engine: Engine(mode: mode))
        engine = services.engine
        market = services.market
        orders = services.orders
        strategies = services.strategies
        exchanges = services.exchanges
        funding = services.funding
        exchanges.serialize = { [controlLock] body in controlLock.withLock(body) }
        // One spelling of each folder, absolute: hot swap matches the watcher's paths against
        // the loaded plugins' paths.
        var seen: Set<String> = []
        self.pluginDirectories = pluginDirectories.map(PluginLoader.normalize).filter { seen.insert($0).inserted }
        if let configPath {
            let manager = ConfigManager(path: configPath)
            configManager = manager
            manager.applier = self
        }
    }

    /// The folder with the plugins this build produced: `plugins/` next to the executable.
    public static var buildPluginDirectory: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("plugins").path
    }

    /// Loads every plugin in the folders; a refused file is reported and skipped.
    @discardableResult
    public func loadPlugins() -> (loaded: [LoadedPlugin], refused: [PluginLoadError]) {
        for path in PluginLoader.discover(in: pluginDirectories) {
            do {
                let plugin = try loader.load(path)
                if let clash = plugins.first(where: { $0.info.id == plugin.info.id }) {
                    logger.warning("plugin \(path) has the id \(plugin.info.id) of \(clash.path), in a folder given earlier; shadowed, not loaded")
                    continue
                }
                plugins.append(plugin)
                pluginFiles[path] = FileIdentity(path)
                logger.info("loaded \(plugin.info.kind.rawValue) plugin \(plugin.info.id) \(plugin.info.version) from \(path)")
            } catch {
                refused.append(error)
                logger.error("\(error.description)")
            }
        }
        return (plugins, refused)
    }

    public func plugin(id: String) -> LoadedPlugin? { plugins.first { $0.info.id == id } }

    /// Reads strategies.yaml and creates what it describes; every problem is returned and
    /// nothing is created if there is one.
    public func loadConfiguration(adjust: (inout SystemConfig) -> Void = { _ in }) -> Result<SystemConfig, ConfigErrors> {
        guard let manager = configManager else {
            return .failure(ConfigErrors([ConfigError(file: "", line: 0, column: 0, message: "no configuration file")]))
        }
        let text = (try? ConfigDecoder.read(path: manager.path).get()).map { Data($0) } ?? Data()
        switch manager.loadConfig(plugins: plugins, refused: refused) {
        case .failure(let errors): return .failure(errors)
        case .success(var config):
            adjust(&config)
            let (effective, summary) = apply(config, diff: ConfigDiff(from: SystemConfig(), to: config))
            manager.started(with: effective, text: text, summary: summary)
            return .success(effective)
        }
    }

    /// Creates the venues and strategies of `setup` (built in code).
    @discardableResult
    public func apply(_ setup: HostSetup) -> [String] {
        apply(setup.config, diff: ConfigDiff(from: config, to: setup.config)).summary
    }

    /// Starts the engine, connects venues, starts strategies.
    ///
    /// A venue that cannot connect (say, its journal cannot be recovered) is a start error: no
    /// strategy is started, the failures are returned in `venues`, and the caller shuts the host
    /// down and ends the process with an error. A strategy that fails to start is returned in
    /// `strategies` and the host runs on without it.
    @discardableResult
    public func start() -> StartFailures {
        engine.start()
        engine.perform { $0.publishSystem(.systemStartup, json: "{}") }
        let refused = exchanges.connectAll()
        if !refused.isEmpty {
            return StartFailures(venues: exchanges.allExchanges.compactMap { e in
                refused[e.name].map {
                    VenueStartFailure(venue: e.name, plugin: e.plugin.info.id, status: $0, reason: e.takeLoggedError() ?? "")
                }
            })
        }
        if engine.mode == .replay { engine.alignReplayClock() }
        let failures = strategies.startAll()
        if engine.mode == .replay { engine.beginReplay() }
        return StartFailures(strategies: failures)
    }

    /// Stops watching, stops strategies, disconnects venues, stops the engine; every committed
    /// event is handled.
    public func shutdown() {
        stopWatching()
        strategies.stopAll()
        engine.perform { $0.publishSystem(.systemShutdown, json: "{}") }
        exchanges.disconnectAll()
        strategies.removeAll()
        exchanges.removeAll()
        engine.stop()
        logger.info("stopped after \(engine.eventsProcessed) events")
    }
}

/// What did not start (`HostRuntime.start`).
public struct StartFailures: Sendable {
    /// Venues that could not connect: the host must not run without them (no strategy was started).
    public var venues: [VenueStartFailure] = []
    /// Strategies that failed to start (the host runs on without them).
    public var strategies: [InstanceError] = []
}

/// A venue whose adapter's connect failed when the host started.
public struct VenueStartFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var venue: String
    public var plugin: String
    public var status: arb_status_t
    /// The last error the adapter logged while connecting ("" if none).
    public var reason: String

    public var description: String {
        "venue '\(venue)' (plugin \(plugin)) could not connect (status \(status))" + (reason.isEmpty ? "" : ": \(reason)")
    }
}

/// What identifies a file's content well enough to notice a replacement.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: Int64

    init?(_ path: String) {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        device = UInt64(s.st_dev)
        inode = UInt64(s.st_ino)
        size = Int64(s.st_size)
        modified = Int64(s.st_mtim.tv_sec) * 1_000_000_000 + Int64(s.st_mtim.tv_nsec)
    }
}
