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

/// The engine driving real plugins: two seeded venues stepped on event time, the Swift and the
/// C strategy, everything loaded with dlopen.
@Suite("Engine")
struct EngineTests {
    /// One replay of the demo setup, with a record of everything the router saw.
    final class Replay {
        let host: HostRuntime
        var log: [(kind: String, time: Int64, detail: String)] = []
        var digest: UInt64 = 0xcbf2_9ce4_8422_2325

        init(updates: Int, quoterOffset: String = "1") throws {
            host = HostRuntime(mode: .replay, pluginDirectories: [try TestPaths.pluginFolder(in: TestPaths.temporaryDirectory())])
            host.loadPlugins()
            var setup = HostSetup.demo
            for i in setup.venues.indices {
                setup.venues[i].settings.entries.append(.init(key: "updates", text: "\(updates)"))
            }
            setup.strategies[0].parameters = Parameters(["venues": "seeded-a,seeded-b", "report_interval": "1s"])
            setup.strategies[1].parameters = Parameters(["venue": "seeded-a", "offset_ticks": quoterOffset, "requote_ticks": "2"])
            let summary = host.apply(setup)
            #expect(summary.count == 4 && summary.allSatisfy { $0.hasSuffix("(org.arbhost.exchange.sim)") || $0.contains(": started (") }, "\(summary)")
            let engine = host.engine
            // Registered after the engine's own strategy dispatch: sees each event after the strategies.
            for type in EventType.allCases {
                engine.router.registerHandler(type) { [unowned self] event in
                    var detail = ""
                    switch event.payload {
                    case .book(let p): detail = "\(p.pointee.instrument) \(ExactDecimal(p.pointee.best_bid)) \(ExactDecimal(p.pointee.best_ask))"
                    case .order(let p): detail = "\(p.pointee.order_id) \(p.pointee.status) \(String(p.pointee.client_order_id))"
                    case .fill(let p): detail = "\(p.pointee.order_id) \(ExactDecimal(p.pointee.price)) \(ExactDecimal(p.pointee.fee))"
                    case .actionResult(let p): detail = "\(p.pointee.action_id) \(p.pointee.outcome)"
                    default: break
                    }
                    record(type.name, engine.now(), detail)
                }
            }
            engine.bus.subscribe(try TopicPattern("custom.>"), .handler { [unowned self] m in
                record("bus:" + String(m.topic), engine.now(), String(m.payload))
            })
        }

