import ArbSDK

/// What a venue says about an instrument: increments, limits, fees, margin, funding interval.
public struct InstrumentSpec: Sendable, Equatable {
    public var instrument: InstrumentId
    public var base: String
    public var quote: String
    public var settle: String
    public var tickSize: ExactDecimal
    public var lotSize: ExactDecimal
    public var minQuantity: ExactDecimal
    public var minNotional: ExactDecimal
    public var contractSize: ExactDecimal
    public var inverse: Bool
    public var fundingIntervalNanoseconds: Int64
    public var makerFee: ExactDecimal
    public var takerFee: ExactDecimal
    public var initialMargin: ExactDecimal
    public var maintenanceMargin: ExactDecimal
    public var pricePrecision: Int32
    public var quantityPrecision: Int32

    package init(_ c: arb_instrument_spec_t) {
        instrument = InstrumentId(rawValue: c.instrument)
        base = String(c.base)
        quote = String(c.quote)
        settle = String(c.settle)
        tickSize = ExactDecimal(c.tick_size)
        lotSize = ExactDecimal(c.lot_size)
        minQuantity = ExactDecimal(c.min_quantity)
        minNotional = ExactDecimal(c.min_notional)
        contractSize = ExactDecimal(c.contract_size)
        inverse = c.inverse != 0
        fundingIntervalNanoseconds = c.funding_interval_ns
        makerFee = ExactDecimal(c.maker_fee)
        takerFee = ExactDecimal(c.taker_fee)
        initialMargin = ExactDecimal(c.initial_margin)
        maintenanceMargin = ExactDecimal(c.maintenance_margin)
        pricePrecision = c.price_precision
        quantityPrecision = c.quantity_precision
    }

    /// The C form; its strings borrow from this value, so use it inside `body` only.
    package func withCSpec<R>(_ body: (arb_instrument_spec_t) -> R) -> R {
        base.withArbStr { b in
            quote.withArbStr { q in
                settle.withArbStr { s in
                    body(arb_instrument_spec_t(
                        struct_size: structSize(arb_instrument_spec_t.self), instrument: instrument.rawValue,
                        base: b, quote: q, settle: s, tick_size: tickSize.cValue, lot_size: lotSize.cValue,
                        min_quantity: minQuantity.cValue, min_notional: minNotional.cValue,
                        contract_size: contractSize.cValue, inverse: inverse ? 1 : 0,
                        funding_interval_ns: fundingIntervalNanoseconds, maker_fee: makerFee.cValue,
                        taker_fee: takerFee.cValue, initial_margin: initialMargin.cValue,
                        maintenance_margin: maintenanceMargin.cValue, price_precision: pricePrecision,
                        quantity_precision: quantityPrecision))
                }
            }
        }
    }
}
