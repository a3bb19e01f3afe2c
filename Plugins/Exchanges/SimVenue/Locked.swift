import ArbSDK
import Synchronization

/// The venue's state behind a mutex: the engine thread (requests, stepping) and the pacing
/// thread (live) both reach it, one at a time. The standard library's `Mutex` (a futex on
/// Linux: one atomic operation to lock when uncontended) costs less than a pthread mutex, and
/// the state inside it needs no exclusivity checks of a class property.
final class Locked<Value>: @unchecked Sendable {
    private let mutex: Mutex<Value>

    init(_ value: sending Value) { mutex = Mutex(value) }

    @inline(__always)
    func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        try mutex.withLock { (value: inout sending Value) throws(E) -> Unsafe<R> in Unsafe(try body(&value)) }.value
    }

    /// Carries a result out of the lock: the engine thread owns what it reads there.
    private struct Unsafe<T>: @unchecked Sendable {
        let value: T
        init(_ value: T) { self.value = value }
    }
}
