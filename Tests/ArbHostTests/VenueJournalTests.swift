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

/// The simulated venue's own journal: it outlives a SIGKILL of the host, as a real venue would.
@Suite("Simulated venue journal", .serialized)
struct VenueJournalTests {
    func setup() throws -> (dir: String, plugins: String, config: String) {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir, ["SimVenue", "CrossQuoter"])
        let generate = try runProcess("/usr/bin/env", ["python3", TestPaths.root + "/Benchmarks/cross-venue/gen_quotes.py", "20000", "3", dir + "/q.csv"])
        try #require(generate.status == 0)
        let config = """
            exchanges:
              - name: sim
                plugin: org.arbhost.exchange.sim
                settings:
                  source: quotes
                  quotes: \(dir)/q.csv
                  quotes_venue: OKX
                  journal: \(dir)/sim.journal
                  speed: 1x
            strategies:
              - name: quoter
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: sim
                  offset_ticks: 1
                  requote_ticks: 2
            """
        try config.write(toFile: dir + "/strategies.yaml", atomically: true, encoding: .utf8)
        return (dir, plugins, dir + "/strategies.yaml")
    }

    /// Client ids of the orders the journal recorded as accepted.
    func journaledOrders(_ path: String) -> [String] { journal(path).orders.map(\.cid) }

    /// The journal's accepted orders (client id, price, quantity) and the ids it cancelled.
    func journal(_ path: String) -> (orders: [(cid: String, price: ExactDecimal, quantity: ExactDecimal)], cancelled: Set<String>) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return ([], []) }
        var orders: [(cid: String, price: ExactDecimal, quantity: ExactDecimal)] = []
        var cancelled = Set<String>()
        for line in text.split(separator: "\n") {
            guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let kind = record["k"] as? String, let cid = record["cid"] as? String else { continue }
            if kind == "ord", let px = (record["px"] as? String).flatMap({ try? ExactDecimal(parsing: $0) }),
               let qty = (record["qty"] as? String).flatMap({ try? ExactDecimal(parsing: $0) }) {
                orders.append((cid, px, qty))
            } else if kind == "cxl" {
                cancelled.insert(cid)
            }
        }
        return (orders, cancelled)
    }

    @Test("orders accepted before a SIGKILL of the host are answered by client id after the restart")
    func survivesSigkill() throws {
        let (dir, plugins, config) = try setup()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestPaths.build + "/arbhost")
        p.arguments = ["run", "--config", config, "--no-watch", "--no-build-plugins", "--plugin-dir", plugins]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        #expect(waitUntil(seconds: 20) { journaledOrders(dir + "/sim.journal").count >= 5 })
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)
        let accepted = journaledOrders(dir + "/sim.journal")
        try #require(accepted.count >= 5)

        let host = HostRuntime(mode: .live, pluginDirectories: [plugins], configPath: config)
        host.loadPlugins()
        if case .failure(let errors) = host.loadConfiguration() { Issue.record("\(errors)") }
        host.start()
        defer { host.shutdown() }
        // Each one as the venue accepted it: price, quantity, and cancelled if it was.
        let written = journal(dir + "/sim.journal")
        for (cid, price, quantity) in written.orders.prefix(10) {
            let order = host.orders.queryOrder(venue: "sim", clientOrderId: cid)
            #expect(order?.clientOrderId == cid, "the venue forgot \(cid)")
            #expect(order?.venueOrderId.isEmpty == false)
            #expect(order?.price == price && order?.quantity == quantity, "\(cid): \(String(describing: order))")
            if written.cancelled.contains(cid) { #expect(order?.status == ARB_ORDER_CANCELLED, "\(cid)") }
        }
        #expect(written.orders.prefix(10).contains { written.cancelled.contains($0.cid) })
        #expect(host.orders.queryOrder(venue: "sim", clientOrderId: "never-sent") == nil)
    }

    @Test("under replay each run starts a fresh journal")
    func replayStartsFresh() throws {
        let (dir, plugins, config) = try setup()
        let text = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "speed: 1x", with: "speed: max")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        var counts: [Int] = []
        for _ in 0..<2 {
            let result = try runProcess(TestPaths.build + "/arbhost", ["replay", "--config", config, "--no-build-plugins", "--plugin-dir", plugins])
            #expect(result.status == 0, "\(result.output)")
            counts.append(journaledOrders(dir + "/sim.journal").count)
        }
        #expect(counts[0] > 0)
        #expect(counts[0] == counts[1], "the second run's journal holds only its own orders")
    }
    @Test("a journal the venue cannot recover is a start error: `arbhost run` logs the venue and the reason and exits 1")
    func unrecoverableJournalStopsRun() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir, ["SimVenue", "CrossQuoter"])
        let journal = dir + "/sim.journal"
        let config = dir + "/strategies.yaml"
        try """
            exchanges:
              - name: sim
                plugin: org.arbhost.exchange.sim
                settings:
                  source: generator
                  markets: BTCUSDT:perpetual, BTCUSDT:spot
                  journal: \(journal)
            strategies:
              - name: quoter
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: sim
                  offset_ticks: 1
                  requote_ticks: 2
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let arguments = ["run", "--config", config, "--no-watch", "--no-build-plugins", "--plugin-dir", plugins, "--duration", "5"]

        // A line that is not JSON with a committed batch after it: corruption, not a torn tail.
        try """
            {"n":1,"k":"dep","cur":"USDT","amt":"1000000","end":true}
            {"n":2,"k":"dep","cur":"BT
            {"n":3,"k":"dep","cur":"BTC","amt":"1","end":true}

            """.write(toFile: journal, atomically: true, encoding: .utf8)
        let corrupt = try runProcess(TestPaths.build + "/arbhost", arguments, timeout: 60)
        #expect(corrupt.status == 1, "\(corrupt.output)")
        #expect(corrupt.output.contains("venue 'sim' (plugin org.arbhost.exchange.sim) could not connect (status "), "\(corrupt.output)")
        #expect(corrupt.output.contains("journal \(journal): journal line 2 is corrupt: not a flat JSON object"), "\(corrupt.output)")
        #expect(!corrupt.output.contains("strategy=quoter] order "), "no strategy runs without its venue")

        // A journal of a market the venue is not configured with (any more).
        try """
            {"n":1,"k":"dep","cur":"USDT","amt":"1000000","end":true}
            {"n":2,"k":"ord","cid":"a","vid":"P1","sym":"ETHUSDT","kind":"perpetual","side":"buy","type":"limit","tif":"gtc","qty":"0.001","px":"3000","ro":false,"ts":1,"end":true}

            """.write(toFile: journal, atomically: true, encoding: .utf8)
        let unknown = try runProcess(TestPaths.build + "/arbhost", arguments, timeout: 60)
        #expect(unknown.status == 1, "\(unknown.output)")
        #expect(unknown.output.contains("venue 'sim' (plugin org.arbhost.exchange.sim) could not connect"), "\(unknown.output)")
        #expect(unknown.output.contains("journal \(journal) line 2 names ETHUSDT perpetual, which this venue is not configured with "
                                        + "(configured: BTCUSDT perpetual, BTCUSDT spot)"), "\(unknown.output)")
    }
}

