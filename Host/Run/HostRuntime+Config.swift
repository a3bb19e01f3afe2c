import ArbSDK
import Foundation
import Logging
import PluginKit

extension HostRuntime: ConfigApplier {
    public var loadedPlugins: [LoadedPlugin] { plugins }

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
                try exchanges.replaceExchange(e.name, plugin: plugin, settings: e.settings, credentials: e.credentials)
                summary.append("exchange \(e.name): changed, reconnected")
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
        let json = "{\"errors\":[" + errors.map { e in
            "{\"file\":\(jsonString(e.file)),\"line\":\(e.line),\"column\":\(e.column),\"key_path\":\(jsonString(e.keyPath)),\"message\":\(jsonString(e.message))}"
        }.joined(separator: ",") + "]}"
        publish(.configRejected, json: json)
    }

    public func configApplied(_ version: ConfigVersion) {
        let json = "{\"version\":\(version.number),\"summary\":[" + version.summary.map(jsonString).joined(separator: ",") + "]}"
        publish(.configApplied, json: json)
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

    // MARK: Watching

    /// Watches strategies.yaml and the plugin folders; changes are applied as they settle.
    public func startWatching() throws {
        if let manager = configManager {
            let watcher = try FileWatcher(files: [manager.path]) { [weak self] _ in
                self?.configManager?.reloadConfig()
            }
            watcher.start()
            configWatcher = watcher
        }
        let existing = pluginDirectories.filter { FileManager.default.fileExists(atPath: $0) }
        let watcher = try FileWatcher(folders: existing, suffix: ".so") { [weak self] paths in
            for path in paths { self?.pluginFileChanged(path) }
        }
        watcher.start()
        pluginWatcher = watcher
    }

    public func stopWatching() {
        configWatcher?.stop()
        pluginWatcher?.stop()
        configWatcher = nil
        pluginWatcher = nil
    }

    /// What SIGHUP and `arbhost reload` do: re-read strategies.yaml and look for replaced
    /// plugin files, now.
    public func forceReload() {
        configManager?.reloadConfig()
        for (path, identity) in pluginFiles where FileIdentity(path) != identity { pluginFileChanged(path) }
    }

    // MARK: Hot swap of plugin binaries

    /// A plugin file was replaced: load the new build and move every instance of it over.
    /// Anything that fails leaves the old build running and is reported.
    @discardableResult
    public func pluginFileChanged(_ path: String) -> [String] {
        controlLock.lock()
        defer { controlLock.unlock() }
        guard let identity = FileIdentity(path), identity != pluginFiles[path] else { return [] }
        guard let old = plugins.first(where: { $0.path == path }) else { return [] }
        let began = DispatchTime.now().uptimeNanoseconds
        let replacement: LoadedPlugin
        do {
            replacement = try loader.load(path)
        } catch {
            pluginFiles[path] = identity  // do not retry the same broken file
            swapFailed(old, "\(error.description)")
            return ["swap refused: \(error.description)"]
        }
        guard replacement.info.id == old.info.id, replacement.info.kind == old.info.kind else {
            pluginFiles[path] = identity
            swapFailed(old, "the new file is \(replacement.info.kind.rawValue) plugin \(replacement.info.id), not a build of \(old.info.id)")
            return ["swap refused: different plugin"]
        }
        pluginFiles[path] = identity
        var report: [String] = []
        var failed = false
        switch old.info.kind {
        case .strategy:
            for s in strategies.allStrategies where s.plugin === old {
                do {
                    let ns = try strategies.swapPlugin(s.name, to: replacement)
                    report.append("strategy \(s.name): now on \(replacement.info.version), switched in \(String(format: "%.1f", Double(ns) / 1000)) µs")
                } catch {
                    failed = true
                    report.append("strategy \(s.name): swap refused, still on \(old.info.version): \(error.description)")
                }
            }
        case .exchange:
            for e in exchanges.allExchanges where e.plugin === old {
                let settings = config.exchanges.first { $0.name == e.name }?.settings
                    ?? Parameters(e.settings.typed.values.map { .init(key: $0.key, text: $0.text) })
                do {
                    try exchanges.replaceExchange(e.name, plugin: replacement, settings: settings)
                    report.append("exchange \(e.name): reconnected on \(replacement.info.version)")
                } catch {
                    failed = true
                    report.append("exchange \(e.name): swap refused: \(error.description)")
                }
            }
        }
        if !failed, let i = plugins.firstIndex(where: { $0 === old }) { plugins[i] = replacement }
        let total = Int64(DispatchTime.now().uptimeNanoseconds - began)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        for line in report { logger.info("\(line)") }
        logger.info("plugin \(old.info.id) from \(path): swap took \(total / 1_000_000) ms; the old image (\(size / 1024) KiB) stays mapped for the life of the process")
        let json = "{\"plugin\":\(jsonString(old.info.id)),\"path\":\(jsonString(path)),\"version\":\(jsonString(replacement.info.version)),\"duration_ns\":\(total),\"report\":[" + report.map(jsonString).joined(separator: ",") + "]}"
        publish(failed ? .pluginSwapFailed : .pluginSwapped, json: json)
        return report
    }

    private func swapFailed(_ plugin: LoadedPlugin, _ reason: String) {
        logger.error("hot swap of \(plugin.info.id) refused, the running build stays: \(reason)")
        publish(.pluginSwapFailed, json: "{\"plugin\":\(jsonString(plugin.info.id)),\"path\":\(jsonString(plugin.path)),\"reason\":\(jsonString(reason))}")
    }
}

enum DiffSupport {
    static func sameParameters(_ a: StrategyConfig, _ b: StrategyConfig) -> Bool {
        ConfigDiff.sameValues(a.parameters, b.parameters)
    }
}
