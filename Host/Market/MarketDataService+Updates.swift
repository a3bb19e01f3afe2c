import ArbBook
import ArbEngine
import ArbModel
import ArbSDK

extension MarketDataService {
    /// Registers this service as the engine's handler of the market records.
    func registerRecordHandlers() {
        func handler(_ f: @convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Void) -> RecordHandler {
            RecordHandler(self, f)
        }
        engine.handle(.book, with: handler { s, p in Unmanaged<MarketDataService>.fromOpaque(s)._withUnsafeGuaranteedRef { $0.handleBook(p) } })
        engine.handle(.trade, with: handler { s, p in Unmanaged<MarketDataService>.fromOpaque(s)._withUnsafeGuaranteedRef { $0.handleTrade(p) } })
        engine.handle(.ticker, with: handler { s, p in Unmanaged<MarketDataService>.fromOpaque(s)._withUnsafeGuaranteedRef { $0.handleTicker(p) } })
        engine.handle(.funding, with: handler { s, p in Unmanaged<MarketDataService>.fromOpaque(s)._withUnsafeGuaranteedRef { $0.handleFunding(p) } })
        engine.handle(.fundingPayment, with: handler { s, p in Unmanaged<MarketDataService>.fromOpaque(s)._withUnsafeGuaranteedRef { $0.handleFundingPayment(p) } })
        engine.handle(.gap, with: handler { s, p in Unmanaged<MarketDataService>.fromOpaque(s)._withUnsafeGuaranteedRef { $0.handleGap(p) } })
        engine.handle(.instrumentSpec, with: handler { s, p in Unmanaged<MarketDataService>.fromOpaque(s)._withUnsafeGuaranteedRef { $0.handleSpec(p) } })
    }


    private static let staleGap: StaticString = "sequence gap reported by the adapter"
    private static let staleBack: StaticString = "sequence number went back"
    private static let staleCrossed: StaticString = "book crossed after an update"

