import ArbSDK

/// Best bid and offer of a book.
public struct TopOfBook: Sendable, Equatable {
    public var bid: ExactDecimal
    public var bidQuantity: ExactDecimal
    public var ask: ExactDecimal
    public var askQuantity: ExactDecimal
    public var sequence: UInt64
    public var isStale: Bool

    init(_ c: arb_top_of_book_t) {
        bid = ExactDecimal(c.bid)
        bidQuantity = ExactDecimal(c.bid_quantity)
        ask = ExactDecimal(c.ask)
        askQuantity = ExactDecimal(c.ask_quantity)
        sequence = c.sequence
        isStale = c.stale != 0
    }
}

/// A book update as a strategy receives it: a view over the host's borrowed struct, no copy.
public struct BookEvent {
    public let raw: UnsafePointer<arb_book_event_t>
    public init(_ raw: UnsafePointer<arb_book_event_t>) { self.raw = raw }

    public var instrument: InstrumentId { InstrumentId(raw.pointee.instrument) }
    public var isSnapshot: Bool { raw.pointee.is_snapshot != 0 }
    public var sequence: UInt64 { raw.pointee.sequence }
    public var tsEvent: Int64 { raw.pointee.ts_event }
    public var tsInit: Int64 { raw.pointee.ts_init }
    public var bestBid: ExactDecimal { ExactDecimal(raw.pointee.best_bid) }
    public var bestBidQuantity: ExactDecimal { ExactDecimal(raw.pointee.best_bid_quantity) }
    public var bestAsk: ExactDecimal { ExactDecimal(raw.pointee.best_ask) }
    public var bestAskQuantity: ExactDecimal { ExactDecimal(raw.pointee.best_ask_quantity) }
}

/// An order's state after a change: a view over the borrowed struct.
public struct OrderUpdate {
    public let raw: UnsafePointer<arb_order_event_t>
    public init(_ raw: UnsafePointer<arb_order_event_t>) { self.raw = raw }

    public var orderId: UInt64 { raw.pointee.order_id }
    public var instrument: InstrumentId { InstrumentId(raw.pointee.instrument) }
    public var status: arb_order_status_t { raw.pointee.status }
    public var isFinal: Bool { raw.pointee.is_final != 0 }
    public var filledQuantity: ExactDecimal { ExactDecimal(raw.pointee.filled_quantity) }
    public var price: ExactDecimal { ExactDecimal(raw.pointee.price) }
    public var clientOrderId: String { String(raw.pointee.client_order_id) }
    public var reason: String { String(raw.pointee.reason) }

    public var statusName: String {
        switch status {
        case ARB_ORDER_PENDING: "pending"
        case ARB_ORDER_OPEN: "open"
        case ARB_ORDER_PARTIALLY_FILLED: "partially_filled"
        case ARB_ORDER_FILLED: "filled"
        case ARB_ORDER_CANCELLED: "cancelled"
        case ARB_ORDER_REJECTED: "rejected"
        case ARB_ORDER_EXPIRED: "expired"
        case ARB_ORDER_UNKNOWN: "unknown"
        default: "status \(status)"
        }
    }
}

/// The final outcome of an action.
public struct ActionResult {
    public let raw: UnsafePointer<arb_action_result_t>
    public init(_ raw: UnsafePointer<arb_action_result_t>) { self.raw = raw }

    public var actionId: UInt64 { raw.pointee.action_id }
    public var orderId: UInt64 { raw.pointee.order_id }
    public var accepted: Bool { raw.pointee.outcome == ARB_OUTCOME_ACCEPTED }
    public var outcome: arb_outcome_t { raw.pointee.outcome }
    public var reason: String { String(raw.pointee.reason) }
}
