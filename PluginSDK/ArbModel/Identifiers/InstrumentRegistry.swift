import ArbSDK
import Glibc
import Synchronization

/// Interns instruments into process-wide handles.
///
/// Interning happens at subscription time, not per event, so a mutex is fine here. The names'
/// bytes are copied once into memory that lives as long as the process, so `arb_str_t`s handed
/// to plugins stay valid forever, as the ABI promises.
public final class InstrumentRegistry: Sendable {
    private struct Entry {
        var instrument: Instrument
        var venue: arb_str_t
        var symbol: arb_str_t
    }

    private struct State {
        var entries: [Entry] = []
        var ids: [Instrument: InstrumentId] = [:]
    }

    private let state = Mutex(State())
    /// The number of handles, readable without the lock (handles are never removed).
    @usableFromInline let published = Atomic<UInt32>(0)

    public init() {}

    /// The handle for `instrument`, created if new.
    public func id(for instrument: Instrument) -> InstrumentId {
        state.withLock { state in
            if let id = state.ids[instrument] { return id }
            let entry = Entry(instrument: instrument, venue: Self.permanent(instrument.venue),
                              symbol: Self.permanent(instrument.symbol))
            state.entries.append(entry)
            let id = InstrumentId(rawValue: UInt32(state.entries.count))
            state.ids[instrument] = id
            published.store(id.rawValue, ordering: .releasing)
            return id
        }
    }

    /// Whether `id` is a handle this registry issued. Lock-free: used on every emitted event.
    @inline(__always)
    @inlinable public func contains(_ id: InstrumentId) -> Bool {
        id.rawValue != 0 && id.rawValue <= published.load(ordering: .acquiring)
    }

    /// The handle of an already interned instrument.
    public func existingId(for instrument: Instrument) -> InstrumentId? {
        state.withLock { $0.ids[instrument] }
    }

    /// The instrument behind a handle.
    public func instrument(_ id: InstrumentId) -> Instrument? {
        state.withLock { state in
            let index = Int(id.rawValue) - 1
            return state.entries.indices.contains(index) ? state.entries[index].instrument : nil
        }
    }

    /// The C description of a handle, with strings valid for the life of the process.
    package func cInstrument(_ id: InstrumentId) -> arb_instrument_t? {
        state.withLock { state in
            let index = Int(id.rawValue) - 1
            guard state.entries.indices.contains(index) else { return nil }
            let e = state.entries[index]
            return arb_instrument_t(struct_size: UInt32(MemoryLayout<arb_instrument_t>.size), venue: e.venue,
                                    symbol: e.symbol, kind: e.instrument.kind.rawValue,
                                    expiry_ns: e.instrument.expiryNanoseconds)
        }
    }

    /// How many instruments exist (handles are 1...count).
    public var count: Int { state.withLock { $0.entries.count } }

    private static func permanent(_ text: String) -> arb_str_t {
        var copy = text
        return copy.withUTF8 { bytes in
            let memory = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
            if let source = bytes.baseAddress {
                UnsafeMutableRawPointer(memory).copyMemory(from: source, byteCount: bytes.count)
            }
            return arb_str_t(ptr: UnsafePointer(memory), len: bytes.count)
        }
    }
}
