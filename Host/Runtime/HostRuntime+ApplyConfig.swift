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

extension HostRuntime: ConfigApplier {
    public var loadedPlugins: [LoadedPlugin] { plugins }
    public var refusedPlugins: [PluginLoadError] { refused }

    /// Applies a configuration change; venues first (strategies need them), then strategies.
    public func apply(_ new: SystemConfig, diff: ConfigDiff) -> (effective: SystemConfig, summary: [String]) {
        controlLock.lock()
        defer { controlLock.unlock() }
        var effective = new
        var summary: [String] = []

        for e in diff.removedExchanges {
            exchanges.removeExchange(e.name)
            summary.append("exchange \(e.name): removed")
        }
        for e in diff.addedExchanges {
            guard let plugin = plugin(id: e.plugin) else { continue }
            do {
                let instance = try exchanges.registerExchange(name: e.name, plugin: plugin, settings: e.settings)
                instance.credentials = e.credentials
                if engine.isRunning { _ = exchanges.connect(e.name) }
                summary.append("exchange \(e.name): added (\(e.plugin))")
            } catch {
                summary.append("exchange \(e.name): not created: \(error.description)")
                effective.exchanges.removeAll { $0.name == e.name }
            }
        }
        for (old, e) in diff.changedExchanges {
            guard let plugin = plugin(id: e.plugin) else { continue }
            do {
                let status = try exchanges.replaceExchange(e.name, plugin: plugin, settings: e.settings, credentials: e.credentials)
                summary.append(status == ARB_OK
                    ? "exchange \(e.name): changed\(engine.isRunning ? ", reconnected" : "")"
                    : "exchange \(e.name): changed, but it could not connect (status \(status)): its books are stale, retrying")
            } catch {
                summary.append("exchange \(e.name): change refused, still running as before: \(error.description)")
                if let i = effective.exchanges.firstIndex(where: { $0.name == e.name }) { effective.exchanges[i] = old }
            }
        }

        for (s, removed) in diff.stoppedStrategies {
            let report = strategies.retireStrategy(s.name)
            summary.append("strategy \(s.name): \(removed ? "removed" : "disabled") (on_remove \(s.onRemove.rawValue)): \(report)")
        }
        for (old, s) in diff.replacedStrategies {
            _ = strategies.retireStrategy(old.name)
            if let line = createStrategy(s) {
                summary.append("strategy \(s.name): restarted: \(line)")
            } else {
                summary.append("strategy \(s.name): plugin or symbols changed, restarted")
            }
        }
        for (old, s) in diff.reconfiguredStrategies {
            if DiffSupport.sameParameters(old, s) {
                strategies.strategy(named: s.name)?.onRemove = s.onRemove
                summary.append("strategy \(s.name): limits changed")
                continue
            }
            do {
                try strategies.reconfigureStrategy(s.name, parameters: s.parameters)
                strategies.strategy(named: s.name)?.onRemove = s.onRemove
                summary.append("strategy \(s.name): " + ConfigDiff.describe(old.parameters, s.parameters))
            } catch {
                // Nothing of this change is applied: the strategy keeps its old parameters.
                summary.append("strategy \(s.name): change refused, still running as before: \(error.description)")
                if let i = effective.strategies.firstIndex(where: { $0.name == s.name }) { effective.strategies[i] = old }
            }
        }
        for s in diff.startedStrategies {
            if let failure = createStrategy(s) {
                summary.append("strategy \(s.name): not started: \(failure)")
                effective.strategies.removeAll { $0.name == s.name }
            } else {
                summary.append("strategy \(s.name): started (\(s.plugin))")
            }
        }
        if diff.riskChanged { summary.append("risk: limits changed") }
        if diff.systemChanged && configManager?.versions.isEmpty == false {
            summary.append("system: changed; database, API and log settings take effect at the next start")
        }
        config = effective
        return (effective, summary)
    }

    /// Registers, subscribes and (when the engine runs) starts one strategy; nil on success.
    private func createStrategy(_ s: StrategyConfig) -> String? {
        guard let plugin = plugin(id: s.plugin) else { return "no plugin \(s.plugin)" }
        do {
            let instance = try strategies.registerStrategy(name: s.name, plugin: plugin, parameters: s.parameters)
            instance.configuredSymbols = s.symbols.map { engine.instruments.id(for: $0.instrument) }
            instance.onRemove = s.onRemove
            if engine.isRunning { try strategies.startStrategy(s.name) }
            return nil
        } catch {
            strategies.removeStrategy(s.name)
            return error.description
        }
    }

    public func configRejected(_ errors: [ConfigError]) {
        var json = JSONObject()
        json.field("errors", errors.map { e in
            var error = JSONObject()
            error.field("file", e.file)
            error.field("line", e.line)
            error.field("column", e.column)
            error.field("key_path", e.keyPath)
            error.field("message", e.message)
            return error
        })
        publish(.configRejected, json: json.text)
    }

    public func configApplied(_ version: ConfigVersion) {
        var json = JSONObject()
        json.field("version", version.number)
        json.field("summary", version.summary)
        publish(.configApplied, json: json.text)
    }

    /// Routes a system event and publishes it on the bus as `system.<name>`, on the engine thread.
    func publish(_ type: EventType, json: String) {
        engine.perform { engine in
            json.withArbStr { text in
                engine.router.routeEvent(Event(type: type, timestamp: engine.now(), source: .host, payload: .text(text)))
            }
            engine.publishSystem(type, json: json)
        }
    }
}

enum DiffSupport {
    static func sameParameters(_ a: StrategyConfig, _ b: StrategyConfig) -> Bool {
        ConfigDiff.sameValues(a.parameters, b.parameters)
    }
}
