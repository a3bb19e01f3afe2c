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

// MARK: - Encoding

/// Hand-written JSON lines: flat objects, decimals as canonical strings (`description`), so the
/// file is readable by any JSON tool and byte-identical for identical histories.
extension PaperJournalRecord {
    /// The record as one JSON object (no newline). `sequence` numbers records from 1 so recovery
    /// detects a missing line; `commit` marks the last record of a batch.
    func encoded(sequence: UInt64, commit: Bool) -> String {
        var w = JSONObject()
        w.field("n", Int64(truncatingIfNeeded: sequence))
        switch self {
        case .deposit(let currency, let amount):
            w.field("k", "dep"); w.field("cur", currency); w.field("amt", amount)
        case .order(let r, let venueOrderId, let time):
            w.field("k", "ord"); w.field("cid", r.clientOrderId); w.field("vid", venueOrderId)
            w.field("ins", Int64(r.instrument)); w.field("side", r.side == .buy ? "buy" : "sell")
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
            w.field("vid", f.venueOrderId); w.field("ins", Int64(f.instrument)); w.field("side", f.side == .buy ? "buy" : "sell")
            w.field("px", f.price); w.field("qty", f.quantity); w.field("fee", f.fee); w.field("fcur", f.feeCurrency)
            w.field("liq", f.liquidity.rawValue); w.field("ts", f.time)
        case .funding(let instrument, let rate, let markPrice, let positionQuantity, let amount, let currency, let time):
            w.field("k", "fund"); w.field("ins", Int64(instrument)); w.field("rate", rate); w.field("mark", markPrice)
            w.field("pos", positionQuantity); w.field("amt", amount); w.field("cur", currency); w.field("ts", time)
        case .expirySettlement(let instrument, let indexPrice, let time):
            w.field("k", "xpy"); w.field("ins", Int64(instrument)); w.field("px", indexPrice); w.field("ts", time)
        }
        if commit { w.field("end", true) }
        return w.text
    }

    /// The record a parsed line describes, or which field is missing or malformed.
    static func decode(_ f: JSONFields) -> Result<PaperJournalRecord, JSONFieldError> {
        Result { () throws(JSONFieldError) in
            switch try f.string("k") {
            case "dep":
                return .deposit(currency: try f.string("cur"), amount: try f.decimal("amt"))
            case "ord":
                guard let type = PaperOrderType(rawValue: try f.string("type")) else { throw .bad("type") }
                guard let tif = PaperTimeInForce(rawValue: try f.string("tif")) else { throw .bad("tif") }
                let request = PaperOrderRequest(
                    clientOrderId: try f.string("cid"), instrument: try f.uint32("ins"), side: try f.side("side"),
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
                    instrument: try f.uint32("ins"), side: try f.side("side"), price: try f.decimal("px"),
                    quantity: try f.decimal("qty"), fee: try f.decimal("fee"), feeCurrency: try f.string("fcur"),
                    liquidity: liquidity, time: try f.int("ts")))
            case "fund":
                return .funding(instrument: try f.uint32("ins"), rate: try f.decimal("rate"), markPrice: try f.decimal("mark"),
                                positionQuantity: try f.decimal("pos"), amount: try f.decimal("amt"),
                                currency: try f.string("cur"), time: try f.int("ts"))
            case "xpy":
                return .expirySettlement(instrument: try f.uint32("ins"), indexPrice: try f.decimal("px"), time: try f.int("ts"))
            default:
                throw .bad("k")
            }
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

    func uint32(_ key: String) throws(JSONFieldError) -> UInt32 {
        guard let value = UInt32(exactly: try int(key)) else { throw .bad(key) }
        return value
    }

    func side(_ key: String) throws(JSONFieldError) -> OrderSide {
        switch try string(key) {
        case "buy": return .buy
        case "sell": return .sell
        default: throw .bad(key)
        }
    }
}
