import ArbModel
import ArbPlugins
import ArbSDK

/// What changed between two configurations, as the host applies it.
public struct ConfigDiff: Sendable, Equatable {
    public var addedExchanges: [ExchangeConfig] = []
    public var removedExchanges: [ExchangeConfig] = []
    /// Changed entries reconnect only that venue.
    public var changedExchanges: [(old: ExchangeConfig, new: ExchangeConfig)] = []
    /// New or newly enabled.
    public var startedStrategies: [StrategyConfig] = []
    /// Removed or disabled; they stop under their `on_remove` policy.
    public var stoppedStrategies: [(config: StrategyConfig, removed: Bool)] = []
    /// Only parameters (and limits) changed: the running instance is reconfigured.
    public var reconfiguredStrategies: [(old: StrategyConfig, new: StrategyConfig)] = []
    /// Plugin or symbols changed: the instance is replaced.
    public var replacedStrategies: [(old: StrategyConfig, new: StrategyConfig)] = []
    public var riskChanged = false
    public var systemChanged = false

    public var isEmpty: Bool {
        addedExchanges.isEmpty && removedExchanges.isEmpty && changedExchanges.isEmpty && startedStrategies.isEmpty
            && stoppedStrategies.isEmpty && reconfiguredStrategies.isEmpty && replacedStrategies.isEmpty && !riskChanged
            && !systemChanged
    }

    public static func == (a: ConfigDiff, b: ConfigDiff) -> Bool { a.summary == b.summary }

    public init(from old: SystemConfig, to new: SystemConfig) {
        let oldExchanges = Dictionary(old.exchanges.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newExchanges = Dictionary(new.exchanges.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for e in new.exchanges {
            if let before = oldExchanges[e.name] {
                if !Self.sameExchange(before, e) { changedExchanges.append((before, e)) }
            } else {
                addedExchanges.append(e)
            }
        }
        removedExchanges = old.exchanges.filter { newExchanges[$0.name] == nil }

        let oldStrategies = Dictionary(old.strategies.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newStrategies = Dictionary(new.strategies.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for s in new.strategies {
            guard let before = oldStrategies[s.name], before.enabled else {
                if s.enabled { startedStrategies.append(s) }
                continue
            }
            if !s.enabled {
                stoppedStrategies.append((before, false))
            } else if before.plugin != s.plugin || before.symbols != s.symbols {
                replacedStrategies.append((before, s))
            } else if !Self.sameValues(before.parameters, s.parameters) || before.riskLimits != s.riskLimits
                        || before.positionSize != s.positionSize || before.maxPositions != s.maxPositions
                        || before.onRemove != s.onRemove {
                reconfiguredStrategies.append((before, s))
            }
        }
        for s in old.strategies where newStrategies[s.name] == nil && s.enabled { stoppedStrategies.append((s, true)) }
        riskChanged = old.risk != new.risk
        systemChanged = old.system != new.system
    }

    /// Values equal, whatever their positions in the file (moving a line is not a change).
    package static func sameValues(_ a: Parameters, _ b: Parameters) -> Bool {
        a.entries.map { [$0.key, $0.text] } == b.entries.map { [$0.key, $0.text] }
    }

    static func sameExchange(_ a: ExchangeConfig, _ b: ExchangeConfig) -> Bool {
        a.plugin == b.plugin && a.credentials == b.credentials && a.sandbox == b.sandbox && a.rateLimit == b.rateLimit
            && a.timeoutNanoseconds == b.timeoutNanoseconds && sameValues(a.settings, b.settings)
    }

    /// One line per change, for logs and the `config_applied` event.
    public var summary: [String] {
        var lines: [String] = []
        lines += addedExchanges.map { "exchange \($0.name): added (\($0.plugin))" }
        lines += removedExchanges.map { "exchange \($0.name): removed" }
        lines += changedExchanges.map { "exchange \($0.new.name): changed, reconnecting" }
        lines += startedStrategies.map { "strategy \($0.name): started (\($0.plugin))" }
        lines += stoppedStrategies.map { "strategy \($0.config.name): \($0.removed ? "removed" : "disabled"), on_remove \($0.config.onRemove.rawValue)" }
        lines += reconfiguredStrategies.map { change in
            "strategy \(change.new.name): " + Self.describe(change.old.parameters, change.new.parameters)
        }
        lines += replacedStrategies.map { "strategy \($0.new.name): plugin or symbols changed, restarting" }
        if riskChanged { lines.append("risk: limits changed") }
        if systemChanged { lines.append("system: changed (takes effect at the next start)") }
        return lines
    }

    package static func describe(_ old: Parameters, _ new: Parameters) -> String {
        var parts: [String] = []
        for e in new.entries {
            let before = old[e.key]
            if before != e.text { parts.append("\(e.key) \(before ?? "(default)") → \(e.text)") }
        }
        for e in old.entries where new[e.key] == nil { parts.append("\(e.key) \(e.text) → (default)") }
        return parts.isEmpty ? "limits changed" : "parameters " + parts.joined(separator: ", ")
    }
}
