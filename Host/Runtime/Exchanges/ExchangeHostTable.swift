import ArbBook
import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbSDK
import ArbTrading
import Glibc
import Logging

/// Builds the `arb_exchange_host_t` every venue instance receives.
///
/// Emit slots copy the event into a ring record (no allocation) and return at once; the engine
/// handles it in order. Network slots answer ARB_ERR_NOT_AVAILABLE until the real-venue issue.
enum ExchangeHostTable {
    @inline(__always)
    static func with<R>(_ host: UnsafePointer<arb_exchange_host_t>?, _ fallback: R,
                        _ body: (ExchangeInstance) -> R) -> R {
        guard let data = host?.pointee.host_data else { return fallback }
        return Unmanaged<ExchangeInstance>.fromOpaque(data)._withUnsafeGuaranteedRef(body)
    }

    /// Copies a struct the adapter passed into the engine's ring, after checking its instrument.
    @inline(__always)
    static func emit<T: RecordPayload>(_ host: UnsafePointer<arb_exchange_host_t>?, _ request: UInt64,
                                       _ value: UnsafePointer<T>?, instrument: (T) -> arb_instrument_id_t?) -> arb_status_t {
        ExchangeHostTable.with(host, ARB_ERR_INVALID_ARGUMENT) { e in
            guard let value, let copy = readGrowable(value) else { return ARB_ERR_INVALID_ARGUMENT }
            return e.withEngine { engine in
                if let id = instrument(copy), id == 0 || !engine.instruments.contains(InstrumentId(rawValue: id)) {
                    return ARB_ERR_NOT_FOUND
                }
                return engine.post(copy, source: e.slot, request: request)
            }
        }
    }

