import ArbSDK
import Logging
import PluginKit

extension Engine {
    /// Puts an event from an adapter on the right ring: the local one when the engine thread
    /// itself emits (a stepped adapter), the inbound ring otherwise.
    @inline(__always)
    func post<T: RecordPayload>(_ value: T, source: Int, request: UInt64) -> arb_status_t {
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
        switch RecordType(rawValue: type) {
        case .book: handleBook(payload)
        case .trade: handleTrade(payload)
        case .funding: handleFunding(payload)
        case .fundingPayment: handleFundingPayment(payload)
        case .order: handleOrder(payload)
        case .fill: handleFill(payload)
        case .position: handlePosition(payload)
        case .balance: handleBalance(payload)
        case .gap: handleGap(payload)
        case .connection: handleConnection(payload)
        case .requestDone: handleRequestDone(payload)
        case .instrumentSpec: handleSpec(payload)
        case .ticker: handleTicker(payload)
        case .command: runCommand(RecordCodec.read(payload, as: CommandRecord.self).1)
        case nil: logger.error("unknown inbound record type \(type)")
        }
    }

    /// What strategies asked for during the event just handled.
    @inline(__always)
    func afterEvent() {
        if !pendingActions.isEmpty { runPendingActions() }
        if !pendingMessages.isEmpty { deliverPendingMessages() }
    }

    // MARK: Market data

    private static let staleGap: StaticString = "sequence gap reported by the adapter"
    private static let staleBack: StaticString = "sequence number went back"
    private static let staleCrossed: StaticString = "book crossed after an update"

    private func handleBook(_ payload: UnsafeMutableRawPointer) {
        let (header, update) = RecordCodec.read(payload, as: arb_book_update_t.self)
        let id = InstrumentId(rawValue: update.instrument)
        var event = arb_book_event_t()
        var resynced = false
        let outcome = market.withBook(id) { book -> OrderBook.Outcome in
            let wasStale = !book.isValid && book.staleReason != .noSnapshot
            let outcome = book.apply(update)
            resynced = wasStale && outcome == .applied
            event.sequence = book.sequence
            (event.best_bid, event.best_bid_quantity, event.best_ask, event.best_ask_quantity) = book.cTop
            return outcome
        }
        let source = EventSource.venue(Int(header.source))
        switch outcome {
        case .applied:
            if resynced {
                market.setResyncRequested(id, false)
                router.routeEvent(Event(type: .bookResynced, timestamp: update.ts_event, source: source,
                                        payload: .instrument(id, detail: .empty)))
            }
            event.struct_size = structSize(arb_book_event_t.self)
            event.instrument = update.instrument
            event.is_snapshot = update.is_snapshot
            event.ts_event = update.ts_event
            event.ts_init = update.ts_init
            event.changed_bids = update.bids
            event.changed_bid_count = update.bid_count
            event.changed_asks = update.asks
            event.changed_ask_count = update.ask_count
            withUnsafePointer(to: &event) { p in
                router.routeEvent(Event(type: .orderBookUpdate, timestamp: update.ts_event, source: source,
                                        payload: .book(p)))
            }
            if marketTopicsActive { publishBookTopic(event, source: source) }
        case .invalidated:
            let reason = market.latestOrderBook(id)?.staleReason == .crossed ? Self.staleCrossed : Self.staleBack
            routeStale(id, reason: reason, timestamp: update.ts_event, source: source)
            requestResync(id, venue: Int(header.source), reason: reason)
        case .ignoredStale:
            break
        }
    }

    /// The host found a book wrong itself (crossed, or its sequence went back), which no venue
    /// reported as a gap: asks the venue for a snapshot, once per stale episode (a venue whose own
    /// book is wrong would otherwise be asked again on every update).
    private func requestResync(_ id: InstrumentId, venue slot: Int, reason: StaticString) {
        guard !market.resyncRequested(id), slot >= 0, slot < exchangeSlots.count, let e = exchangeSlots[slot],
              e.state == .connected, let getOrderbook = e.table.get_orderbook else { return }
        market.setResyncRequested(id, true)
        let name = instruments.instrument(id)?.description ?? "\(id)"
        let status = hostRequest(e) { request in getOrderbook(e.instance, request, id.rawValue, 0) }
        if status == ARB_OK {
            logger.warning("book of \(name) is stale (\(reason)); asked \(e.name) for a snapshot")
        } else {
            logger.warning("book of \(name) is stale (\(reason)); \(e.name) refused a snapshot request (status \(status))")
        }
    }

    private func routeStale(_ id: InstrumentId, reason: StaticString, timestamp: Int64, source: EventSource) {
        let text = arb_str_t(ptr: UnsafeRawPointer(reason.utf8Start).assumingMemoryBound(to: CChar.self),
                             len: reason.utf8CodeUnitCount)
        router.routeEvent(Event(type: .bookStale, timestamp: timestamp, source: source,
                                payload: .instrument(id, detail: text)))
    }

