import Logging
import ServiceLifecycle

/// The trading core as one service: the engine thread, then the venues (their I/O threads: the
/// simulated venue's pacing thread, later the WebSocket clients), then the strategies; on
/// graceful shutdown the reverse, every committed event handled before the engine stops.
///
/// The core starts in this fixed order inside one service because a `ServiceGroup` starts its
/// services concurrently; the edge services (file watchers, signals, the pid file) run beside it
/// and stop before it.
public struct HostCoreService: Service {
    let host: HostRuntime
    let logger = Logger(label: "host")

    public init(host: HostRuntime) { self.host = host }

    public func run() async throws {
        let failures = host.start()
        if !failures.venues.isEmpty {
            // A venue that cannot connect at start ends the process with an error (the group
            // stops with this service's error; `arbhost run` exits 1).
            for failure in failures.venues { logger.error("\(failure)") }
            host.shutdown()
            throw HostProcess.StartError.venues(failures.venues)
        }
        if !failures.strategies.isEmpty {
            // A configured strategy that cannot start is an error too: the file says it should run.
            for failure in failures.strategies { logger.error("\(failure.description)") }
            host.shutdown()
            throw HostProcess.StartError.strategies(failures.strategies)
        }
        try? await gracefulShutdown()
        host.shutdown()
    }
}
