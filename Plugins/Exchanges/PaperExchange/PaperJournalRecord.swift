import ArbSDK
import ArbBook
import ArbModel

/// One state change of the venue, as journaled. Book data is deliberately absent: the journal
/// is book-independent (the feed re-sends books after a restart), so fills are recorded as
/// decided rather than re-derived from a book that no longer exists.
public enum PaperJournalRecord: Sendable, Hashable {
    /// Money credited to the account (starting balances).
    case deposit(currency: String, amount: ExactDecimal)
    /// An order request that passed validation, with the venue id it was given.
    case order(PaperOrderRequest, venueOrderId: String, time: Int64)
    /// An accepted amend: the order's new limit price and total quantity.
    case amend(clientOrderId: String, price: ExactDecimal?, quantity: ExactDecimal, time: Int64)
    case cancel(clientOrderId: String, time: Int64)
    /// An order's remainder expired (IOC/market/FOK, a reduce-only order left with nothing to reduce).
    case expire(clientOrderId: String, time: Int64)
    case fill(PaperFill)
    /// A funding settlement (`amount` signed from the account's view; 0 when flat, still recorded
    /// because it marks the funding period as settled).
    case funding(instrument: UInt32, rate: ExactDecimal, markPrice: ExactDecimal, positionQuantity: ExactDecimal,
                 amount: ExactDecimal, currency: String, time: Int64)
    /// A dated future settled at `indexPrice` (its open orders are cancelled by earlier `cancel` records).
    case expirySettlement(instrument: UInt32, indexPrice: ExactDecimal, time: Int64)
}

// MARK: - Instrument names

/// How the journal names an instrument: the venue's symbol and kind, and a dated future's
/// expiry. Never the host's handle (`PaperInstrument.id`): handles follow the order the host
/// meets instruments in, so they can differ after a restart with the markets listed in another
/// order, and a record would then land on the wrong market.
public struct PaperInstrumentName: Sendable, Hashable, CustomStringConvertible {
    public var symbol: String
    public var kind: InstrumentKind
    /// Delivery time of a dated future (ns since the epoch), nil for spot and perpetuals.
    public var expiry: Int64?

    public init(symbol: String, kind: InstrumentKind, expiry: Int64? = nil) {
        self.symbol = symbol
        self.kind = kind
        self.expiry = expiry
    }

    public init(_ instrument: PaperInstrument) {
        self.init(symbol: instrument.symbol, kind: instrument.kind,
                  expiry: instrument.kind == .datedFuture ? instrument.expiry : nil)
    }

    /// "BTCUSDT perpetual", "BTCUSDT-270326 dated_future expiring 1806048000000000000".
    public var description: String {
        "\(symbol) \(kind.name)" + (expiry.map { " expiring \($0)" } ?? "")
    }
}

/// The venue's instruments by handle (writing) and by name (reading). Names are expected to be
/// distinct, as the host's handles are; with duplicates the first instrument of a name is the
/// one records naming it are read into.
struct PaperJournalInstruments {
    private(set) var names: [UInt32: PaperInstrumentName] = [:]
    private(set) var handles: [PaperInstrumentName: UInt32] = [:]
    /// Every configured name, in the order given (for messages).
    private(set) var configured: [PaperInstrumentName] = []

    init(_ instruments: [PaperInstrument]) {
        for instrument in instruments where names[instrument.id] == nil {  // the first of duplicate ids, as the venue
            let name = PaperInstrumentName(instrument)
            names[instrument.id] = name
            if handles[name] == nil {
                handles[name] = instrument.id
                configured.append(name)
            }
        }
    }
}

/// Why a journal line is not a record of this venue.
enum PaperRecordError: Error, Equatable {
    /// A field is missing or malformed.
    case field(JSONFieldError)
    /// The record names its instrument by the host's handle (`"ins"`), as older builds wrote it.
    case handle
    /// The record names an instrument the venue is not configured with.
    case unknownInstrument(PaperInstrumentName)
}

