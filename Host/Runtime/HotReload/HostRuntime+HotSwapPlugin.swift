import ArbConfig
import ArbEngine
import ArbModel
import ArbPlugins
import Foundation
import Logging

extension HostRuntime {
    /// Watches the plugin folders; a replaced plugin file is hot-swapped as it settles.
    public func startWatchingPlugins() throws {
        guard pluginWatcher == nil else { return }
        let existing = pluginDirectories.filter { FileManager.default.fileExists(atPath: $0) }
        let watcher = try FileWatcher(folders: existing, suffix: ".so") { [weak self] paths in
            for path in paths { self?.pluginFileChanged(path) }
        }
        watcher.start()
        pluginWatcher = watcher
    }

    public func stopWatchingPlugins() {
        pluginWatcher?.stop()
        pluginWatcher = nil
    }

    // MARK: Hot swap of plugin binaries

    /// A plugin file was replaced: load the new build and move every instance of it over.
    /// Anything that fails leaves the old build running and is reported.
    @discardableResult
    public func pluginFileChanged(_ path: String) -> [String] {
        controlLock.lock()
        defer { controlLock.unlock() }
        guard let identity = FileIdentity(path), identity != pluginFiles[path] else { return [] }
        let oldSize = pluginFiles[path]?.size ?? 0
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
        if failed {
            for line in report { logger.error("\(line)") }
            logger.error("hot swap of \(old.info.id) from \(path) refused: the running build \(old.info.version) stays")
        } else {
            for line in report { logger.info("\(line)") }
            // The image replaced is the old one: its size is the old file's, not the new one's.
            logger.info("plugin \(old.info.id) from \(path): swap took \(String(format: "%.1f", Double(total) / 1e6)) ms; the old image (\(oldSize / 1024) KiB) stays mapped for the life of the process")
        }
        var json = JSONObject()
        json.field("plugin", old.info.id)
        json.field("path", path)
        json.field("version", replacement.info.version)
        json.field("duration_ns", total)
        json.field("report", report)
        publish(failed ? .pluginSwapFailed : .pluginSwapped, json: json.text)
        return report
    }

    private func swapFailed(_ plugin: LoadedPlugin, _ reason: String) {
        logger.error("hot swap of \(plugin.info.id) refused, the running build stays: \(reason)")
        var json = JSONObject()
        json.field("plugin", plugin.info.id)
        json.field("path", plugin.path)
        json.field("reason", reason)
        publish(.pluginSwapFailed, json: json.text)
    }
}
