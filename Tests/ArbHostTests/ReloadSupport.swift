import ArbSDK
import Foundation
import ArbTestKit
import Testing
@testable import ArbConfig
@testable import ArbEngine
@testable import ArbMarket
@testable import ArbPlugins
@testable import ArbRuntime
@testable import ArbTrading

/// The reload tests' host: ArbTestKit's live fixture with the example plugins and a build of the
/// counter fixture strategy installed as libcounter.so.
typealias ReloadFixture = LiveHostFixture

extension LiveHostFixture {
    convenience init(config: String, counterPlugin: String = "FixtureSwapV1", watch: Bool = true) throws {
        try self.init(config: config, plugins: ["libSimVenue.so": "SimVenue", "libCrossQuoter.so": "CrossQuoter",
                                                "libSpreadWatch.so": "SpreadWatch", "libcounter.so": counterPlugin],
                      watch: watch)
    }
}

/// The configuration the reload tests start from. `extraStrategies` are more list items
/// under `strategies:`, indented by two spaces.
func counterConfig(step: Int = 1, venue: String = "a", quoter: Bool = true, extraStrategies: String = "") -> String {
    var text = """
        exchanges:
          - name: a
            plugin: org.arbhost.exchange.sim
            settings:
              source: generator
              interval: 1h
              updates: 100
          - name: b
            plugin: org.arbhost.exchange.sim
            settings:
              source: generator
              interval: 1h
              updates: 100
              seed: 2
        strategies:
          - name: counter
            plugin: org.arbhost.test.counter
            parameters:
              venue: \(venue)
              step: \(step)

        """
    if quoter {
        text += """
              - name: quoter
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: a
                  offset_ticks: 4
                  requote_ticks: 1000

            """
    }
    text += extraStrategies
    text += """
        risk:
          max_daily_loss: 500

        """
    return text
}
