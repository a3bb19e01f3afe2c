import ArbBook
import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbSDK
import ArbTrading
import Dispatch
import Glibc
import Logging

/// Creates and connects venue instances (the seed's ExchangeManager).
public final class ExchangeManager: @unchecked Sendable {
    public let engine: Engine
    public let market: MarketDataService
    private var byName: [String: ExchangeInstance] = [:]
    private var order: [String] = []

    /// Creates the manager and makes it the engine's handler of venues' connection reports and
    /// the one that delivers their timers. Call before the engine runs.
    public init(engine: Engine, market: MarketDataService) {
        self.engine = engine
        self.market = market
        engine.handle(.connection, with: RecordHandler(self) { s, p in
            Unmanaged<ExchangeManager>.fromOpaque(s)._withUnsafeGuaranteedRef { $0.handleConnection(p) }
        })
        engine.venueTimerFired = { [unowned(unsafe) engine] due in
            guard case .exchange(let slot) = due.owner, let e = engine.venue(slot), let f = e.table.on_timer else { return }
            e.calling("on_timer") { f(e.instance, due.id, due.tag) }
        }
    }

    /// Creates a venue instance called `name` from an adapter plugin (register_exchange).
    @discardableResult
    public func registerExchange(name: String, plugin: LoadedPlugin, settings: Parameters = Parameters())
        throws(InstanceError) -> ExchangeInstance
    {
        func failure(_ problems: [ParameterError]) -> InstanceError {
            InstanceError(strategy: name, plugin: plugin.path, problems: problems)
        }
        guard byName[name] == nil else { throw failure([ParameterError(keyPath: "name", message: "'\(name)' is already registered")]) }
        guard let table = plugin.exchange?.pointee else {
            throw failure([ParameterError(keyPath: "plugin", message: "\(plugin.info.id) is not an exchange adapter")])
        }
        let list: CParameterList
        switch plugin.checkedParameters(settings) {
        case .success(let value): list = value
        case .failure(let errors): throw failure(errors.errors.map { e in
            var e = e
            e.keyPath = "settings." + e.keyPath
            return e
        })
        }
        let instance: ExchangeInstance = engine.perform { engine in
            let e = ExchangeInstance(name: name, slot: engine.venues.count, plugin: plugin, settings: list, engine: engine)
            engine.setVenue(e, slot: e.slot)
            return e
        }
        let created: UnsafeMutableRawPointer
        switch instance.calling("create", { LoadedPlugin.createInstance(name: name, parameters: list, prefix: "settings", { table.create(instance.host, $0, $1, $2, $3) }) }) {
        case .success(let value): created = value
        case .failure(let errors):
            engine.perform { $0.setVenue(nil, slot: instance.slot) }
            throw failure(errors.errors)
        }
        instance.instance = created
        byName[name] = instance
        order.append(name)
        instance.logger.info("created (plugin \(plugin.info.id) \(plugin.info.version))")
        return instance
    }

    /// Replaces a venue's adapter instance (a changed configuration entry or a new build of its
    /// plugin): the old one is disconnected and destroyed, requests in flight to it end as
    /// UNKNOWN (their real outcome is asked of the venue, never resent), and a new instance in
    /// the same slot connects and resubscribes what strategies listen to. Other venues are
    /// untouched. If the new instance cannot be created, the old one keeps running.
    /// - Returns: the new instance's connect status (ARB_OK when the host is not running yet);
    ///   a venue that cannot connect stays in place, its books stale, and is retried.
    @discardableResult
    public func replaceExchange(_ name: String, plugin: LoadedPlugin, settings: Parameters,
                                credentials: ExchangeConfig.Credentials? = nil) throws(InstanceError) -> arb_status_t {
        guard let old = byName[name] else {
            throw InstanceError(strategy: name, plugin: plugin.path, problems: [ParameterError(keyPath: "", message: "no such venue")])
        }
        func failure(_ problems: [ParameterError]) -> InstanceError {
            InstanceError(strategy: name, plugin: plugin.path, problems: problems)
        }
        guard let table = plugin.exchange?.pointee else {
            throw failure([ParameterError(keyPath: "plugin", message: "\(plugin.info.id) is not an exchange adapter")])
        }
        let list: CParameterList
        switch plugin.checkedParameters(settings) {
        case .success(let value): list = value
        case .failure(let errors): throw failure(errors.errors)
        }
        let replacement = ExchangeInstance(name: name, slot: old.slot, plugin: plugin, settings: list, engine: engine)
        replacement.credentials = credentials ?? old.credentials
        let created: UnsafeMutableRawPointer
        switch replacement.calling("create", { LoadedPlugin.createInstance(name: name, parameters: list, prefix: "settings", { table.create(replacement.host, $0, $1, $2, $3) }) }) {
        case .success(let value): created = value
        case .failure(let errors): throw failure(errors.errors)
        }
        replacement.instance = created
        disconnect(name)
        retire(old, reason: "venue '\(name)' was replaced; the outcome will be asked of the venue", replacement: replacement)
        byName[name] = replacement
        replacement.logger.info("replaced by \(plugin.info.id) \(plugin.info.version)")
        // While the host runs, the new instance connects, whether or not the old one was
        // connected: undoing an edit that broke a venue brings it back.
        return engine.isRunning ? connect(name) : ARB_OK
    }

    /// Destroys a disconnected venue instance between two events; what was in flight to it ends
    /// as UNKNOWN; `replacement` (or nothing) takes its slot.
    private func retire(_ e: ExchangeInstance, reason: String, replacement: ExchangeInstance?) {
        engine.perform { engine in
            engine.abandonRequests(venue: e.slot, reason: reason)
            if let instance = e.instance { e.calling("destroy") { e.table.destroy(instance) } }
            e.instance = nil
            e.state = .destroyed
            engine.setVenue(replacement, slot: e.slot)
        }
    }

