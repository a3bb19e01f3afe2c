import ArbModel
import ArbSDK
import Glibc

/// A message on the bus (the seed's Event with a topic). Borrowed: valid during delivery only.
public struct BusMessage {
    public var topic: arb_str_t
    public var payload: arb_str_t
    public var source: EventSource
    public var sourceName: arb_str_t
    public var correlationId: UInt64
    public var timestamp: Int64

    public init(topic: arb_str_t, payload: arb_str_t, source: EventSource, sourceName: arb_str_t,
                correlationId: UInt64, timestamp: Int64) {
        self.topic = topic
        self.payload = payload
        self.source = source
        self.sourceName = sourceName
        self.correlationId = correlationId
        self.timestamp = timestamp
    }
}

/// Topic-based publish/subscribe on the engine thread (the seed's MessageBus).
///
/// Topics are interned the first time they are published or matched, and each topic keeps the
/// list of subscriptions whose pattern matches it, so publishing to a known topic is one hash of
/// its bytes and one call per subscriber, with no allocation.
public final class MessageBus {
    public struct SubscriptionId: Hashable, Sendable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
    }

    /// Where a subscription delivers.
    public enum Target {
        case handler((BusMessage) -> Void)
        /// A strategy slot; the engine delivers through `strategyDelivery`.
        case strategy(Int)
    }

    private struct Subscription {
        let id: SubscriptionId
        let pattern: TopicPattern
        let target: Target
    }

    private struct Topic {
        let bytes: [UInt8]
        /// Subscription slots whose pattern matches.
        var subscribers: ContiguousArray<Int> = []
    }

    /// Per topic, the targets to call, in subscription order (rebuilt when subscriptions change),
    /// so publishing walks one flat list.
    private var deliveries: ContiguousArray<ContiguousArray<Target>> = [] {
        didSet { subscriberCounts = ContiguousArray(deliveries.map { Int32($0.count) }) }
    }
    /// Per topic, how many targets: read on the hot path without touching the target lists.
    private var subscriberCounts: ContiguousArray<Int32> = []

    private var subscriptions: [Subscription?] = []
    private var topics: ContiguousArray<Topic> = []
    private var table: [Int32] = Array(repeating: -1, count: 256)
    private var nextId: UInt64 = 1

    /// Called after every subscribe and unsubscribe (the market data service watches for
    /// subscribers of market topics).
    public var subscriptionsChanged: [() -> Void] = []

    /// Whether any subscription could match a topic whose first segment is `segment`.
    public func mayMatch(firstSegment segment: String) -> Bool {
        subscriptions.contains { s in
            guard let first = s?.pattern.text.split(separator: ".").first else { return false }
            return first == segment || first == "*" || first == ">"
        }
    }

    /// Delivers a message to a strategy subscriber; set by the runtime.
    public var strategyDelivery: (Int, BusMessage) -> Void = { _, _ in }

    /// Messages published so far.
    public private(set) var publishedCount = 0

    public init() {}

    /// Subscribes `target` to every topic matching `pattern` (subscribe).
    @discardableResult
    public func subscribe(_ pattern: TopicPattern, _ target: Target) -> SubscriptionId {
        let id = SubscriptionId(rawValue: nextId)
        nextId += 1
        let slot = subscriptions.count
        subscriptions.append(Subscription(id: id, pattern: pattern, target: target))
        for t in topics.indices where topics[t].bytes.withUnsafeBytes({ pattern.matches($0) }) {
            topics[t].subscribers.append(slot)
            deliveries[t].append(target)
        }
        for changed in subscriptionsChanged { changed() }
        return id
    }

    /// Ends a subscription (unsubscribe); false if it did not exist.
    @discardableResult
    public func unsubscribe(_ id: SubscriptionId) -> Bool {
        guard let slot = subscriptions.firstIndex(where: { $0?.id == id }) else { return false }
        subscriptions[slot] = nil
        for t in topics.indices {
            topics[t].subscribers.removeAll { $0 == slot }
            deliveries[t] = ContiguousArray(topics[t].subscribers.compactMap { subscriptions[$0]?.target })
        }
        for changed in subscriptionsChanged { changed() }
        return true
    }

    /// Ends a strategy's own subscription; false if it is not that strategy's.
    package func unsubscribe(_ id: SubscriptionId, strategy: Int) -> Bool {
        guard let s = subscriptions.first(where: { $0?.id == id }) ?? nil,
              case .strategy(let slot) = s.target, slot == strategy else { return false }
        return unsubscribe(id)
    }

    /// A strategy's existing subscription to exactly `pattern`, if any.
    package func existingSubscription(_ pattern: TopicPattern, strategy: Int) -> SubscriptionId? {
        for case let s? in subscriptions where s.pattern == pattern {
            if case .strategy(let slot) = s.target, slot == strategy { return s.id }
        }
        return nil
    }

    /// Ends every subscription of a strategy slot.
    package func unsubscribeAll(strategy: Int) {
        for case let s? in subscriptions {
            if case .strategy(let slot) = s.target, slot == strategy { unsubscribe(s.id) }
        }
    }

    /// Subscriptions of a strategy slot (for carrying them over a hot swap).
    package func subscriptionCount(strategy: Int) -> Int {
        subscriptions.reduce(0) { n, s in
            if case .strategy(let slot)? = s?.target, slot == strategy { return n + 1 }
            return n
        }
    }

    /// The index of `topic` (interned on first use), for `hasSubscribers(topic:)` without hashing.
    public func topicIndex(_ topic: String) -> Int {
        var copy = topic
        return copy.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The topic with this index.
    public func topicName(_ index: Int) -> String { String(decoding: topics[index].bytes, as: UTF8.self) }

    /// The topic's bytes, without building a String.
    @inline(__always)
    func withTopicBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        topics[index].bytes.withUnsafeBufferPointer(body)
    }

    /// Whether anyone listens to the topic with this index: one array read.
    @inline(__always)
    public func hasSubscribers(topic index: Int) -> Bool { subscriberCounts[index] > 0 }

    /// Whether anyone listens to `topic`; lets publishers skip building a payload.
    public func hasSubscribers(_ topic: arb_str_t) -> Bool {
        !deliveries[intern(topic.bytes)].isEmpty
    }

    /// Delivers `message` to every matching subscriber now (publish).
    public func publish(_ message: BusMessage) {
        publishedCount &+= 1
        // A local reference to this topic's list: a subscriber that subscribes or unsubscribes
        // while being delivered to changes `deliveries` (copy on write), never the list walked
        // here; the change takes effect from the next publish.
        let list = deliveries[intern(message.topic.bytes)]
        list.withUnsafeBufferPointer { targets in
            for target in targets {
                switch target {
                case .handler(let handler): handler(message)
                case .strategy(let index): strategyDelivery(index, message)
                }
            }
        }
    }

    /// The topic's index, creating it (and matching it against every pattern) if new.
    private func intern(_ bytes: UnsafeRawBufferPointer) -> Int {
        let mask = table.count - 1
        var i = Int(truncatingIfNeeded: Self.fnv1a(bytes)) & mask
        while table[i] >= 0 {
            let t = Int(table[i])
            let same = topics[t].bytes.withUnsafeBytes { known in
                known.count == bytes.count && (bytes.count == 0 || memcmp(known.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
            }
            if same { return t }
            i = (i + 1) & mask
        }
        var topic = Topic(bytes: Array(bytes))
        var targets: ContiguousArray<Target> = []
        for (slot, s) in subscriptions.enumerated() where s?.pattern.matches(bytes) == true {
            topic.subscribers.append(slot)
            targets.append(s!.target)
        }
        topics.append(topic)
        deliveries.append(targets)
        table[i] = Int32(topics.count - 1)
        if topics.count * 2 > table.count { rehash() }
        return topics.count - 1
    }

    private func rehash() {
        table = Array(repeating: -1, count: table.count * 2)
        let mask = table.count - 1
        for (t, topic) in topics.enumerated() {
            var i = Int(truncatingIfNeeded: Self.fnv1a(topic.bytes)) & mask
            while table[i] >= 0 { i = (i + 1) & mask }
            table[i] = Int32(t)
        }
    }

    @inline(__always)
    private static func fnv1a<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        return hash
    }
}
