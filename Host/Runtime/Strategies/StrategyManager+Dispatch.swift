import ArbBook
import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbSDK
import ArbTrading

/// How events reach strategies: one style for all of them, through the router. Market events go
/// to the strategies subscribed to the instrument; order events, fills and action results to
/// the strategy the event names (`Event.strategy`); timers and bus messages to their owner.
extension StrategyManager {
    // Handlers capture the manager unowned(unsafe): the runtime owns it for the engine's life, and
    // a checked reference would cost a refcount round trip on every event.
    func installDispatch() {
        let router = engine.router
        router.registerHandler(.orderBookUpdate) { [unowned(unsafe) self] event in
            guard case .book(let p) = event.payload else { return }
            eachSubscribedStrategy(p.pointee.instrument) { s in s.calling("on_market_data") { s.table.on_market_data?(s.instance, p) } }
        }
        router.registerHandler(.tradeUpdate) { [unowned(unsafe) self] event in
            guard case .trade(let p) = event.payload else { return }
            eachSubscribedStrategy(p.pointee.instrument) { s in s.calling("on_trade") { s.table.on_trade?(s.instance, p) } }
        }
        router.registerHandler(.fundingRateUpdate) { [unowned(unsafe) self] event in
            guard case .funding(let p) = event.payload else { return }
            eachSubscribedStrategy(p.pointee.instrument) { s in s.calling("on_funding_update") { s.table.on_funding_update?(s.instance, p) } }
        }
        router.registerHandler(.fundingSettlement) { [unowned(unsafe) self] event in
            guard case .fundingPayment(let p) = event.payload else { return }
            eachSubscribedStrategy(p.pointee.instrument) { s in s.calling("on_funding_payment") { s.table.on_funding_payment?(s.instance, p) } }
        }
        router.registerHandler(.positionUpdated) { [unowned(unsafe) self] event in
            guard case .position(let p) = event.payload else { return }
            eachSubscribedStrategy(p.pointee.instrument) { s in s.calling("on_position_update") { s.table.on_position_update?(s.instance, p) } }
        }
        router.registerHandler(.bookStale) { [unowned(unsafe) self] event in
            guard case .instrument(let id, let reason) = event.payload else { return }
            eachSubscribedStrategy(id.rawValue) { s in s.calling("on_book_stale") { s.table.on_book_stale?(s.instance, id.rawValue, reason) } }
        }
        router.registerHandler(.bookResynced) { [unowned(unsafe) self] event in
            guard case .instrument(let id, _) = event.payload else { return }
            eachSubscribedStrategy(id.rawValue) { s in s.calling("on_book_resynced") { s.table.on_book_resynced?(s.instance, id.rawValue) } }
        }
        for type in [EventType.orderCreated, .orderUpdated, .orderFilled, .orderCancelled, .orderRejected] {
            router.registerHandler(type) { [unowned(unsafe) self] event in
                guard case .order(let p) = event.payload, let s = runningStrategy(event.strategy) else { return }
                s.calling("on_order_update") { s.table.on_order_update?(s.instance, p) }
            }
        }
        router.registerHandler(.fill) { [unowned(unsafe) self] event in
            guard case .fill(let p) = event.payload, let s = runningStrategy(event.strategy) else { return }
            s.calling("on_fill") { s.table.on_fill?(s.instance, p) }
        }
        router.registerHandler(.actionResult) { [unowned(unsafe) self] event in
            guard case .actionResult(let p) = event.payload, let s = runningStrategy(event.strategy) else { return }
            s.calling("on_action_result") { s.table.on_action_result?(s.instance, p) }
        }
        engine.strategyTimerFired = { [unowned(unsafe) self] due in
            guard case .strategy(let slot) = due.owner, let s = runningStrategy(slot), let f = s.table.on_timer else { return }
            s.calling("on_timer") { f(s.instance, due.id, due.tag) }
        }
        engine.bus.strategyDelivery = { [unowned(unsafe) self] slot, message in
            guard let s = runningStrategy(slot), let f = s.table.on_bus_message else { return }
            var c = arb_bus_message_t(struct_size: structSize(arb_bus_message_t.self), topic: message.topic,
                                      payload: message.payload, source: message.sourceName,
                                      correlation_id: message.correlationId, ts_event: message.timestamp)
            s.calling("on_bus_message") { f(s.instance, &c) }
        }
    }

    @inline(__always)
    func eachSubscribedStrategy(_ instrument: arb_instrument_id_t, _ body: (StrategyInstance) -> Void) {
        guard engineRef._withUnsafeGuaranteedRef({ $0.deliversToStrategies }) else { return }
        marketRef._withUnsafeGuaranteedRef { market in
            market.forEachSubscriber(InstrumentId(rawValue: instrument)) { slot in
                guard slot < refs.count, let ref = refs[slot] else { return }
                ref._withUnsafeGuaranteedRef { s in if s.state == .running { body(s) } }
            }
        }
    }

    @inline(__always)
    func runningStrategy(_ slot: Int) -> StrategyInstance? {
        guard slot >= 0, slot < slots.count, let s = slots[slot], s.state == .running else { return nil }
        return s
    }

    /// A strategy's name, for bus messages it publishes.
    func name(ofSlot slot: Int) -> String { slot >= 0 && slot < slots.count ? slots[slot]?.name ?? "" : "" }
}
