import ArbEngine
import ArbMarket
import ArbTrading

/// The engine and the services wired to it, in the order they must register: market data,
/// orders, then the managers that deliver to strategies and venues, then funding. What
/// `HostRuntime` runs, and what tests and benchmarks build when they need no configuration.
public final class HostServices: @unchecked Sendable {
    public let engine: Engine
    /// Books, prices, funding and specs as the engine last saw them (MarketDataService).
    public let market: MarketDataService
    /// Orders strategies placed (OrderManager).
    public let orders: OrderManager
    public let strategies: StrategyManager
    public let exchanges: ExchangeManager
    /// Funding rates per venue, spreads, predictions, and their bus events.
    public let funding: FundingRateService

    /// Wires the services to `engine`; call before the engine runs.
    public init(engine: Engine) {
        self.engine = engine
        market = MarketDataService(engine: engine)
        orders = OrderManager(engine: engine)
        strategies = StrategyManager(engine: engine, market: market, orders: orders)
        exchanges = ExchangeManager(engine: engine, market: market)
        funding = FundingRateService(engine: engine, market: market)
        engine.sourceName = { [unowned(unsafe) strategies, unowned(unsafe) engine] source in
            switch source.kind {
            case .strategy: strategies.name(ofSlot: Int(source.index))
            case .venue: engine.venue(Int(source.index))?.name ?? ""
            case .host: "host"
            }
        }
    }
}