    private func handleGap(_ payload: UnsafeMutableRawPointer) {
        let (header, gap) = RecordCodec.read(payload, as: GapRecord.self)
        let id = InstrumentId(rawValue: gap.instrument)
        logger.warning("sequence gap on \(instruments.instrument(id)?.description ?? "\(id)"): expected \(gap.expected), received \(gap.received); book stale until a fresh snapshot")
        market.withBook(id) { $0.invalidate(.gapReported(expected: gap.expected, received: gap.received)) }
        routeStale(id, reason: Self.staleGap, timestamp: now(), source: .venue(Int(header.source)))
    }

    private func handleTrade(_ payload: UnsafeMutableRawPointer) {
        let (header, trade) = RecordCodec.read(payload, as: arb_trade_t.self)
        market.recordTrade(InstrumentId(rawValue: trade.instrument), price: ExactDecimal(trade.price))
        withUnsafePointer(to: trade) { p in
            router.routeEvent(Event(type: .tradeUpdate, timestamp: trade.ts_event, source: .venue(Int(header.source)),
                                    payload: .trade(p)))
        }
        if marketTopicsActive { publishTradeTopic(trade, source: .venue(Int(header.source))) }
    }

    private func handleTicker(_ payload: UnsafeMutableRawPointer) {
        let (header, ticker) = RecordCodec.read(payload, as: arb_ticker_t.self)
        router.routeEvent(Event(type: .priceUpdate, timestamp: ticker.ts_event, source: .venue(Int(header.source)),
                                correlationId: header.request, payload: .none))
    }

    private func handleFunding(_ payload: UnsafeMutableRawPointer) {
        let (header, rate) = RecordCodec.read(payload, as: arb_funding_rate_t.self)
        market.recordFunding(rate)
        withUnsafePointer(to: rate) { p in
            router.routeEvent(Event(type: .fundingRateUpdate, timestamp: rate.ts_event,
                                    source: .venue(Int(header.source)), correlationId: header.request, payload: .funding(p)))
        }
    }

    private func handleFundingPayment(_ payload: UnsafeMutableRawPointer) {
        let (header, payment) = RecordCodec.read(payload, as: arb_funding_payment_t.self)
        withUnsafePointer(to: payment) { p in
            router.routeEvent(Event(type: .fundingSettlement, timestamp: payment.ts_event,
                                    source: .venue(Int(header.source)), payload: .fundingPayment(p)))
        }
    }

    private func handleSpec(_ payload: UnsafeMutableRawPointer) {
        let (_, spec) = RecordCodec.read(payload, as: arb_instrument_spec_t.self)
        market.recordSpec(InstrumentSpec(spec))
    }

    private func handlePosition(_ payload: UnsafeMutableRawPointer) {
        let (header, position) = RecordCodec.read(payload, as: arb_position_t.self)
        withUnsafePointer(to: position) { p in
            router.routeEvent(Event(type: .positionUpdated, timestamp: position.ts_event,
                                    source: .venue(Int(header.source)), correlationId: header.request, payload: .position(p)))
        }
    }

    private func handleBalance(_ payload: UnsafeMutableRawPointer) {
        let (header, balance) = RecordCodec.read(payload, as: arb_balance_t.self)
        withUnsafePointer(to: balance) { p in
            router.routeEvent(Event(type: .balanceUpdated, timestamp: balance.ts_event,
                                    source: .venue(Int(header.source)), correlationId: header.request, payload: .balance(p)))
        }
    }

    private func handleConnection(_ payload: UnsafeMutableRawPointer) {
        let (header, record) = RecordCodec.read(payload, as: ConnectionRecord.self)
        guard let e = exchangeSlots[Int(header.source)] else { return }
        e.connection = record.state
        let detail = String(record.detail)
        let connected = record.state == ARB_CONNECTION_CONNECTED
        e.logger.info("\(connected ? "connected" : record.state == ARB_CONNECTION_CONNECTING ? "connecting" : "disconnected")\(detail.isEmpty ? "" : ": \(detail)")")
        if record.state != ARB_CONNECTION_CONNECTING {
            router.routeEvent(Event(type: connected ? .exchangeConnected : .exchangeDisconnected, timestamp: now(),
                                    source: .venue(e.slot), payload: .text(record.detail)))
            publishSystem(connected ? .exchangeConnected : .exchangeDisconnected,
                          json: "{\"venue\":\(jsonString(e.name)),\"detail\":\(jsonString(detail))}")
        }
    }

    // MARK: Strategies

    // Handlers capture the engine unowned(unsafe): the engine owns the router that owns them,
    // and a checked reference would cost a refcount round trip on every event.

