import ArbModel
import ArbSDK
import Logging

/// A venue's adapter instance as the engine and the services reach it: its slot, name, C table
/// and instance. The runtime's `ExchangeInstance` (the plugin build, settings, host table and
/// credentials behind it) extends it; the engine steps it in replay, the market data service
/// asks it for books, the order manager sends it orders.
///
/// Engine thread for `state` and `instance` changes (the runtime makes them through
/// `Engine.perform`); every change bumps the engine's venue revision so the replay loop rebuilds
/// its table of stepped venues.
open class VenueEndpoint: @unchecked Sendable {
    public enum State: String, Sendable { case created, connected, disconnected, destroyed }

    public let name: String
    /// The venue's index in the engine's table (also its `EventSource` index).
    public let slot: Int
    public let table: arb_exchange_v1_t
    public let logger: Logger
    // unowned(unsafe): the engine outlives every venue, and a checked reference would cost a
    // refcount round trip on every host call.
    public unowned(unsafe) let engine: Engine
    /// The same engine, for hot paths: `withEngine` borrows it without any refcount traffic.
    public let engineRef: Unmanaged<Engine>

    public final var state: State = .created { didSet { engine.venuesChanged() } }
    /// Names this venue and its adapter build in a crash report.
    public let crashLabel: UnsafeMutablePointer<CChar>
    public final var instance: UnsafeMutableRawPointer? { didSet { engine.venuesChanged() } }

    public init(name: String, slot: Int, table: arb_exchange_v1_t, logger: Logger, engine: Engine, describedAs label: String) {
        crashLabel = CrashMarker.label(label)
        self.name = name
        self.slot = slot
        self.table = table
        self.logger = logger
        self.engine = engine
        engineRef = Unmanaged.passUnretained(engine)
    }

    deinit { CrashMarker.release(crashLabel) }

    public final var isConnected: Bool { state == .connected }

    /// Runs a call into the adapter marked for the crash report.
    @inline(__always)
    public final func calling<R>(_ callback: StaticString, _ body: () -> R) -> R {
        CrashMarker.calling(crashLabel, callback, body)
    }

    /// Stepped by the engine (replay) rather than running its own threads.
    public final var isStepped: Bool {
        engine.mode == .replay && (table.capabilities & ARB_EXCHANGE_CAP_STEP_MODE) != 0
            && table.next_event_time != nil && table.advance_to != nil
    }

    /// Calls `body` with the engine borrowed (+0): no retain/release on the hot path.
    @inline(__always)
    public final func withEngine<R>(_ body: (Engine) -> R) -> R { engineRef._withUnsafeGuaranteedRef(body) }
}
