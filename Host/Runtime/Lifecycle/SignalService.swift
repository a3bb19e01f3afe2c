import Logging
import ServiceLifecycle
import UnixSignals

/// The process's signals: SIGHUP (what `arbhost reload` sends) re-reads strategies.yaml and
/// looks for replaced plugin files; SIGINT and SIGTERM shut the group down gracefully.
///
/// One service traps all three, so the shutdown is logged with its cause and the group itself
/// traps none (`gracefulShutdownSignals` is empty).
public struct SignalService: Service {
    /// Set once the group exists (the group is built with this service in it).
    public final class GroupReference: @unchecked Sendable {
        public var group: ServiceGroup?
        public init() {}
    }

    let host: HostRuntime
    let groupReference: GroupReference
    let logger = Logger(label: "arbhost")

    public init(host: HostRuntime, group: GroupReference) {
        self.host = host
        groupReference = group
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup, .sigint, .sigterm)
        for await signal in signals.cancelOnGracefulShutdown() {
            if signal == .sighup {
                logger.info("SIGHUP: reloading")
                host.forceReload()
            } else {
                logger.info("signal \(signal.rawValue): shutting down")
                await groupReference.group?.triggerGracefulShutdown()
            }
        }
    }
}
