import ArbEngine
import ArbModel
import ArbSDK
import CHostSupport
import Glibc
import Logging

/// Sends, tracks and answers the orders strategies place (the seed's OrderManager).
///
/// Strategies' actions (submit, cancel, amend) are checked and queued during their callback and
/// sent to the venue after it (`Engine.hasDeferredWork`), never re-entrantly; each action with
/// an id ends in exactly one action result, each order in exactly one final order event. Order
/// events, fills and action results reach strategies through the router only: each event names
/// the strategy that owns the order (`Event.strategy`). Engine thread only, except the queries
/// that say otherwise.
///
/// This is the seam the orders issue fills in: its full state machine, persistence and
/// recovery belong here.
public final class OrderManager: @unchecked Sendable {
    /// An action a strategy took during an event, carried out after it.
    enum PendingAction {
        case submit(orderId: UInt64)
        case cancel(strategy: Int, actionId: UInt64, orderId: UInt64)
        case amend(strategy: Int, actionId: UInt64, orderId: UInt64, price: arb_decimal_t, quantity: arb_decimal_t)
    }

    /// What a request in flight to a venue is for.
    struct InFlight {
        let kind: arb_action_kind_t
        let strategy: Int
        let actionId: UInt64
        let orderId: UInt64
        var price = arb_decimal_t()
        var quantity = arb_decimal_t()
    }

    /// The host's own order queries (get_order): not an action of any strategy.
    static let orderQuery: arb_action_kind_t = 100

    unowned(unsafe) let engine: Engine
    let logger = Logger(label: "orders")
    public internal(set) var orders = OrderRegistry()
    var pendingActions: ContiguousArray<PendingAction> = []
    var inFlight: [UInt64: InFlight] = [:]
    /// Answers to the host's own order queries, by request id.
    var queryResults: [UInt64: [VenueOrder]] = [:]
    var queryOutcomes: [UInt64: arb_outcome_t] = [:]
    var nextActionId: UInt64 = 1
    /// Live: this run's start time in ms (base 36), part of every client order id, so ids never
    /// repeat across restarts (a venue remembers the ids of a killed run). Replay: empty, ids
    /// stay deterministic.
    public let session: String

    /// Creates the manager and makes it the engine's handler of order, fill, position and
    /// balance records and of the order requests' answers. Call before the engine runs.
    public init(engine: Engine) {
        self.engine = engine
        session = engine.mode == .replay ? "" : String(UInt64(arb_wall_time_ns() / 1_000_000), radix: 36)
        pendingActions.reserveCapacity(256)
        inFlight.reserveCapacity(1024)
        engine.addDeferredWork { [unowned(unsafe) self] in self.runPendingActions() }
        engine.answerRequests(of: .orders) { [unowned(unsafe) self] answer in self.requestAnswered(answer) }
        func handler(_ f: @convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Void) -> RecordHandler {
            RecordHandler(self, f)
        }
        engine.handle(.order, with: handler { s, p in Unmanaged<OrderManager>.fromOpaque(s)._withUnsafeGuaranteedRef { $0.handleOrder(p) } })
        engine.handle(.fill, with: handler { s, p in Unmanaged<OrderManager>.fromOpaque(s)._withUnsafeGuaranteedRef { $0.handleFill(p) } })
        engine.handle(.position, with: handler { s, p in Unmanaged<OrderManager>.fromOpaque(s)._withUnsafeGuaranteedRef { $0.handlePosition(p) } })
        engine.handle(.balance, with: handler { s, p in Unmanaged<OrderManager>.fromOpaque(s)._withUnsafeGuaranteedRef { $0.handleBalance(p) } })
    }

    /// A new id for an order or action.
    func newActionId() -> UInt64 {
        defer { nextActionId += 1 }
        return nextActionId
    }

    /// Carries out what strategies asked for during the event just handled.
    func runPendingActions() {
        var i = 0
        while i < pendingActions.count {
            let action = pendingActions[i]
            i += 1
            switch action {
            case .submit(let orderId): sendOrder(orderId)
            case .cancel(let strategy, let actionId, let orderId): sendCancel(strategy, actionId, orderId)
            case .amend(let strategy, let actionId, let orderId, let price, let quantity):
                sendAmend(strategy, actionId, orderId, price, quantity)
            }
        }
        pendingActions.removeAll(keepingCapacity: true)
    }

    func queue(_ action: PendingAction) {
        pendingActions.append(action)
        engine.hasDeferredWork = true
    }

    /// Sends a request for an order action to `venue`; nil if the adapter refused it outright.
    func send(_ action: InFlight, to venue: VenueEndpoint, _ body: (UInt64) -> arb_status_t) -> arb_status_t {
        let (status, request) = engine.sendRequest(to: venue, owner: .orders, body)
        if status == ARB_OK { inFlight[request] = action }
        return status
    }
}