    /// Disconnects, destroys and forgets a venue.
    public func removeExchange(_ name: String) {
        guard let e = byName[name] else { return }
        disconnect(name)
        retire(e, reason: "venue '\(name)' was removed", replacement: nil)
        byName[name] = nil
        order.removeAll { $0 == name }
    }

    /// The venue called `name` (get_exchange).
    public func exchange(named name: String) -> ExchangeInstance? { byName[name] }

    /// Every venue, in registration order (get_all_exchanges).
    public var allExchanges: [ExchangeInstance] { order.compactMap { byName[$0] } }

    /// Connects a venue and asks it for what running strategies subscribed to.
    public func connect(_ name: String) -> arb_status_t {
        connect(name, attempt: 0)
    }

    /// Connects; on failure the venue's books are stale (strategies told) and, while the host
    /// runs, another try follows after 1, 2, 4 … 60 s.
    private func connect(_ name: String, attempt: Int) -> arb_status_t {
        guard let e = byName[name] else { return ARB_ERR_NOT_FOUND }
        let status: arb_status_t = engine.perform { engine in
            guard e.state != .connected else { return ARB_OK }
            _ = e.takeLoggedError()  // what the adapter logs from here on is this connect's reason
            let status = e.calling("connect") { e.table.connect(e.instance) }
            guard status == ARB_OK else {
                e.logger.error("connect failed with status \(status); its books are stale until it connects")
                self.market.markVenueStale(e.name, slot: e.slot, reason: Self.notConnected)
                return status
            }
            e.state = .connected
            if let getSymbols = e.table.get_symbols {
                _ = engine.sendRequest(to: e, owner: .host) { getSymbols(e.instance, $0) }
            }
            self.market.resubscribe(e)
            return ARB_OK
        }
        if status != ARB_OK && engine.isRunning && engine.mode == .live { scheduleReconnect(name, instance: e, attempt: attempt) }
        return status
    }

    private static let notConnected: StaticString = "venue not connected"

    /// Runs a control operation on the manager's state from another thread (a reconnect
    /// timer); the runtime serialises it with its other control work.
    public var serialize: (() -> Void) -> Void = { $0() }

    private func scheduleReconnect(_ name: String, instance: ExchangeInstance, attempt: Int) {
        let delay = min(60, 1 << min(attempt, 6))
        instance.logger.warning("retrying to connect in \(delay) s")
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(delay)) { [weak self, weak instance] in
            guard let self, let instance else { return }
            self.serialize {
                // Only the same instance, still not connected, in a running host.
                guard self.byName[name] === instance, instance.state != .connected, self.engine.isRunning else { return }
                _ = self.connect(name, attempt: attempt + 1)
            }
        }
    }

    /// Stops a venue's I/O; no events follow.
    public func disconnect(_ name: String) {
        guard let e = byName[name] else { return }
        engine.perform { _ in
            guard e.state == .connected else { return }
            e.calling("disconnect") { e.table.disconnect(e.instance) }
            e.state = .disconnected
        }
    }

    @discardableResult
    public func connectAll() -> [String: arb_status_t] {
        var failures: [String: arb_status_t] = [:]
        for name in order {
            let status = connect(name)
            if status != ARB_OK { failures[name] = status }
        }
        return failures
    }

    public func disconnectAll() {
        for name in order.reversed() { disconnect(name) }
    }

    /// Disconnects and destroys every venue.
    public func removeAll() {
        for name in order.reversed() { removeExchange(name) }
    }

    /// The latest funding rate of `symbol`'s perpetual on every venue that has one
    /// (get_funding_rates_all); venues without a rate are left out, not errors. Control thread:
    /// answered from what the engine published, without waiting for it.
    public func fundingRatesAll(symbol: String) -> [String: arb_funding_rate_t] {
        var rates: [String: arb_funding_rate_t] = [:]
        for e in allExchanges {
            guard let id = engine.instruments.existingId(for: Instrument(venue: e.name, symbol: symbol, kind: .perpetual)),
                  let rate = market.publishedFundingRate(id) else { continue }
            rates[e.name] = rate
        }
        return rates
    }

    // MARK: Connection reports

    func handleConnection(_ payload: UnsafeMutableRawPointer) {
        let (header, record) = RecordCodec.read(payload, as: ConnectionRecord.self)
        guard let e = engine.venue(Int(header.source)) as? ExchangeInstance else { return }
        e.connection = record.state
        let detail = String(record.detail)
        let connected = record.state == ARB_CONNECTION_CONNECTED
        e.logger.info("\(connected ? "connected" : record.state == ARB_CONNECTION_CONNECTING ? "connecting" : "disconnected")\(detail.isEmpty ? "" : ": \(detail)")")
        if record.state == ARB_CONNECTION_DISCONNECTED && e.state == .connected {
            // Lost while the host expected it up: nothing updates its books now.
            market.markVenueStale(e.name, slot: e.slot, reason: Self.notConnected)
        }
        if record.state != ARB_CONNECTION_CONNECTING {
            engine.router.routeEvent(Event(type: connected ? .exchangeConnected : .exchangeDisconnected, timestamp: engine.now(),
                                    source: .venue(e.slot), payload: .text(record.detail)))
            var json = JSONObject()
            json.field("venue", e.name)
            json.field("detail", detail)
            engine.publishSystem(connected ? .exchangeConnected : .exchangeDisconnected, json: json.text)
        }
    }
}
