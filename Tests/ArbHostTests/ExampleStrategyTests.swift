import ArbEngine
import ArbModel
import ArbPlugins
import ArbRuntime
import ArbSDK
import ArbTestKit
import Foundation
import Testing

/// The example strategies are examples of good practice: every parameter applies live, a hot
/// swap hands over what they hold, and instances come and go without limit.
@Suite("Example strategies", .serialized)
struct ExampleStrategyTests {
    /// A replay engine that is not started (driven inline) with venues a and b.
    func services() throws -> HostServices {
        let services = HostServices(engine: Engine(mode: .replay))
        let venue = try PluginLoader().load(TestPaths.plugin("SimVenue"))
        try services.exchanges.registerExchange(name: "a", plugin: venue)
        try services.exchanges.registerExchange(name: "b", plugin: venue)
        return services
    }

    @Test("the quoter hands its working order to a new build: one order before and after a hot swap")
    func quoterSwapKeepsItsOrder() throws {
        let f = try ReloadFixture(config: counterConfig(step: 1))
        defer { f.shutdown() }
        f.startProducing()
        defer { f.stopProducing() }
        // The quoter is strategy slot 1 (after the counter).
        #expect(waitUntil { f.host.engine.perform { _ in f.host.orders.openOrders(strategy: 1).count } == 1 })
        let before = try #require(f.host.engine.perform { _ in f.host.orders.openOrders(strategy: 1).first })
        let temporary = f.pluginDir + "/.libCrossQuoter.so.new"
        try FileManager.default.copyItem(atPath: TestPaths.plugin("CrossQuoter"), toPath: temporary)
        #expect(rename(temporary, f.pluginDir + "/libCrossQuoter.so") == 0)
        #expect(waitUntil { f.system("system.plugin_swapped").count == 1 })
        // Long enough for the new build to see many book updates: the old build's order stays
        // the only one (before this fix the new build placed a second order at once).
        let events = f.host.engine.eventsProcessed
        #expect(waitUntil { f.host.engine.eventsProcessed > events + 200 })
        let after = f.host.engine.perform { _ in f.host.orders.openOrders(strategy: 1) }
        #expect(after.map(\.id) == [before.id], "\(after)")
    }

    @Test("quoter instances are allocated and freed: more than sixteen come and go")
    func quoterInstancesHaveNoFixedPool() throws {
        let s = try services()
        let quoter = try PluginLoader().load(TestPaths.plugin("CrossQuoter"))
        for round in 0..<2 {
            for i in 0..<20 {
                try s.strategies.registerStrategy(name: "q\(round)-\(i)", plugin: quoter, parameters: Parameters(["venue": "a"]))
            }
            #expect(s.strategies.allStrategies.count == 20)
            s.strategies.removeAll()
        }
    }

    @Test("the quoter applies its parameters live and refuses a new venue by name")
    func quoterReconfigures() throws {
        let s = try services()
        let quoter = try PluginLoader().load(TestPaths.plugin("CrossQuoter"))
        try s.strategies.registerStrategy(name: "quoter", plugin: quoter, parameters: Parameters(["venue": "a"]))
        try s.strategies.startStrategy("quoter")
        try s.strategies.reconfigureStrategy("quoter", parameters: Parameters(["venue": "a", "offset_ticks": "6",
                                                                               "requote_ticks": "9", "quantity": "0.002"]))
        #expect(throws: InstanceError.self) {
            try s.strategies.reconfigureStrategy("quoter", parameters: Parameters(["venue": "b"]))
        }
        do {
            try s.strategies.reconfigureStrategy("quoter", parameters: Parameters(["venue": "b"]))
        } catch {
            #expect(error.problems.map(\.keyPath) == ["venue"])
        }
    }

    @Test("spread-watch moves its report timer when report_interval changes")
    func spreadWatchReplacesItsTimer() throws {
        let s = try services()
        let watch = try PluginLoader().load(TestPaths.plugin("SpreadWatch"))
        let instance = try s.strategies.registerStrategy(name: "watch", plugin: watch,
                                                         parameters: Parameters(["venues": "a,b", "report_interval": "2s"]))
        try s.strategies.startStrategy("watch")
        let second: Int64 = 1_000_000_000
        let owner = TimerOwner.strategy(instance.slot)
        #expect(s.engine.timers.find(owner: owner, tag: 0, interval: 2 * second) != nil)
        try s.strategies.reconfigureStrategy("watch", parameters: Parameters(["venues": "a,b", "report_interval": "3s"]))
        #expect(s.engine.timers.find(owner: owner, tag: 0, interval: 3 * second) != nil)
        #expect(s.engine.timers.find(owner: owner, tag: 0, interval: 2 * second) == nil)
        #expect(s.engine.timers.count == 1)
    }
}
