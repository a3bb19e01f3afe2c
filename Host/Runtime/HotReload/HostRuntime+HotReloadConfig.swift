import ArbConfig
import ArbEngine
import ArbModel
import ArbPlugins
import Foundation
import Logging

extension HostRuntime {
    // MARK: Hot reload of strategies.yaml

    /// Watches strategies.yaml; each edit is applied as it settles (`ConfigManager.reloadConfig`).
    public func startWatchingConfig() throws {
        guard let manager = configManager, configWatcher == nil else { return }
        let watcher = try FileWatcher(files: [manager.path]) { [weak self] _ in
            self?.configManager?.reloadConfig()
        }
        watcher.start()
        configWatcher = watcher
    }

    public func stopWatchingConfig() {
        configWatcher?.stop()
        configWatcher = nil
    }

    /// Watches the configuration and the plugin folders (both services' work, for tests and tools
    /// that run a host without a service group).
    public func startWatching() throws {
        try startWatchingConfig()
        try startWatchingPlugins()
    }

    public func stopWatching() {
        stopWatchingConfig()
        stopWatchingPlugins()
    }

    /// What SIGHUP and `arbhost reload` do: re-read strategies.yaml and look for replaced
    /// plugin files, now.
    public func forceReload() {
        _ = reloadNow()
    }

    /// `forceReload`, with what it did: the configuration's outcome (nil without a file) and
    /// one line per replaced plugin file. For the control channel.
    public func reloadNow() -> (outcome: ConfigManager.ReloadOutcome?, swaps: [String]) {
        let outcome = configManager?.reloadConfig()
        var swaps: [String] = []
        for (path, identity) in pluginFiles where FileIdentity(path) != identity { swaps += pluginFileChanged(path) }
        return (outcome, swaps)
    }
}
