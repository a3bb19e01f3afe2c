import ArbSDK
import Foundation
import Logging

/// The whole host: plugin loading, the engine, and the seed's managers, wired together.
public final class HostRuntime: @unchecked Sendable {
    public let engine: Engine
    public let loader = PluginLoader()
    public let strategies: StrategyManager
    public let exchanges: ExchangeManager
    public let pluginDirectories: [String]
    public private(set) var plugins: [LoadedPlugin] = []
    public private(set) var refused: [PluginLoadError] = []
    let logger = Logger(label: "host")

    public init(mode: RunMode = .live, pluginDirectories: [String]) {
        engine = Engine(mode: mode)
        strategies = StrategyManager(engine: engine)
        exchanges = ExchangeManager(engine: engine)
        self.pluginDirectories = pluginDirectories
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
                    logger.warning("plugin \(path) has the id \(plugin.info.id) of \(clash.path), loaded first; skipped")
                    continue
                }
                plugins.append(plugin)
                logger.info("loaded \(plugin.info.kind.rawValue) plugin \(plugin.info.id) \(plugin.info.version) from \(path)")
            } catch {
                refused.append(error)
                logger.error("\(error.description)")
            }
        }
        return (plugins, refused)
    }

    public func plugin(id: String) -> LoadedPlugin? { plugins.first { $0.info.id == id } }

    /// Creates the venues and strategies of `setup`; what fails is reported and skipped, the
    /// rest is created.
    @discardableResult
    public func apply(_ setup: HostSetup) -> [InstanceError] {
        var failures: [InstanceError] = []
        for venue in setup.venues {
            guard let plugin = plugin(id: venue.plugin) else {
                failures.append(InstanceError(strategy: venue.name, plugin: "", problems: [
                    ParameterError(keyPath: "plugin", message: "no loaded plugin has the id '\(venue.plugin)' (searched \(pluginDirectories.joined(separator: ", ")))"),
                ]))
                continue
            }
            do { try exchanges.registerExchange(name: venue.name, plugin: plugin, settings: venue.settings) } catch {
                failures.append(error)
            }
        }
        for strategy in setup.strategies {
            guard let plugin = plugin(id: strategy.plugin) else {
                failures.append(InstanceError(strategy: strategy.name, plugin: "", problems: [
                    ParameterError(keyPath: "plugin", message: "no loaded plugin has the id '\(strategy.plugin)' (searched \(pluginDirectories.joined(separator: ", ")))"),
                ]))
                continue
            }
            do { try strategies.registerStrategy(name: strategy.name, plugin: plugin, parameters: strategy.parameters) } catch {
                failures.append(error)
            }
        }
        for failure in failures { logger.error("\(failure.description)") }
        return failures
    }

    /// Starts the engine, connects venues, starts strategies.
    @discardableResult
    public func start() -> [InstanceError] {
        engine.start()
        engine.perform { $0.publishSystem(.systemStartup, json: "{}") }
        exchanges.connectAll()
        if engine.mode == .replay { engine.alignReplayClock() }
        let failures = strategies.startAll()
        if engine.mode == .replay { engine.beginReplay() }
        return failures
    }

    /// Stops strategies, disconnects venues, stops the engine; every committed event is handled.
    public func shutdown() {
        strategies.stopAll()
        engine.perform { $0.publishSystem(.systemShutdown, json: "{}") }
        exchanges.disconnectAll()
        strategies.removeAll()
        exchanges.removeAll()
        engine.stop()
        logger.info("stopped after \(engine.eventsProcessed) events")
    }
}
