import ServiceLifecycle

/// Watches strategies.yaml while the host runs and applies each settled edit (hot reload).
public struct ConfigWatchService: Service {
    let host: HostRuntime

    public init(host: HostRuntime) { self.host = host }

    public func run() async throws {
        try host.startWatchingConfig()
        try? await gracefulShutdown()
        host.stopWatchingConfig()
    }
}

/// Watches the plugin folders while the host runs and hot-swaps each replaced plugin file.
public struct PluginWatchService: Service {
    let host: HostRuntime

    public init(host: HostRuntime) { self.host = host }

    public func run() async throws {
        try host.startWatchingPlugins()
        try? await gracefulShutdown()
        host.stopWatchingPlugins()
    }
}
