import Foundation
import ArbTestKit
import Testing
@testable import ArbConfig
@testable import ArbEngine
@testable import ArbMarket
@testable import ArbPlugins
@testable import ArbRuntime
@testable import ArbTrading

/// The checks that need the plugins, on real files: a plugin that does not exist, one of the
/// wrong kind, parameters the plugin's declarations or its own validation reject.
@Suite("Config validation against plugins")
struct ConfigValidationTests {
    static let plugins: [LoadedPlugin] = {
        let loader = PluginLoader()
        return ["SimVenue", "CrossQuoter", "SpreadWatch"].compactMap { try? loader.load(TestPaths.plugin($0)) }
    }()

    func errors(_ yaml: String) throws -> [ConfigError] {
        let path = try TestPaths.temporaryDirectory() + "/strategies.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        switch ConfigManager(path: path).loadConfig(plugins: Self.plugins) {
        case .success: return []
        case .failure(let errors): return errors.errors.map {
            var e = $0
            e.file = "strategies.yaml"
            return e
        }
        }
    }

    let venues = """
        exchanges:
          - name: a
            plugin: org.arbhost.exchange.sim

        """

    @Test("an unknown plugin id, with a suggestion, and a plugin of the wrong kind")
    func pluginIds() throws {
        let found = try errors(venues + """
            strategies:
              - name: q
                plugin: org.arbhost.strategy.cross-quoterr
                parameters:
                  venue: a
              - name: w
                plugin: org.arbhost.exchange.sim

            """)
        #expect(found.map(\.description) == [
            "strategies.yaml:5:5: strategies[0].plugin: no strategy plugin has the id 'org.arbhost.strategy.cross-quoterr'; did you mean 'org.arbhost.strategy.cross-quoter'? (loaded: org.arbhost.strategy.cross-quoter, org.arbhost.strategy.spread-watch)",
            "strategies.yaml:9:5: strategies[1].plugin: 'org.arbhost.exchange.sim' is a exchange plugin, not a strategy plugin",
        ])
    }

    @Test("parameters checked against the plugin's declarations, at the value's line and column")
    func declarations() throws {
        let found = try errors(venues + """
            strategies:
              - name: q
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: a
                  offset_ticks: many
                  requote_tiks: 3
              - name: w
                plugin: org.arbhost.strategy.spread-watch
                parameters:
                  report_interval: 2

            """)
        let text = found.map(\.description)
        #expect(text.contains("strategies.yaml:9:21: strategies[0].parameters.offset_ticks: expected an integer, found 'many'"), "\(text)")
        #expect(text.contains { $0.hasPrefix("strategies.yaml:10:21: strategies[0].parameters.requote_tiks: is not a parameter of this plugin; did you mean 'requote_ticks'?") }, "\(text)")
        #expect(text.contains { $0.hasPrefix("strategies.yaml:11:5: strategies[1].parameters.venues: is required") }, "\(text)")
        #expect(text.contains("strategies.yaml:14:24: strategies[1].parameters.report_interval: expected a duration such as 250ms, 5s, 1m, 8h, found '2'"), "\(text)")
        #expect(found.count == 4)
    }

    @Test("a parameter set the plugin itself rejects, through its validate_params")
    func pluginValidation() throws {
        let found = try errors(venues + """
            strategies:
              - name: q
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: a
                  offset_ticks: 10
                  requote_ticks: 4
              - name: w
                plugin: org.arbhost.strategy.spread-watch
                parameters:
                  venues: a

            """)
        #expect(found.map(\.description) == [
            "strategies.yaml:10:22: strategies[0].parameters.requote_ticks: must be more than half of offset_ticks, or it requotes forever",
            "strategies.yaml:14:15: strategies[1].parameters.venues: needs at least two venues, found 1",
        ])
    }

    @Test("the repository's strategies.yaml is valid")
    func defaultFileIsValid() throws {
        let result = ConfigManager(path: TestPaths.root + "/strategies.yaml").loadConfig(plugins: Self.plugins)
        if case .failure(let errors) = result { Issue.record("\(errors)") }
    }
}
