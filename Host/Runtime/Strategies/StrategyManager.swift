import ArbBook
import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbSDK
import ArbTrading
import Dispatch
import Logging

/// Creates, starts and stops strategy instances (the seed's StrategyManager).
///
/// Called from the control thread; whatever touches trading state runs on the engine thread
/// through `Engine.perform`.
public final class StrategyManager: @unchecked Sendable {
    public let engine: Engine
    public let market: MarketDataService
    public let orders: OrderManager
    private var byName: [String: StrategyInstance] = [:]
    private var order: [String] = []

    /// Instances by slot (the slot is the strategy name's for the life of the host). Engine thread.
    var slots: ContiguousArray<StrategyInstance?> = [] {
        didSet { refs = ContiguousArray(slots.map { $0.map(Unmanaged.passUnretained) }) }
    }
    /// The same instances, for delivering events without a retain and release per strategy per
    /// event: `slots` keeps them alive, and slots change only between events.
    private(set) var refs: ContiguousArray<Unmanaged<StrategyInstance>?> = []
    /// The engine and market data service, borrowed on the delivery path without refcounting
    /// (the manager's `let`s keep them alive).
    let engineRef: Unmanaged<Engine>
    let marketRef: Unmanaged<MarketDataService>

    /// Creates the manager and makes it the one that delivers events, timers and bus messages to
    /// strategies. Call before the engine runs.
    public init(engine: Engine, market: MarketDataService, orders: OrderManager) {
        self.engine = engine
        self.market = market
        self.orders = orders
        engineRef = Unmanaged.passUnretained(engine)
        marketRef = Unmanaged.passUnretained(market)
        installDispatch()
    }

    /// Validates the parameters against the plugin's declarations and its own check, then
    /// creates an instance called `name` (register_strategy). Nothing is created on error.
    @discardableResult
    public func registerStrategy(name: String, plugin: LoadedPlugin, parameters: Parameters = Parameters())
        throws(InstanceError) -> StrategyInstance
    {
        func failure(_ problems: [ParameterError]) -> InstanceError {
            InstanceError(strategy: name, plugin: plugin.path, problems: problems)
        }
        guard byName[name] == nil else { throw failure([ParameterError(keyPath: "name", message: "'\(name)' is already registered")]) }
        guard let table = plugin.strategy?.pointee else {
            throw failure([ParameterError(keyPath: "plugin", message: "\(plugin.info.id) is not a strategy plugin")])
        }
        let list: CParameterList
        switch plugin.checkedParameters(parameters) {
        case .success(let value): list = value
        case .failure(let errors): throw failure(errors.errors)
        }
        let instance: StrategyInstance = engine.perform { engine in
            let s = StrategyInstance(name: name, slot: self.slots.count, plugin: plugin, parameters: list,
                                     engine: engine, market: self.market, orders: self.orders)
            self.slots.append(s)
            return s
        }
        let created: UnsafeMutableRawPointer
        switch instance.calling("create", { LoadedPlugin.createInstance(name: name, parameters: list, { table.create(instance.host, $0, $1, $2, $3) }) }) {
        case .success(let value): created = value
        case .failure(let errors):
            engine.perform { _ in self.slots[instance.slot] = nil }
            throw failure(errors.errors)
        }
        instance.instance = created
        byName[name] = instance
        order.append(name)
        instance.logger.info("created (plugin \(plugin.info.id) \(plugin.info.version), ABI \(plugin.info.abiMajor).\(plugin.info.abiMinor))")
        return instance
    }

    /// The instance called `name` (get_strategy).
    public func strategy(named name: String) -> StrategyInstance? { byName[name] }

    /// Every instance, in registration order.
    public var allStrategies: [StrategyInstance] { order.compactMap { byName[$0] } }

    /// Starts one strategy (start_strategy): `initialize`, then `start`, on the engine thread.
    public func startStrategy(_ name: String) throws(InstanceError) {
        guard let s = byName[name] else {
            throw InstanceError(strategy: name, plugin: "", problems: [ParameterError(keyPath: "", message: "no such strategy")])
        }
        let status: arb_status_t = engine.perform { engine in
            guard s.state != .running else { return ARB_OK }
            for id in s.configuredSymbols { _ = s.subscribeMarket(id) }
            s.state = .running
            var status = s.calling("initialize") { s.table.initialize?(s.instance) ?? ARB_OK }
            if status == ARB_OK { status = s.calling("start") { s.table.start(s.instance) } }
            if status != ARB_OK { s.state = .stopped }
            return status
        }
        guard status == ARB_OK else {
            throw InstanceError(strategy: name, plugin: s.plugin.path,
                                problems: [ParameterError(keyPath: "", message: "start failed with status \(status)")])
        }
        s.logger.info("started")
    }