// MARK: - Encoding

/// Hand-written JSON lines: flat objects, decimals as canonical strings (`description`), so the
/// file is readable by any JSON tool and byte-identical for identical histories. Instruments are
/// named by `"sym"`, `"kind"` (spot, perpetual, dated_future) and, for dated futures, `"exp"`.
extension PaperJournalRecord {
    /// The record as one JSON object (no newline). `sequence` numbers records from 1 so recovery
    /// detects a missing line; `commit` marks the last record of a batch. Fails only for a
    /// record whose instrument is not one of `instruments` (the venue journals only its own).
    func encoded(sequence: UInt64, commit: Bool, instruments: PaperJournalInstruments) throws(PaperJournalError) -> String {
        var w = JSONObject()
        func name(instrument id: UInt32) throws(PaperJournalError) {
            guard let named = instruments.names[id] else {
                throw .inconsistent(line: Int(truncatingIfNeeded: sequence), reason: "instrument handle \(id) is not one of the venue's")
            }
            w.field("sym", named.symbol)
            w.field("kind", named.kind.name)
            if let expiry = named.expiry { w.field("exp", expiry) }
        }
        w.field("n", Int64(truncatingIfNeeded: sequence))
        switch self {
        case .deposit(let currency, let amount):
            w.field("k", "dep"); w.field("cur", currency); w.field("amt", amount)
        case .order(let r, let venueOrderId, let time):
            w.field("k", "ord"); w.field("cid", r.clientOrderId); w.field("vid", venueOrderId)
            try name(instrument: r.instrument); w.field("side", r.side == .buy ? "buy" : "sell")
            w.field("type", r.type.rawValue); w.field("tif", r.timeInForce.rawValue); w.field("qty", r.quantity)
            if let price = r.price { w.field("px", price) }
            w.field("ro", r.reduceOnly); w.field("ts", time)
        case .amend(let clientOrderId, let price, let quantity, let time):
            w.field("k", "amd"); w.field("cid", clientOrderId)
            if let price { w.field("px", price) }
            w.field("qty", quantity); w.field("ts", time)
        case .cancel(let clientOrderId, let time):
            w.field("k", "cxl"); w.field("cid", clientOrderId); w.field("ts", time)
        case .expire(let clientOrderId, let time):
            w.field("k", "exp"); w.field("cid", clientOrderId); w.field("ts", time)
        case .fill(let f):
            w.field("k", "fill"); w.field("tid", f.tradeId); w.field("cid", f.clientOrderId)
            w.field("vid", f.venueOrderId); try name(instrument: f.instrument); w.field("side", f.side == .buy ? "buy" : "sell")
            w.field("px", f.price); w.field("qty", f.quantity); w.field("fee", f.fee); w.field("fcur", f.feeCurrency)
            w.field("liq", f.liquidity.rawValue); w.field("ts", f.time)
        case .funding(let instrument, let rate, let markPrice, let positionQuantity, let amount, let currency, let time):
            w.field("k", "fund"); try name(instrument: instrument); w.field("rate", rate); w.field("mark", markPrice)
            w.field("pos", positionQuantity); w.field("amt", amount); w.field("cur", currency); w.field("ts", time)
        case .expirySettlement(let instrument, let indexPrice, let time):
            w.field("k", "xpy"); try name(instrument: instrument); w.field("px", indexPrice); w.field("ts", time)
        }
        if commit { w.field("end", true) }
        return w.text
    }

