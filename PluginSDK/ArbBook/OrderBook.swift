import ArbSDK
import ArbModel

/// One price level.
public typealias BookLevel = PriceLadder.Level

extension BookLevel {
    init(_ c: arb_book_level_t) {
        self.init(price: ExactDecimal(c.price), quantity: ExactDecimal(c.quantity))
    }

    package var cValue: arb_book_level_t { arb_book_level_t(price: price.cValue, quantity: quantity.cValue) }
}

/// A local order book built from a snapshot plus deltas (the seed's OrderBook).
///
/// Each side is a `PriceLadder`: with the instrument's tick known (its spec), the levels within a
/// few thousand ticks of the top are set by index in a tick grid, the rest kept in sorted chunks
/// of a few dozen, so an update deep in a 1000-level venue book shifts at most one chunk; applying
/// an update allocates only when the grid's window moves or a chunk splits or empties, which a
/// book at its usual depth rarely does. The book checks the generic invariants (sequence
/// increasing, never crossed); the venue's own sequence rules are checked where its messages
/// are parsed, before anything reaches the host.
public struct OrderBook: Sendable {
    public let instrument: InstrumentId
    // Read in place by inlined getters in the host's modules: a getter called out of line
    // takes the book by value (a copy of hundreds of bytes per call).
    @usableFromInline private(set) var bidLadder: PriceLadder
    @usableFromInline private(set) var askLadder: PriceLadder
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
        /// Its venue is not connected (failed to connect, or lost): nothing updates it.
        case venueDisconnected
    }

    public enum Outcome: Equatable { case applied, ignoredStale, invalidated }

    /// `priceStep`: the instrument's tick, when its spec is known.
    public init(instrument: InstrumentId, priceStep: ExactDecimal? = nil) {
        self.instrument = instrument
        bidLadder = PriceLadder(higherIsBetter: true, step: priceStep)
        askLadder = PriceLadder(higherIsBetter: false, step: priceStep)
    }

    /// Uses the instrument's tick from now on (its spec arrived after the book), keeping every level.
    public mutating func setPriceStep(_ step: ExactDecimal?) {
        bidLadder.setPriceStep(step)
        askLadder.setPriceStep(step)
    }

    // Inlined: an outlined getter made callers copy the whole book to pass it.
    @inlinable public var bestBid: BookLevel? { @inline(__always) get { bidLadder.best } }
    @inlinable public var bestAsk: BookLevel? { @inline(__always) get { askLadder.best } }

    /// The best bid and ask as the C ABI carries them: price and quantity, zero for an empty side.
    @inlinable package var cTop: (bid: arb_decimal_t, bidQuantity: arb_decimal_t, ask: arb_decimal_t, askQuantity: arb_decimal_t) {
        @inline(__always) get {
            let bid = bestBid, ask = bestAsk
            return (bid?.price.cValue ?? ExactDecimal.zero.cValue, bid?.quantity.cValue ?? ExactDecimal.zero.cValue,
                    ask?.price.cValue ?? ExactDecimal.zero.cValue, ask?.quantity.cValue ?? ExactDecimal.zero.cValue)
        }
    }

    /// Calls `body` with one side's levels, best first, until it returns false (no copy).
    @inlinable @inline(__always)
    package func forEachLevel(bid: Bool, _ body: (BookLevel) -> Bool) {
        if bid { bidLadder.forEachBestFirst(body) } else { askLadder.forEachBestFirst(body) }
    }

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
            // Worst level first (snapshot levels come best first): levels outside the tick grid
            // then append to the sorted chunks, and the grid's window grows toward the top.
            bidLadder.set(levels: UnsafeBufferPointer(start: update.bids, count: update.bid_count), reversed: true)
            askLadder.set(levels: UnsafeBufferPointer(start: update.asks, count: update.ask_count), reversed: true)
        } else {
            // In order, so a delta that repeats a price ends with its last value.
            bidLadder.set(levels: UnsafeBufferPointer(start: update.bids, count: update.bid_count))
            askLadder.set(levels: UnsafeBufferPointer(start: update.asks, count: update.ask_count))
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
}
