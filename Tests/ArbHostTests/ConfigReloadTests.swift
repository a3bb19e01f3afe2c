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

/// Editing strategies.yaml while the host trades: real files, real inotify, real plugins.
@Suite("Config hot reload", .serialized)
struct ConfigReloadTests {
    /// Waits for the n-th message on a system topic.
    func waitFor(_ fixture: ReloadFixture, _ topic: String, count: Int, seconds: Double = 10) -> Bool {
        waitUntil(seconds: seconds) { fixture.system(topic).count >= count }
    }

    @Test("two edits, one renamed over and one rewritten in place, are each applied exactly once while events flow")
    func editsAppliedOnceWithoutLosingEvents() throws {
        let f = try ReloadFixture(config: counterConfig(step: 1))
        defer { f.shutdown() }
        f.startProducing()
        #expect(waitUntil { f.seen.count > 200 })
        // The quoter rests one order; it must survive both edits untouched.
        #expect(waitUntil { f.host.engine.perform { _ in f.host.orders.openOrders(strategy: 1).count } == 1 })
        let openBefore = f.host.engine.perform { _ in f.host.orders.openOrders(strategy: 1) }

        try f.replaceConfig(counterConfig(step: 2))
        #expect(waitFor(f, "system.config_applied", count: 1))
        #expect(waitUntil { f.seen.suffix(50).allSatisfy { _ in true } && f.seen.count > 400 })
        try f.rewriteConfigInPlace(counterConfig(step: 3))
        #expect(waitFor(f, "system.config_applied", count: 2))
        let afterSecond = f.seen.count
        #expect(waitUntil { f.seen.count > afterSecond + 200 })
        f.stopProducing()
        // Settle: a late duplicate notification would show up as a third version here.
        usleep(300_000)

        let applied = f.system("system.config_applied")
        #expect(applied.count == 2, "\(applied)")
        #expect(applied.first?.contains("\"version\":2") == true)
        #expect(applied.first?.contains("strategy counter: parameters step 1 → 2") == true)
        #expect(applied.last?.contains("\"version\":3") == true)
        #expect(f.host.configManager?.versions.map(\.number) == [1, 2, 3])
        #expect(f.system("system.config_rejected").isEmpty)

        // Every delta arrived exactly once, in order, and the count's step changed 1 → 2 → 3.
        let deltas = f.seen.filter { $0.sequence >= 2 }
        #expect(deltas.map(\.sequence) == Array(2...f.emitted))
        let steps = zip(f.seen, f.seen.dropFirst()).map { $1.count - $0.count }
        #expect(Set(steps) == [1, 2, 3])
        #expect(steps == steps.sorted(), "the step only ever increased: each edit took effect once, at one event")

        let openAfter = f.host.engine.perform { _ in f.host.orders.openOrders(strategy: 1) }
        #expect(openAfter == openBefore)
    }

    @Test("an invalid edit is rejected with its line and column, and the host keeps running on the old config")
    func invalidEditChangesNothing() throws {
        let f = try ReloadFixture(config: counterConfig(step: 1))
        defer { f.shutdown() }
        f.startProducing()
        #expect(waitUntil { f.seen.count > 50 })
        try f.replaceConfig(counterConfig(step: 1).replacingOccurrences(of: "max_daily_loss: 500", with: "max_daily_loss: lots"))
        #expect(waitFor(f, "system.config_rejected", count: 1))
        let rejected = f.system("system.config_rejected").first ?? ""
        #expect(rejected.contains("\"key_path\":\"risk.max_daily_loss\""), "\(rejected)")
        #expect(rejected.contains("\"line\":"), "\(rejected)")
        let before = f.seen.count
        #expect(waitUntil { f.seen.count > before + 50 })
        f.stopProducing()
        #expect(f.host.configManager?.versions.count == 1)
        #expect(f.host.riskLimits.maxDailyLoss == ExactDecimal(500))
        #expect(Set(zip(f.seen, f.seen.dropFirst()).map { $1.count - $0.count }) == [1])
    }

