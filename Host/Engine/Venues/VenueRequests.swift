import ArbModel
import ArbSDK

/// Which service a request to a venue belongs to, and so who hears its one final answer.
public enum RequestOwner: Int, Sendable, CaseIterable {
    /// The host's own housekeeping (subscriptions, snapshot requests): a failure is logged.
    case host
    /// The order manager (orders, cancels, amends, order queries).
    case orders
}

/// The one final answer to a request (`request_done`), as its owner receives it.
public struct RequestOutcome {
    public var request: UInt64
    public var venue: Int
    public var outcome: arb_outcome_t
    public var venueCode: Int32
    /// Borrowed: valid during the call.
    public var message: arb_str_t
}

/// Requests in flight to venues, by host-assigned request id: each ends in exactly one outcome,
/// delivered to the service that made it. Engine thread only.
public struct VenueRequests {
    struct Pending {
        var venue: Int
        var owner: RequestOwner
    }

    private var pending: [UInt64: Pending] = [:]
    private var nextId: UInt64 = 1

    init() { pending.reserveCapacity(1024) }

    /// A new request id for `venue`, owned by `owner`.
    mutating func open(venue: Int, owner: RequestOwner) -> UInt64 {
        let id = nextId
        nextId += 1
        pending[id] = Pending(venue: venue, owner: owner)
        return id
    }

    /// Ends a request the adapter refused outright (it will never answer).
    mutating func forget(_ id: UInt64) { pending[id] = nil }

    /// Takes a pending request out when its answer arrives; nil if it is not pending.
    mutating func close(_ id: UInt64) -> Pending? { pending.removeValue(forKey: id) }

    /// Takes out every request in flight to `venue`, oldest first.
    mutating func closeAll(venue: Int) -> [(id: UInt64, owner: RequestOwner)] {
        let ids = pending.filter { $0.value.venue == venue }.sorted { $0.key < $1.key }
        for (id, _) in ids { pending[id] = nil }
        return ids.map { ($0.key, $0.value.owner) }
    }

    /// Whether `id` is in flight.
    public func isPending(_ id: UInt64) -> Bool { pending[id] != nil }

    public var count: Int { pending.count }
}
