import ArbBook
import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbSDK
import ArbTrading
import Logging

/// Builds the `arb_strategy_host_t` every strategy instance receives.
///
/// Each slot is a non-capturing C function that finds its `StrategyInstance` through
/// `host_data` (without retain/release, so a query costs a few ns) and answers from the
/// engine's state. [engine] slots check the calling thread.
enum StrategyHostTable {
    @inline(__always)
    static func with<R>(_ host: UnsafePointer<arb_strategy_host_t>?, _ fallback: R,
                        _ body: (StrategyInstance) -> R) -> R {
        guard let data = host?.pointee.host_data else { return fallback }
        return Unmanaged<StrategyInstance>.fromOpaque(data)._withUnsafeGuaranteedRef(body)
    }

    /// For [engine] slots: the instance, if called on the engine thread.
    @inline(__always)
    static func onEngine(_ host: UnsafePointer<arb_strategy_host_t>?,
                         _ body: (StrategyInstance) -> arb_status_t) -> arb_status_t {
        StrategyHostTable.with(host, ARB_ERR_INVALID_ARGUMENT) { s in
            s.withEngine { $0.isOnEngineThread } ? body(s) : ARB_ERR_WRONG_THREAD
        }
    }

    static func make(engine: Engine) -> arb_strategy_host_t {
        var t = arb_strategy_host_t()
        t.struct_size = structSize(arb_strategy_host_t.self)
        t.decimal = HostDecimalTable.pointer
        t.run_mode = engine.mode.cValue
        t.now = { host in StrategyHostTable.with(host, 0) { s in s.withEngine { $0.now() } } }
        t.log = { host, level, message in
            StrategyHostTable.with(host, ()) { s in s.logger.log(level: Logger.Level(arbLevel: level), "\(String(message))") }
        }
        t.get_extension = { _, _ in nil }
        t.param = { host, key, out in
            StrategyHostTable.onEngine(host) { s in
                guard let out else { return ARB_ERR_INVALID_ARGUMENT }
                guard let p = s.parameters.find(key) else { return ARB_ERR_NOT_FOUND }
                out.pointee = p
                return ARB_OK
            }
        }
        t.instrument_id = { host, instrument, out in
            StrategyHostTable.with(host, ARB_ERR_INVALID_ARGUMENT) { s in
                guard let instrument, let out, let value = readGrowable(instrument).flatMap(Instrument.init) else {
                    return ARB_ERR_INVALID_ARGUMENT
                }
                out.pointee = s.engine.instruments.id(for: value).rawValue
                return ARB_OK
            }
        }
        t.instrument = { host, id, out in
            StrategyHostTable.with(host, ARB_ERR_INVALID_ARGUMENT) { s in
                guard let out else { return ARB_ERR_INVALID_ARGUMENT }
                guard let c = s.engine.instruments.cInstrument(InstrumentId(rawValue: id)) else { return ARB_ERR_NOT_FOUND }
                out.pointee = c
                return ARB_OK
            }
        }
        t.instrument_spec = { host, id, out in
            StrategyHostTable.onEngine(host) { s in
                guard let out else { return ARB_ERR_INVALID_ARGUMENT }
                guard let spec = s.market.spec(InstrumentId(rawValue: id)) else { return ARB_ERR_NOT_FOUND }
                // Strings borrow from the engine's cache, which lives until the spec changes.
                out.pointee = s.market.cSpec(spec.instrument)
                return ARB_OK
            }
        }
        t.subscribe_market = { host, id in
            StrategyHostTable.onEngine(host) { s in s.subscribeMarket(InstrumentId(rawValue: id)) }
        }
        t.unsubscribe_market = { host, id in
            StrategyHostTable.onEngine(host) { s in s.unsubscribeMarket(InstrumentId(rawValue: id)) }
        }
        t.top_of_book = { host, id, out in
            StrategyHostTable.onEngine(host) { s in
                guard let out else { return ARB_ERR_INVALID_ARGUMENT }
                return s.withMarket { $0.topOfBook(InstrumentId(rawValue: id), out) }
            }
        }
        t.book_levels = { host, id, side, levels, capacity, count in
            StrategyHostTable.onEngine(host) { s in
                s.market.bookLevels(InstrumentId(rawValue: id), side: side, levels, capacity: capacity, count: count)
            }
        }
        t.last_price = { host, id, out in
            StrategyHostTable.onEngine(host) { s in
                guard let out else { return ARB_ERR_INVALID_ARGUMENT }
                guard let price = s.market.latestPrice(InstrumentId(rawValue: id)) else { return ARB_ERR_NOT_FOUND }
                out.pointee = price.cValue
                return ARB_OK
            }
        }
        t.funding_rate = { host, id, out in
            StrategyHostTable.onEngine(host) { s in
                guard let out else { return ARB_ERR_INVALID_ARGUMENT }
                guard let rate = s.market.latestFundingRate(InstrumentId(rawValue: id)) else { return ARB_ERR_NOT_FOUND }
                out.pointee = rate
                return ARB_OK
            }
        }
        t.position = { host, _, _ in StrategyHostTable.onEngine(host) { _ in ARB_ERR_NOT_AVAILABLE } }
        t.submit_order = { host, order, outId in
            StrategyHostTable.onEngine(host) { s in
                guard s.isRunning else { return ARB_ERR_WRONG_STATE }
                guard let order, let request = readGrowable(order) else { return ARB_ERR_INVALID_ARGUMENT }
                let (status, id) = s.orders.submitOrder(strategy: s.slot, clientOrderPrefix: s.clientOrderPrefix, request)
                outId?.pointee = id
                return status
            }
        }
        t.cancel_order = { host, orderId, outId in
            StrategyHostTable.onEngine(host) { s in
                guard s.isRunning else { return ARB_ERR_WRONG_STATE }
                let (status, id) = s.orders.cancelOrder(strategy: s.slot, orderId: orderId)
                outId?.pointee = id
                return status
            }
        }
        t.amend_order = { host, orderId, price, quantity, outId in
            StrategyHostTable.onEngine(host) { s in
                guard s.isRunning else { return ARB_ERR_WRONG_STATE }
                let (status, id) = s.orders.modifyOrder(strategy: s.slot, orderId: orderId, price: price, quantity: quantity)
                outId?.pointee = id
                return status
            }
        }
        // Signals and groups need the OrderManager, risk checks and sizing of the orders issue.
        t.submit_signal = { host, _, _ in StrategyHostTable.onEngine(host) { _ in ARB_ERR_NOT_AVAILABLE } }
        t.submit_group = { host, _, _ in StrategyHostTable.onEngine(host) { _ in ARB_ERR_NOT_AVAILABLE } }
        t.set_timer = { host, deadline, interval, tag, outId in
            StrategyHostTable.onEngine(host) { s in
                guard interval >= 0 else { return ARB_ERR_INVALID_ARGUMENT }
                if s.isResuming, let existing = s.engine.timers.find(owner: .strategy(s.slot), tag: tag, interval: interval) {
                    outId?.pointee = existing
                    return ARB_OK
                }
                let id = s.engine.setTimer(deadline: deadline, interval: interval, owner: .strategy(s.slot), tag: tag)
                outId?.pointee = id
                return ARB_OK
            }
        }
        t.cancel_timer = { host, id in
            StrategyHostTable.onEngine(host) { s in s.engine.cancelTimer(id, owner: .strategy(s.slot)) ? ARB_OK : ARB_ERR_NOT_FOUND }
        }
        t.publish = { host, topic, payload, correlation in
            StrategyHostTable.onEngine(host) { s in
                guard topic.len > 0 else { return ARB_ERR_INVALID_ARGUMENT }
                s.engine.enqueueMessage(topic: topic, payload: payload, source: .strategy(s.slot), correlationId: correlation)
                return ARB_OK
            }
        }
        t.subscribe = { host, pattern, outId in
            StrategyHostTable.onEngine(host) { s in
                guard let parsed = try? TopicPattern(String(pattern)) else { return ARB_ERR_INVALID_ARGUMENT }
                if s.isResuming, let existing = s.engine.bus.existingSubscription(parsed, strategy: s.slot) {
                    outId?.pointee = existing.rawValue
                    return ARB_OK
                }
                let id = s.engine.bus.subscribe(parsed, .strategy(s.slot))
                outId?.pointee = id.rawValue
                return ARB_OK
            }
        }
        t.unsubscribe = { host, id in
            StrategyHostTable.onEngine(host) { s in
                s.engine.bus.unsubscribe(MessageBus.SubscriptionId(rawValue: id), strategy: s.slot) ? ARB_OK : ARB_ERR_NOT_FOUND
            }
        }
        return t
    }
}

extension Logger.Level {
    init(arbLevel: arb_log_level_t) {
        switch arbLevel {
        case ARB_LOG_TRACE: self = .trace
        case ARB_LOG_DEBUG: self = .debug
        case ARB_LOG_INFO: self = .info
        case ARB_LOG_WARNING: self = .warning
        default: self = .error
        }
    }
}
