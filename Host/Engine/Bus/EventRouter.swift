import ArbModel
import ArbSDK

/// Hands each event to the handlers registered for its type (the seed's EventRouter).
///
/// Runs on the engine thread. Handlers are called in registration order; routing allocates
/// nothing and touches no reference count: the handlers of all types sit in one table of
/// unretained references (the router owns them through `registered`), found by a per-type
/// range. Registering or removing a handler builds a new table; one replaced while events are
/// being routed stays alive until the outermost routing returns, so a handler may register or
/// unregister others (the change takes effect from the next event).
public final class EventRouter {
    public typealias Handler = (Event) -> Void

    public struct Registration: Hashable, Sendable {
        let type: EventType
        let id: Int
    }

    final class Entry {
        let id: Int
        let type: EventType
        let handler: Handler
        init(id: Int, type: EventType, handler: @escaping Handler) {
            self.id = id
            self.type = type
            self.handler = handler
        }
    }

    /// Every handler, in registration order (the owners of the table's references).
    private var registered: [Entry] = []
    /// The handlers grouped by type, and each type's range in it.
    private var table: UnsafeMutableBufferPointer<Unmanaged<Entry>>
    private var ranges: UnsafeMutableBufferPointer<Range<Int>>
    /// Tables replaced during routing, freed when it ends.
    private var retired: [(UnsafeMutableBufferPointer<Unmanaged<Entry>>, UnsafeMutableBufferPointer<Range<Int>>)] = []
    private var routingDepth = 0
    private var nextId = 1
    /// How many events were routed, by type index.
    public private(set) var routedCounts: [Int]

    public init() {
        routedCounts = Array(repeating: 0, count: EventType.allCases.count)
        table = .allocate(capacity: 0)
        ranges = .allocate(capacity: EventType.allCases.count)
        _ = ranges.initialize(from: repeatElement(0..<0, count: EventType.allCases.count))
    }

    deinit {
        free(table, ranges)
        for (t, r) in retired { free(t, r) }
    }

    /// Registers `handler` for events of `type` (register_handler).
    @discardableResult
    public func registerHandler(_ type: EventType, _ handler: @escaping Handler) -> Registration {
        defer { nextId += 1 }
        registered.append(Entry(id: nextId, type: type, handler: handler))
        rebuild()
        return Registration(type: type, id: nextId)
    }

    /// Removes a handler.
    public func unregister(_ registration: Registration) {
        registered.removeAll { $0.id == registration.id && $0.type == registration.type }
        rebuild()
    }

    /// Routes one event to its handlers (route_event).
    @inline(__always)
    public func routeEvent(_ event: Event) {
        let index = event.type.index
        routedCounts[index] &+= 1
        let range = ranges[index]
        guard !range.isEmpty else { return }
        let current = table
        routingDepth += 1
        for k in range { current[k]._withUnsafeGuaranteedRef { $0.handler(event) } }
        routingDepth -= 1
        if routingDepth == 0 && !retired.isEmpty { freeRetired() }
    }

    /// How many events of `type` were routed.
    public func routedCount(_ type: EventType) -> Int { routedCounts[type.index] }

    private func rebuild() {
        let count = EventType.allCases.count
        var byType = Array(repeating: [Entry](), count: count)
        for entry in registered { byType[entry.type.index].append(entry) }
        let newTable = UnsafeMutableBufferPointer<Unmanaged<Entry>>.allocate(capacity: registered.count)
        let newRanges = UnsafeMutableBufferPointer<Range<Int>>.allocate(capacity: count)
        var next = 0
        for t in 0..<count {
            let start = next
            for entry in byType[t] {
                (newTable.baseAddress! + next).initialize(to: .passUnretained(entry))
                next += 1
            }
            (newRanges.baseAddress! + t).initialize(to: start..<next)
        }
        if routingDepth > 0 {
            // The old table is being walked: it, and the entries it names, stay until routing ends.
            retired.append((table, ranges))
            retiredEntries.append(contentsOf: tableEntries)
        } else {
            free(table, ranges)
        }
        table = newTable
        ranges = newRanges
        tableEntries = registered
    }

    /// The entries the current table names (kept alive with it when it is retired).
    private var tableEntries: [Entry] = []
    private var retiredEntries: [Entry] = []

    private func freeRetired() {
        for (t, r) in retired { free(t, r) }
        retired.removeAll()
        retiredEntries.removeAll()
    }

    private func free(_ t: UnsafeMutableBufferPointer<Unmanaged<Entry>>, _ r: UnsafeMutableBufferPointer<Range<Int>>) {
        t.deallocate()
        r.deinitialize()
        r.deallocate()
    }
}