    /// The record a parsed line describes, its instrument mapped to the configured one of the same
    /// name; or which field is missing or malformed, or why its instrument cannot be mapped.
    static func decode(_ f: JSONFields, instruments: PaperJournalInstruments) -> Result<PaperJournalRecord, PaperRecordError> {
        do throws(JSONFieldError) {
            let k = try f.string("k")
            var instrument: UInt32 = 0
            if ["ord", "fill", "fund", "xpy"].contains(k) {
                if f.values["ins"] != nil { return .failure(.handle) }
                let name = PaperInstrumentName(symbol: try f.string("sym"), kind: try f.kind("kind"),
                                               expiry: f.values["exp"] == nil ? nil : try f.int("exp"))
                guard let id = instruments.handles[name] else { return .failure(.unknownInstrument(name)) }
                instrument = id
            }
            return .success(try decode(k, f, instrument: instrument))
        } catch {
            return .failure(.field(error))
        }
    }

    /// The record of kind `k`, on `instrument` (already mapped) if it names one.
    private static func decode(_ k: String, _ f: JSONFields, instrument: UInt32) throws(JSONFieldError) -> PaperJournalRecord {
        switch k {
        case "dep":
            return .deposit(currency: try f.string("cur"), amount: try f.decimal("amt"))
        case "ord":
            guard let type = PaperOrderType(rawValue: try f.string("type")) else { throw .bad("type") }
            guard let tif = PaperTimeInForce(rawValue: try f.string("tif")) else { throw .bad("tif") }
            let request = PaperOrderRequest(
                clientOrderId: try f.string("cid"), instrument: instrument, side: try f.side("side"),
                type: type, timeInForce: tif, quantity: try f.decimal("qty"), price: try f.optionalDecimal("px"),
                reduceOnly: try f.bool("ro"))
            return .order(request, venueOrderId: try f.string("vid"), time: try f.int("ts"))
        case "amd":
            return .amend(clientOrderId: try f.string("cid"), price: try f.optionalDecimal("px"),
                          quantity: try f.decimal("qty"), time: try f.int("ts"))
        case "cxl":
            return .cancel(clientOrderId: try f.string("cid"), time: try f.int("ts"))
        case "exp":
            return .expire(clientOrderId: try f.string("cid"), time: try f.int("ts"))
        case "fill":
            guard let liquidity = PaperLiquidity(rawValue: try f.string("liq")) else { throw .bad("liq") }
            return .fill(PaperFill(
                tradeId: try f.string("tid"), clientOrderId: try f.string("cid"), venueOrderId: try f.string("vid"),
                instrument: instrument, side: try f.side("side"), price: try f.decimal("px"),
                quantity: try f.decimal("qty"), fee: try f.decimal("fee"), feeCurrency: try f.string("fcur"),
                liquidity: liquidity, time: try f.int("ts")))
        case "fund":
            return .funding(instrument: instrument, rate: try f.decimal("rate"), markPrice: try f.decimal("mark"),
                            positionQuantity: try f.decimal("pos"), amount: try f.decimal("amt"),
                            currency: try f.string("cur"), time: try f.int("ts"))
        case "xpy":
            return .expirySettlement(instrument: instrument, indexPrice: try f.decimal("px"), time: try f.int("ts"))
        default:
            throw .bad("k")
        }
    }
}

extension JSONFields {
    func decimal(_ key: String) throws(JSONFieldError) -> ExactDecimal {
        let text = try string(key)
        do throws(DecimalError) { return try ExactDecimal(parsing: text) } catch { throw .bad(key) }
    }

    func optionalDecimal(_ key: String) throws(JSONFieldError) -> ExactDecimal? {
        values[key] == nil ? nil : try decimal(key)
    }

    /// An instrument kind by its name (spot, perpetual, dated_future).
    func kind(_ key: String) throws(JSONFieldError) -> InstrumentKind {
        let text = try string(key)
        guard let kind = InstrumentKind.allCases.first(where: { $0.name == text }) else { throw .bad(key) }
        return kind
    }

    func side(_ key: String) throws(JSONFieldError) -> OrderSide {
        switch try string(key) {
        case "buy": return .buy
        case "sell": return .sell
        default: throw .bad(key)
        }
    }
}
