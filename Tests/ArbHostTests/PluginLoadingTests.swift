import ArbSDK
import Foundation
import ArbBook
import ArbModel
import ArbTestKit
import Testing
@testable import ArbConfig
@testable import ArbEngine
@testable import ArbMarket
@testable import ArbPlugins
@testable import ArbRuntime
@testable import ArbTrading

@Suite("Plugin loading")
struct PluginLoadingTests {
    let loader = PluginLoader()

    @Test("the built Swift and C strategies and the seeded venue load with their descriptors")
    func loadsBuiltPlugins() throws {
        let swift = try loader.load(TestPaths.plugin("SpreadWatch"))
        #expect(swift.info.kind == .strategy)
        #expect(swift.info.id == "org.arbhost.strategy.spread-watch")
        #expect(swift.info.abiMajor == 1 && swift.info.abiMinor == 0)
        #expect(swift.parameterDeclarations?.first { $0.key == "venues" }?.required == true)

        let c = try loader.load(TestPaths.plugin("CrossQuoter"))
        #expect(c.info.kind == .strategy)
        #expect(c.info.id == "org.arbhost.strategy.cross-quoter")
        #expect(c.parameterDeclarations?.first { $0.key == "offset_ticks" }?.maximum == ExactDecimal(1000))

        let venue = try loader.load(TestPaths.plugin("SimVenue"))
        #expect(venue.info.kind == .exchange)
        #expect(venue.info.id == "org.arbhost.exchange.sim")
        // Each load maps a private copy: loading the same file twice gives two images.
        let again = try loader.load(TestPaths.plugin("SimVenue"))
        #expect(again.mappedPath != venue.mappedPath)
        #expect(!FileManager.default.fileExists(atPath: venue.mappedPath))
    }

    func refusal(_ path: String) throws -> PluginLoadError {
        do {
            _ = try loader.load(path)
        } catch {
            return error
        }
        Issue.record("\(path) loaded but should have been refused")
        throw PluginLoadError(file: path, reason: .noEntrySymbol)
    }

    @Test("a file that is not a shared library is refused, naming the file")
    func notASharedLibrary() throws {
        let dir = try TestPaths.temporaryDirectory()
        let path = dir + "/libnotes.so"
        try "just some text\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try refusal(path)
        guard case .notASharedLibrary = error.reason else { Issue.record("wrong reason \(error.reason)"); return }
        #expect(error.description.hasPrefix("plugin \(path) is not a loadable shared library"))
    }

    @Test("a missing file is refused")
    func missingFile() throws {
        let error = try refusal("/nonexistent/libnothing.so")
        guard case .unreadable = error.reason else { Issue.record("wrong reason \(error.reason)"); return }
        #expect(error.description.contains("/nonexistent/libnothing.so"))
    }

    @Test("a library without arb_plugin_entry is refused")
    func noEntry() throws {
        let error = try refusal(TestPaths.plugin("FixtureNoEntry"))
        #expect(error.reason == .noEntrySymbol)
        #expect(error.description == "plugin \(TestPaths.plugin("FixtureNoEntry")) has no entry symbol 'arb_plugin_entry'; is it an arbhost plugin?")
    }

    @Test("a plugin built for another ABI major is refused with both versions")
    func wrongMajor() throws {
        let error = try refusal(TestPaths.plugin("FixtureWrongMajor"))
        #expect(error.reason == .abiMajorMismatch(host: 1, plugin: 2))
        #expect(error.description.contains("was built for ABI 2.x, but this host speaks ABI 1.x"))
    }

    @Test("a plugin built for a newer minor is refused")
    func newerMinor() throws {
        let error = try refusal(TestPaths.plugin("FixtureNewerMinor"))
        #expect(error.reason == .newerMinor(hostMinor: 0, pluginMinor: 1))
        #expect(error.description.contains("was built for ABI 1.1, newer than this host's 1.0"))
    }

    @Test("a plugin whose create fails is refused with its own keyed reason, and nothing is registered")
    func createFails() throws {
        let plugin = try loader.load(TestPaths.plugin("FixtureCreateFails"))
        let engine = Engine(mode: .replay)
        let services = HostServices(engine: engine)
        let strategies = services.strategies
        #expect {
            try strategies.registerStrategy(name: "doomed", plugin: plugin)
        } throws: { error in
            guard let error = error as? InstanceError else { return false }
            return error.problems == [ParameterError(keyPath: "api_key", message: "no exchange account configured for this test plugin")]
                && error.description.contains("'doomed'") && error.description.contains("libFixtureCreateFails.so")
        }
        #expect(strategies.allStrategies.isEmpty)
        #expect(strategies.slots.allSatisfy { $0 == nil })
    }

    @Test("refused plugins leave a running host and its strategies untouched")
    func refusalsLeaveTheHostRunning() throws {
        let engine = Engine(mode: .live)
        let services = HostServices(engine: engine)
        let exchanges = services.exchanges
        let strategies = services.strategies
        let venue = try loader.load(TestPaths.plugin("SimVenue"))
        let a = try exchanges.registerExchange(name: "a", plugin: venue)
        _ = try exchanges.registerExchange(name: "b", plugin: venue)
        try strategies.registerStrategy(name: "watch", plugin: try loader.load(TestPaths.plugin("SpreadWatch")),
                                        parameters: Parameters(["venues": "a,b", "report_interval": "1h"]))
        engine.start()
        defer { engine.stop() }
        try strategies.startStrategy("watch")
        let id = engine.instruments.id(for: Instrument(venue: "a", symbol: "BTCUSDT", kind: .perpetual))
        let emitter = BookEmitter(host: a.hostTable, instrument: id)
        emitter.snapshot()
        for _ in 0..<50 { emitter.delta() }

        for broken in ["FixtureNoEntry", "FixtureWrongMajor", "FixtureNewerMinor"] {
            #expect(throws: PluginLoadError.self) { try loader.load(TestPaths.plugin(broken)) }
        }
        let failing = try loader.load(TestPaths.plugin("FixtureCreateFails"))
        #expect(throws: InstanceError.self) { try strategies.registerStrategy(name: "x", plugin: failing) }

        for _ in 0..<50 { emitter.delta() }
        #expect(waitUntil { engine.eventsProcessed >= 101 })
        #expect(strategies.strategy(named: "watch")?.state == .running)
        // The strategy's own counter of book events (from its saved state) saw all 101.
        let state = try #require(strategies.saveState("watch"))
        #expect(state.version == 1)
        let events = state.bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        #expect(events == 101)
    }
}
