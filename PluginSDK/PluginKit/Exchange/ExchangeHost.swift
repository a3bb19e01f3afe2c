import ArbSDK

/// What the host offers an exchange adapter: a thin wrapper over `arb_exchange_host_t`.
/// Emitting copies the event into the host's queue; every function here may be called from
/// the adapter's own threads.
public struct ExchangeHost: @unchecked Sendable {
    public let table: UnsafePointer<arb_exchange_host_t>

    public init(_ table: UnsafePointer<arb_exchange_host_t>) { self.table = table }

    @inline(__always)
    public var now: Int64 { table.pointee.now(table) }

    /// True when the host replays: a step-mode adapter then starts no threads.
    public var isReplay: Bool { table.pointee.run_mode == ARB_RUN_REPLAY }

    public func log(_ level: StrategyHost.LogLevel = .info, _ message: String) {
        message.withArbStr { table.pointee.log(table, level.rawValue, $0) }
    }

    /// The handle of one of this venue's instruments.
    public func instrument(symbol: String, kind: InstrumentKind = .perpetual, expiry: Int64 = 0) throws(HostError)
        -> InstrumentId
    {
        var id: arb_instrument_id_t = 0
        let status = symbol.withArbStr { s in
            var c = arb_instrument_t(struct_size: structSize(arb_instrument_t.self), venue: .empty, symbol: s,
                                     kind: kind.rawValue, expiry_ns: expiry)
            return table.pointee.instrument_id(table, &c, &id)
        }
        try HostError.check(status)
        return InstrumentId(id)
    }

    /// Symbol and kind of a handle.
    public func describe(_ id: InstrumentId) -> (venue: String, symbol: String, kind: Int32)? {
        var c = arb_instrument_t()
        guard table.pointee.instrument(table, id.rawValue, &c) == ARB_OK else { return nil }
        return (String(c.venue), String(c.symbol), c.kind)
    }

    /// Emits a book snapshot or delta; levels best first.
    @discardableResult
    public func emitBook(request: UInt64 = 0, instrument: InstrumentId, isSnapshot: Bool, sequence: UInt64,
                         previousSequence: UInt64 = 0, tsEvent: Int64, tsInit: Int64,
                         bids: UnsafeBufferPointer<arb_book_level_t>, asks: UnsafeBufferPointer<arb_book_level_t>)
        -> arb_status_t
    {
        var update = arb_book_update_t(
            struct_size: structSize(arb_book_update_t.self), instrument: instrument.rawValue,
            is_snapshot: isSnapshot ? 1 : 0, first_sequence: sequence, last_sequence: sequence,
            previous_sequence: previousSequence, ts_event: tsEvent, ts_init: tsInit, bids: bids.baseAddress,
            bid_count: bids.count, asks: asks.baseAddress, ask_count: asks.count)
        return table.pointee.emit_book(table, request, &update)
    }

    @discardableResult
    public func emit(trade: arb_trade_t) -> arb_status_t {
        var t = trade
        return table.pointee.emit_trade(table, &t)
    }

    @discardableResult
    public func emit(funding: arb_funding_rate_t, request: UInt64 = 0) -> arb_status_t {
        var f = funding
        return table.pointee.emit_funding(table, request, &f)
    }

    @discardableResult
    public func emit(spec: arb_instrument_spec_t, request: UInt64 = 0) -> arb_status_t {
        var s = spec
        return table.pointee.emit_instrument_spec(table, request, &s)
    }

    @discardableResult
    public func emit(order: arb_order_event_t, request: UInt64 = 0) -> arb_status_t {
        var o = order
        return table.pointee.emit_order(table, request, &o)
    }

    @discardableResult
    public func emit(fill: arb_fill_t, request: UInt64 = 0) -> arb_status_t {
        var f = fill
        return table.pointee.emit_fill(table, request, &f)
    }

    @discardableResult
    public func emit(balance: arb_balance_t, request: UInt64 = 0) -> arb_status_t {
        var b = balance
        return table.pointee.emit_balance(table, request, &b)
    }

    /// The one final answer to a request.
    @discardableResult
    public func requestDone(_ request: UInt64, _ outcome: arb_outcome_t, code: Int32 = 0, message: String = "") -> arb_status_t {
        message.withArbStr { table.pointee.request_done(table, request, outcome, code, $0) }
    }

    @discardableResult
    public func reportGap(_ instrument: InstrumentId, expected: UInt64, received: UInt64) -> arb_status_t {
        table.pointee.report_gap(table, instrument.rawValue, expected, received)
    }

    @discardableResult
    public func reportConnection(_ state: arb_connection_state_t, _ detail: String = "") -> arb_status_t {
        detail.withArbStr { table.pointee.report_connection(table, state, $0) }
    }

    /// A host timer: `onTimer` fires on the engine thread.
    public func setTimer(at deadline: Int64, every interval: Int64 = 0, tag: UInt64 = 0) throws(HostError) -> UInt64 {
        var id: UInt64 = 0
        try HostError.check(table.pointee.set_timer(table, deadline, interval, tag, &id))
        return id
    }
}
