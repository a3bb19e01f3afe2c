import ArbBook
import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbSDK
import ArbTrading
import Logging

/// One configured strategy: its name, the plugin build behind it and the plugin's instance.
///
/// Orders, timers and subscriptions belong to the name (its slot), not to the plugin instance,
/// so a hot swap of the binary keeps them.
public final class StrategyInstance: @unchecked Sendable {
    public enum State: String, Sendable { case created, running, stopped, destroyed }

    public let name: String
    /// The engine's index for this strategy name.
    public let slot: Int
    public internal(set) var plugin: LoadedPlugin
    public internal(set) var state: State = .created
    let logger: Logger
    // unowned(unsafe): the engine outlives every instance, and a checked reference would cost
    // a refcount round trip on every host call.
    unowned(unsafe) let engine: Engine
    /// The same engine, for hot paths: `withEngine` borrows it without any refcount traffic.
    let engineRef: Unmanaged<Engine>
    /// The services the host table answers from (they outlive every instance).
    unowned(unsafe) let market: MarketDataService
    let marketRef: Unmanaged<MarketDataService>
    unowned(unsafe) let orders: OrderManager

    var table: arb_strategy_v1_t
    var instance: UnsafeMutableRawPointer?
    let host: UnsafeMutablePointer<arb_strategy_host_t>
    var parameters: CParameterList
    /// Prefix of this strategy's client order ids: its name's hash, and live the run's session
    /// (at most 2 + 7 + 1 + 9 + 1 characters, well within venues' 32–36).
    let clientOrderPrefix: String
    var marketSubscriptions: Set<InstrumentId> = []
    /// Names this instance and its plugin build in a crash report (rebuilt on a hot swap).
    var crashLabel: UnsafeMutablePointer<CChar>
    /// True while a new build's `start` runs after a hot swap: timers and bus subscriptions it
    /// asks for again are the ones it already has (they belong to the name and carried over).
    var isResuming = false
    /// Instruments from the configuration's `symbols`: subscribed before `start`.
    public internal(set) var configuredSymbols: [InstrumentId] = []
    /// Removal policy from the configuration.
    public internal(set) var onRemove = RemovalPolicy.cancelOrders

    init(name: String, slot: Int, plugin: LoadedPlugin, parameters: CParameterList, engine: Engine,
         market: MarketDataService, orders: OrderManager) {
        self.name = name
        self.slot = slot
        self.plugin = plugin
        self.parameters = parameters
        self.engine = engine
        engineRef = Unmanaged.passUnretained(engine)
        self.market = market
        marketRef = Unmanaged.passUnretained(market)
        self.orders = orders
        table = plugin.strategy!.pointee
        var logger = Logger(label: "strategy")
        logger[metadataKey: "strategy"] = .string(name)
        logger[metadataKey: "plugin"] = .string(plugin.info.id)
        self.logger = logger
        clientOrderPrefix = "ah" + String(Self.fnv32(name), radix: 36) + "-" + (orders.session.isEmpty ? "" : orders.session + "-")
        crashLabel = CrashMarker.label(Self.describe(name, plugin))
        host = .allocate(capacity: 1)
        host.initialize(to: StrategyHostTable.make(engine: engine))
        host.pointee.host_data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        host.deinitialize(count: 1)
        host.deallocate()
        CrashMarker.release(crashLabel)
    }

    static func describe(_ name: String, _ plugin: LoadedPlugin) -> String {
        "strategy '\(name)' (plugin \(plugin.info.id) \(plugin.info.version), \(plugin.path))"
    }

    /// Runs a call into the plugin marked for the crash report.
    @inline(__always)
    func calling<R>(_ callback: StaticString, _ body: () -> R) -> R {
        CrashMarker.calling(crashLabel, callback, body)
    }

    public var isRunning: Bool { state == .running }

    /// Calls the plugin's on_book_resynced directly. [engine] (The router normally does this;
    /// the benchmarks use it to time a bare host → plugin → host round trip.)
    @inline(__always)
    public func deliverBookResynced(_ instrument: InstrumentId) {
        table.on_book_resynced?(instance, instrument.rawValue)
    }

    private static func fnv32(_ text: String) -> UInt32 {
        var hash: UInt32 = 0x811c_9dc5
        for b in text.utf8 { hash = (hash ^ UInt32(b)) &* 0x0100_0193 }
        return hash
    }

    /// Calls `body` with the engine borrowed (+0): no retain/release on the hot path.
    @inline(__always)
    func withEngine<R>(_ body: (Engine) -> R) -> R { engineRef._withUnsafeGuaranteedRef(body) }

    /// Calls `body` with the market data service borrowed (+0).
    @inline(__always)
    func withMarket<R>(_ body: (MarketDataService) -> R) -> R { marketRef._withUnsafeGuaranteedRef(body) }

    /// MarketDataService.subscribe_symbol for this strategy. Engine thread.
    func subscribeMarket(_ id: InstrumentId) -> arb_status_t {
        let status = market.subscribeSymbol(id, subscriber: slot)
        if status == ARB_OK { marketSubscriptions.insert(id) }
        return status
    }

    func unsubscribeMarket(_ id: InstrumentId) -> arb_status_t {
        guard marketSubscriptions.remove(id) != nil else { return ARB_ERR_NOT_FOUND }
        market.unsubscribeSymbol(id, subscriber: slot)
        return ARB_OK
    }
}
