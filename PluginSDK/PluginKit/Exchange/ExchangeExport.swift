import ArbSDK

nonisolated(unsafe) private var exportedAdapter: (any ExchangeAdapter.Type)?
nonisolated(unsafe) private var adapterDescriptor: UnsafePointer<arb_plugin_descriptor_t>?
nonisolated(unsafe) private var adapterDecls: UnsafeBufferPointer<arb_param_decl_t>?
nonisolated(unsafe) private var adapterTable: UnsafeMutablePointer<arb_exchange_v1_t>?

private final class AdapterBox {
    let adapter: any ExchangeAdapter
    init(_ adapter: any ExchangeAdapter) { self.adapter = adapter }
}

@inline(__always)
private func withAdapter(_ instance: UnsafeMutableRawPointer?, _ body: (any ExchangeAdapter) throws(HostError) -> Void)
    -> arb_status_t
{
    guard let instance else { return ARB_ERR_INVALID_ARGUMENT }
    return Unmanaged<AdapterBox>.fromOpaque(instance)._withUnsafeGuaranteedRef { box in
        do throws(HostError) {
            try body(box.adapter)
            return ARB_OK
        } catch {
            return error.status
        }
    }
}

@inline(__always)
private func adapter(_ instance: UnsafeMutableRawPointer?) -> (any ExchangeAdapter)? {
    guard let instance else { return nil }
    return Unmanaged<AdapterBox>.fromOpaque(instance).takeUnretainedValue().adapter
}

/// Exports `type` as this plugin's exchange adapter: call it from `arb_plugin_entry`.
public func exportExchange(_ type: any ExchangeAdapter.Type, _ hostMajor: UInt32, _ hostMinor: UInt32)
    -> UnsafePointer<arb_plugin_descriptor_t>?
{
    guard hostMajor == UInt32(ARB_ABI_MAJOR) else { return nil }
    if let existing = adapterDescriptor { return existing }
    exportedAdapter = type
    adapterDecls = ParameterSpec.makeC(type.settings)
    adapterTable = makeExchangeTable(capabilities: type.capabilities.rawValue)
    let descriptor = type.descriptor.makeC(kind: ARB_PLUGIN_EXCHANGE) { id in
        guard let id, String(cString: id) == ARB_INTERFACE_EXCHANGE, let table = adapterTable else { return nil }
        return UnsafeRawPointer(table)
    }
    adapterDescriptor = descriptor
    return descriptor
}

