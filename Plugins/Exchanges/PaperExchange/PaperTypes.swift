import ArbSDK
import ArbBook
import ArbModel

// The data types of the paper venue: instruments, requests, orders, fills, positions, balances.
// All are value types; the engine (`PaperExchange`) owns the mutable state.

/// One instrument of the venue, with its trading rules and fee/margin rates.
///
/// Linear contracts only: PnL, margin and fees are in `settle` and scale with `contractSize`
/// (1 for a contract quoted per unit of base). Inverse contracts are not modelled.
public struct PaperInstrument: Sendable, Hashable {
    /// The host's instrument handle.
    public var id: UInt32
    public var symbol: String
    /// Spot moves balances; perpetuals and dated futures keep a netting position.
    public var kind: InstrumentKind
    /// The delivery time of a dated future (ns since the epoch), nil otherwise.
    public var expiry: Int64?
    public var base: String
    public var quote: String
    /// The currency fees, margin, PnL and funding are booked in (spot: the quote currency).
    public var settle: String
    /// Prices must be whole multiples of this (> 0).
    public var tickSize: ExactDecimal
    /// Quantities must be whole multiples of this (> 0).
    public var lotSize: ExactDecimal
    public var minQuantity: ExactDecimal
    /// Minimum price × quantity × contractSize (reduce-only orders are exempt, as on Binance futures).
    public var minNotional: ExactDecimal
    public var contractSize: ExactDecimal
    /// Fee rates (negative = rebate).
    public var makerFee: ExactDecimal
    public var takerFee: ExactDecimal
    /// Margin rates (spot: 0). Leverage is 1 / initialMargin.
    public var initialMargin: ExactDecimal
    public var maintenanceMargin: ExactDecimal
    /// Funding period in ns (perpetuals; 0 = no once-per-period guard).
    public var fundingInterval: Int64

    public init(id: UInt32, symbol: String, kind: InstrumentKind, expiry: Int64? = nil, base: String, quote: String,
                settle: String? = nil, tickSize: ExactDecimal, lotSize: ExactDecimal,
                minQuantity: ExactDecimal = .zero, minNotional: ExactDecimal = .zero,
                contractSize: ExactDecimal = .one, makerFee: ExactDecimal = .zero, takerFee: ExactDecimal = .zero,
                initialMargin: ExactDecimal = .zero, maintenanceMargin: ExactDecimal = .zero,
                fundingInterval: Int64 = 0) {
        self.id = id
        self.symbol = symbol
        self.kind = kind
        self.expiry = kind == .datedFuture ? expiry : nil
        self.base = base
        self.quote = quote
        self.settle = settle ?? quote
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minQuantity = minQuantity
        self.minNotional = minNotional
        self.contractSize = contractSize
        self.makerFee = makerFee
        self.takerFee = takerFee
        self.initialMargin = initialMargin
        self.maintenanceMargin = maintenanceMargin
        self.fundingInterval = fundingInterval
    }

    /// 1 / initialMargin (e.g. 0.05 → 20), nil for spot or a zero margin rate.
    public var leverage: ExactDecimal? {
        guard kind.isDerivative, initialMargin > .zero else { return nil }
        return try? ExactDecimal.one.divided(by: initialMargin, rounding: .halfEven)
    }
}

/// Order type. Market orders never rest: they behave as IOC (or FOK when asked).
public enum PaperOrderType: String, Sendable, Hashable {
    case market, limit
}

/// Time in force. `postOnly` is a GTC limit that is rejected if it would take liquidity.
public enum PaperTimeInForce: String, Sendable, Hashable {
    case gtc, ioc, fok, postOnly
}

/// An order as the strategy sends it.
public struct PaperOrderRequest: Sendable, Hashable {
    /// 1...36 characters, unique for the life of the venue (including its journal).
    public var clientOrderId: String
    public var instrument: UInt32
    public var side: OrderSide
    public var type: PaperOrderType
    public var timeInForce: PaperTimeInForce
    public var quantity: ExactDecimal
    /// Required for limit orders, must be nil for market orders.
    public var price: ExactDecimal?
    public var reduceOnly: Bool