    /// Stops one strategy (stop_strategy): no callbacks follow; its timers, bus and market
    /// subscriptions end. Its open orders stay (the removal policy comes with the config issue).
    public func stopStrategy(_ name: String) {
        guard let s = byName[name] else { return }
        let wasRunning = engine.perform { engine -> Bool in
            guard s.state == .running else { return false }
            s.calling("stop") { s.table.stop(s.instance) }
            s.state = .stopped
            engine.cancelTimers(owner: .strategy(s.slot))
            engine.bus.unsubscribeAll(strategy: s.slot)
            self.market.unsubscribeAll(subscriber: s.slot)
            s.marketSubscriptions.removeAll()
            return true
        }
        if wasRunning { s.logger.info("stopped") }
    }

    /// start_all: every registered strategy, in order; returns the failures.
    @discardableResult
    public func startAll() -> [InstanceError] {
        var failures: [InstanceError] = []
        for name in order {
            do { try startStrategy(name) } catch { failures.append(error) }
        }
        return failures
    }

    /// stop_all, in reverse order.
    public func stopAll() {
        for name in order.reversed() { stopStrategy(name) }
    }

    /// Stops, destroys and forgets a strategy.
    public func removeStrategy(_ name: String) {
        guard let s = byName[name] else { return }
        stopStrategy(name)
        engine.perform { engine in
            if let instance = s.instance { s.calling("destroy") { s.table.destroy(instance) } }
            s.instance = nil
            s.state = .destroyed
            self.slots[s.slot] = nil
        }
        byName[name] = nil
        order.removeAll { $0 == name }
    }

    /// The strategy's state as its plugin saves it for a hot swap (version, bytes), or nil when
    /// it keeps none. Runs on the engine thread.
    public func saveState(_ name: String) -> (version: UInt32, bytes: [UInt8])? {
        guard let s = byName[name], let save = s.table.save_state, let instance = s.instance else { return nil }
        return engine.perform { _ in StrategyManager.saveState(save, instance) }
    }

    /// Applies new parameters to a running strategy without restarting it: they are checked
    /// against the plugin's declarations and its own validation, then handed to its
    /// `reconfigure` on the engine thread, between two events. If the plugin refuses, nothing
    /// changes and the refusal is thrown with its key paths.
    public func reconfigureStrategy(_ name: String, parameters: Parameters) throws(InstanceError) {
        guard let s = byName[name] else {
            throw InstanceError(strategy: name, plugin: "", problems: [ParameterError(keyPath: "", message: "no such strategy")])
        }
        func failure(_ problems: [ParameterError]) -> InstanceError {
            InstanceError(strategy: name, plugin: s.plugin.path, problems: problems)
        }
        let list: CParameterList
        switch s.plugin.checkedParameters(parameters) {
        case .success(let value): list = value
        case .failure(let errors): throw failure(errors.errors)
        }
        guard let reconfigure = s.table.reconfigure else {
            throw failure([ParameterError(keyPath: "", message: "\(s.plugin.info.id) cannot change parameters while running (it has no reconfigure); restart the strategy to apply them")])
        }
        let collector = ErrorCollector()
        let status: arb_status_t = engine.perform { _ in
            let status = s.calling("reconfigure") { list.withCParams { params in collector.withSink { reconfigure(s.instance, params, $0) } } }
            if status == ARB_OK { s.parameters = list }
            return status
        }
        guard status == ARB_OK else { throw failure(collector.errors(orDefault: "refused by the plugin (status \(status))")) }
        s.logger.info("reconfigured")
    }

    /// Stops a strategy under its removal policy and forgets it; returns what was done, for
    /// the `config_applied` summary.
    public func retireStrategy(_ name: String) -> String {
        guard let s = byName[name] else { return "not running" }
        let policy = s.onRemove
        var report = ""
        if policy != .keep {
            // Stop first (no more callbacks), then cancel what it left open.
            stopStrategy(name)
            let cancelled = engine.perform { _ in self.orders.cancelOpenOrders(strategy: s.slot) }
            report = "\(cancelled) open order(s) cancelled"
            if policy == .flatten {
                report += "; positions are not closed yet: closing them needs the PositionManager (orders issue)"
            } else {
                report += "; positions kept"
            }
        } else {
            report = "orders and positions left as they are"
        }
        removeStrategy(name)
        return report
    }

