import ArbModel
import ArbSDK
import Glibc
import Logging
import Synchronization

extension Engine {
    /// Puts an event from an adapter on the right ring: the local one when the engine thread
    /// itself emits (a stepped adapter), the inbound ring otherwise.
    @inlinable @inline(__always)
    public func post<T: RecordPayload>(_ value: T, source: Int, request: UInt64) -> arb_status_t {
        let ring = isEngineThreadOfRunningEngine ? local : inbound
        let status = RecordCodec.post(value, header: RecordHeader(source: UInt32(source), request: request), to: ring)
        if status == ARB_ERR_QUEUE_FULL { droppedEvents.wrappingAdd(1, ordering: .relaxed) }
        return status
    }

    /// Handles one record. Engine thread.
    @inline(__always)
    func process(_ type: Int32, _ payload: UnsafeMutableRawPointer) {
        countEvent()
        eventDepth += 1
        defer {
            eventDepth -= 1
            afterEvent()
        }
        switch type {
        case RecordType.command.rawValue: runCommand(RecordCodec.read(payload, as: CommandRecord.self).1)
        case RecordType.timer.rawValue: applyTimerRecord(RecordCodec.read(payload, as: TimerRecord.self).1)
        case RecordType.requestDone.rawValue: handleRequestDone(payload)
        default:
            guard type > 0, type <= RecordType.allCases.count, let handler = handlers[Int(type)] else {
                logger.error("no service handles inbound record type \(type)")
                return
            }
            handler.function(handler.service, payload)
        }
    }

    /// What services deferred and what was published during the event just handled.
    @inline(__always)
    func afterEvent() {
        if hasDeferredWork {
            hasDeferredWork = false
            for work in deferredWork { work() }
        }
        if !outbox.isEmpty { deliverOutbox() }
    }
}

extension Engine {
    // MARK: Requests to venues

    /// The venue in `slot`, if any.
    @inline(__always)
    public func venue(_ slot: Int) -> VenueEndpoint? {
        slot >= 0 && slot < venues.count ? venues[slot] : nil
    }

    /// The venue named `name`, if any.
    public func venue(named name: String) -> VenueEndpoint? {
        for case let v? in venues where v.name == name { return v }
        return nil
    }

    /// Puts `venue` in its slot (nil removes it). Engine thread, between events.
    public func setVenue(_ venue: VenueEndpoint?, slot: Int) {
        while venues.count <= slot { venues.append(nil) }
        venues[slot] = venue
        venuesChanged()
    }

    /// Sends a request to `venue` under a new request id: `body` gets the id and calls the
    /// adapter. The request's one final answer goes to `owner`'s handler; if the adapter refuses
    /// it outright (a status other than OK), nothing is pending and the status is returned.
    public func sendRequest(to venue: VenueEndpoint, owner: RequestOwner, _ body: (UInt64) -> arb_status_t)
        -> (status: arb_status_t, request: UInt64)
    {
        let id = requests.open(venue: venue.slot, owner: owner)
        let status = body(id)
        if status != ARB_OK { requests.forget(id) }
        return (status, id)
    }

    /// Ends every request in flight to venue `slot` as UNKNOWN (its adapter instance is gone:
    /// reconnected or replaced); an order's real state is learned from the venue, never by resending.
    public func abandonRequests(venue slot: Int, reason: String) {
        for (id, owner) in requests.closeAll(venue: slot) {
            reason.withArbStr { text in
                requestAnswered[owner.rawValue](RequestOutcome(request: id, venue: slot, outcome: ARB_OUTCOME_UNKNOWN,
                                                               venueCode: 0, message: text))
            }
        }
    }

    private func handleRequestDone(_ payload: UnsafeMutableRawPointer) {
        let (header, done) = RecordCodec.read(payload, as: RequestDoneRecord.self)
        guard let pending = requests.close(header.request) else {
            logger.warning("venue slot \(header.source) answered request \(header.request), which is not pending (answered twice?)")
            return
        }
        requestAnswered[pending.owner.rawValue](RequestOutcome(request: header.request, venue: Int(header.source),
                                                               outcome: done.outcome, venueCode: done.venueCode,
                                                               message: done.message))
    }

    // MARK: Timers from other threads

    /// Sets a timer from any thread without waiting for the engine: the id is returned at once
    /// and the timer is set on the engine thread before the next inbound event. On the engine
    /// thread it is set directly.
    public func postTimer(deadline: Int64, interval: Int64, owner: TimerOwner, tag: UInt64) -> UInt64 {
        if isEngineThreadOfRunningEngine || !isRunning { return setTimer(deadline: deadline, interval: interval, owner: owner, tag: tag) }
        let id = timerIds.wrappingAdd(1, ordering: .relaxed).oldValue
        while RecordCodec.post(TimerRecord(id: id, deadline: deadline, interval: interval, owner: owner, tag: tag, cancel: false),
                               header: RecordHeader(source: 0, request: 0), to: inbound) == ARB_ERR_QUEUE_FULL {
            sched_yield()
        }
        inbound.wake()
        return id
    }

    /// Cancels a timer from any thread without waiting for the engine. Off the engine thread the
    /// answer is whether the id was ever issued; the cancel itself happens on the engine thread.
    public func postTimerCancel(_ id: UInt64, owner: TimerOwner) -> Bool {
        if isEngineThreadOfRunningEngine || !isRunning { return timers.cancel(id, owner: owner) }
        guard id != 0, id < timerIds.load(ordering: .relaxed) else { return false }
        while RecordCodec.post(TimerRecord(id: id, deadline: 0, interval: 0, owner: owner, tag: 0, cancel: true),
                               header: RecordHeader(source: 0, request: 0), to: inbound) == ARB_ERR_QUEUE_FULL {
            sched_yield()
        }
        inbound.wake()
        return true
    }

    private func applyTimerRecord(_ r: TimerRecord) {
        if r.cancel {
            _ = timers.cancel(r.id, owner: r.owner)
        } else {
            timers.set(id: r.id, deadline: r.deadline, interval: r.interval, owner: r.owner, tag: r.tag)
        }
    }

    // MARK: Bus

    /// Queues a message for delivery after the current event (strategies' publish).
    public func enqueueMessage(topic: arb_str_t, payload: arb_str_t, source: EventSource, correlationId: UInt64) {
        outbox.enqueue(topic: topic, payload: payload, source: source, correlationId: correlationId, timestamp: now())
    }

    func deliverOutbox() {
        var i = 0
        // Messages published while delivering are delivered in the same pass, in order.
        while i < outbox.messages.count {
            let m = outbox.messages[i]
            i += 1
            let name = m.source.kind == .host ? "host" : sourceName(m.source)
            outbox.bytes.withUnsafeBufferPointer { bytes in
                name.withArbStr { name in
                    let base = bytes.baseAddress!
                    let message = BusMessage(
                        topic: arb_str_t(UnsafeBufferPointer(start: base + m.topicStart, count: m.topicCount)),
                        payload: arb_str_t(UnsafeBufferPointer(start: base + m.payloadStart, count: m.payloadCount)),
                        source: m.source, sourceName: name, correlationId: m.correlationId, timestamp: m.timestamp)
                    bus.publish(message)
                }
            }
        }
        outbox.removeAll()
    }

    /// Publishes a system event (JSON) on the bus under `system.<event name>`.
    public func publishSystem(_ type: EventType, json: String) {
        let topic = Topic.system(type.name)
        topic.withArbStr { t in
            guard bus.hasSubscribers(t) else { return }
            json.withArbStr { p in enqueueMessage(topic: t, payload: p, source: .host, correlationId: 0) }
        }
    }
}
