import ArbModel
import ArbSDK

/// Bus messages produced while an event is handled, delivered after it (cache before publish:
/// subscribers hear of an event once every service has applied it). Topic and payload bytes
/// live in one buffer that keeps its capacity, so a message costs no allocation.
public struct Outbox {
    struct Message {
        var topicStart: Int
        var topicCount: Int
        var payloadStart: Int
        var payloadCount: Int
        var source: EventSource
        var correlationId: UInt64
        var timestamp: Int64
    }

    var messages: ContiguousArray<Message> = []
    /// The bytes of every queued topic and payload; services append a payload's JSON here.
    public var bytes: ContiguousArray<UInt8> = []

    init() {
        messages.reserveCapacity(256)
        bytes.reserveCapacity(1 << 16)
    }

    @inline(__always) public var isEmpty: Bool { messages.isEmpty }

    /// Queues a message with the given topic and payload bytes.
    public mutating func enqueue(topic: arb_str_t, payload: arb_str_t, source: EventSource, correlationId: UInt64,
                                 timestamp: Int64) {
        let topicStart = bytes.count
        bytes.append(contentsOf: topic.bytes)
        let payloadStart = bytes.count
        bytes.append(contentsOf: payload.bytes)
        messages.append(Message(topicStart: topicStart, topicCount: topic.bytes.count, payloadStart: payloadStart,
                                payloadCount: payload.bytes.count, source: source, correlationId: correlationId,
                                timestamp: timestamp))
    }

    /// Queues a message on the bus topic `index` whose payload `write` appends to `bytes`
    /// (JSON written in place: no String per message).
    @inline(__always)
    public mutating func enqueue(topic index: Int, bus: MessageBus, source: EventSource, timestamp: Int64,
                                 _ write: (inout ContiguousArray<UInt8>) -> Void) {
        let topicStart = bytes.count
        bus.withTopicBytes(index) { bytes.append(contentsOf: $0) }
        let payloadStart = bytes.count
        write(&bytes)
        messages.append(Message(topicStart: topicStart, topicCount: payloadStart - topicStart, payloadStart: payloadStart,
                                payloadCount: bytes.count - payloadStart, source: source, correlationId: 0,
                                timestamp: timestamp))
    }

    mutating func removeAll() {
        messages.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }
}
