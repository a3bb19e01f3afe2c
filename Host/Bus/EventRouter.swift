/// Hands each event to the handlers registered for its type (the seed's EventRouter).
///
/// Runs on the engine thread. Handlers are called in registration order; routing allocates
/// nothing.
public final class EventRouter {
    public typealias Handler = (Event) -> Void

    public struct Registration: Hashable, Sendable {
        let type: EventType
        let id: Int
    }

    private var handlers: [ContiguousArray<(id: Int, handler: Handler)>]
    private var nextId = 1
    /// How many events were routed, by type index.
    public private(set) var routedCounts: [Int]

    public init() {
        handlers = Array(repeating: [], count: EventType.allCases.count)
        routedCounts = Array(repeating: 0, count: EventType.allCases.count)
    }

    /// Registers `handler` for events of `type` (register_handler).
    @discardableResult
    public func registerHandler(_ type: EventType, _ handler: @escaping Handler) -> Registration {
        defer { nextId += 1 }
        handlers[type.index].append((nextId, handler))
        return Registration(type: type, id: nextId)
    }

    /// Removes a handler.
    public func unregister(_ registration: Registration) {
        handlers[registration.type.index].removeAll { $0.id == registration.id }
    }

    /// Routes one event to its handlers (route_event).
    @inline(__always)
    public func routeEvent(_ event: Event) {
        let index = event.type.index
        routedCounts[index] &+= 1
        handlers[index].withUnsafeBufferPointer { list in
            for entry in list { entry.handler(event) }
        }
    }

    /// How many events of `type` were routed.
    public func routedCount(_ type: EventType) -> Int { routedCounts[type.index] }
}
