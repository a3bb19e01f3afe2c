import ArbSDK
import PluginKit

/// One price level.
public typealias BookLevel = PriceLadder.Level

extension BookLevel {
    init(_ c: arb_book_level_t) {
        self.init(price: ExactDecimal(c.price), quantity: ExactDecimal(c.quantity))
    }

    var cValue: arb_book_level_t { arb_book_level_t(price: price.cValue, quantity: quantity.cValue) }
}

/// A local order book built from a snapshot plus deltas (the seed's OrderBook).
///
/// Each side is a `PriceLadder`: levels sorted best first in chunks of a few dozen, so an update
/// deep in a 1000-level venue book shifts one chunk, not the side; applying an update allocates
/// only when a chunk splits or empties, which a book at its usual depth rarely does. The book checks the generic
/// invariants (sequence increasing, never crossed); the venue's own sequence rules are checked
/// where its messages are parsed, before anything reaches the host.
public struct OrderBook: Sendable {
    public let instrument: InstrumentId
    private(set) var bidLadder = PriceLadder(higherIsBetter: true)
    private(set) var askLadder = PriceLadder(higherIsBetter: false)
    /// Bids, best (highest) first (a copy).
    public var bids: ContiguousArray<BookLevel> { ContiguousArray(bidLadder.bestFirst) }
    /// Asks, best (lowest) first (a copy).
    public var asks: ContiguousArray<BookLevel> { ContiguousArray(askLadder.bestFirst) }
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
    }

    public var bestBid: BookLevel? { bidLadder.best }
    public var bestAsk: BookLevel? { askLadder.best }

    /// One side, best first, without copying.
    func side(bid: Bool) -> PriceLadder { bid ? bidLadder : askLadder }

    /// Applies a snapshot or a delta from an adapter.
    public mutating func apply(_ update: arb_book_update_t) -> Outcome {
        if update.is_snapshot != 0 {
            bidLadder.removeAll()
            askLadder.removeAll()
            isValid = true
        } else {
            guard isValid else { return .ignoredStale }
            if update.last_sequence != 0 && update.last_sequence < sequence {
                invalidate(.sequenceWentBack(last: sequence, received: update.last_sequence))
                return .invalidated
            }
        }
        if update.is_snapshot != 0 {
            // Worst level first: snapshot levels come best first, so each one only appends.
            for i in (0..<update.bid_count).reversed() { set(BookLevel(update.bids[i]), bid: true) }
            for i in (0..<update.ask_count).reversed() { set(BookLevel(update.asks[i]), bid: false) }
        } else {
            // In order, so a delta that repeats a price ends with its last value.
            for i in 0..<update.bid_count { set(BookLevel(update.bids[i]), bid: true) }
            for i in 0..<update.ask_count { set(BookLevel(update.asks[i]), bid: false) }
        }
        if update.last_sequence != 0 { sequence = update.last_sequence }
        tsEvent = update.ts_event
        if let bid = bestBid, let ask = bestAsk, bid.price >= ask.price {
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
            bidLadder.set(price: level.price, quantity: level.quantity)
        } else {
            askLadder.set(price: level.price, quantity: level.quantity)
        }
    }
}
