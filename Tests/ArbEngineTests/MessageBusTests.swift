import ArbSDK
import ArbModel
import Testing
@testable import ArbEngine

/// A message as a subscriber saw it, copied out of the borrowed delivery.
private struct Received: Equatable {
    var subscriber: String
    var topic: String
    var payload: [UInt8]
    var source: EventSource
    var sourceName: String
    var correlationId: UInt64
    var timestamp: Int64
}

/// Collects deliveries in the order they happen.
private final class Inbox {
    var messages: [Received] = []

    func handler(_ name: String) -> MessageBus.Target {
        .handler { [self] message in
            messages.append(Received(
                subscriber: name,
                topic: String(message.topic),
                payload: Array(message.payload.bytes),
                source: message.source,
                sourceName: String(message.sourceName),
                correlationId: message.correlationId,
                timestamp: message.timestamp))
        }
    }

    var subscribers: [String] { messages.map(\.subscriber) }
}

private func publish(_ bus: MessageBus, _ topic: String, payload: [UInt8] = [], source: EventSource = .host,
                     sourceName: String = "", correlationId: UInt64 = 0, timestamp: Int64 = 0) {
    topic.withArbStr { t in
        sourceName.withArbStr { name in
            payload.withUnsafeBufferPointer { p in
                bus.publish(BusMessage(topic: t, payload: arb_str_t(p), source: source, sourceName: name,
                                       correlationId: correlationId, timestamp: timestamp))
            }
        }
    }
}

private func hasSubscribers(_ bus: MessageBus, _ topic: String) -> Bool {
    topic.withArbStr { bus.hasSubscribers($0) }
}

private func pattern(_ text: String) throws -> TopicPattern { try TopicPattern(text) }

@Suite("MessageBus")
struct MessageBusTests {
    @Test func publishReachesOnlyMatchingSubscribersInSubscriptionOrder() throws {
        let bus = MessageBus()
        let inbox = Inbox()
        bus.subscribe(try pattern("data.>"), inbox.handler("rest"))
        bus.subscribe(try pattern("data.book.*"), inbox.handler("star"))
        bus.subscribe(try pattern("order.>"), inbox.handler("orders"))
        bus.subscribe(try pattern("data.book.binance"), inbox.handler("literal"))

        publish(bus, "data.book.binance")
        #expect(inbox.subscribers == ["rest", "star", "literal"])

        inbox.messages.removeAll()
        publish(bus, "data.trade.okx")
        #expect(inbox.subscribers == ["rest"])

        inbox.messages.removeAll()
        publish(bus, "signal.x")
        #expect(inbox.subscribers.isEmpty)
        #expect(bus.publishedCount == 3)
    }

    @Test func subscriptionMadeAfterATopicWasPublishedReceivesLaterMessages() throws {
        let bus = MessageBus()
        let inbox = Inbox()
        bus.subscribe(try pattern("custom.a"), inbox.handler("first"))
        publish(bus, "custom.a", payload: [1])
        #expect(inbox.subscribers == ["first"])

        bus.subscribe(try pattern("custom.*"), inbox.handler("late"))
        publish(bus, "custom.a", payload: [2])
        #expect(inbox.subscribers == ["first", "first", "late"])
        #expect(inbox.messages.map(\.payload) == [[1], [2], [2]])
    }

    @Test func topicPublishedWithNoSubscribersIsDeliveredOnceSomeoneSubscribes() throws {
        let bus = MessageBus()
        let inbox = Inbox()
        publish(bus, "custom.early")
        #expect(!hasSubscribers(bus, "custom.early"))
        bus.subscribe(try pattern("custom.>"), inbox.handler("late"))
        #expect(hasSubscribers(bus, "custom.early"))
        publish(bus, "custom.early")
        #expect(inbox.subscribers == ["late"])
    }

