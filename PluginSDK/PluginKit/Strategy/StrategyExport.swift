import ArbSDK

/// The strategy type this plugin image exports. PluginKit is linked into each plugin
/// separately, so this global is per plugin.
nonisolated(unsafe) private var exportedStrategy: (any Strategy.Type)?
nonisolated(unsafe) private var strategyDescriptor: UnsafePointer<arb_plugin_descriptor_t>?
nonisolated(unsafe) private var strategyDecls: UnsafeBufferPointer<arb_param_decl_t>?
nonisolated(unsafe) private var strategyTable: UnsafeMutablePointer<arb_strategy_v1_t>?

/// Holds one instance; the plugin's `void *instance` points at it.
private final class StrategyBox {
    let strategy: any Strategy
    init(_ strategy: any Strategy) { self.strategy = strategy }
}

@inline(__always)
private func withStrategy<R>(_ instance: UnsafeMutableRawPointer?, _ fallback: R, _ body: (any Strategy) -> R) -> R {
    guard let instance else { return fallback }
    return Unmanaged<StrategyBox>.fromOpaque(instance)._withUnsafeGuaranteedRef { body($0.strategy) }
}

/// Exports `type` as this plugin's strategy: call it from the plugin's `arb_plugin_entry`.
/// Returns nil (refusing the host) when the host's ABI major differs.
public func exportStrategy(_ type: any Strategy.Type, _ hostMajor: UInt32, _ hostMinor: UInt32)
    -> UnsafePointer<arb_plugin_descriptor_t>?
{
    guard hostMajor == UInt32(ARB_ABI_MAJOR) else { return nil }
    if let existing = strategyDescriptor { return existing }
    exportedStrategy = type
    strategyDecls = ParameterSpec.makeC(type.parameters)
    strategyTable = makeStrategyTable()
    let descriptor = type.descriptor.makeC(kind: ARB_PLUGIN_STRATEGY) { id in
        guard let id, String(cString: id) == ARB_INTERFACE_STRATEGY, let table = strategyTable else { return nil }
        return UnsafeRawPointer(table)
    }
    strategyDescriptor = descriptor
    return descriptor
}