    func handleBook(_ payload: UnsafeMutableRawPointer) {
        let (header, update) = RecordCodec.read(payload, as: arb_book_update_t.self)
        let id = InstrumentId(rawValue: update.instrument)
        var event = arb_book_event_t()
        var resynced = false
        let outcome = withBook(id) { book -> OrderBook.Outcome in
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
                setResyncRequested(id, false)
                engine.router.routeEvent(Event(type: .bookResynced, timestamp: update.ts_event, source: source,
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
                routerRef._withUnsafeGuaranteedRef {
                    $0.routeEvent(Event(type: .orderBookUpdate, timestamp: update.ts_event, source: source, payload: .book(p)))
                }
            }
            if marketTopicsActive { publishBookTopic(event, source: source) }
        case .invalidated:
            let reason = latestOrderBook(id)?.staleReason == .crossed ? Self.staleCrossed : Self.staleBack
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
        guard !resyncRequested(id), let e = engine.venue(slot), e.isConnected, let getOrderbook = e.table.get_orderbook else { return }
        setResyncRequested(id, true)
        let name = instruments.instrument(id)?.description ?? "\(id)"
        let (status, _) = engine.sendRequest(to: e, owner: .host) { request in getOrderbook(e.instance, request, id.rawValue, 0) }
        if status == ARB_OK {
            engine.logger.warning("book of \(name) is stale (\(reason)); asked \(e.name) for a snapshot")
        } else {
            engine.logger.warning("book of \(name) is stale (\(reason)); \(e.name) refused a snapshot request (status \(status))")
        }
    }

    func routeStale(_ id: InstrumentId, reason: StaticString, timestamp: Int64, source: EventSource) {
        let text = arb_str_t(ptr: UnsafeRawPointer(reason.utf8Start).assumingMemoryBound(to: CChar.self),
                             len: reason.utf8CodeUnitCount)
        engine.router.routeEvent(Event(type: .bookStale, timestamp: timestamp, source: source,
                                payload: .instrument(id, detail: text)))
    }

    func handleGap(_ payload: UnsafeMutableRawPointer) {
        let (header, gap) = RecordCodec.read(payload, as: GapRecord.self)
        let id = InstrumentId(rawValue: gap.instrument)
        engine.logger.warning("sequence gap on \(instruments.instrument(id)?.description ?? "\(id)"): expected \(gap.expected), received \(gap.received); book stale until a fresh snapshot")
        withBook(id) { $0.invalidate(.gapReported(expected: gap.expected, received: gap.received)) }
        routeStale(id, reason: Self.staleGap, timestamp: engine.now(), source: .venue(Int(header.source)))
    }

    func handleTrade(_ payload: UnsafeMutableRawPointer) {
        let (header, trade) = RecordCodec.read(payload, as: arb_trade_t.self)
        recordTrade(InstrumentId(rawValue: trade.instrument), price: ExactDecimal(trade.price))
        withUnsafePointer(to: trade) { p in
            routerRef._withUnsafeGuaranteedRef {
                $0.routeEvent(Event(type: .tradeUpdate, timestamp: trade.ts_event, source: .venue(Int(header.source)), payload: .trade(p)))
            }
        }
        if marketTopicsActive { publishTradeTopic(trade, source: .venue(Int(header.source))) }
    }

    func handleTicker(_ payload: UnsafeMutableRawPointer) {
        let (header, ticker) = RecordCodec.read(payload, as: arb_ticker_t.self)
        engine.router.routeEvent(Event(type: .priceUpdate, timestamp: ticker.ts_event, source: .venue(Int(header.source)),
                                correlationId: header.request, payload: .none))
    }

    func handleFunding(_ payload: UnsafeMutableRawPointer) {
        let (header, rate) = RecordCodec.read(payload, as: arb_funding_rate_t.self)
        recordFunding(rate)
        withUnsafePointer(to: rate) { p in
            engine.router.routeEvent(Event(type: .fundingRateUpdate, timestamp: rate.ts_event,
                                    source: .venue(Int(header.source)), correlationId: header.request, payload: .funding(p)))
        }
    }

    func handleFundingPayment(_ payload: UnsafeMutableRawPointer) {
        let (header, payment) = RecordCodec.read(payload, as: arb_funding_payment_t.self)
        withUnsafePointer(to: payment) { p in
            engine.router.routeEvent(Event(type: .fundingSettlement, timestamp: payment.ts_event,
                                    source: .venue(Int(header.source)), payload: .fundingPayment(p)))
        }
    }

    func handleSpec(_ payload: UnsafeMutableRawPointer) {
        let (_, spec) = RecordCodec.read(payload, as: arb_instrument_spec_t.self)
        recordSpec(InstrumentSpec(spec))
    }

    // MARK: Strategies

    // Handlers capture the engine unowned(unsafe): the engine owns the router that owns them,
    // and a checked reference would cost a refcount round trip on every event.

    /// Publishes a book update on `data.book.<venue>.<symbol>` (JSON) if anyone subscribes.
    /// Called only while some bus subscription could match market topics (`marketTopicsActive`).
    /// The JSON is written straight into the pending messages' bytes: no String per event.
    func publishBookTopic(_ e: arb_book_event_t, source: EventSource) {
        let t = topic(InstrumentId(rawValue: e.instrument), trades: false)
        guard engine.bus.hasSubscribers(topic: t) else { return }
        engine.outbox.enqueue(topic: t, bus: engine.bus, source: source, timestamp: engine.now()) { json in
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
        let t = topic(InstrumentId(rawValue: e.instrument), trades: true)
        guard engine.bus.hasSubscribers(topic: t) else { return }
        engine.outbox.enqueue(topic: t, bus: engine.bus, source: source, timestamp: engine.now()) { json in
            json.append("{\"price\":\"")
            json.append(decimal: e.price)
            json.append("\",\"quantity\":\"")
            json.append(decimal: e.quantity)
            json.append(e.aggressor_side == ARB_SIDE_BUY ? "\",\"side\":\"buy\",\"ts_event\":" : "\",\"side\":\"sell\",\"ts_event\":")
            json.append(integer: e.ts_event)
            json.append("}")
        }
    }

    /// The books of a venue that is not connected are stale: each valid one is marked and its
    /// subscribers told (once; the venue's next snapshot after it connects makes the book valid
    /// again, and they hear `on_book_resynced`). Engine thread.
    public func markVenueStale(_ venue: String, slot: Int, reason: StaticString) {
        for raw in books.indices where raw > 0 && hasBook[raw] && books[raw].isValid {
            let id = InstrumentId(rawValue: UInt32(raw))
            guard instruments.instrument(id)?.venue == venue else { continue }
            books[raw].invalidate(.venueDisconnected)
            routeStale(id, reason: reason, timestamp: engine.now(), source: .venue(slot))
        }
    }
}