    @Test("a change the plugin refuses is not applied and is reported; the strategy runs on")
    func refusedReconfigure() throws {
        let f = try ReloadFixture(config: counterConfig(step: 1))
        defer { f.shutdown() }
        f.startProducing()
        #expect(waitUntil { f.seen.count > 50 })
        // The counter refuses to change venue while running; the step change with it is refused too.
        try f.replaceConfig(counterConfig(step: 5, venue: "b"))
        // Nothing of the edit took effect: no new version, a rejection that says why.
        #expect(waitFor(f, "system.config_rejected", count: 1))
        #expect(f.system("system.config_applied").isEmpty)
        #expect(f.host.configManager?.versions.count == 1)
        let summary = f.system("system.config_rejected").first ?? ""
        #expect(summary.contains("strategy counter: change refused, still running as before"), "\(summary)")
        #expect(summary.contains("the venue cannot change while running"), "\(summary)")
        let before = f.seen.count
        #expect(waitUntil { f.seen.count > before + 50 })
        f.stopProducing()
        #expect(Set(zip(f.seen, f.seen.dropFirst()).map { $1.count - $0.count }) == [1])
        // The effective configuration keeps the old parameters, so the same edit is retried
        // only when the file changes again.
        #expect(f.host.configManager?.strategyConfig(named: "counter")?.parameters["step"] == "1")
    }

    @Test("a removed strategy stops under its policy: its open orders are cancelled; a new one starts")
    func removeAndAdd() throws {
        let f = try ReloadFixture(config: counterConfig(step: 1))
        defer { f.shutdown() }
        f.startProducing()
        #expect(waitUntil { f.host.engine.perform { _ in f.host.orders.openOrders(strategy: 1).count } == 1 })
        let order = try #require(f.host.engine.perform { _ in f.host.orders.openOrders(strategy: 1).first })

        let added = """
              - name: watch
                plugin: org.arbhost.strategy.spread-watch
                parameters:
                  venues: a,b

            """
        try f.replaceConfig(counterConfig(step: 1, quoter: false, extraStrategies: added))
        #expect(waitFor(f, "system.config_applied", count: 1))
        f.stopProducing()
        let summary = f.system("system.config_applied").first ?? ""
        // The quoter cancels its own order in stop; the policy cancels whatever is left.
        #expect(summary.contains("strategy quoter: removed (on_remove cancel_orders): "), "\(summary)")
        #expect(summary.contains("open order(s) cancelled; positions kept"), "\(summary)")
        #expect(summary.contains("strategy watch: started"), "\(summary)")
        #expect(waitUntil { f.host.engine.perform { _ in f.host.orders.order(order.id)?.status } == ARB_ORDER_CANCELLED })
        #expect(f.host.strategies.strategy(named: "quoter") == nil)
        #expect(f.host.strategies.strategy(named: "watch")?.state == .running)
    }

    @Test("a changed exchange entry reconnects only that venue; risk limits change at once")
    func exchangeAndRiskChanges() throws {
        let f = try ReloadFixture(config: counterConfig(step: 1, quoter: false))
        defer { f.shutdown() }
        let a = try #require(f.host.exchanges.exchange(named: "a"))
        let b = try #require(f.host.exchanges.exchange(named: "b"))
        let edited = counterConfig(step: 1, quoter: false)
            .replacingOccurrences(of: "seed: 2", with: "seed: 3")
            .replacingOccurrences(of: "max_daily_loss: 500", with: "max_daily_loss: 250.5")
        try f.replaceConfig(edited)
        #expect(waitFor(f, "system.config_applied", count: 1))
        let summary = f.system("system.config_applied").first ?? ""
        #expect(summary.contains("exchange b: changed, reconnected"), "\(summary)")
        #expect(summary.contains("risk: limits changed"), "\(summary)")
        #expect(!summary.contains("exchange a"))
        #expect(f.host.exchanges.exchange(named: "a") === a)
        let newB = try #require(f.host.exchanges.exchange(named: "b"))
        #expect(newB !== b && newB.slot == b.slot && newB.state == .connected)
        #expect(f.host.riskLimits.maxDailyLoss == (try ExactDecimal(parsing: "250.5")))
    }

    @Test("updateParameter rewrites one value in the file atomically, keeps the previous file, and applies it")
    func updateThroughTheManager() throws {
        let f = try ReloadFixture(config: "# tuned by hand\n" + counterConfig(step: 1, quoter: false), watch: false)
        defer { f.shutdown() }
        let manager = try #require(f.host.configManager)
        let outcome = try manager.updateParameter(strategy: "counter", key: "step", to: "4")
        guard case .applied(let version) = outcome else { Issue.record("\(outcome)"); return }
        #expect(version.number == 2)
        let text = try String(contentsOfFile: f.configPath, encoding: .utf8)
        #expect(text.hasPrefix("# tuned by hand\n"))
        #expect(text.contains("step: 4"))
        #expect(try String(contentsOfFile: f.configPath + ".previous", encoding: .utf8).contains("step: 1"))
        // An invalid update changes nothing.
        #expect(throws: ConfigErrors.self) { try manager.updateParameter(strategy: "counter", key: "step", to: "zero") }
        #expect(try String(contentsOfFile: f.configPath, encoding: .utf8) == text)
    }
}
