import ArbSDK

/// Feature bits an adapter reports.
public struct ExchangeCapabilities: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let amend = ExchangeCapabilities(rawValue: ARB_EXCHANGE_CAP_AMEND)
    public static let stepMode = ExchangeCapabilities(rawValue: ARB_EXCHANGE_CAP_STEP_MODE)
    public static let privateStream = ExchangeCapabilities(rawValue: ARB_EXCHANGE_CAP_PRIVATE_STREAM)
    public static let funding = ExchangeCapabilities(rawValue: ARB_EXCHANGE_CAP_FUNDING)
}

/// An exchange adapter written in Swift: one instance per configured venue.
///
/// Each request gets exactly one `host.requestDone` (possibly from inside the call); throwing
/// from a request means it was not taken and nothing follows. Exported like a strategy, with
/// `exportExchange(MyAdapter.self, major, minor)`.
public protocol ExchangeAdapter: AnyObject {
    static var descriptor: PluginDescriptor { get }
    static var capabilities: ExchangeCapabilities { get }
    /// Declared settings (`exchanges[i].settings`).
    static var settings: [ParameterSpec] { get }

    /// Checks settings beyond their declarations (before `init`, and in `arbhost check`); throw
    /// `ParameterProblem` with the setting's key.
    static func validate(_ settings: ParameterValues) throws

    init(host: ExchangeHost, name: String, settings: ParameterValues) throws

    func connect() throws
    func disconnect()

    func getSymbols(request: UInt64) throws(HostError)
    func getOrderbook(request: UInt64, instrument: InstrumentId, depth: Int) throws(HostError)
    func getFundingRate(request: UInt64, instrument: InstrumentId) throws(HostError)
    func getBalance(request: UInt64) throws(HostError)
    func createOrder(request: UInt64, order: UnsafePointer<arb_order_request_t>) throws(HostError)
    func cancelOrder(request: UInt64, order: UnsafePointer<arb_order_ref_t>) throws(HostError)
    func amendOrder(request: UInt64, order: UnsafePointer<arb_order_ref_t>, price: ExactDecimal,
                    quantity: ExactDecimal) throws(HostError)
    func getOrder(request: UInt64, order: UnsafePointer<arb_order_ref_t>) throws(HostError)
    func getOpenOrders(request: UInt64, instrument: InstrumentId?) throws(HostError)
    func getServerTime(request: UInt64) throws(HostError)
    func subscribe(request: UInt64, instrument: InstrumentId, channel: arb_channel_t) throws(HostError)
    func unsubscribe(request: UInt64, instrument: InstrumentId, channel: arb_channel_t) throws(HostError)

    /// Step mode: the time of the next event, nil when there is none.
    func nextEventTime() -> Int64?
    /// Step mode: emit everything up to and including `time`.
    func advance(to time: Int64)
    func onTimer(_ timer: UInt64, tag: UInt64)
}

extension ExchangeAdapter {
    public static var settings: [ParameterSpec] { [] }
    public static func validate(_ settings: ParameterValues) throws {}
    public func getSymbols(request: UInt64) throws(HostError) { throw .unsupported }
    public func getOrderbook(request: UInt64, instrument: InstrumentId, depth: Int) throws(HostError) { throw .unsupported }
    public func getFundingRate(request: UInt64, instrument: InstrumentId) throws(HostError) { throw .unsupported }
    public func getBalance(request: UInt64) throws(HostError) { throw .unsupported }
    public func amendOrder(request: UInt64, order: UnsafePointer<arb_order_ref_t>, price: ExactDecimal,
                           quantity: ExactDecimal) throws(HostError) { throw .unsupported }
    public func getOrder(request: UInt64, order: UnsafePointer<arb_order_ref_t>) throws(HostError) { throw .unsupported }
    public func getOpenOrders(request: UInt64, instrument: InstrumentId?) throws(HostError) { throw .unsupported }
    public func getServerTime(request: UInt64) throws(HostError) { throw .unsupported }
    public func subscribe(request: UInt64, instrument: InstrumentId, channel: arb_channel_t) throws(HostError) {
        throw .unsupported
    }
    public func unsubscribe(request: UInt64, instrument: InstrumentId, channel: arb_channel_t) throws(HostError) {
        throw .unsupported
    }
    public func nextEventTime() -> Int64? { nil }
    public func advance(to time: Int64) {}
    public func onTimer(_ timer: UInt64, tag: UInt64) {}
}
