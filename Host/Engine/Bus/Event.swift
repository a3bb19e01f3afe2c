import ArbModel
import ArbSDK

/// Who produced an event: a venue instance, a strategy instance or a host service.
public struct EventSource: Hashable, Sendable {
    public enum Kind: UInt8, Sendable { case host, venue, strategy }
    public let kind: Kind
    /// The venue's or strategy's slot in its manager; 0 for the host.
    public let index: UInt32

    public static let host = EventSource(kind: .host, index: 0)
    public static func venue(_ index: Int) -> EventSource { EventSource(kind: .venue, index: UInt32(index)) }
    public static func strategy(_ index: Int) -> EventSource { EventSource(kind: .strategy, index: UInt32(index)) }
}

/// What an event carries. Pointers are borrowed: valid only while the event is being routed.
public enum EventPayload {
    case book(UnsafePointer<arb_book_event_t>)
    case trade(UnsafePointer<arb_trade_t>)
    case funding(UnsafePointer<arb_funding_rate_t>)
    case fundingPayment(UnsafePointer<arb_funding_payment_t>)
    case order(UnsafePointer<arb_order_event_t>)
    case fill(UnsafePointer<arb_fill_t>)
    case position(UnsafePointer<arb_position_t>)
    case balance(UnsafePointer<arb_balance_t>)
    case actionResult(UnsafePointer<arb_action_result_t>)
    case opportunity(UnsafePointer<arb_opportunity_t>)
    case instrument(InstrumentId, detail: arb_str_t)
    case text(arb_str_t)
    case none
}

/// An event on its way through the EventRouter (the seed's Event).
///
/// It is a value with borrowed pointers, so routing one allocates nothing.
public struct Event {
    public var type: EventType
    /// ns on the host clock (event time in replay).
    public var timestamp: Int64
    public var source: EventSource
    /// Links the events of one action or request; 0 if none.
    public var correlationId: UInt64
    /// The strategy slot the event is addressed to (its order, fill or action result); -1 for
    /// events every interested handler hears (market data, venue state).
    public var strategy: Int
    public var payload: EventPayload

    public init(type: EventType, timestamp: Int64, source: EventSource, correlationId: UInt64 = 0, strategy: Int = -1,
                payload: EventPayload) {
        self.type = type
        self.timestamp = timestamp
        self.source = source
        self.correlationId = correlationId
        self.strategy = strategy
        self.payload = payload
    }
}
