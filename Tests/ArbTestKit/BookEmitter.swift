import ArbModel
import ArbSDK
import Glibc

/// Emits a valid book for one instrument through an adapter's host table, as its I/O thread would.
public final class BookEmitter: @unchecked Sendable {
    public let host: UnsafePointer<arb_exchange_host_t>
    public let instrument: InstrumentId
    public var sequence: UInt64 = 1
    /// Best bid, second bid, best ask, second ask.
    public var prices = ("61800.2", "61800.1", "61800.3", "61800.4")

    public init(host: UnsafePointer<arb_exchange_host_t>, instrument: InstrumentId) {
        self.host = host
        self.instrument = instrument
    }

    public static func level(_ price: String, _ quantity: String) -> arb_book_level_t {
        arb_book_level_t(price: ((try? ExactDecimal(parsing: price)) ?? .zero).cValue,
                         quantity: ((try? ExactDecimal(parsing: quantity)) ?? .zero).cValue)
    }

    @discardableResult
    public func emit(snapshot: Bool, bids: [arb_book_level_t], asks: [arb_book_level_t], sequence: UInt64) -> arb_status_t {
        bids.withUnsafeBufferPointer { b in
            asks.withUnsafeBufferPointer { a in
                var u = arb_book_update_t(struct_size: UInt32(MemoryLayout<arb_book_update_t>.size),
                                          instrument: instrument.rawValue, is_snapshot: snapshot ? 1 : 0,
                                          first_sequence: sequence, last_sequence: sequence, previous_sequence: 0,
                                          ts_event: Int64(sequence), ts_init: Int64(sequence), bids: b.baseAddress,
                                          bid_count: b.count, asks: a.baseAddress, ask_count: a.count)
                return host.pointee.emit_book(host, 0, &u)
            }
        }
    }

    /// Emits the snapshot, retrying while the engine's ring is full.
    public func snapshot() {
        while emit(snapshot: true, bids: [Self.level(prices.0, "1"), Self.level(prices.1, "2")],
                   asks: [Self.level(prices.2, "1.5"), Self.level(prices.3, "3")], sequence: sequence) == ARB_ERR_QUEUE_FULL {
            sched_yield()
        }
    }

    public func delta() {
        sequence += 1
        while emit(snapshot: false, bids: [Self.level(prices.1, String(sequence % 9 + 1))], asks: [],
                   sequence: sequence) == ARB_ERR_QUEUE_FULL { sched_yield() }
    }
}