    public init(clientOrderId: String, instrument: UInt32, side: OrderSide, type: PaperOrderType,
                timeInForce: PaperTimeInForce = .gtc, quantity: ExactDecimal, price: ExactDecimal? = nil,
                reduceOnly: Bool = false) {
        self.clientOrderId = clientOrderId
        self.instrument = instrument
        self.side = side
        self.type = type
        self.timeInForce = timeInForce
        self.quantity = quantity
        self.price = price
        self.reduceOnly = reduceOnly
    }
}

/// An order's lifecycle state. Rejected requests are never stored, so `.rejected` only exists
/// for mapping to the host's status set; every accepted order ends filled, cancelled or expired.
public enum PaperOrderStatus: String, Sendable, Hashable {
    case open, partiallyFilled, filled, cancelled, expired, rejected

    /// True once the order can no longer change.
    public var isFinal: Bool { self == .filled || self == .cancelled || self == .expired || self == .rejected }
}

/// The venue's view of an accepted order.
public struct PaperOrder: Sendable, Hashable {
    public var clientOrderId: String
    /// "P1", "P2", … in acceptance order (deterministic, survives recovery).
    public var venueOrderId: String
    public var instrument: UInt32
    public var side: OrderSide
    public var type: PaperOrderType
    public var timeInForce: PaperTimeInForce
    /// The total quantity (an amend replaces it; it always includes what has filled).
    public var quantity: ExactDecimal
    public var price: ExactDecimal?
    public var reduceOnly: Bool
    public var status: PaperOrderStatus
    public var filledQuantity: ExactDecimal
    /// Σ price × quantity over the fills (exact), so the average can be recomputed at any precision.
    public var filledNotional: ExactDecimal
    /// filledNotional / filledQuantity rounded half-even to 18 places; nil before the first fill.
    public var averagePrice: ExactDecimal?
    /// Σ of the per-fill rounded fees, in `feeCurrency`.
    public var cumulativeFee: ExactDecimal
    public var feeCurrency: String
    public var createdAt: Int64
    public var updatedAt: Int64

    /// quantity − filledQuantity (0 ≤ filled ≤ quantity always holds, so the subtraction cannot overflow).
    public var remainingQuantity: ExactDecimal {
        ExactDecimal(units: quantity.units &- filledQuantity.units)
    }
}

/// Whether a fill added liquidity (resting order) or took it.
public enum PaperLiquidity: String, Sendable, Hashable {
    case maker, taker
}

/// One execution. Takers get one fill per book level they walk.
public struct PaperFill: Sendable, Hashable {
    /// "F1", "F2", … venue-wide, in execution order.
    public var tradeId: String
    public var clientOrderId: String
    public var venueOrderId: String
    public var instrument: UInt32
    public var side: OrderSide
    public var price: ExactDecimal
    public var quantity: ExactDecimal
    /// price × quantity × contractSize × rate, rounded half-even to the fee currency's precision.
    public var fee: ExactDecimal
    public var feeCurrency: String
    public var liquidity: PaperLiquidity
    public var time: Int64

    public init(tradeId: String, clientOrderId: String, venueOrderId: String, instrument: UInt32, side: OrderSide,
                price: ExactDecimal, quantity: ExactDecimal, fee: ExactDecimal, feeCurrency: String,
                liquidity: PaperLiquidity, time: Int64) {
        self.tradeId = tradeId
        self.clientOrderId = clientOrderId
        self.venueOrderId = venueOrderId
        self.instrument = instrument
        self.side = side
        self.price = price
        self.quantity = quantity
        self.fee = fee
        self.feeCurrency = feeCurrency
        self.liquidity = liquidity
        self.time = time
    }
}