    @Test func unsubscribeStopsDeliveryAndKeepsTheOthersInOrder() throws {
        let bus = MessageBus()
        let inbox = Inbox()
        bus.subscribe(try pattern("t.*"), inbox.handler("a"))
        let b = bus.subscribe(try pattern("t.x"), inbox.handler("b"))
        bus.subscribe(try pattern("t.>"), inbox.handler("c"))
        publish(bus, "t.x")
        #expect(inbox.subscribers == ["a", "b", "c"])

        #expect(bus.unsubscribe(b))
        inbox.messages.removeAll()
        publish(bus, "t.x")
        #expect(inbox.subscribers == ["a", "c"])

        // A topic first seen after the unsubscribe does not resurrect it either.
        inbox.messages.removeAll()
        publish(bus, "t.y")
        #expect(inbox.subscribers == ["a", "c"])

        #expect(!bus.unsubscribe(b), "a second unsubscribe finds nothing")
    }

    @Test func unsubscribeOfAnUnknownIdReturnsFalse() throws {
        let bus = MessageBus()
        #expect(!bus.unsubscribe(MessageBus.SubscriptionId(rawValue: 42)))
        let id = bus.subscribe(try pattern("a"), .handler { _ in })
        #expect(!bus.unsubscribe(MessageBus.SubscriptionId(rawValue: id.rawValue + 1)))
        #expect(bus.unsubscribe(id))
    }

    @Test func subscriptionIdsAreDistinct() throws {
        let bus = MessageBus()
        let ids = try (0..<10).map { _ in bus.subscribe(try pattern("a"), .handler { _ in }) }
        #expect(Set(ids).count == 10)
    }

    @Test func hasSubscribersFollowsSubscribeAndUnsubscribe() throws {
        let bus = MessageBus()
        #expect(!hasSubscribers(bus, "data.book.okx"))
        let id = bus.subscribe(try pattern("data.book.*"), .handler { _ in })
        #expect(hasSubscribers(bus, "data.book.okx"))
        #expect(!hasSubscribers(bus, "data.trade.okx"))
        #expect(!hasSubscribers(bus, "data.book"))
        bus.unsubscribe(id)
        #expect(!hasSubscribers(bus, "data.book.okx"))
        #expect(bus.publishedCount == 0, "asking does not publish")
    }

    @Test func messageFieldsArriveIntact() throws {
        let bus = MessageBus()
        let inbox = Inbox()
        bus.subscribe(try pattern("custom.>"), inbox.handler("s"))
        let payload: [UInt8] = [0, 1, 2, 0xFF, 0x7F, 0x80, 0, 42]  // binary, with NULs
        publish(bus, "custom.spread.BTCUSDT", payload: payload, source: .strategy(3),
                sourceName: "spread-watch", correlationId: 0xDEAD_BEEF_CAFE_F00D, timestamp: -17)
        let expected = Received(subscriber: "s", topic: "custom.spread.BTCUSDT", payload: payload,
                                source: .strategy(3), sourceName: "spread-watch",
                                correlationId: 0xDEAD_BEEF_CAFE_F00D, timestamp: -17)
        #expect(inbox.messages == [expected])
    }

    @Test func emptyPayloadIsDeliveredAsEmpty() throws {
        let bus = MessageBus()
        let inbox = Inbox()
        bus.subscribe(try pattern("e"), inbox.handler("s"))
        publish(bus, "e", payload: [])
        #expect(inbox.messages.count == 1)
        #expect(inbox.messages.first?.payload == [])
    }

    @Test func strategyTargetsGoThroughStrategyDelivery() throws {
        let bus = MessageBus()
        var delivered: [(Int, String)] = []
        bus.strategyDelivery = { index, message in delivered.append((index, String(message.topic))) }
        bus.subscribe(try pattern("s.*"), .strategy(7))
        bus.subscribe(try pattern("s.b"), .strategy(2))
        publish(bus, "s.b")
        publish(bus, "s.c")
        #expect(delivered.map(\.0) == [7, 2, 7])
        #expect(delivered.map(\.1) == ["s.b", "s.b", "s.c"])
    }