    /// Publishes a book update on `data.book.<venue>.<symbol>` (JSON) if anyone subscribes.
    /// Called only while some bus subscription could match market topics (`marketTopicsActive`).
    /// The JSON is written straight into the pending messages' bytes: no String per event.
    func publishBookTopic(_ e: arb_book_event_t, source: EventSource) {
        let t = market.topic(InstrumentId(rawValue: e.instrument), trades: false, bus: bus)
        guard bus.hasSubscribers(topic: t) else { return }
        publishData(topic: t, source: source) { json in
            json.append("{\"sequence\":")
            json.append(integer: Int64(bitPattern: e.sequence))
            json.append(",\"bid\":\"")
            json.append(decimal: e.best_bid)
            json.append("\",\"bid_quantity\":\"")
            json.append(decimal: e.best_bid_quantity)
            json.append("\",\"ask\":\"")
            json.append(decimal: e.best_ask)
            json.append("\",\"ask_quantity\":\"")
            json.append(decimal: e.best_ask_quantity)
            json.append("\",\"ts_event\":")
            json.append(integer: e.ts_event)
            json.append("}")
        }
    }

    /// Publishes a trade on `data.trades.<venue>.<symbol>` (JSON) if anyone subscribes.
    func publishTradeTopic(_ e: arb_trade_t, source: EventSource) {
        let t = market.topic(InstrumentId(rawValue: e.instrument), trades: true, bus: bus)
        guard bus.hasSubscribers(topic: t) else { return }
        publishData(topic: t, source: source) { json in
            json.append("{\"price\":\"")
            json.append(decimal: e.price)
            json.append("\",\"quantity\":\"")
            json.append(decimal: e.quantity)
            json.append(e.aggressor_side == ARB_SIDE_BUY ? "\",\"side\":\"buy\",\"ts_event\":" : "\",\"side\":\"sell\",\"ts_event\":")
            json.append(integer: e.ts_event)
            json.append("}")
        }
    }

    /// Queues a message on topic `index` whose payload `write` appends to the message bytes.
    private func publishData(topic index: Int, source: EventSource, _ write: (inout ContiguousArray<UInt8>) -> Void) {
        let topicStart = messageBytes.count
        bus.withTopicBytes(index) { messageBytes.append(contentsOf: $0) }
        let payloadStart = messageBytes.count
        write(&messageBytes)
        pendingMessages.append(PendingMessage(topicStart: topicStart, topicCount: payloadStart - topicStart,
                                              payloadStart: payloadStart, payloadCount: messageBytes.count - payloadStart,
                                              source: source, correlationId: 0, timestamp: now()))
    }

    /// Registers the router handlers that hand market events to subscribed strategies.
    func installStrategyDispatch() {
        router.registerHandler(.orderBookUpdate) { [unowned(unsafe) self] event in
            guard case .book(let p) = event.payload else { return }
            eachSubscribedStrategy(p.pointee.instrument) { s in s.table.on_market_data?(s.instance, p) }
        }
        router.registerHandler(.tradeUpdate) { [unowned(unsafe) self] event in
            guard case .trade(let p) = event.payload else { return }
            eachSubscribedStrategy(p.pointee.instrument) { s in s.table.on_trade?(s.instance, p) }
        }
        router.registerHandler(.fundingRateUpdate) { [unowned(unsafe) self] event in
            guard case .funding(let p) = event.payload else { return }
            eachSubscribedStrategy(p.pointee.instrument) { s in s.table.on_funding_update?(s.instance, p) }
        }
        router.registerHandler(.fundingSettlement) { [unowned(unsafe) self] event in
            guard case .fundingPayment(let p) = event.payload else { return }
            eachSubscribedStrategy(p.pointee.instrument) { s in s.table.on_funding_payment?(s.instance, p) }
        }
        router.registerHandler(.positionUpdated) { [unowned(unsafe) self] event in
            guard case .position(let p) = event.payload else { return }
            eachSubscribedStrategy(p.pointee.instrument) { s in s.table.on_position_update?(s.instance, p) }
        }
        router.registerHandler(.bookStale) { [unowned(unsafe) self] event in
            guard case .instrument(let id, let reason) = event.payload else { return }
            eachSubscribedStrategy(id.rawValue) { s in s.table.on_book_stale?(s.instance, id.rawValue, reason) }
        }
        router.registerHandler(.bookResynced) { [unowned(unsafe) self] event in
            guard case .instrument(let id, _) = event.payload else { return }
            eachSubscribedStrategy(id.rawValue) { s in s.table.on_book_resynced?(s.instance, id.rawValue) }
        }
    }

    @inline(__always)
    func eachSubscribedStrategy(_ instrument: arb_instrument_id_t, _ body: (StrategyInstance) -> Void) {
        guard deliversToStrategies else { return }
        market.forEachSubscriber(InstrumentId(rawValue: instrument)) { slot in
            guard slot < strategyRefs.count, let ref = strategyRefs[slot] else { return }
            ref._withUnsafeGuaranteedRef { s in if s.state == .running { body(s) } }
        }
    }

    @inline(__always)
    func runningStrategy(_ slot: Int) -> StrategyInstance? {
        guard slot >= 0, slot < strategySlots.count, let s = strategySlots[slot], s.state == .running else { return nil }
        return s
    }
}