private func makeStrategyTable() -> UnsafeMutablePointer<arb_strategy_v1_t> {
    var t = arb_strategy_v1_t()
    t.struct_size = structSize(arb_strategy_v1_t.self)
    t.param_decls = { decls, count in
        decls?.pointee = strategyDecls?.baseAddress
        count?.pointee = strategyDecls?.count ?? 0
    }
    t.validate_params = { params, errors in
        guard let type = exportedStrategy else { return ARB_ERR_INTERNAL }
        do {
            try type.validate(ParameterValues(params))
            return ARB_OK
        } catch {
            errors?.report(error)
            return ARB_ERR_REJECTED
        }
    }
    t.create = { host, name, params, errors, out in
        guard let type = exportedStrategy, let host, let out else { return ARB_ERR_INVALID_ARGUMENT }
        do {
            let strategy = try type.init(host: StrategyHost(host), name: String(name), parameters: ParameterValues(params))
            out.pointee = Unmanaged.passRetained(StrategyBox(strategy)).toOpaque()
            return ARB_OK
        } catch {
            errors?.report(error)
            return ARB_ERR_REJECTED
        }
    }
    t.destroy = { instance in
        guard let instance else { return }
        Unmanaged<StrategyBox>.fromOpaque(instance).release()
    }
    t.start = { instance in
        withStrategy(instance, ARB_ERR_INVALID_ARGUMENT) { s in
            do {
                try s.start()
                return ARB_OK
            } catch let error as HostError {
                return error.status
            } catch {
                return ARB_ERR_REJECTED
            }
        }
    }
    t.stop = { instance in withStrategy(instance, ()) { $0.stop() } }
    t.initialize = { instance in
        withStrategy(instance, ARB_ERR_INVALID_ARGUMENT) { s in
            do {
                try s.initialize()
                return ARB_OK
            } catch {
                return ARB_ERR_REJECTED
            }
        }
    }
    t.on_market_data = { instance, event in
        guard let event else { return }
        withStrategy(instance, ()) { $0.onMarketData(BookEvent(event)) }
    }
    t.on_funding_update = { instance, rate in
        guard let rate else { return }
        withStrategy(instance, ()) { $0.onFundingUpdate(rate) }
    }
    t.on_arbitrage_opportunity = { instance, o in
        guard let o else { return }
        withStrategy(instance, ()) { $0.onArbitrageOpportunity(o) }
    }
    t.generate_signals = { instance in withStrategy(instance, ()) { $0.generateSignals() } }
    t.position_size = { instance, signal, out in
        withStrategy(instance, ARB_ERR_INVALID_ARGUMENT) { s in
            guard let signal, let out, let size = s.positionSize(for: signal) else { return ARB_ERR_UNSUPPORTED }
            out.pointee = size.cValue
            return ARB_OK
        }
    }
    t.on_trade = { instance, trade in
        guard let trade else { return }
        withStrategy(instance, ()) { $0.onTrade(trade) }
    }
    t.on_book_stale = { instance, id, reason in withStrategy(instance, ()) { $0.onBookStale(InstrumentId(id), reason: String(reason)) } }
    t.on_book_resynced = { instance, id in withStrategy(instance, ()) { $0.onBookResynced(InstrumentId(id)) } }
    t.on_order_update = { instance, order in
        guard let order else { return }
        withStrategy(instance, ()) { $0.onOrderUpdate(OrderUpdate(order)) }
    }
    t.on_fill = { instance, fill in
        guard let fill else { return }
        withStrategy(instance, ()) { $0.onFill(fill) }
    }
    t.on_action_result = { instance, result in
        guard let result else { return }
        withStrategy(instance, ()) { $0.onActionResult(ActionResult(result)) }
    }
    t.on_position_update = { instance, p in
        guard let p else { return }
        withStrategy(instance, ()) { $0.onPositionUpdate(p) }
    }
    t.on_funding_payment = { instance, p in
        guard let p else { return }
        withStrategy(instance, ()) { $0.onFundingPayment(p) }
    }
    t.on_timer = { instance, timer, tag in withStrategy(instance, ()) { $0.onTimer(timer, tag: tag) } }
    t.on_bus_message = { instance, m in
        guard let m else { return }
        withStrategy(instance, ()) { $0.onBusMessage(m) }
    }
    t.reconfigure = { instance, params, errors in
        withStrategy(instance, ARB_ERR_INVALID_ARGUMENT) { s in
            do {
                try s.reconfigure(ParameterValues(params))
                return ARB_OK
            } catch {
                errors?.report(error)
                return ARB_ERR_REJECTED
            }
        }
    }
    t.save_state = { instance, sink, version in
        withStrategy(instance, ARB_ERR_INVALID_ARGUMENT) { s in
            guard let sink, let version else { return ARB_ERR_INVALID_ARGUMENT }
            do {
                guard let state = try s.saveState() else { return ARB_ERR_UNSUPPORTED }
                version.pointee = state.version
                return state.bytes.withUnsafeBytes { sink.pointee.write(sink, $0.baseAddress, $0.count) }
            } catch {
                return ARB_ERR_INTERNAL
            }
        }
    }
    t.restore_state = { instance, version, bytes, count, errors in
        withStrategy(instance, ARB_ERR_INVALID_ARGUMENT) { s in
            do {
                try s.restoreState(version: version, bytes: UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : count))
                return ARB_OK
            } catch {
                errors?.report(error)
                return ARB_ERR_REJECTED
            }
        }
    }
    let table = UnsafeMutablePointer<arb_strategy_v1_t>.allocate(capacity: 1)
    table.initialize(to: t)
    return table
}
