import ArbModel
import ArbSDK
import Glibc

/// The kinds of record on the inbound rings.
public enum RecordType: Int32, CaseIterable, Sendable {
    case book = 1, trade, funding, fundingPayment, order, fill, position, balance
    case gap, connection, requestDone, instrumentSpec, ticker
    /// Engine-internal: a closure to run (`Engine.perform`) and a timer set from another thread.
    case command, timer
}

/// What every record starts with: who sent it and, for answers, which request it answers.
@frozen public struct RecordHeader {
    public var source: UInt32
    public var reserved: UInt32 = 0
    public var request: UInt64

    @inlinable public init(source: UInt32, request: UInt64) {
        self.source = source
        self.request = request
    }
}

/// A sequence gap an adapter reported.
public struct GapRecord: RecordPayload {
    public static let recordType = RecordType.gap
    public var instrument: arb_instrument_id_t
    public var expected: UInt64
    public var received: UInt64
    package init(instrument: arb_instrument_id_t, expected: UInt64, received: UInt64) {
        self.instrument = instrument
        self.expected = expected
        self.received = received
    }
    @inlinable public mutating func relocate(_ r: inout Relocator) {}
}

/// A connection state change.
public struct ConnectionRecord: RecordPayload {
    public static let recordType = RecordType.connection
    public var state: arb_connection_state_t
    public var detail: arb_str_t
    package init(state: arb_connection_state_t, detail: arb_str_t) {
        self.state = state
        self.detail = detail
    }
    @inlinable public mutating func relocate(_ r: inout Relocator) { r.string(&detail) }
}

/// The one final answer to a request.
public struct RequestDoneRecord: RecordPayload {
    public static let recordType = RecordType.requestDone
    public var outcome: arb_outcome_t
    public var venueCode: Int32
    public var message: arb_str_t
    package init(outcome: arb_outcome_t, venueCode: Int32, message: arb_str_t) {
        self.outcome = outcome
        self.venueCode = venueCode
        self.message = message
    }
    @inlinable public mutating func relocate(_ r: inout Relocator) { r.string(&message) }
}

/// A timer set or cancelled from another thread (`Engine.postTimer`).
public struct TimerRecord: RecordPayload {
    public static let recordType = RecordType.timer
    public var id: UInt64
    public var deadline: Int64
    public var interval: Int64
    public var owner: TimerOwner
    public var tag: UInt64
    public var cancel: Bool
    @inlinable public mutating func relocate(_ r: inout Relocator) {}
}

/// A closure to run on the engine thread (control path only: it allocates).
public struct CommandRecord: RecordPayload {
    public static let recordType = RecordType.command
    public var box: UnsafeMutableRawPointer
    @inlinable public mutating func relocate(_ r: inout Relocator) {}
}

/// A C event struct that a record can carry: its fixed part, then the bytes of its strings
/// and arrays, whose pointers are stored as offsets and restored by the reader.
public protocol RecordPayload {
    static var recordType: RecordType { get }
    /// Passes every string and array field to `r`.
    mutating func relocate(_ r: inout Relocator)
}

/// Measures, moves or restores the out-of-line parts of a record payload.
@frozen public struct Relocator {
    @frozen public enum Mode { case measure, write, resolve }
    public let mode: Mode
    /// Start of the out-of-line area (write and resolve).
    public let base: UnsafeMutableRawPointer?
    /// Bytes used so far in the out-of-line area.
    @usableFromInline var used = 0

    @inlinable public init(_ mode: Mode, base: UnsafeMutableRawPointer? = nil) {
        self.mode = mode
        self.base = base
    }

    @inlinable @inline(__always)
    mutating func move(_ pointer: UnsafeRawPointer?, bytes: Int) -> UnsafeRawPointer? {
        switch mode {
        case .measure:
            used += (bytes + 7) & ~7
            return pointer
        case .write:
            guard bytes > 0, let pointer, let base else { return nil }
            base.advanced(by: used).copyMemory(from: pointer, byteCount: bytes)
            defer { used += (bytes + 7) & ~7 }
            return UnsafeRawPointer(bitPattern: used + 1)
        case .resolve:
            guard let pointer, let base else { return nil }
            return UnsafeRawPointer(base.advanced(by: Int(bitPattern: pointer) - 1))
        }
    }

    @inlinable @inline(__always)
    public mutating func string(_ s: inout arb_str_t) {
        let p = move(s.ptr.map(UnsafeRawPointer.init), bytes: s.ptr == nil ? 0 : s.len)
        s.ptr = p?.assumingMemoryBound(to: CChar.self)
        if p == nil { s.len = 0 }
    }