        func record(_ kind: String, _ time: Int64, _ detail: String) {
            log.append((kind, time, detail))
            for byte in "\(kind)|\(time)|\(detail)\n".utf8 { digest = (digest ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }

        func run() {
            host.start()
            #expect(host.engine.waitUntilFinished(timeoutNanoseconds: 60_000_000_000))
            host.shutdown()
        }

        func count(_ kind: String) -> Int { log.filter { $0.kind == kind }.count }
    }

    @Test("a replay delivers every book update to the strategies, on event time, with orders and fills")
    func replayDrivesStrategies() throws {
        let replay = try Replay(updates: 300)
        replay.run()
        // Every update of each venue's one market is a book event.
        #expect(replay.count("orderbook_update") == 600)
        #expect(replay.count("order_created") >= 1)
        #expect(replay.count("action_result") >= 1)
        // The event clock runs from the data's start (2024-01-01) in 100 ms / 150 ms steps.
        let times = replay.log.filter { $0.kind == "orderbook_update" }.map(\.time)
        #expect(times.first == 1_704_067_200_000_000_000)
        #expect(times == times.sorted())
        // spread-watch publishes its edge every second of event time.
        #expect(replay.count("bus:custom.spread-watch.edge") >= 30)
    }

    @Test("two replays of the same setup produce the same events, bit for bit")
    func replayIsDeterministic() throws {
        let first = try Replay(updates: 200)
        first.run()
        let second = try Replay(updates: 200)
        second.run()
        #expect(first.log.count == second.log.count)
        #expect(first.digest == second.digest)
        let changed = try Replay(updates: 200, quoterOffset: "2")
        changed.run()
        #expect(changed.digest != first.digest)
    }

    @Test("at equal times a timer fires before the venue's event")
    func timersBeforeVenueEvents() throws {
        let replay = try Replay(updates: 40)
        replay.run()
        // spread-watch's 1 s timer and seeded-a's 11th update share the time start + 1 s.
        let t = Int64(1_704_067_201_000_000_000)
        let atT = replay.log.filter { $0.time == t && ($0.kind == "orderbook_update" || $0.kind.hasPrefix("bus:")) }
        #expect(atT.first?.kind == "bus:custom.spread-watch.edge", "\(atT.map(\.kind))")
        #expect(atT.contains { $0.kind == "orderbook_update" })
    }

    @Test("an action a strategy takes inside a callback is handled after that event, never re-entrantly")
    func actionsAfterTheEvent() throws {
        let replay = try Replay(updates: 50)
        replay.run()
        let log = replay.log
        let first = try #require(log.firstIndex { $0.kind == "order_created" })
        // The quoter submitted inside on_market_data of a book event; every handler of that
        // event (including the test's, registered last) ran before the order went out.
        #expect(first > 0)
        #expect(log[first - 1].kind == "orderbook_update")
        #expect(log[first - 1].time == log[first].time)
    }

    @Test("each order ends in exactly one final order event")
    func exactlyOneFinalEvent() throws {
        let replay = try Replay(updates: 400)
        replay.run()
        var finals: [String: Int] = [:]
        for entry in replay.log where entry.kind.hasPrefix("order_") {
            let parts = entry.detail.split(separator: " ")
            let status = Int32(parts[1]) ?? 0
            if TrackedOrder.isFinal(status) { finals[String(parts[0]), default: 0] += 1 }
        }
        #expect(!finals.isEmpty)
        #expect(finals.values.allSatisfy { $0 == 1 }, "\(finals)")
        let created = Set(replay.log.filter { $0.kind == "order_created" }.map { String($0.detail.split(separator: " ")[0]) })
        #expect(created.count >= 2)
    }
}

@Suite("Engine threading")
struct EngineThreadingTests {
    @Test("events from several adapter threads all arrive, each thread's in order")
    func manyProducers() throws {
        let engine = Engine(mode: .live, ringCapacity: 1 << 16)
        let services = HostServices(engine: engine)
        let exchanges = services.exchanges
        let venue = try PluginLoader().load(TestPaths.plugin("SimVenue"))
        var sequences: [InstrumentId: [UInt64]] = [:]
        engine.router.registerHandler(.orderBookUpdate) { event in
            guard case .book(let p) = event.payload else { return }
            sequences[InstrumentId(rawValue: p.pointee.instrument), default: []].append(p.pointee.sequence)
        }
        var emitters: [BookEmitter] = []
        for i in 0..<4 {
            let e = try exchanges.registerExchange(name: "v\(i)", plugin: venue)
            let id = engine.instruments.id(for: Instrument(venue: "v\(i)", symbol: "BTCUSDT", kind: .perpetual))
            emitters.append(BookEmitter(host: e.hostTable, instrument: id))
        }
        engine.start()
        let perThread = 20_000
        let threads = emitters.map { emitter in
            Thread {
                emitter.snapshot()
                for _ in 0..<perThread {
                    emitter.sequence += 1
                    while emitter.emit(snapshot: false, bids: [BookEmitter.level("61800.1", "1")], asks: [],
                                       sequence: emitter.sequence) == ARB_ERR_QUEUE_FULL { sched_yield() }
                }
            }
        }
        threads.forEach { $0.start() }
        #expect(waitUntil(seconds: 60) { engine.eventsProcessed >= UInt64(4 * (perThread + 1)) })
        engine.stop()
        #expect(sequences.count == 4)
        for (_, seen) in sequences { #expect(seen == Array(1...UInt64(perThread + 1))) }
    }

    @Test("an [engine] host function called from another thread answers ARB_ERR_WRONG_THREAD")
    func wrongThread() throws {
        let engine = Engine(mode: .live)
        let services = HostServices(engine: engine)
        let strategies = services.strategies
        let exchanges = services.exchanges
        let loader = PluginLoader()
        let venue = try loader.load(TestPaths.plugin("SimVenue"))
        try exchanges.registerExchange(name: "a", plugin: venue)
        try exchanges.registerExchange(name: "b", plugin: venue)
        let s = try strategies.registerStrategy(name: "w", plugin: try loader.load(TestPaths.plugin("SpreadWatch")),
                                                parameters: Parameters(["venues": "a,b"]))
        engine.start()
        defer { engine.stop() }
        var top = arb_top_of_book_t()
        let host = UnsafePointer(s.host)
        #expect(host.pointee.top_of_book(host, 1, &top) == ARB_ERR_WRONG_THREAD)
        #expect(host.pointee.now(host) > 1_700_000_000_000_000_000)  // [any]: the wall clock
        var id: UInt64 = 0
        #expect(host.pointee.submit_signal(host, nil, &id) == ARB_ERR_WRONG_THREAD)
        let onEngine = engine.perform { _ in host.pointee.submit_signal(host, nil, &id) }
        #expect(onEngine == ARB_ERR_NOT_AVAILABLE)
    }
}