    @Test func manyDistinctTopicsAreEachDeliveredToTheirOwnSubscribers() throws {
        let bus = MessageBus()
        let topicCount = 2_000
        let topics = (0..<topicCount).map { "t.\($0).x" }

        var all: [String] = []
        bus.subscribe(try pattern("t.*.x"), .handler { all.append(String($0.topic)) })
        // A few subscribers for one topic each, made before their topic exists...
        var single: [Int: [String]] = [:]
        for i in stride(from: 0, to: topicCount, by: 97) {
            bus.subscribe(try pattern(topics[i]), .handler { single[i, default: []].append(String($0.topic)) })
        }

        for (i, topic) in topics.enumerated() {
            publish(bus, topic, payload: Array(String(i).utf8))
        }
        #expect(all == topics)
        for i in stride(from: 0, to: topicCount, by: 97) {
            #expect(single[i] == [topics[i]], "topic \(i)")
        }
        #expect(single.count == (topicCount + 96) / 97)

        // ...and after the table grew, known topics are still found and a new subscription
        // reaches topics interned long before it.
        var late: [String] = []
        bus.subscribe(try pattern("t.1999.x"), .handler { late.append(String($0.topic)) })
        bus.subscribe(try pattern("t.3.x"), .handler { late.append(String($0.topic)) })
        all.removeAll()
        for topic in topics.reversed() { publish(bus, topic) }
        #expect(all == topics.reversed())
        #expect(late == ["t.1999.x", "t.3.x"])
        for i in stride(from: 0, to: topicCount, by: 97) {
            #expect(single[i] == [topics[i], topics[i]], "topic \(i)")
        }
        #expect(bus.publishedCount == 2 * topicCount)
    }

    @Test func subscriberThatUnsubscribesDuringDeliveryStopsFromTheNextMessage() throws {
        // A strategy may unsubscribe from inside on_bus_message; the bus is then mid-publish.
        let bus = MessageBus()
        var calls: [String] = []
        var once: MessageBus.SubscriptionId?
        once = bus.subscribe(try pattern("q.*"), .handler { [unowned bus] _ in
            calls.append("once")
            if let id = once { bus.unsubscribe(id) }
        })
        bus.subscribe(try pattern("q.a"), .handler { _ in calls.append("steady") })
        publish(bus, "q.a")
        publish(bus, "q.a")
        publish(bus, "q.b")
        #expect(calls == ["once", "steady", "steady"])
    }

    @Test func subscriptionMadeDuringDeliveryReceivesFromTheNextMessage() throws {
        // A strategy may subscribe from inside on_bus_message, to the topic being delivered.
        let bus = MessageBus()
        var calls: [String] = []
        var added = 0
        bus.subscribe(try pattern("r.>"), .handler { [unowned bus] _ in
            calls.append("root")
            added += 1
            let n = added
            bus.subscribe(try! TopicPattern("r.*"), .handler { _ in calls.append("new\(n)") })
        })
        for round in 1...20 {
            calls.removeAll()
            publish(bus, "r.x")
            #expect(calls == ["root"] + (1..<round).map { "new\($0)" }, "round \(round)")
        }
    }

    @Test func topicsDifferingOnlyInLengthOrOneByteAreDistinct() throws {
        let bus = MessageBus()
        let inbox = Inbox()
        bus.subscribe(try pattern("ab"), inbox.handler("ab"))
        bus.subscribe(try pattern("abc"), inbox.handler("abc"))
        bus.subscribe(try pattern("abd"), inbox.handler("abd"))
        for topic in ["abc", "ab", "abd", "abe"] { publish(bus, topic) }
        #expect(inbox.subscribers == ["abc", "ab", "abd"])
        #expect(inbox.messages.map(\.topic) == ["abc", "ab", "abd"])
    }
}

@Suite("EventRouter")
struct EventRouterTests {
    private func event(_ type: EventType, correlationId: UInt64 = 0) -> Event {
        Event(type: type, timestamp: 123, source: .venue(1), correlationId: correlationId, payload: .none)
    }

    @Test func handlersForATypeRunInRegistrationOrder() {
        let router = EventRouter()
        var calls: [String] = []
        router.registerHandler(.orderFilled) { _ in calls.append("first") }
        router.registerHandler(.orderFilled) { _ in calls.append("second") }
        router.registerHandler(.orderFilled) { _ in calls.append("third") }
        router.registerHandler(.fill) { _ in calls.append("fill") }

        router.routeEvent(event(.orderFilled))
        #expect(calls == ["first", "second", "third"])
    }

