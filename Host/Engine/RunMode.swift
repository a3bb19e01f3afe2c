import ArbModel
import ArbSDK

/// Whether the engine runs on wall time with live adapters, or on event time stepping
/// replayable adapters.
public enum RunMode: Sendable {
    case live
    case replay

    public var cValue: arb_run_mode_t { self == .live ? ARB_RUN_LIVE : ARB_RUN_REPLAY }
}
