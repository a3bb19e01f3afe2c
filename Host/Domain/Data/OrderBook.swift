import ArbSDK
import PluginKit

/// One price level.
public struct BookLevel: Hashable, Sendable {
    public var price: ExactDecimal
    public var quantity: ExactDecimal

    public init(price: ExactDecimal, quantity: ExactDecimal) {
        self.price = price
        self.quantity = quantity
    }

    init(_ c: arb_book_level_t) {
        self.init(price: ExactDecimal(c.price), quantity: ExactDecimal(c.quantity))
    }

    var cValue: arb_book_level_t { arb_book_level_t(price: price.cValue, quantity: quantity.cValue) }
}

/// A local order book built from a snapshot plus deltas (the seed's OrderBook).
///
/// Levels are kept sorted best first in arrays that keep their capacity, so applying an update
/// allocates nothing once the book has reached its usual depth. The book checks the generic
/// invariants (sequence increasing, never crossed); the venue's own sequence rules are checked
/// where its messages are parsed, before anything reaches the host.
public struct OrderBook: Sendable {
    public let instrument: InstrumentId
    public private(set) var bids: ContiguousArray<BookLevel> = []
    public private(set) var asks: ContiguousArray<BookLevel> = []
    /// The last applied venue sequence number.
    public private(set) var sequence: UInt64 = 0
    public private(set) var tsEvent: Int64 = 0
    /// True once a snapshot has been applied and until a gap is reported.
    public private(set) var isValid = false
    /// Why the book is not valid, when it is not.
    public private(set) var staleReason: StaleReason = .noSnapshot

    public enum StaleReason: Sendable, Equatable {
        case noSnapshot
        case gapReported(expected: UInt64, received: UInt64)
        case sequenceWentBack(last: UInt64, received: UInt64)
        case crossed
    }

    public enum Outcome: Equatable { case applied, ignoredStale, invalidated }

    public init(instrument: InstrumentId) {
        self.instrument = instrument
        bids.reserveCapacity(64)
        asks.reserveCapacity(64)
    }

    public var bestBid: BookLevel? { bids.first }
    public var bestAsk: BookLevel? { asks.first }

    /// Applies a snapshot or a delta from an adapter.
    public mutating func apply(_ update: arb_book_update_t) -> Outcome {
        if update.is_snapshot != 0 {
            bids.removeAll(keepingCapacity: true)
            asks.removeAll(keepingCapacity: true)
            isValid = true
        } else {
            guard isValid else { return .ignoredStale }
            if update.last_sequence != 0 && update.last_sequence < sequence {
                invalidate(.sequenceWentBack(last: sequence, received: update.last_sequence))
                return .invalidated
            }
        }
        for i in 0..<update.bid_count { set(BookLevel(update.bids[i]), bid: true) }
        for i in 0..<update.ask_count { set(BookLevel(update.asks[i]), bid: false) }
        if update.last_sequence != 0 { sequence = update.last_sequence }
        tsEvent = update.ts_event
        if let bid = bids.first, let ask = asks.first, bid.price >= ask.price {
            invalidate(.crossed)
            return .invalidated
        }
        return .applied
    }

    /// Marks the book wrong until the next snapshot.
    public mutating func invalidate(_ reason: StaleReason) {
        isValid = false
        staleReason = reason
    }

    /// Sets, replaces or (quantity 0) removes one level.
    mutating func set(_ level: BookLevel, bid: Bool) {
        if bid {
            Self.set(level, in: &bids, better: >)
        } else {
            Self.set(level, in: &asks, better: <)
        }
    }

    @inline(__always)
    private static func set(_ level: BookLevel, in side: inout ContiguousArray<BookLevel>,
                            better: (ExactDecimal, ExactDecimal) -> Bool) {
        // Binary search for the first level not better than `level.price`.
        var low = 0, high = side.count
        while low < high {
            let mid = (low + high) / 2
            if better(side[mid].price, level.price) { low = mid + 1 } else { high = mid }
        }
        let exists = low < side.count && side[low].price == level.price
        if level.quantity.isZero {
            if exists { side.remove(at: low) }
        } else if exists {
            side[low].quantity = level.quantity
        } else {
            side.insert(level, at: low)
        }
    }
}
