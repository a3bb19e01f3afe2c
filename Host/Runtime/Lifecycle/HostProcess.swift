import ArbConfig
import ArbPlugins
import Foundation
import Logging
import ServiceLifecycle

/// `arbhost run`: the host and its edge services under one `ServiceGroup`.
///
/// The group starts the trading core (engine, venues, strategies), the file watchers, the
/// SIGHUP reload and the pid file together; SIGINT or SIGTERM (or `--duration`) shuts them down
/// in reverse order, so the watchers stop before the strategies and venues, and every committed
/// event is handled before the engine stops. The services the next issues bring (HTTP and
/// WebSocket clients, the SQLite writer, the API server) join the same group.
public enum HostProcess {
    /// Where a host running from `configPath` writes its pid (and, later, its control socket).
    public static func pidFile(forConfig configPath: String) -> String {
        URL(fileURLWithPath: configPath).deletingLastPathComponent().path + "/.arbhost.pid"
    }

    /// The control socket of a host running from `configPath`, beside its pid file.
    public static func controlSocket(forConfig configPath: String) -> String {
        URL(fileURLWithPath: configPath).deletingLastPathComponent().path + "/.arbhost.sock"
    }

    /// The plugin folders a configuration adds (`system.plugin_dirs`, relative to its file).
    public static func pluginDirectories(_ settings: SystemSettings, configPath: String) -> [String] {
        let folder = URL(fileURLWithPath: configPath).deletingLastPathComponent().path
        return settings.pluginDirectories.map { $0.hasPrefix("/") ? $0 : folder + "/" + $0 }
    }

    /// Why the host could not start.
    public enum StartError: Error {
        /// Nothing to run: no plugin file loaded from these folders.
        case noPlugins([String])
        /// The configuration was refused; every problem is listed.
        case configuration(ConfigErrors)
        /// Venues could not connect (each with the adapter's reason); nothing ran.
        case venues([VenueStartFailure])
        /// Strategies that failed to start (each logged with its reason when the host gave up).
        case strategies([InstanceError])
    }

    /// Loads the plugins and the configuration, then runs until a shutdown signal (or
    /// `duration` seconds).
    public static func run(configPath: String, pluginDirectories: [String], duration: Double?, watch: Bool) async throws {
        let logger = Logger(label: "arbhost")
        let host = HostRuntime(mode: .live, pluginDirectories: pluginDirectories, configPath: configPath)
        let (loaded, _) = host.loadPlugins()
        if loaded.isEmpty { throw StartError.noPlugins(pluginDirectories) }
        if case .failure(let errors) = host.loadConfiguration() { throw StartError.configuration(errors) }

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: HostCoreService(host: host))]
        if watch {
            services.append(.init(service: ConfigWatchService(host: host)))
            services.append(.init(service: PluginWatchService(host: host)))
        }
        let reference = SignalService.GroupReference()
        services.append(.init(service: SignalService(host: host, group: reference)))
        services.append(.init(service: PidFileService(path: pidFile(forConfig: configPath))))
        services.append(.init(service: ControlSocketService(host: host, path: controlSocket(forConfig: configPath))))
        if let duration {
            services.append(.init(service: RunDurationService(seconds: duration), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [], logger: Logger(label: "lifecycle")))
        reference.group = group
        // What the session did, reported at exit as `replay` reports it: orders, fills, fees,
        // funding, positions and PnL per instrument and venue.
        let recorder = ReplayRecorder(engine: host.engine, market: host.market)
        let began = DispatchTime.now().uptimeNanoseconds
        logger.info("running from \(configPath); Ctrl-C to stop, SIGHUP or `arbhost reload` to reload")
        try await group.run()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        let summary = ReplaySummary(recorder: recorder, events: host.engine.eventsProcessed, seconds: seconds,
                                    instruments: recorder.instrumentResults())
        // Logged, line by line: with --log-format json every line the process writes stays JSON.
        for line in summary.text.split(separator: "\n") { logger.info("\(line)") }
    }

    /// `run` from a synchronous caller (the command line): the calling thread waits for the
    /// group to finish and gets its error, if any.
    public static func runToCompletion(configPath: String, pluginDirectories: [String], duration: Double?,
                                       watch: Bool) throws {
        final class Outcome: @unchecked Sendable { var error: (any Error)? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await run(configPath: configPath, pluginDirectories: pluginDirectories, duration: duration, watch: watch)
            } catch {
                outcome.error = error
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }
}
