import ArbSDK

/// A strategy plugin written in Swift.
///
/// Implement the callbacks you need (the others do nothing) and export the type with one line:
///
///     @c(arb_plugin_entry)
///     public func entry(_ major: UInt32, _ minor: UInt32) -> UnsafePointer<arb_plugin_descriptor_t>? {
///         exportStrategy(MyStrategy.self, major, minor)
///     }
///
/// Every callback runs on the host's engine thread, one at a time. Errors thrown from `init`,
/// `start`, `reconfigure` and `restoreState` reach the host as status codes with messages;
/// nothing crosses the C boundary as a Swift error.
public protocol Strategy: AnyObject {
    /// Id, name, version and summary for the plugin descriptor.
    static var descriptor: PluginDescriptor { get }
    /// Declared parameters; the host validates values against them.
    static var parameters: [ParameterSpec] { get }
    /// Checks beyond types and ranges (across parameters). Throw `ParameterProblem(s)`.
    static func validate(_ parameters: ParameterValues) throws

    /// Creates the instance called `name` (its strategies.yaml name).
    init(host: StrategyHost, name: String, parameters: ParameterValues) throws

    /// The seed's initialize, called right before `start`.
    func initialize() throws
    func start() throws
    func stop()

    func onMarketData(_ event: BookEvent)
    func onFundingUpdate(_ rate: UnsafePointer<arb_funding_rate_t>)
    func onArbitrageOpportunity(_ opportunity: UnsafePointer<arb_opportunity_t>)
    func generateSignals()
    /// The size for a signal the host routes; nil falls back to the configured position size.
    func positionSize(for signal: UnsafePointer<arb_signal_t>) -> ExactDecimal?
    func onTrade(_ trade: UnsafePointer<arb_trade_t>)
    func onBookStale(_ instrument: InstrumentId, reason: String)
    func onBookResynced(_ instrument: InstrumentId)
    func onOrderUpdate(_ order: OrderUpdate)
    func onFill(_ fill: UnsafePointer<arb_fill_t>)
    func onActionResult(_ result: ActionResult)
    func onPositionUpdate(_ position: UnsafePointer<arb_position_t>)
    func onFundingPayment(_ payment: UnsafePointer<arb_funding_payment_t>)
    func onTimer(_ timer: UInt64, tag: UInt64)
    func onBusMessage(_ message: UnsafePointer<arb_bus_message_t>)

    /// Applies new (validated) parameters; throw to refuse, keeping the old behaviour.
    func reconfigure(_ parameters: ParameterValues) throws
    /// State for a hot swap: a schema version of your own and the bytes; nil for none.
    func saveState() throws -> (version: UInt32, bytes: [UInt8])?
    /// Restores state saved by (possibly another build of) this plugin; throw to refuse.
    func restoreState(version: UInt32, bytes: UnsafeRawBufferPointer) throws
}

extension Strategy {
    public static var parameters: [ParameterSpec] { [] }
    public static func validate(_ parameters: ParameterValues) throws {}
    public func initialize() throws {}
    public func start() throws {}
    public func stop() {}
    public func onMarketData(_ event: BookEvent) {}
    public func onFundingUpdate(_ rate: UnsafePointer<arb_funding_rate_t>) {}
    public func onArbitrageOpportunity(_ opportunity: UnsafePointer<arb_opportunity_t>) {}
    public func generateSignals() {}
    public func positionSize(for signal: UnsafePointer<arb_signal_t>) -> ExactDecimal? { nil }
    public func onTrade(_ trade: UnsafePointer<arb_trade_t>) {}
    public func onBookStale(_ instrument: InstrumentId, reason: String) {}
    public func onBookResynced(_ instrument: InstrumentId) {}
    public func onOrderUpdate(_ order: OrderUpdate) {}
    public func onFill(_ fill: UnsafePointer<arb_fill_t>) {}
    public func onActionResult(_ result: ActionResult) {}
    public func onPositionUpdate(_ position: UnsafePointer<arb_position_t>) {}
    public func onFundingPayment(_ payment: UnsafePointer<arb_funding_payment_t>) {}
    public func onTimer(_ timer: UInt64, tag: UInt64) {}
    public func onBusMessage(_ message: UnsafePointer<arb_bus_message_t>) {}
    public func reconfigure(_ parameters: ParameterValues) throws { throw HostError.unsupported }
    public func saveState() throws -> (version: UInt32, bytes: [UInt8])? { nil }
    public func restoreState(version: UInt32, bytes: UnsafeRawBufferPointer) throws { throw HostError.rejected }
}
