import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The process's signals: SIGHUP (what `arbhost reload` sends) re-reads strategies.yaml and
/// looks for replaced plugin files; SIGINT and SIGTERM shut the group down gracefully.
///
/// The process blocks the three before any thread starts (`arbhost` in a constructor that runs
/// before main; an embedder with `ProcessSignals.block()`), so every thread inherits the mask: a signal that arrives before this service runs waits as pending
/// (it is never lost and never takes the default action, which would kill the process), and
/// this service's own thread takes it with `sigtimedwait`. One service traps all three, so the
/// shutdown is logged with its cause; the group itself traps none.
public struct SignalService: Service {
    /// Set once the group exists (the group is built with this service in it).
    public final class GroupReference: @unchecked Sendable {
        public var group: ServiceGroup?
        public init() {}
    }

    let host: HostRuntime
    let groupReference: GroupReference

    public init(host: HostRuntime, group: GroupReference) {
        self.host = host
        groupReference = group
    }

    public func run() async throws {
        let waiter = SignalWaiter(host: host, group: groupReference)
        waiter.start()
        try? await gracefulShutdown()
        waiter.stop()
    }
}

/// The signals `arbhost run` handles, blocked in every thread.
public enum ProcessSignals {
    static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    static var set: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in handled { sigaddset(&set, signal) }
        return set
    }

    /// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and every thread it starts from
    /// now on. Call first thing in `main`, before any thread exists.
    public static func block() {
        var signals = set
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }
}

/// A thread that takes the blocked signals as they arrive.
final class SignalWaiter: @unchecked Sendable {
    private let host: HostRuntime
    private let group: SignalService.GroupReference
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let logger = Logger(label: "arbhost")

    init(host: HostRuntime, group: SignalService.GroupReference) {
        self.host = host
        self.group = group
    }

    func start() {
        Thread.detachNewThread { [self] in
            var signals = ProcessSignals.set
            // Wakes every 100 ms to notice `stop`; a signal is taken at once.
            var timeout = timespec(tv_sec: 0, tv_nsec: 100_000_000)
            while !stopping.load(ordering: .acquiring) {
                let signal = sigtimedwait(&signals, nil, &timeout)
                if signal < 0 { continue }
                if signal == SIGHUP {
                    logger.info("SIGHUP: reloading")
                    host.forceReload()
                } else {
                    logger.info("signal \(signal): shutting down")
                    let group = group.group
                    Task { await group?.triggerGracefulShutdown() }
                }
            }
            finished.signal()
        }
    }

    /// Ends the thread (within 100 ms).
    func stop() {
        stopping.store(true, ordering: .releasing)
        finished.wait()
    }
}
