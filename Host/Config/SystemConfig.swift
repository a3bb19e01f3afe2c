import ArbModel
import ArbPlugins
import ArbSDK

/// Where a value came from in strategies.yaml: file, line, column (1-based) and key path.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// `strategies[1].parameters.entry_threshold`
    public var keyPath: String

    public init(file: String, line: Int, column: Int, keyPath: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
    }

    /// "strategies.yaml:12:7"
    public var description: String { "\(file):\(line):\(column)" }
}

/// The whole system as strategies.yaml describes it (the seed's SystemConfig).
public struct SystemConfig: Sendable, Equatable {
    /// The longest venue or strategy name, in bytes (README, "Names and ids").
    public static let maximumNameLength = 64

    public var exchanges: [ExchangeConfig] = []
    public var strategies: [StrategyConfig] = []
    public var risk = RiskConfig()
    public var system = SystemSettings()

    public init() {}
}

/// One venue instance of an adapter plugin (the seed's ExchangeConfig).
public struct ExchangeConfig: Sendable, Equatable {
    public var name: String
    /// The adapter plugin's descriptor id.
    public var plugin: String
    /// Names of environment variables holding the secrets, never the secrets themselves.
    public var credentials = Credentials()
    public var sandbox = false
    /// Requests per minute the adapter may send; nil: the adapter's default.
    public var rateLimit: Int?
    /// Request timeout in ns; nil: the adapter's default.
    public var timeoutNanoseconds: Int64?
    /// Adapter settings, flattened to dotted key paths, values as text with their locations.
    public var settings = Parameters()
    public var location: SourceLocation

    public struct Credentials: Sendable, Equatable {
        public var apiKeyEnv: String?
        public var secretEnv: String?
        public var passphraseEnv: String?
        public init(apiKeyEnv: String? = nil, secretEnv: String? = nil, passphraseEnv: String? = nil) {
            self.apiKeyEnv = apiKeyEnv
            self.secretEnv = secretEnv
            self.passphraseEnv = passphraseEnv
        }
    }

    public init(name: String, plugin: String, location: SourceLocation) {
        self.name = name
        self.plugin = plugin
        self.location = location
    }
}

/// What happens to a strategy's orders and positions when it is removed or disabled.
public enum RemovalPolicy: String, Sendable, Equatable, CaseIterable {
    /// Cancel its open orders, keep its positions and report them (the default).
    case cancelOrders = "cancel_orders"
    /// Cancel its open orders and close its positions.
    case flatten
    /// Leave orders and positions as they are.
    case keep
}

/// An instrument named in configuration: `venue:symbol[:kind[:expiry]]`, kind one of spot,
/// perpetual (the default), dated_future (with an expiry as yyyy-mm-dd: that day's 08:00 UTC delivery).
public struct InstrumentRef: Sendable, Hashable, CustomStringConvertible {
    public var venue: String
    public var symbol: String
    public var kind: InstrumentKind
    /// ns since the epoch, dated futures only.
    public var expiryNanoseconds: Int64

    public init(venue: String, symbol: String, kind: InstrumentKind = .perpetual, expiryNanoseconds: Int64 = 0) {
        self.venue = venue
        self.symbol = symbol
        self.kind = kind
        self.expiryNanoseconds = expiryNanoseconds
    }

    public var instrument: Instrument {
        Instrument(venue: venue, symbol: symbol, kind: kind, expiryNanoseconds: expiryNanoseconds)
    }

    public var description: String { "\(venue):\(symbol):\(kind.name)" }
}

/// Limits of one strategy, checked before each of its orders (enforced from the orders issue on).
public struct StrategyRiskLimits: Sendable, Equatable {
    public var maxPosition: ExactDecimal?
    public var maxNotional: ExactDecimal?
    public var maxDailyLoss: ExactDecimal?
    public init() {}
}

/// One strategy instance (the seed's StrategyConfig).
public struct StrategyConfig: Sendable, Equatable {
    public var name: String
    /// The strategy plugin's descriptor id.
    public var plugin: String
    public var enabled = true
    /// Instruments the host subscribes the strategy to before it starts.
    public var symbols: [InstrumentRef] = []
    /// Flattened to dotted key paths (`legs.near.venue`, `symbols[0]`), values as text.
    public var parameters = Parameters()
    public var riskLimits = StrategyRiskLimits()
    public var positionSize: ExactDecimal?
    public var maxPositions: Int?
    public var onRemove = RemovalPolicy.cancelOrders
    public var location: SourceLocation

    public init(name: String, plugin: String, location: SourceLocation) {
        self.name = name
        self.plugin = plugin
        self.location = location
    }
}

/// Portfolio-wide risk limits (the seed's RiskConfig and RiskLimits).
public struct RiskConfig: Sendable, Equatable {
    /// Per symbol ("BTCUSDT"), in base units.
    public var maxPositionSize: [String: ExactDecimal] = [:]
    public var maxDailyLoss: ExactDecimal?
    /// A fraction: 0.1 is 10 %.
    public var maxDrawdown: ExactDecimal?
    public var varLimit: ExactDecimal?
    /// 0.95 or 0.99 …
    public var varConfidence: ExactDecimal?
    public var correlationLimit: ExactDecimal?
    public var stopLoss: ExactDecimal?
    public var takeProfit: ExactDecimal?
    public var leverageLimit: ExactDecimal?
    public init() {}
}

/// Process-wide settings.
public struct SystemSettings: Sendable, Equatable {
    public var databasePath = "arbhost.db"
    public var logLevel = "info"
    public var logFormat = "text"
    public var monitoring = false
    /// "127.0.0.1:8080"; nil: no API.
    public var apiListen: String?
    /// Extra plugin folders, relative to the config file's folder.
    public var pluginDirectories: [String] = []
    public init() {}
}
