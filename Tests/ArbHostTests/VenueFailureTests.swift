import ArbEngine
import ArbModel
import ArbRuntime
import ArbTestKit
import Foundation
import Synchronization
import Testing

/// A venue that cannot connect is not silently dead: its books are stale (strategies told),
/// the summary says so, the host retries, and undoing the edit brings it back.
@Suite("Venue failures", .serialized)
struct VenueFailureTests {
    @Test("an edit whose venue cannot connect makes its books stale and says so; undoing it reconnects the venue")
    func brokenVenueEdit() throws {
        let config = counterConfig(step: 1, venue: "b", quoter: false)
        let f = try ReloadFixture(config: config, watch: false)
        defer { f.shutdown() }
        let heard = Mutex<[String]>([])
        f.host.engine.perform { engine in
            engine.bus.subscribe(try! TopicPattern("custom.counter.>"), .handler { m in
                let topic = String(m.topic)
                if topic.hasSuffix(".stale") || topic.hasSuffix(".resynced") { heard.withLock { $0.append(topic + " " + String(m.payload)) } }
            })
        }
        // The counter listens to b's book, which b's generator filled when it connected.
        #expect(waitUntil { f.host.engine.perform { _ in f.host.market.latestOrderBook(venue: "b", symbol: "BTCUSDT")?.isValid == true } })

        // b's source becomes a capture file that does not exist: create succeeds, connect fails.
        let broken = config.replacingOccurrences(of: "      seed: 2\n", with: "      seed: 2\n      capture: /nonexistent/capture.gz\n")
            .replacingOccurrences(of: "source: generator\n      interval: 1h\n      updates: 100\n      seed: 2", with: "source: capture\n      interval: 1h\n      updates: 100\n      seed: 2")
        try f.replaceConfig(broken)
        f.host.forceReload()
        let summary = f.system("system.config_applied").last ?? ""
        #expect(summary.contains("exchange b: changed, but it could not connect"), "\(summary)")
        #expect(!summary.contains("changed, reconnected"), "\(summary)")
        #expect(f.host.engine.perform { _ in f.host.market.latestOrderBook(venue: "b", symbol: "BTCUSDT")?.isValid } == false)
        #expect(waitUntil { heard.withLock { $0.contains { $0.hasPrefix("custom.counter.stale") } } }, "\(heard.withLock { $0 })")

        try f.replaceConfig(config)
        f.host.forceReload()
        let undone = f.system("system.config_applied").last ?? ""
        #expect(undone.contains("exchange b: changed, reconnected"), "\(undone)")
        #expect(f.host.exchanges.exchange(named: "b")?.state == .connected)
        #expect(waitUntil { f.host.engine.perform { _ in f.host.market.latestOrderBook(venue: "b", symbol: "BTCUSDT")?.isValid == true } })
    }
}
