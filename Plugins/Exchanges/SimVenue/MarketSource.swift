import PluginKit

/// One market event a simulated venue replays, in time order.
enum SimEvent {
    /// A book snapshot or delta for the venue's instrument; levels are in the source's buffers.
    case book(snapshot: Bool, sequence: UInt64, previous: UInt64)
    case trade(BinanceTrade)
    case ticker(BinanceBookTicker)
    /// The source's own sequence rule broke (a lost message): the book must resync.
    case gap(expected: UInt64, received: UInt64)
}

/// Where a simulated venue's market data comes from: it yields events by time, and keeps the
/// levels of the current book event in `bids`/`asks` until the next call.
protocol MarketSource: AnyObject {
    /// Local receive time (ns) of the next event, nil when the data is exhausted.
    var nextTime: Int64? { get }
    /// Produces the next event (nil when exhausted). `handle` sees the levels in `bids`/`asks`.
    func next(_ handle: (Int64, SimEvent, UnsafeBufferPointer<arb_book_level_t>, UnsafeBufferPointer<arb_book_level_t>) -> Void) -> Bool
    /// Lines or rows read so far (bookTicker, depth and trade each count as one).
    var messages: Int { get }
}
