import ArbModel
import ArbSDK
import CHostSupport

/// The lock-free queue through which other threads hand events to the engine thread.
///
/// Records are written in place (no allocation per event): a producer claims space, fills it
/// and commits; the engine peeks, handles and releases. See `CHostSupport.h` for the protocol.
public final class InboundRing: @unchecked Sendable {
    @usableFromInline let raw: OpaquePointer

    /// - Parameter capacity: bytes, a power of two.
    init(capacity: Int) {
        guard let ring = arb_ring_create(capacity) else {
            fatalError("cannot allocate the \(capacity)-byte inbound ring")
        }
        raw = ring
    }

    deinit { arb_ring_destroy(raw) }

    @inlinable var maxPayload: Int { arb_ring_max_payload(raw) }

    /// Claims room for a record; nil when the ring is full.
    @inline(__always)
    @inlinable func claim(_ type: RecordType, length: Int) -> UnsafeMutableRawPointer? {
        arb_ring_claim(raw, type.rawValue, length)
    }

    @inline(__always)
    @inlinable func commit(_ payload: UnsafeMutableRawPointer) { arb_ring_commit(raw, payload) }

    /// The next committed record, if any. Engine thread only.
    @inline(__always)
    @inlinable func peek() -> (type: Int32, payload: UnsafeMutableRawPointer, length: Int)? {
        var type: Int32 = 0
        var length = 0
        guard let p = arb_ring_peek(raw, &type, &length) else { return nil }
        return (type, p, length)
    }

    @inline(__always)
    @inlinable func release() { arb_ring_release(raw) }

    func wait(timeoutNanoseconds: Int64) { arb_ring_wait(raw, timeoutNanoseconds) }
    func wake() { arb_ring_wake(raw) }
    var usedBytes: Int { arb_ring_used(raw) }
}