    @Test func eventsReachOnlyTheirTypesHandlersWithTheirFields() {
        let router = EventRouter()
        var seen: [(EventType, UInt64, Int64, EventSource)] = []
        router.registerHandler(.orderBookUpdate) { seen.append(($0.type, $0.correlationId, $0.timestamp, $0.source)) }
        router.registerHandler(.tradeUpdate) { seen.append(($0.type, $0.correlationId, $0.timestamp, $0.source)) }

        router.routeEvent(event(.tradeUpdate, correlationId: 9))
        router.routeEvent(event(.riskAlert, correlationId: 10))
        router.routeEvent(event(.orderBookUpdate, correlationId: 11))
        #expect(seen.map(\.0) == [.tradeUpdate, .orderBookUpdate])
        #expect(seen.map(\.1) == [9, 11])
        #expect(seen.allSatisfy { $0.2 == 123 && $0.3 == .venue(1) })
    }

    @Test func unregisterRemovesOnlyThatHandler() {
        let router = EventRouter()
        var calls: [String] = []
        router.registerHandler(.emergencyStop) { _ in calls.append("a") }
        let b = router.registerHandler(.emergencyStop) { _ in calls.append("b") }
        router.registerHandler(.emergencyStop) { _ in calls.append("c") }

        router.unregister(b)
        router.routeEvent(event(.emergencyStop))
        #expect(calls == ["a", "c"])

        router.unregister(b)  // twice: nothing more to remove
        calls.removeAll()
        router.routeEvent(event(.emergencyStop))
        #expect(calls == ["a", "c"])
    }

    /// A handler that removes itself and the next one, registers another and routes an event
    /// of its own while being routed: the walk in progress finishes over the handlers it
    /// started with (none freed under it), the changes apply from the next event.
    @Test func handlersMayChangeRegistrationsWhileBeingRouted() {
        let router = EventRouter()
        var calls: [String] = []
        var selfRegistration: EventRouter.Registration?
        var next: EventRouter.Registration?
        selfRegistration = router.registerHandler(.orderFilled) { _ in
            calls.append("a")
            router.unregister(selfRegistration!)
            router.unregister(next!)
            router.registerHandler(.orderFilled) { _ in calls.append("late") }
            router.routeEvent(Event(type: .fill, timestamp: 1, source: .host, payload: .none))
        }
        next = router.registerHandler(.orderFilled) { _ in calls.append("b") }
        router.registerHandler(.fill) { _ in calls.append("fill") }
        router.routeEvent(event(.orderFilled))
        #expect(calls == ["a", "fill", "b"])
        calls.removeAll()
        router.routeEvent(event(.orderFilled))
        #expect(calls == ["late"])
        #expect(router.routedCount(.orderFilled) == 2 && router.routedCount(.fill) == 1)
    }

    @Test func registrationsAreDistinctEvenAcrossTypes() {
        let router = EventRouter()
        let a = router.registerHandler(.fill) { _ in }
        let b = router.registerHandler(.fill) { _ in }
        let c = router.registerHandler(.balanceUpdated) { _ in }
        #expect(Set([a, b, c]).count == 3)
    }

    @Test func routedCountCountsEveryRoutedEventByTypeEvenWithoutHandlers() {
        let router = EventRouter()
        router.registerHandler(.fill) { _ in }
        for _ in 0..<3 { router.routeEvent(event(.fill)) }
        router.routeEvent(event(.systemStartup))
        #expect(router.routedCount(.fill) == 3)
        #expect(router.routedCount(.systemStartup) == 1)
        #expect(router.routedCount(.configRejected) == 0)
        #expect(router.routedCounts.reduce(0, +) == 4)
        #expect(router.routedCounts.count == EventType.allCases.count)
    }

    @Test func everyTypeHasItsOwnHandlerList() {
        let router = EventRouter()
        var seen: [EventType] = []
        for type in EventType.allCases { router.registerHandler(type) { seen.append($0.type) } }
        for type in EventType.allCases.reversed() { router.routeEvent(event(type)) }
        #expect(seen == EventType.allCases.reversed())
    }
}
