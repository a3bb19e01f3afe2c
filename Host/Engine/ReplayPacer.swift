import ArbModel
import ArbSDK
import CHostSupport
import Glibc

/// Paces a replay: event time runs `speed` times as fast as wall time (`--speed 10x`).
///
/// The first event sets the origin; each later event is due at
/// `origin.wall + (eventTime - origin.event) / speed`, and the pacer sleeps until then. The wall
/// clock and the sleep are injected, so tests step a pacer on a clock of their own instead of
/// waiting on the machine's.
public struct ReplayPacer {
    /// Event nanoseconds per wall nanosecond (≥ 1).
    public let speed: Int64
    private let wallClock: () -> Int64
    private let sleep: (Int64) -> Void
    private var origin: (wall: Int64, event: Int64)?

    /// The event time of the first event paced (nil before it).
    public var originEventTime: Int64? { origin?.event }

    /// - Parameters:
    ///   - speed: how many times faster than wall time event time runs (clamped to ≥ 1).
    ///   - wallClock: monotonic nanoseconds (default: the host's monotonic clock).
    ///   - sleep: waits the given nanoseconds (default: `usleep`, at most a second per call).
    public init(speed: Int64, wallClock: @escaping () -> Int64 = { arb_monotonic_ns() },
                sleep: @escaping (Int64) -> Void = { usleep(useconds_t(min($0, 1_000_000_000) / 1000)) }) {
        self.speed = max(speed, 1)
        self.wallClock = wallClock
        self.sleep = sleep
    }

    /// How long to wait before handling an event at `eventTime` when the wall clock reads `wall`
    /// (0 when it is already due); the first call sets the origin and never waits.
    public mutating func delay(toEventTime eventTime: Int64, wall: Int64) -> Int64 {
        guard let origin else {
            self.origin = (wall, eventTime)
            return 0
        }
        let due = origin.wall + (eventTime - origin.event) / speed
        return max(0, due - wall)
    }

    /// Sleeps until the event at `eventTime` is due.
    public mutating func pace(toEventTime eventTime: Int64) {
        let wait = delay(toEventTime: eventTime, wall: wallClock())
        if wait > 0 { sleep(wait) }
    }
}
