import ArbEngine
import ArbModel
import ArbSDK
import Dispatch
import Glibc

extension OrderManager {
    /// The host's view of an order (get_order_status). Engine thread.
    public func order(_ id: UInt64) -> TrackedOrder? { orders.order(id) }

    /// A strategy's orders that are not final (get_open_orders). Engine thread.
    public func openOrders(strategy slot: Int) -> [TrackedOrder] { orders.openOrders(strategy: slot) }

    /// Asks a venue for one order by client id (the venue's get_order); nil if the venue does not
    /// know it or does not answer within `timeout` seconds. From a control thread (not the
    /// engine's): it waits for the answer.
    public func queryOrder(venue name: String, clientOrderId: String, instrument: InstrumentId = .none,
                           timeout: Double = 10) -> VenueOrder? {
        let request: UInt64? = engine.perform { engine in
            guard let venue = engine.venue(named: name), let getOrder = venue.table.get_order else { return nil }
            let query = InFlight(kind: Self.orderQuery, strategy: -1, actionId: 0, orderId: 0)
            let (status, request) = engine.sendRequest(to: venue, owner: .orders) { request in
                clientOrderId.withArbStr { cid in
                    var ref = arb_order_ref_t(struct_size: structSize(arb_order_ref_t.self), instrument: instrument.rawValue,
                                              venue_order_id: .empty, client_order_id: cid)
                    return getOrder(venue.instance, request, &ref)
                }
            }
            guard status == ARB_OK else { return nil }
            self.inFlight[request] = query
            return request
        }
        guard let request else { return nil }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let answer: (done: Bool, orders: [VenueOrder])? = engine.perform { _ in
                guard let outcome = self.queryOutcomes.removeValue(forKey: request) else { return nil }
                return (outcome == ARB_OUTCOME_ACCEPTED, self.queryResults.removeValue(forKey: request) ?? [])
            }
            if let answer { return answer.done ? answer.orders.first : nil }
            usleep(1000)
        }
        return nil
    }
}
