import Synchronization

/// State the engine thread publishes for other threads to read without waiting for the engine.
///
/// The engine changes it when the state changes at control cadence (a funding update, a spec,
/// a premium sample; never per book event), in place; another thread takes what it needs under
/// the same lock (a copy of a value, a few reference counts) and works on that. Neither side
/// waits on the other's work, and no control-path query goes through the engine.
public final class PublishedState<Value: Sendable>: Sendable {
    private let state: Mutex<Value>

    public init(_ initial: Value) { state = Mutex(initial) }

    /// Changes the published value in place. Engine thread.
    public func update<R: Sendable>(_ body: (inout Value) -> R) -> R {
        state.withLock { value in body(&value) }
    }

    /// Reads from the published value. Any thread.
    public func read<R: Sendable>(_ body: (Value) -> R) -> R {
        state.withLock { value in body(value) }
    }
}
