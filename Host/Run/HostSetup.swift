/// What the host should run: venue instances and strategy instances, each naming its plugin
/// by descriptor id. The config issue builds this from strategies.yaml; until then `arbhost run`
/// uses `HostSetup.demo`.
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

    /// Two seeded venues that share a market but drift apart and back, a Swift strategy that
    /// reports the cross-venue edge and a C strategy that quotes on one of them.
    public static let demo = HostSetup(
        venues: [
            Venue(name: "seeded-a", plugin: "org.arbhost.exchange.seeded",
                  settings: Parameters(["seed": "7", "venue_seed": "1", "interval": "100ms"])),
            Venue(name: "seeded-b", plugin: "org.arbhost.exchange.seeded",
                  settings: Parameters(["seed": "7", "venue_seed": "2", "basis_ticks": "3", "interval": "150ms"])),
        ],
        strategies: [
            Strategy(name: "spread-watch", plugin: "org.arbhost.strategy.spread-watch",
                     parameters: Parameters(["venues": "seeded-a,seeded-b", "report_interval": "2s", "alert_edge": "1"])),
            Strategy(name: "quoter", plugin: "org.arbhost.strategy.cross-quoter",
                     parameters: Parameters(["venue": "seeded-a", "offset_ticks": "4", "requote_ticks": "6"])),
        ])
}
