import ArbEngine
import ArbModel
import ArbSDK

/// An order as a venue reports it when asked (get_order, get_open_orders).
public struct VenueOrder: Sendable, Equatable {
    public var clientOrderId: String
    public var venueOrderId: String
    public var instrument: InstrumentId
    public var status: arb_order_status_t
    public var quantity: ExactDecimal
    public var price: ExactDecimal
    public var filledQuantity: ExactDecimal

    public init(_ e: arb_order_event_t) {
        clientOrderId = String(e.client_order_id)
        venueOrderId = String(e.venue_order_id)
        instrument = InstrumentId(rawValue: e.instrument)
        status = e.status
        quantity = ExactDecimal(e.quantity)
        price = ExactDecimal(e.price)
        filledQuantity = ExactDecimal(e.filled_quantity)
    }
}
