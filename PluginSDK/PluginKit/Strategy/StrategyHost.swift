import ArbSDK

/// What the host offers a strategy: a thin, allocation-free wrapper over `arb_strategy_host_t`.
///
/// Methods marked [engine] in the header must be called from the strategy's callbacks.
public struct StrategyHost: @unchecked Sendable {
    public let table: UnsafePointer<arb_strategy_host_t>

    public init(_ table: UnsafePointer<arb_strategy_host_t>) { self.table = table }

    public enum LogLevel: Int32, Sendable { case trace = 0, debug, info, warning, error }

    /// Now on the host clock, ns (wall time live, event time in replay).
    @inline(__always)
    public var now: Int64 { table.pointee.now(table) }

    public var isReplay: Bool { table.pointee.run_mode == ARB_RUN_REPLAY }

    /// Logs through the host, tagged with this plugin's id and instance name.
    public func log(_ level: LogLevel = .info, _ message: String) {
        message.withArbStr { table.pointee.log(table, level.rawValue, $0) }
    }

    /// The handle for an instrument.
    public func instrument(venue: String, symbol: String, kind: InstrumentKind = .perpetual,
                           expiry: Int64 = 0) throws(HostError) -> InstrumentId {
        var id: arb_instrument_id_t = 0
        let status = venue.withArbStr { v in
            symbol.withArbStr { s in
                var c = arb_instrument_t(struct_size: structSize(arb_instrument_t.self), venue: v, symbol: s,
                                         kind: kind.rawValue, expiry_ns: expiry)
                return table.pointee.instrument_id(table, &c, &id)
            }
        }
        try HostError.check(status)
        return InstrumentId(id)
    }

    /// Venue and symbol of a handle.
    public func describe(_ id: InstrumentId) -> (venue: String, symbol: String)? {
        var c = arb_instrument_t()
        guard table.pointee.instrument(table, id.rawValue, &c) == ARB_OK else { return nil }
        return (String(c.venue), String(c.symbol))
    }

    /// Starts book, trade and funding events of `id` for this strategy. [engine]
    public func subscribeMarket(_ id: InstrumentId) throws(HostError) {
        try HostError.check(table.pointee.subscribe_market(table, id.rawValue))
    }

    /// Best bid and offer, nil before the first snapshot. [engine]
    @inline(__always)
    public func topOfBook(_ id: InstrumentId) -> TopOfBook? {
        var top = arb_top_of_book_t()
        guard table.pointee.top_of_book(table, id.rawValue, &top) == ARB_OK else { return nil }
        return TopOfBook(top)
    }

    /// Last trade price or mid. [engine]
    public func lastPrice(_ id: InstrumentId) -> ExactDecimal? {
        var price = arb_decimal_t()
        guard table.pointee.last_price(table, id.rawValue, &price) == ARB_OK else { return nil }
        return ExactDecimal(price)
    }

    /// The latest funding rate. [engine]
    public func fundingRate(_ id: InstrumentId) -> arb_funding_rate_t? {
        var rate = arb_funding_rate_t()
        guard table.pointee.funding_rate(table, id.rawValue, &rate) == ARB_OK else { return nil }
        return rate
    }

    /// Places a limit order; returns its host id. [engine]
    public func submitLimit(_ id: InstrumentId, _ side: OrderSide, quantity: ExactDecimal, price: ExactDecimal,
                            timeInForce: arb_time_in_force_t = ARB_TIF_GTC) throws(HostError) -> UInt64 {
        try submit(arb_order_request_t(struct_size: structSize(arb_order_request_t.self), instrument: id.rawValue,
                                       side: side.rawValue, type: ARB_ORDER_LIMIT, time_in_force: timeInForce,
                                       quantity: quantity.cValue, price: price.cValue, reduce_only: 0,
                                       client_order_id: .empty))
    }

    /// Places a market order; returns its host id. [engine]
    public func submitMarket(_ id: InstrumentId, _ side: OrderSide, quantity: ExactDecimal) throws(HostError) -> UInt64 {
        try submit(arb_order_request_t(struct_size: structSize(arb_order_request_t.self), instrument: id.rawValue,
                                       side: side.rawValue, type: ARB_ORDER_MARKET, time_in_force: ARB_TIF_IOC,
                                       quantity: quantity.cValue, price: arb_decimal_t(), reduce_only: 0,
                                       client_order_id: .empty))
    }

    /// Places any order; returns its host id. [engine]
    public func submit(_ order: arb_order_request_t) throws(HostError) -> UInt64 {
        var order = order
        var id: UInt64 = 0
        try HostError.check(table.pointee.submit_order(table, &order, &id))
        return id
    }

    /// Cancels an order; returns the action id. [engine]
    @discardableResult
    public func cancel(order: UInt64) throws(HostError) -> UInt64 {
        var id: UInt64 = 0
        try HostError.check(table.pointee.cancel_order(table, order, &id))
        return id
    }

    /// Amends an order; returns the action id. [engine]
    @discardableResult
    public func amend(order: UInt64, price: ExactDecimal, quantity: ExactDecimal) throws(HostError) -> UInt64 {
        var id: UInt64 = 0
        try HostError.check(table.pointee.amend_order(table, order, price.cValue, quantity.cValue, &id))
        return id
    }

    /// Fires `onTimer` at `deadline` and then every `interval` ns if > 0. [engine]
    @discardableResult
    public func setTimer(at deadline: Int64, every interval: Int64 = 0, tag: UInt64 = 0) throws(HostError) -> UInt64 {
        var id: UInt64 = 0
        try HostError.check(table.pointee.set_timer(table, deadline, interval, tag, &id))
        return id
    }

    public func cancelTimer(_ id: UInt64) throws(HostError) {
        try HostError.check(table.pointee.cancel_timer(table, id))
    }

    /// Publishes on the bus; delivered after the current event. [engine]
    public func publish(_ topic: StaticString, payload: UnsafeRawBufferPointer, correlationId: UInt64 = 0) throws(HostError) {
        let t = arb_str_t(ptr: UnsafeRawPointer(topic.utf8Start).assumingMemoryBound(to: CChar.self),
                          len: topic.utf8CodeUnitCount)
        let p = arb_str_t(ptr: payload.baseAddress?.assumingMemoryBound(to: CChar.self), len: payload.count)
        try HostError.check(table.pointee.publish(table, t, p, correlationId))
    }

    /// Publishes a string payload. [engine]
    public func publish(_ topic: String, _ payload: String, correlationId: UInt64 = 0) throws(HostError) {
        let status = topic.withArbStr { t in payload.withArbStr { p in table.pointee.publish(table, t, p, correlationId) } }
        try HostError.check(status)
    }

    /// Subscribes to bus topics matching `pattern` ("custom.>"). [engine]
    @discardableResult
    public func subscribe(_ pattern: String) throws(HostError) -> UInt64 {
        var id: UInt64 = 0
        let status = pattern.withArbStr { table.pointee.subscribe(table, $0, &id) }
        try HostError.check(status)
        return id
    }
}