private func makeExchangeTable(capabilities: UInt32) -> UnsafeMutablePointer<arb_exchange_v1_t> {
    var t = arb_exchange_v1_t()
    t.struct_size = structSize(arb_exchange_v1_t.self)
    t.capabilities = capabilities
    t.param_decls = { decls, count in
        decls?.pointee = adapterDecls?.baseAddress
        count?.pointee = adapterDecls?.count ?? 0
    }
    t.validate_params = { settings, errors in
        guard let type = exportedAdapter else { return ARB_ERR_INTERNAL }
        do {
            try type.validate(ParameterValues(settings))
            return ARB_OK
        } catch {
            errors?.report(error)
            return ARB_ERR_REJECTED
        }
    }
    t.create = { host, name, settings, errors, out in
        guard let type = exportedAdapter, let host, let out else { return ARB_ERR_INVALID_ARGUMENT }
        do {
            let a = try type.init(host: ExchangeHost(host), name: String(name), settings: ParameterValues(settings))
            out.pointee = Unmanaged.passRetained(AdapterBox(a)).toOpaque()
            return ARB_OK
        } catch {
            errors?.report(error)
            return ARB_ERR_REJECTED
        }
    }
    t.destroy = { instance in
        guard let instance else { return }
        Unmanaged<AdapterBox>.fromOpaque(instance).release()
    }
    t.connect = { instance in
        guard let a = adapter(instance) else { return ARB_ERR_INVALID_ARGUMENT }
        do {
            try a.connect()
            return ARB_OK
        } catch let error as HostError {
            return error.status
        } catch {
            return ARB_ERR_INTERNAL
        }
    }
    t.disconnect = { instance in adapter(instance)?.disconnect() }
    t.get_symbols = { i, r in withAdapter(i) { a throws(HostError) in try a.getSymbols(request: r) } }
    t.get_orderbook = { i, r, id, depth in
        withAdapter(i) { a throws(HostError) in try a.getOrderbook(request: r, instrument: InstrumentId(id), depth: Int(depth)) }
    }
    t.get_ticker = { _, _, _ in ARB_ERR_UNSUPPORTED }
    t.get_funding_rate = { i, r, id in
        withAdapter(i) { a throws(HostError) in try a.getFundingRate(request: r, instrument: InstrumentId(id)) }
    }
    t.get_funding_rate_history = { _, _, _, _, _ in ARB_ERR_UNSUPPORTED }
    t.get_balance = { i, r in withAdapter(i) { a throws(HostError) in try a.getBalance(request: r) } }
    t.get_positions = { _, _ in ARB_ERR_UNSUPPORTED }
    t.create_order = { i, r, order in
        guard let order else { return ARB_ERR_INVALID_ARGUMENT }
        return withAdapter(i) { a throws(HostError) in try a.createOrder(request: r, order: order) }
    }
    t.cancel_order = { i, r, order in
        guard let order else { return ARB_ERR_INVALID_ARGUMENT }
        return withAdapter(i) { a throws(HostError) in try a.cancelOrder(request: r, order: order) }
    }
    t.amend_order = { i, r, order, price, quantity in
        guard let order else { return ARB_ERR_INVALID_ARGUMENT }
        return withAdapter(i) { a throws(HostError) in
            try a.amendOrder(request: r, order: order, price: ExactDecimal(price), quantity: ExactDecimal(quantity))
        }
    }
    t.get_order = { i, r, order in
        guard let order else { return ARB_ERR_INVALID_ARGUMENT }
        return withAdapter(i) { a throws(HostError) in try a.getOrder(request: r, order: order) }
    }
    t.get_open_orders = { i, r, id in
        withAdapter(i) { a throws(HostError) in try a.getOpenOrders(request: r, instrument: id == 0 ? nil : InstrumentId(id)) }
    }
    t.get_fills = { _, _, _, _, _ in ARB_ERR_UNSUPPORTED }
    t.get_server_time = { i, r in withAdapter(i) { a throws(HostError) in try a.getServerTime(request: r) } }
    t.subscribe = { i, r, id, channel in
        withAdapter(i) { a throws(HostError) in try a.subscribe(request: r, instrument: InstrumentId(id), channel: channel) }
    }
    t.unsubscribe = { i, r, id, channel in
        withAdapter(i) { a throws(HostError) in try a.unsubscribe(request: r, instrument: InstrumentId(id), channel: channel) }
    }
    t.subscribe_private = { _, _ in ARB_ERR_UNSUPPORTED }
    t.rate_limit_state = { _, out in
        guard let out else { return ARB_ERR_INVALID_ARGUMENT }
        out.pointee = arb_rate_limit_state_t(struct_size: structSize(arb_rate_limit_state_t.self), used: 0, limit: 0,
                                             window_ns: 0, retry_after_ns: 0)
        return ARB_OK
    }
    t.next_event_time = { i, out in
        guard let a = adapter(i), let out else { return ARB_ERR_INVALID_ARGUMENT }
        guard let time = a.nextEventTime() else { return ARB_ERR_NOT_FOUND }
        out.pointee = time
        return ARB_OK
    }
    t.advance_to = { i, time in
        guard let a = adapter(i) else { return ARB_ERR_INVALID_ARGUMENT }
        a.advance(to: time)
        return ARB_OK
    }
    t.on_timer = { i, timer, tag in adapter(i)?.onTimer(timer, tag: tag) }
    let table = UnsafeMutablePointer<arb_exchange_v1_t>.allocate(capacity: 1)
    table.initialize(to: t)
    return table
}