    @inlinable @inline(__always)
    public mutating func array<T>(_ p: inout UnsafePointer<T>?, count: inout Int) {
        let moved = move(p.map(UnsafeRawPointer.init), bytes: p == nil ? 0 : count * MemoryLayout<T>.stride)
        p = moved?.assumingMemoryBound(to: T.self)
        if moved == nil { count = 0 }
    }
}

extension arb_book_update_t: RecordPayload {
    public static let recordType = RecordType.book
    @inlinable public mutating func relocate(_ r: inout Relocator) {
        r.array(&bids, count: &bid_count)
        r.array(&asks, count: &ask_count)
    }
}

extension arb_trade_t: RecordPayload {
    public static let recordType = RecordType.trade
    @inlinable public mutating func relocate(_ r: inout Relocator) { r.string(&trade_id) }
}

extension arb_funding_rate_t: RecordPayload {
    public static let recordType = RecordType.funding
    @inlinable public mutating func relocate(_ r: inout Relocator) {}
}

extension arb_funding_payment_t: RecordPayload {
    public static let recordType = RecordType.fundingPayment
    @inlinable public mutating func relocate(_ r: inout Relocator) { r.string(&currency) }
}

extension arb_order_event_t: RecordPayload {
    public static let recordType = RecordType.order
    @inlinable public mutating func relocate(_ r: inout Relocator) {
        r.string(&client_order_id)
        r.string(&venue_order_id)
        r.string(&fee_currency)
        r.string(&reason)
    }
}

extension arb_fill_t: RecordPayload {
    public static let recordType = RecordType.fill
    @inlinable public mutating func relocate(_ r: inout Relocator) {
        r.string(&client_order_id)
        r.string(&venue_order_id)
        r.string(&trade_id)
        r.string(&fee_currency)
    }
}

extension arb_position_t: RecordPayload {
    public static let recordType = RecordType.position
    @inlinable public mutating func relocate(_ r: inout Relocator) {}
}

extension arb_balance_t: RecordPayload {
    public static let recordType = RecordType.balance
    @inlinable public mutating func relocate(_ r: inout Relocator) {
        r.string(&venue)
        r.string(&currency)
    }
}

extension arb_instrument_spec_t: RecordPayload {
    public static let recordType = RecordType.instrumentSpec
    @inlinable public mutating func relocate(_ r: inout Relocator) {
        r.string(&base)
        r.string(&quote)
        r.string(&settle)
    }
}

extension arb_ticker_t: RecordPayload {
    public static let recordType = RecordType.ticker
    @inlinable public mutating func relocate(_ r: inout Relocator) {}
}

/// Reads a struct a plugin passed, honouring its `struct_size`: fields the plugin's (older)
/// header does not have read as zero; a size too small for the first field is refused.
@inlinable @inline(__always)
public func readGrowable<T>(_ source: UnsafePointer<T>) -> T? {
    let declared = Int(UnsafeRawPointer(source).load(as: UInt32.self))
    guard declared >= 8 else { return nil }
    if declared >= MemoryLayout<T>.size { return source.pointee }
    return withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { value in
        let raw = UnsafeMutableRawPointer(value.baseAddress!)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.size)
        raw.copyMemory(from: source, byteCount: declared)
        return raw.load(as: T.self)
    }
}

public enum RecordCodec {
    @inlinable public static var headerSize: Int { MemoryLayout<RecordHeader>.stride }

    /// Copies `value` and its strings and arrays into one record on `ring`.
    @inlinable @inline(__always)
    public static func post<T: RecordPayload>(_ value: T, header: RecordHeader, to ring: InboundRing) -> arb_status_t {
        var value = value
        var measure = Relocator(.measure)
        value.relocate(&measure)
        let fixed = (MemoryLayout<T>.stride + 7) & ~7
        let length = headerSize + fixed + measure.used
        guard length <= ring.maxPayload else { return ARB_ERR_INVALID_ARGUMENT }
        guard let p = ring.claim(T.recordType, length: length) else { return ARB_ERR_QUEUE_FULL }
        var writer = Relocator(.write, base: p.advanced(by: headerSize + fixed))
        value.relocate(&writer)
        p.storeBytes(of: header, as: RecordHeader.self)
        p.advanced(by: headerSize).storeBytes(of: value, as: T.self)
        ring.commit(p)
        return ARB_OK
    }

    /// The header and payload of a record, with pointers restored into the record's memory.
    @inlinable @inline(__always)
    public static func read<T: RecordPayload>(_ payload: UnsafeMutableRawPointer, as: T.Type) -> (RecordHeader, T) {
        let fixed = (MemoryLayout<T>.stride + 7) & ~7
        let header = payload.load(as: RecordHeader.self)
        var value = payload.advanced(by: headerSize).load(as: T.self)
        var resolver = Relocator(.resolve, base: payload.advanced(by: headerSize + fixed))
        value.relocate(&resolver)
        return (header, value)
    }
}
