import Logging
import ServiceLifecycle

/// Ends the run after a fixed time (`arbhost run --duration`): returning shuts the group down.
public struct RunDurationService: Service {
    public let seconds: Double

    public init(seconds: Double) { self.seconds = seconds }

    public func run() async throws {
        let elapsed = (try? await cancelWhenGracefulShutdown {
            try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
            return true
        }) ?? false
        if elapsed { Logger(label: "arbhost").info("duration elapsed: shutting down") }
    }
}