    static func make(engine: Engine) -> arb_exchange_host_t {
        var t = arb_exchange_host_t()
        t.struct_size = structSize(arb_exchange_host_t.self)
        t.decimal = HostDecimalTable.pointer
        t.run_mode = engine.mode.cValue
        t.now = { host in ExchangeHostTable.with(host, 0) { e in e.withEngine { $0.now() } } }
        t.log = { host, level, message in
            ExchangeHostTable.with(host, ()) { e in
                let text = String(message)
                if level >= ARB_LOG_ERROR { e.noteLoggedError(text) }  // a failed connect's reason
                e.logger.log(level: Logger.Level(arbLevel: level), "\(text)")
            }
        }
        t.get_extension = { _, _ in nil }
        t.instrument_id = { host, instrument, out in
            ExchangeHostTable.with(host, ARB_ERR_INVALID_ARGUMENT) { e in
                guard let instrument, let out, var value = readGrowable(instrument) else { return ARB_ERR_INVALID_ARGUMENT }
                return e.name.withArbStr { name in
                    if value.venue.len == 0 { value.venue = name }
                    guard let parsed = Instrument(value) else { return ARB_ERR_INVALID_ARGUMENT }
                    out.pointee = e.engine.instruments.id(for: parsed).rawValue
                    return ARB_OK
                }
            }
        }
        t.instrument = { host, id, out in
            ExchangeHostTable.with(host, ARB_ERR_INVALID_ARGUMENT) { e in
                guard let out else { return ARB_ERR_INVALID_ARGUMENT }
                guard let c = e.engine.instruments.cInstrument(InstrumentId(rawValue: id)) else { return ARB_ERR_NOT_FOUND }
                out.pointee = c
                return ARB_OK
            }
        }
        t.emit_instrument_spec = { host, request, spec in ExchangeHostTable.emit(host, request, spec) { $0.instrument } }
        t.emit_book = { host, request, update in ExchangeHostTable.emit(host, request, update) { $0.instrument } }
        t.emit_trade = { host, trade in ExchangeHostTable.emit(host, 0, trade) { $0.instrument } }
        t.emit_ticker = { host, request, ticker in ExchangeHostTable.emit(host, request, ticker) { $0.instrument } }
        t.emit_funding = { host, request, rate in ExchangeHostTable.emit(host, request, rate) { $0.instrument } }
        t.emit_funding_payment = { host, payment in ExchangeHostTable.emit(host, 0, payment) { $0.instrument } }
        t.emit_order = { host, request, order in ExchangeHostTable.emit(host, request, order) { $0.instrument } }
        t.emit_fill = { host, request, fill in ExchangeHostTable.emit(host, request, fill) { $0.instrument } }
        t.emit_position = { host, request, position in ExchangeHostTable.emit(host, request, position) { $0.instrument } }
        t.emit_balance = { host, request, balance in ExchangeHostTable.emit(host, request, balance) { _ in nil } }
        t.report_gap = { host, instrument, expected, received in
            ExchangeHostTable.with(host, ARB_ERR_INVALID_ARGUMENT) { e in
                guard e.engine.instruments.contains(InstrumentId(rawValue: instrument)) else { return ARB_ERR_NOT_FOUND }
                return e.engine.post(GapRecord(instrument: instrument, expected: expected, received: received),
                                     source: e.slot, request: 0)
            }
        }
        t.report_connection = { host, state, detail in
            ExchangeHostTable.with(host, ARB_ERR_INVALID_ARGUMENT) { e in
                guard (ARB_CONNECTION_CONNECTING...ARB_CONNECTION_DISCONNECTED).contains(state) else {
                    return ARB_ERR_INVALID_ARGUMENT
                }
                return e.engine.post(ConnectionRecord(state: state, detail: detail), source: e.slot, request: 0)
            }
        }
        t.request_done = { host, request, outcome, code, message in
            ExchangeHostTable.with(host, ARB_ERR_INVALID_ARGUMENT) { e in
                guard request != 0, (ARB_OUTCOME_ACCEPTED...ARB_OUTCOME_UNKNOWN).contains(outcome) else {
                    return ARB_ERR_INVALID_ARGUMENT
                }
                return e.engine.post(RequestDoneRecord(outcome: outcome, venueCode: code, message: message),
                                     source: e.slot, request: request)
            }
        }
        // [any] and never waits: off the engine thread the timer travels through the inbound
        // queue (an adapter's I/O thread that blocked on the engine could deadlock with it).
        t.set_timer = { host, deadline, interval, tag, outId in
            ExchangeHostTable.with(host, ARB_ERR_INVALID_ARGUMENT) { e in
                guard interval >= 0 else { return ARB_ERR_INVALID_ARGUMENT }
                let id = e.engine.postTimer(deadline: deadline, interval: interval, owner: .exchange(e.slot), tag: tag)
                outId?.pointee = id
                return ARB_OK
            }
        }
        t.cancel_timer = { host, id in
            ExchangeHostTable.with(host, ARB_ERR_INVALID_ARGUMENT) { e in
                e.engine.postTimerCancel(id, owner: .exchange(e.slot)) ? ARB_OK : ARB_ERR_NOT_FOUND
            }
        }
        t.http_request = { _, _, _, _ in ARB_ERR_NOT_AVAILABLE }
        t.ws_connect = { _, _, _, _, _, _ in ARB_ERR_NOT_AVAILABLE }
        t.ws_send = { _, _, _ in ARB_ERR_NOT_AVAILABLE }
        t.ws_close = { _, _ in ARB_ERR_NOT_AVAILABLE }
        t.hmac = { _, _, _, _, _, _, _ in ARB_ERR_NOT_AVAILABLE }
        t.credential = { host, field, buffer, capacity, length in
            ExchangeHostTable.with(host, ARB_ERR_INVALID_ARGUMENT) { e in
                let variable: String?
                switch String(field) {
                case "api_key": variable = e.credentials.apiKeyEnv
                case "secret": variable = e.credentials.secretEnv
                case "passphrase": variable = e.credentials.passphraseEnv
                default: return ARB_ERR_INVALID_ARGUMENT
                }
                // Read at the moment of use: the secret lives in the environment only.
                guard let variable, let value = getenv(variable) else { return ARB_ERR_NOT_FOUND }
                let count = strlen(value)
                length?.pointee = count
                guard let buffer, capacity > count else { return ARB_ERR_BUFFER_TOO_SMALL }
                memcpy(buffer, value, count)
                buffer[count] = 0
                return ARB_OK
            }
        }
        return t
    }
}