/// A netting position of a derivative instrument.
public struct PaperPosition: Sendable, Hashable {
    public var instrument: UInt32
    /// Signed: > 0 long, < 0 short, 0 flat.
    public var quantity: ExactDecimal
    /// entryNotional / |quantity| (18 places, half-even); 0 when flat.
    public var averageEntryPrice: ExactDecimal
    /// Σ price × quantity of the open quantity (the cost basis, without contractSize). Kept
    /// exact so repeated adds never drift; a partial close removes its pro-rata share.
    public var entryNotional: ExactDecimal
    /// Σ of realized PnL (each reduction rounded half-even to the settle precision); excludes fees and funding.
    public var realizedPnL: ExactDecimal
    /// entryNotional × contractSize × initialMargin, rounded up to the settle precision.
    public var marginUsed: ExactDecimal
    public var settleCurrency: String
    public var contractSize: ExactDecimal

    /// (markPrice − averageEntryPrice) × quantity × contractSize, unrounded (18 places, half-even).
    public func unrealizedPnL(markPrice: ExactDecimal) throws(DecimalError) -> ExactDecimal {
        try markPrice.subtracting(averageEntryPrice).times(quantity).times(contractSize)
    }
}

/// One currency of the account. total = free + used.
public struct PaperBalance: Sendable, Hashable {
    public var currency: String
    /// total − used. Can dip below zero only by realized losses beyond margin (no liquidation is
    /// modelled) or, by at most half a unit of the currency's precision per fill, when per-fill fee
    /// rounding exceeds the (rounded-up) fee the order reserved.
    public var free: ExactDecimal
    /// Reserved by open orders plus margin held by positions.
    public var used: ExactDecimal
    public var total: ExactDecimal
}

/// Levels of one side of a book.
public struct PaperLevel: Sendable, Hashable {
    public var price: ExactDecimal
    public var quantity: ExactDecimal

    public init(price: ExactDecimal, quantity: ExactDecimal) {
        self.price = price
        self.quantity = quantity
    }

    /// A (price, quantity) level.
    public init(_ price: ExactDecimal, _ quantity: ExactDecimal) {
        self.init(price: price, quantity: quantity)
    }
}

/// Which side of a book a level is on.
public enum PaperBookSide: Sendable, Hashable {
    case bid, ask
}

/// A book as the venue sees it: levels best first (bids descending, asks ascending).
public struct PaperBook: Sendable, Hashable {
    /// On the tick grid when the tick is known: a feed updating levels anywhere in the top few
    /// thousand ticks sets them by index.
    var bidLadder: PriceLadder
    var askLadder: PriceLadder

    /// Bids, best (highest) first.
    public var bids: [PaperLevel] { bidLadder.bestFirst.map { PaperLevel(price: $0.price, quantity: $0.quantity) } }
    /// Asks, best (lowest) first.
    public var asks: [PaperLevel] { askLadder.bestFirst.map { PaperLevel(price: $0.price, quantity: $0.quantity) } }

    /// The best bid and ask (no copy of the sides).
    public var bestBid: PaperLevel? { bidLadder.best.map { PaperLevel(price: $0.price, quantity: $0.quantity) } }
    public var bestAsk: PaperLevel? { askLadder.best.map { PaperLevel(price: $0.price, quantity: $0.quantity) } }

    /// The mid of the best bid and ask (half-even to 18 places), nil with a side empty.
    public var mid: ExactDecimal? {
        guard let bid = bestBid, let ask = bestAsk, let sum = try? bid.price.adding(ask.price) else { return nil }
        return try? sum.divided(by: ExactDecimal(2), rounding: .halfEven)
    }

    mutating func removeAll() {
        bidLadder.removeAll()
        askLadder.removeAll()
    }

    public init(bids: [PaperLevel] = [], asks: [PaperLevel] = [], step: ExactDecimal? = nil) {
        bidLadder = PriceLadder(higherIsBetter: true, step: step)
        askLadder = PriceLadder(higherIsBetter: false, step: step)
        // Worst first (levels come best first): each one appends to its ladder.
        for level in bids.reversed() { bidLadder.set(price: level.price, quantity: level.quantity) }
        for level in asks.reversed() { askLadder.set(price: level.price, quantity: level.quantity) }
    }
}
