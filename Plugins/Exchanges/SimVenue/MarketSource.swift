import ArbSDK
import ArbBook
import PluginKit
import VenueBinance
import VenueWire

/// One market event a simulated venue replays or generates, in time order.
enum SimEvent {
    /// A book snapshot or delta; levels are in the source's buffers.
    case book(snapshot: Bool, sequence: UInt64, previous: UInt64)
    case trade(BinanceTrade)
    case ticker(BinanceBookTicker)
    /// A perpetual's funding, mark and index (generator).
    case funding(rate: ExactDecimal, mark: ExactDecimal, index: ExactDecimal, nextFundingTime: Int64)
    /// A funding time passed: settle open positions at `rate` and `mark` (generator).
    case settleFunding(rate: ExactDecimal, mark: ExactDecimal)
    /// A dated future reached its expiry: settle at the index price (generator).
    case expire(index: ExactDecimal)
    /// The source's own sequence rule broke (a lost message in the recording).
    case gap(expected: UInt64, received: UInt64)
}

/// What a source hands the venue for each event: time, market index, event, bid and ask levels.
typealias SimEventHandler = (Int64, Int, SimEvent, UnsafeBufferPointer<arb_book_level_t>, UnsafeBufferPointer<arb_book_level_t>) -> Void

/// Where a simulated venue's market data comes from: it yields events by time, and keeps the
/// levels of the current book event alive during the handler call.
protocol MarketSource: AnyObject {
    /// Time (ns) of the next event, nil when the data is exhausted.
    var nextTime: Int64? { get }
    /// Produces the next event (false when exhausted).
    func next(_ handle: SimEventHandler) -> Bool
    /// Lines, rows or updates read so far (bookTicker, depth and trade each count as one).
    var messages: Int { get }
}