    /// Swaps the plugin build behind a running strategy for `plugin` (a new image of the same
    /// plugin id), between two events: the new build gets a new instance with the same name and
    /// parameters, the old instance's saved state, and then `start`; orders, timers and
    /// subscriptions stay with the name. Any failure leaves the old instance running.
    /// - Returns: how long the switch took on the engine thread (ns).
    @discardableResult
    public func swapPlugin(_ name: String, to plugin: LoadedPlugin) throws(InstanceError) -> Int64 {
        guard let s = byName[name] else {
            throw InstanceError(strategy: name, plugin: plugin.path, problems: [ParameterError(keyPath: "", message: "no such strategy")])
        }
        func failure(_ message: String, _ problems: [ParameterError] = []) -> InstanceError {
            InstanceError(strategy: name, plugin: plugin.path,
                          problems: problems.isEmpty ? [ParameterError(keyPath: "", message: message)] : problems)
        }
        guard plugin.info.id == s.plugin.info.id, let table = plugin.strategy?.pointee else {
            throw failure("the new file is \(plugin.info.kind.rawValue) plugin \(plugin.info.id), not a build of \(s.plugin.info.id)")
        }
        // Parameters go to the new build as they are, checked against its declarations.
        let parameters = Parameters(s.parameters.typed.values.map { Parameters.Entry(key: $0.key, text: $0.text) })
        let list: CParameterList
        switch plugin.checkedParameters(parameters) {
        case .success(let value): list = value
        case .failure(let errors): throw failure("", errors.errors)
        }
        let newInstance: UnsafeMutableRawPointer
        let newLabel = CrashMarker.label(StrategyInstance.describe(name, plugin))
        defer { CrashMarker.release(newLabel) }
        switch CrashMarker.calling(newLabel, "create", { LoadedPlugin.createInstance(name: name, parameters: list, { table.create(s.host, $0, $1, $2, $3) }) }) {
        case .success(let value): newInstance = value
        case .failure(let errors): throw failure("", errors.errors)
        }
        let outcome: Result<Int64, InstanceError> = engine.perform { _ in
            let began = DispatchTime.now().uptimeNanoseconds
            // Move the state: old save_state → new restore_state.
            if let save = s.table.save_state, let old = s.instance {
                let state = s.calling("save_state") { StrategyManager.saveState(save, old) }
                if let state, let restore = table.restore_state {
                    let restoreErrors = ErrorCollector(prefix: "state")
                    let restored = state.bytes.withUnsafeBufferPointer { bytes in
                        CrashMarker.calling(newLabel, "restore_state") {
                            restoreErrors.withSink { restore(newInstance, state.version, bytes.baseAddress, bytes.count, $0) }
                        }
                    }
                    if restored != ARB_OK {
                        table.destroy(newInstance)
                        return .failure(failure("", restoreErrors.errors(orDefault: "the new build refused the saved state (version \(state.version))")))
                    }
                }
            }
            let oldTable = s.table, oldInstance = s.instance, oldPlugin = s.plugin, oldParameters = s.parameters
            s.table = table
            s.instance = newInstance
            s.plugin = plugin
            s.parameters = list
            if s.state == .running {
                s.isResuming = true
                var started = CrashMarker.calling(newLabel, "initialize") { table.initialize?(newInstance) ?? ARB_OK }
                if started == ARB_OK { started = CrashMarker.calling(newLabel, "start") { table.start(newInstance) } }
                s.isResuming = false
                if started != ARB_OK {
                    // Back to the old build, untouched.
                    s.table = oldTable
                    s.instance = oldInstance
                    s.plugin = oldPlugin
                    s.parameters = oldParameters
                    table.destroy(newInstance)
                    return .failure(failure("the new build's start failed (status \(started))"))
                }
            }
            if let oldInstance { s.calling("destroy") { oldTable.destroy(oldInstance) } }
            let oldLabel = s.crashLabel
            s.crashLabel = CrashMarker.label(StrategyInstance.describe(name, plugin))
            CrashMarker.release(oldLabel)
            return .success(Int64(DispatchTime.now().uptimeNanoseconds - began))
        }
        switch outcome {
        case .success(let nanoseconds):
            s.logger.info("swapped to \(plugin.info.id) \(plugin.info.version) from \(plugin.path) in \(nanoseconds / 1000) µs; the old image stays mapped (a Swift library is never unloaded)")
            return nanoseconds
        case .failure(let error):
            throw error
        }
    }

    /// Calls a plugin's save_state into a Swift buffer. Engine thread.
    static func saveState(_ save: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<arb_byte_sink_t>?, UnsafeMutablePointer<UInt32>?) -> arb_status_t,
                          _ instance: UnsafeMutableRawPointer) -> (version: UInt32, bytes: [UInt8])? {
        final class Buffer { var bytes: [UInt8] = [] }
        let buffer = Buffer()
        var sink = arb_byte_sink_t(host_data: Unmanaged.passUnretained(buffer).toOpaque()) { sink, bytes, count in
            guard let sink, let data = sink.pointee.host_data else { return ARB_ERR_INVALID_ARGUMENT }
            let buffer = Unmanaged<Buffer>.fromOpaque(data).takeUnretainedValue()
            guard buffer.bytes.count + count <= 16 << 20 else { return ARB_ERR_OVERFLOW }
            if count > 0, let bytes { buffer.bytes.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: count)) }
            return ARB_OK
        }
        var version: UInt32 = 0
        guard save(instance, &sink, &version) == ARB_OK else { return nil }
        return (version, buffer.bytes)
    }

    /// Removes every strategy.
    public func removeAll() {
        for name in order.reversed() { removeStrategy(name) }
    }
}
