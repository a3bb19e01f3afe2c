import ArbBook
import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbSDK
import ArbTrading

/// A configuration built in code rather than read from a file: venue and strategy instances,
/// each naming its plugin by descriptor id. Tests and tools use it; `arbhost run` reads
/// strategies.yaml.
public struct HostSetup: Sendable, Equatable {
    public struct Venue: Sendable, Equatable {
        public var name: String
        public var plugin: String
        public var settings: Parameters
        public init(name: String, plugin: String, settings: Parameters = Parameters()) {
            self.name = name
            self.plugin = plugin
            self.settings = settings
        }
    }

    public struct Strategy: Sendable, Equatable {
        public var name: String
        public var plugin: String
        public var parameters: Parameters
        public init(name: String, plugin: String, parameters: Parameters = Parameters()) {
            self.name = name
            self.plugin = plugin
            self.parameters = parameters
        }
    }

    public var venues: [Venue]
    public var strategies: [Strategy]

    public init(venues: [Venue], strategies: [Strategy]) {
        self.venues = venues
        self.strategies = strategies
    }

    /// The same as a `SystemConfig` (locations say "setup").
    public var config: SystemConfig {
        var config = SystemConfig()
        for (i, v) in venues.enumerated() {
            var e = ExchangeConfig(name: v.name, plugin: v.plugin,
                                   location: SourceLocation(file: "setup", line: 0, column: 0, keyPath: "exchanges[\(i)]"))
            e.settings = v.settings
            config.exchanges.append(e)
        }
        for (i, s) in strategies.enumerated() {
            var c = StrategyConfig(name: s.name, plugin: s.plugin,
                                   location: SourceLocation(file: "setup", line: 0, column: 0, keyPath: "strategies[\(i)]"))
            c.parameters = s.parameters
            config.strategies.append(c)
        }
        return config
    }

    /// Two simulated venues generating one correlated market, the Swift strategy spread-watch
    /// and the C strategy quoter (strategies.yaml's demo, built in code).
    public static let demo = HostSetup(
        venues: [
            Venue(name: "seeded-a", plugin: "org.arbhost.exchange.sim",
                  settings: Parameters(["source": "generator", "seed": "7", "venue_seed": "1", "interval": "100ms"])),
            Venue(name: "seeded-b", plugin: "org.arbhost.exchange.sim",
                  settings: Parameters(["source": "generator", "seed": "7", "venue_seed": "2", "basis_bps": "1",
                                        "interval": "150ms"])),
        ],
        strategies: [
            Strategy(name: "spread-watch", plugin: "org.arbhost.strategy.spread-watch",
                     parameters: Parameters(["venues": "seeded-a,seeded-b", "report_interval": "2s", "alert_edge": "1"])),
            Strategy(name: "quoter", plugin: "org.arbhost.strategy.cross-quoter",
                     parameters: Parameters(["venue": "seeded-a", "offset_ticks": "4", "requote_ticks": "6"])),
        ])
}
