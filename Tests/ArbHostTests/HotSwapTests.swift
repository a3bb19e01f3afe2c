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

/// Replacing plugin files while the host trades.
@Suite("Plugin hot swap", .serialized)
struct HotSwapTests {
    @Test("a strategy's binary is swapped for a changed build while events flow: state carried, new behaviour, nothing lost")
    func swapWhileTrading() throws {
        let f = try ReloadFixture(config: counterConfig(step: 1, quoter: false))
        defer { f.shutdown() }
        f.startProducing()
        #expect(waitUntil { f.seen.count > 200 })
        try f.installPlugin("FixtureSwapV2")
        #expect(waitUntil { f.system("system.plugin_swapped").count == 1 })
        let afterSwap = f.seen.count
        #expect(waitUntil { f.seen.count > afterSwap + 200 })
        f.stopProducing()

        let seen = f.seen
        let firstV2 = try #require(seen.firstIndex { $0.variant == "v2" })
        #expect(firstV2 > 0)
        #expect(seen[..<firstV2].allSatisfy { $0.variant == "v1" })
        #expect(seen[firstV2...].allSatisfy { $0.variant == "v2" })
        // The count went on from the old build's state: no reset, no gap.
        #expect(seen.map(\.count) == Array(1...UInt64(seen.count)))
        // No event lost or delivered twice across the switch.
        #expect(seen.filter { $0.sequence >= 2 }.map(\.sequence) == Array(2...f.emitted))
        let report = f.system("system.plugin_swapped").first ?? ""
        #expect(report.contains("\"plugin\":\"org.arbhost.test.counter\"") && report.contains("\"version\":\"1.0.2\""), "\(report)")
        #expect(f.host.strategies.strategy(named: "counter")?.plugin.info.version == "1.0.2")
    }

    @Test("a broken build is refused and the running one keeps trading")
    func brokenBuildKeepsTheOldOne() throws {
        let f = try ReloadFixture(config: counterConfig(step: 1, quoter: false))
        defer { f.shutdown() }
        f.startProducing()
        #expect(waitUntil { f.seen.count > 100 })
        // Refuses the saved state.
        try f.installPlugin("FixtureSwapBroken")
        #expect(waitUntil { f.system("system.plugin_swap_failed").count == 1 })
        let refusal = f.system("system.plugin_swap_failed").first ?? ""
        #expect(refusal.contains("this build cannot read the saved state"), "\(refusal)")
        // Not even a plugin of this ABI.
        try f.installPlugin("FixtureWrongMajor")
        #expect(waitUntil { f.system("system.plugin_swap_failed").count == 2 })
        #expect(f.system("system.plugin_swap_failed").last?.contains("was built for ABI 2.x") == true)
        let before = f.seen.count
        #expect(waitUntil { f.seen.count > before + 100 })
        f.stopProducing()
        #expect(f.seen.allSatisfy { $0.variant == "v1" })
        #expect(f.seen.map(\.count) == Array(1...UInt64(f.seen.count)))
        #expect(f.host.strategies.strategy(named: "counter")?.plugin.info.version == "1.0.1")
    }

    @Test("SIGHUP's forced check swaps a Swift strategy built again, carrying its state and its timer")
    func forcedReloadSwapsSwiftStrategy() throws {
        let config = counterConfig(step: 1, quoter: false, extraStrategies: """
              - name: watch
                plugin: org.arbhost.strategy.spread-watch
                parameters:
                  venues: a,b
                  report_interval: 1s

            """)
        let f = try ReloadFixture(config: config, watch: false)
        defer { f.shutdown() }
        f.startProducing()
        #expect(waitUntil { f.seen.count > 100 })
        let watch = try #require(f.host.strategies.strategy(named: "watch"))
        let timersBefore = f.host.engine.perform { $0.timers.count }
        // A rebuilt file (new inode, same plugin), found by the forced check.
        let path = f.pluginDir + "/libSpreadWatch.so"
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: TestPaths.plugin("SpreadWatch"), toPath: path)
        let eventsBefore = try #require(f.host.strategies.saveState("watch")).bytes
        f.host.forceReload()
        #expect(f.system("system.plugin_swapped").count == 1)
        f.stopProducing()
        let eventsAfter = try #require(f.host.strategies.saveState("watch")).bytes
        let count = { (b: [UInt8]) in b.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) } }
        #expect(count(eventsAfter) >= count(eventsBefore), "the book-event count carried over the swap")
        #expect(f.host.engine.perform { $0.timers.count } == timersBefore, "its timer carried over, not duplicated")
        #expect(watch.state == .running)
    }

    @Test("replacing an exchange adapter's file reconnects that venue on the new build")
    func adapterSwapReconnects() throws {
        let f = try ReloadFixture(config: counterConfig(step: 1, quoter: false))
        defer { f.shutdown() }
        let before = try #require(f.host.exchanges.exchange(named: "a"))
        let temporary = f.pluginDir + "/.venue.new"
        try FileManager.default.copyItem(atPath: TestPaths.plugin("SimVenue"), toPath: temporary)
        #expect(rename(temporary, f.pluginDir + "/libSimVenue.so") == 0)
        #expect(waitUntil { f.system("system.plugin_swapped").count == 1 })
        let after = try #require(f.host.exchanges.exchange(named: "a"))
        #expect(after !== before && after.slot == before.slot && after.state == .connected)
        #expect(f.host.exchanges.exchange(named: "b")?.plugin === after.plugin)
    }
}
