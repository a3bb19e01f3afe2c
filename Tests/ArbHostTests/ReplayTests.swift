import ArbSDK
import Foundation
import ArbBook
import VenueWire
import ArbModel
import ArbTestKit
import Testing
@testable import ArbConfig
@testable import ArbEngine
@testable import ArbMarket
@testable import ArbPlugins
@testable import ArbRuntime
@testable import ArbTrading

/// Replays of recorded data through the simulated venue plugin, the engine and real strategies.
@Suite("Replay", .serialized)
struct ReplayTests {
    static let reference = (bid: "61659.7", bidQuantity: "1.486", ask: "61659.8", askQuantity: "0.981")

    func pluginFolder() throws -> String {
        try TestPaths.pluginFolder(in: TestPaths.temporaryDirectory(), renamed: ["libcounter.so": "FixtureSwapV1"])
    }

    func captureConfig(drop: Int = 0) -> String {
        """
        exchanges:
          - name: sim
            plugin: org.arbhost.exchange.sim
            settings:
              capture: \(TestPaths.root)/Data/binance/usdm_btcusdt_20240808.gz
              drop_message: \(drop)
        strategies:
          - name: counter
            plugin: org.arbhost.test.counter
            parameters:
              venue: sim
        """
    }

    /// The capture with the C quoter trading on it.
    func quoterCaptureConfig() -> String {
        captureConfig().replacingOccurrences(of: "org.arbhost.test.counter", with: "org.arbhost.strategy.cross-quoter")
            .replacingOccurrences(of: "venue: sim", with: "venue: sim\n      offset_ticks: 2\n      requote_ticks: 3")
    }

    /// Replays in process; returns the host (shut down) and what the router saw.
    /// What the counter strategy itself reported hearing (its on_book_stale / on_book_resynced).
    final class Heard: @unchecked Sendable {
        var stale: [String] = []
        var resynced = 0
    }

    func replay(_ config: String, heard: Heard? = nil) throws -> (host: HostRuntime, stale: Int, resynced: Int, books: Int, top: OrderBook?) {
        let host = try TestPaths.replayHost(config, plugins: pluginFolder())
        if let heard {
            host.engine.bus.subscribe(try TopicPattern("custom.counter.stale"), .handler { m in heard.stale.append(String(m.payload)) })
            host.engine.bus.subscribe(try TopicPattern("custom.counter.resynced"), .handler { _ in heard.resynced += 1 })
        }
        host.start()
        #expect(host.engine.waitUntilFinished(timeoutNanoseconds: 120_000_000_000))
        let id = try #require(host.engine.instruments.existingId(for: Instrument(venue: "sim", symbol: "BTCUSDT", kind: .perpetual)))
        let top = host.engine.perform { _ in host.market.latestOrderBook(id) }
        let counts = host.engine.perform { e in
            (e.router.routedCount(.bookStale), e.router.routedCount(.bookResynced), e.router.routedCount(.orderBookUpdate))
        }
        host.shutdown()
        return (host, counts.0, counts.1, counts.2, top)
    }

    @Test("the USD-M capture through the simulated venue: the host's book ends on the reference top, never stale")
    func captureReplay() throws {
        let r = try replay(captureConfig())
        #expect(r.stale == 0)
        #expect(r.books > 6_000)
        let book = try #require(r.top)
        #expect(book.isValid)
        #expect(book.bestBid == BookLevel(price: try ExactDecimal(parsing: Self.reference.bid), quantity: try ExactDecimal(parsing: Self.reference.bidQuantity)))
        #expect(book.bestAsk == BookLevel(price: try ExactDecimal(parsing: Self.reference.ask), quantity: try ExactDecimal(parsing: Self.reference.askQuantity)))
    }

    @Test("one depth message lost on the way: the gap is reported, strategies told, and the book resyncs from the venue's snapshot")
    func lostMessage() throws {
        let heard = Heard()
        let r = try replay(captureConfig(drop: 3_000), heard: heard)
        #expect(r.stale == 1)
        #expect(r.resynced == 1)
        // The strategy plugin itself was told, with the reason, and told again when it came back.
        #expect(heard.stale == ["sequence gap reported by the adapter"])
        #expect(heard.resynced == 1)
        let book = try #require(r.top)
        #expect(book.isValid)
        #expect(book.bestBid == BookLevel(price: try ExactDecimal(parsing: Self.reference.bid), quantity: try ExactDecimal(parsing: Self.reference.bidQuantity)))
        #expect(book.bestAsk == BookLevel(price: try ExactDecimal(parsing: Self.reference.ask), quantity: try ExactDecimal(parsing: Self.reference.askQuantity)))
    }

    @Test("a book update corrupted on the way: the host finds its book crossed, tells strategies, asks the venue for a snapshot and is whole again")
    func corruptedMessage() throws {
        let heard = Heard()
        let r = try replay(captureConfig().replacingOccurrences(of: "drop_message: 0", with: "drop_message: 0\n      corrupt_message: 3000"),
                           heard: heard)
        #expect(r.stale == 1 && r.resynced == 1)
        #expect(heard.stale == ["book crossed after an update"] && heard.resynced == 1)
        let book = try #require(r.top)
        #expect(book.isValid)
        #expect(book.bestBid == BookLevel(price: try ExactDecimal(parsing: Self.reference.bid), quantity: try ExactDecimal(parsing: Self.reference.bidQuantity)))
        #expect(book.bestAsk == BookLevel(price: try ExactDecimal(parsing: Self.reference.ask), quantity: try ExactDecimal(parsing: Self.reference.askQuantity)))
    }

    @Test("a message missing from the recording itself: the venue reports the gap, the book goes stale and comes back from the venue's own book")
    func gapInTheRecording() throws {
        let dir = try TestPaths.temporaryDirectory()
        // The capture without its 3000th depth diff, as plain text (Capture reads both).
        let capture = try Capture.load(path: TestPaths.root + "/Data/binance/usdm_btcusdt_20240808.gz")
        var depth = 0
        var text: [UInt8] = []
        for range in capture.lines {
            let line = capture.bytes[range]
            if line.count > 60, String(decoding: line.prefix(60), as: UTF8.self).contains("@depth") {
                depth += 1
                if depth == 3_000 { continue }
            }
            text += line
            text.append(0x0A)
        }
        try Data(text).write(to: URL(fileURLWithPath: dir + "/holed.txt"))
        let heard = Heard()
        let r = try replay(captureConfig().replacingOccurrences(of: "\(TestPaths.root)/Data/binance/usdm_btcusdt_20240808.gz",
                                                                with: dir + "/holed.txt"), heard: heard)
        #expect(depth > 6_000)
        #expect(r.stale == 1 && r.resynced == 1)
        #expect(heard.stale == ["sequence gap reported by the adapter"] && heard.resynced == 1)
        let book = try #require(r.top)
        #expect(book.isValid)
        if let bid = book.bestBid, let ask = book.bestAsk { #expect(bid.price < ask.price) }
    }

    /// `arbhost replay` in its own process; returns its output.
    func cli(_ arguments: [String]) throws -> ProcessOutput {
        try runProcess(TestPaths.build + "/arbhost", ["replay", "--no-build-plugins"] + arguments, timeout: 300)
    }

    @Test("replay is deterministic across processes; a changed quote or parameter changes the digest, the log level does not")
    func digests() throws {
        let dir = try TestPaths.temporaryDirectory()
        let generate = try runProcess("/usr/bin/env", ["python3", TestPaths.root + "/Benchmarks/cross-venue/gen_quotes.py", "3000", "7", dir + "/q.csv"])
        try #require(generate.status == 0, "\(generate.output)")
        let config = try String(contentsOfFile: TestPaths.root + "/configs/cross-venue-quotes.yaml", encoding: .utf8)
        try config.write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try config.replacingOccurrences(of: "offset_ticks: 1", with: "offset_ticks: 2").write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        let plugins = try pluginFolder()
        func digest(_ output: ProcessOutput) -> String? {
            output.output.split(separator: "\n").last.flatMap { $0.hasPrefix("digest: ") ? String($0.dropFirst(8)) : nil }
        }
        let first = try cli(["--config", dir + "/a.yaml", "--plugin-dir", plugins, "--quotes", dir + "/q.csv", "--json", dir + "/out.json"])
        #expect(first.status == 0, "\(first.output)")
        let second = try cli(["--config", dir + "/a.yaml", "--plugin-dir", plugins, "--quotes", dir + "/q.csv", "--log-level", "debug"])
        let changedParameter = try cli(["--config", dir + "/b.yaml", "--plugin-dir", plugins, "--quotes", dir + "/q.csv"])
        // One quote changed: the first OKX row's bid size.
        var rows = try String(contentsOfFile: dir + "/q.csv", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let okx = try #require(rows.firstIndex { $0.contains(",OKX,") })
        var fields = rows[okx].split(separator: ",").map(String.init)
        fields[4] = fields[4] == "1.000" ? "2.000" : "1.000"
        rows[okx] = fields.joined(separator: ",")
        try rows.joined(separator: "\n").write(toFile: dir + "/q2.csv", atomically: true, encoding: .utf8)
        let changedQuote = try cli(["--config", dir + "/a.yaml", "--plugin-dir", plugins, "--quotes", dir + "/q2.csv"])

        let d1 = try #require(digest(first)), d2 = try #require(digest(second))
        #expect(d1 == d2)
        #expect(digest(changedParameter) != d1)
        #expect(digest(changedQuote) != d1)
        #expect(first.output.contains("events: "))
        let json = try String(contentsOfFile: dir + "/out.json", encoding: .utf8)
        #expect(json.contains("\"digest\":\"\(d1)\""))
        let orders = first.output.split(separator: "\n").first { $0.hasPrefix("orders: ") }.map(String.init) ?? ""
        #expect(!orders.hasPrefix("orders: 0,"), "the run placed orders: \(orders)")
        // PnL per traded instrument and per venue, each net = realised + unrealised − fees + funding.
        let summary = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let instruments = try #require(summary["instruments"] as? [[String: Any]])
        #expect(!instruments.isEmpty)
        for i in instruments {
            func value(_ key: String) -> ExactDecimal? { (i[key] as? String).flatMap { try? ExactDecimal(parsing: $0) } }
            let parts = try #require([value("realized_pnl"), value("unrealized_pnl"), value("fees"), value("funding"), value("net_pnl")]
                .compactMap { $0 }.count == 5 ? [value("realized_pnl")!, value("unrealized_pnl")!, value("fees")!, value("funding")!, value("net_pnl")!] : nil)
            #expect(try parts[0].adding(parts[1]).subtracting(parts[2]).adding(parts[3]) == parts[4], "\(i)")
        }
        let venues = try #require(summary["venues"] as? [String: Any])
        #expect(!venues.isEmpty && first.output.contains("net pnl"))
    }

    @Test("--from warms books up without strategies, --to ends the replay early")
    func window() throws {
        let dir = try TestPaths.temporaryDirectory()
        try quoterCaptureConfig().write(toFile: dir + "/r.yaml", atomically: true, encoding: .utf8)
        let plugins = try pluginFolder()
        func events(_ output: ProcessOutput) -> Int {
            output.output.split(separator: "\n").first { $0.hasPrefix("events: ") }
                .flatMap { Int($0.dropFirst(8).prefix { $0.isNumber }) } ?? -1
        }
        func orders(_ output: ProcessOutput) -> Int {
            output.output.split(separator: "\n").first { $0.hasPrefix("orders: ") }
                .flatMap { Int($0.dropFirst(8).prefix { $0.isNumber }) } ?? -1
        }
        let full = try cli(["--config", dir + "/r.yaml", "--plugin-dir", plugins])
        let early = try cli(["--config", dir + "/r.yaml", "--plugin-dir", plugins, "--to", "1723161300000000000"])
        let late = try cli(["--config", dir + "/r.yaml", "--plugin-dir", plugins, "--from", "1723161300000000000"])
        #expect(full.status == 0 && early.status == 0 && late.status == 0, "\(full.output)\n\(early.output)\n\(late.output)")
        #expect(events(early) > 0 && events(early) < events(full))
        // Before --from the books fill but the quoter hears nothing, so it places fewer orders.
        #expect(orders(late) > 0 && orders(late) < orders(full))
    }

    @Test("positions the venue reports are marked at its book: mark, unrealised PnL and leverage")
    func markedPositions() throws {
        let host = try TestPaths.replayHost(quoterCaptureConfig(), plugins: pluginFolder())
        var positions: [arb_position_t] = []
        for type in [EventType.positionOpened, .positionUpdated, .positionClosed] {
            host.engine.router.registerHandler(type) { event in
                if case .position(let p) = event.payload { positions.append(p.pointee) }
            }
        }
        host.start()
        #expect(host.engine.waitUntilFinished(timeoutNanoseconds: 120_000_000_000))
        host.shutdown()
        let open = positions.filter { !ExactDecimal($0.quantity).isZero }
        try #require(!open.isEmpty)
        for p in open {
            let mark = ExactDecimal(p.mark_price), entry = ExactDecimal(p.entry_price), quantity = ExactDecimal(p.quantity)
            #expect(mark > ExactDecimal(60_000) && mark < ExactDecimal(63_000), "mark \(mark)")
            #expect(ExactDecimal(p.unrealized_pnl) == (try mark.subtracting(entry).multiplied(by: quantity, rounding: .halfEven)))
            // 5 % initial margin: about 20x at entry, moving with the mark.
            let leverage = ExactDecimal(p.leverage)
            #expect(leverage > ExactDecimal(19) && leverage < ExactDecimal(21), "leverage \(leverage)")
            #expect(p.ts_event > 1_723_161_000_000_000_000)
        }
    }

    @Test("the venue's currency precision rounds each fill's fee", arguments: [2, 8])
    func currencyPrecision(places: Int) throws {
        let config = quoterCaptureConfig().replacingOccurrences(of: "drop_message: 0", with: "drop_message: 0\n      currency_precision: \(places)")
        let host = try TestPaths.replayHost(config, plugins: pluginFolder())
        var fees: [ExactDecimal] = []
        host.engine.router.registerHandler(.fill) { event in
            if case .fill(let p) = event.payload { fees.append(ExactDecimal(p.pointee.fee)) }
        }
        host.start()
        #expect(host.engine.waitUntilFinished(timeoutNanoseconds: 120_000_000_000))
        host.shutdown()
        try #require(fees.count > 10)
        for fee in fees { #expect((try fee.rounded(places: places, rounding: .unnecessary)) == fee, "\(fee)") }
        // Maker fees of 0.0002 on ~62 USDT fills: a cent or two at 2 places, the exact value at 8.
        #expect(fees.contains { (try? $0.rounded(places: places - 1, rounding: .unnecessary)) == nil })
    }

    @Test("a position whose equity falls below maintenance is liquidated by the venue; the host books the venue's fills")
    func liquidation() throws {
        // 10 USDT at 100x (1 % initial, 0.9 % maintenance): the capture's dips are enough.
        let config = quoterCaptureConfig().replacingOccurrences(
            of: "drop_message: 0", with: "drop_message: 0\n      balance: 10\n      initial_margin: 0.01\n      maintenance_margin: 0.009")
        let host = try TestPaths.replayHost(config, plugins: pluginFolder())
        let recorder = ReplayRecorder(engine: host.engine, market: host.market)
        var liquidations: [(orderId: UInt64, clientOrderId: String)] = [], venuePosition: ExactDecimal?
        host.engine.router.registerHandler(.fill) { event in
            guard case .fill(let p) = event.payload, String(p.pointee.client_order_id).hasPrefix("autoclose-") else { return }
            liquidations.append((p.pointee.order_id, String(p.pointee.client_order_id)))
        }
        for type in [EventType.positionOpened, .positionUpdated, .positionClosed] {
            host.engine.router.registerHandler(type) { event in
                if case .position(let p) = event.payload { venuePosition = ExactDecimal(p.pointee.quantity) }
            }
        }
        host.start()
        #expect(host.engine.waitUntilFinished(timeoutNanoseconds: 120_000_000_000))
        host.shutdown()
        #expect(!liquidations.isEmpty && liquidations.allSatisfy { $0.orderId == 0 })
        // The host's own books (from the fills it saw) agree with what the venue holds.
        #expect(recorder.positions["sim:BTCUSDT"] == venuePosition)
    }

    /// A clock that moves only when the pacer sleeps: pacing is checked on it, not on the machine.
    final class SteppedClock: @unchecked Sendable {
        var now: Int64 = 0
        var sleeps = 0
    }

    @Test("the pacer waits until wall time catches up with event time at its speed")
    func pacerArithmetic() {
        var pacer = ReplayPacer(speed: 100)
        #expect(pacer.delay(toEventTime: 5_000_000_000, wall: 1_000) == 0)            // the origin
        #expect(pacer.delay(toEventTime: 6_000_000_000, wall: 1_000) == 10_000_000)   // 1 s of data: 10 ms
        #expect(pacer.delay(toEventTime: 7_000_000_000, wall: 5_000_000) == 15_001_000)
        #expect(pacer.delay(toEventTime: 7_000_000_000, wall: 30_000_000) == 0)       // late: no wait
        #expect(ReplayPacer(speed: 0).speed == 1)
    }

    @Test("--speed paces the replay's event time on the pacer's clock")
    func speed() throws {
        // 100 s of the capture at 100x on a stepped clock: the replay sleeps exactly a hundredth of
        // the event time it covers, and nothing is timed on the machine's clock.
        let start = 1_723_161_255_414_442_066 as Int64
        let host = try TestPaths.replayHost(captureConfig(), plugins: pluginFolder())
        let clock = SteppedClock()
        host.engine.replayWindow = (nil, start + 100_000_000_000)
        host.engine.replayPacer = ReplayPacer(speed: 100, wallClock: { clock.now }, sleep: { wait in
            clock.now += wait
            clock.sleeps += 1
        })
        host.start()
        #expect(host.engine.waitUntilFinished(timeoutNanoseconds: 120_000_000_000))
        let last = host.engine.now()
        let first = try #require(host.engine.replayPacer?.originEventTime)
        host.shutdown()
        #expect(first <= start && last > start + 99_000_000_000 && last <= start + 100_000_000_000)
        #expect(clock.now == (last - first) / 100)
        #expect(clock.sleeps > 1_000)

        // The command line accepts the flag and replays the same data to the same digest.
        let dir = try TestPaths.temporaryDirectory()
        try captureConfig().write(toFile: dir + "/r.yaml", atomically: true, encoding: .utf8)
        let arguments = ["--config", dir + "/r.yaml", "--plugin-dir", try pluginFolder(), "--to", String(start + 5_000_000_000)]
        let paced = try cli(arguments + ["--speed", "1000x"])
        let unpaced = try cli(arguments + ["--speed", "max"])
        #expect(paced.status == 0 && unpaced.status == 0, "\(paced.output)")
        func digest(_ output: ProcessOutput) -> Substring? { output.output.split(separator: "\n").last { $0.hasPrefix("digest: ") } }
        #expect(digest(paced) != nil && digest(paced) == digest(unpaced), "\(paced.output)")
        #expect(try cli(arguments + ["--speed", "fast"]).status != 0)
    }

    @Test("book and trade updates are published on the bus when someone subscribes")
    func marketTopics() throws {
        let host = try TestPaths.replayHost(captureConfig(), plugins: pluginFolder())
        var books: [String] = [], trades = 0, lastTrade = ""
        host.engine.bus.subscribe(try TopicPattern("data.book.sim.BTCUSDT"), .handler { m in books.append(String(m.payload)) })
        host.engine.bus.subscribe(try TopicPattern("data.trades.*.BTCUSDT"), .handler { m in
            trades += 1
            lastTrade = String(m.payload)
        })
        host.start()
        #expect(host.engine.waitUntilFinished(timeoutNanoseconds: 120_000_000_000))
        let routed = host.engine.perform { $0.router.routedCount(.orderBookUpdate) }
        host.shutdown()
        #expect(books.count == routed)
        #expect(trades == 21_313)
        #expect(books.last?.contains("\"bid\":\"61659.7\",\"bid_quantity\":\"1.486\",\"ask\":\"61659.8\",\"ask_quantity\":\"0.981\"") == true,
                "\(books.last ?? "")")
        // Valid JSON, every field typed as documented (decimals as strings, times as integers).
        let book = try #require(JSONSerialization.jsonObject(with: Data((books.last ?? "").utf8)) as? [String: Any])
        #expect(Set(book.keys) == ["sequence", "bid", "bid_quantity", "ask", "ask_quantity", "ts_event"])
        #expect(book["sequence"] is Int && book["ts_event"] is Int && book["bid"] is String)
        let trade = try #require(JSONSerialization.jsonObject(with: Data(lastTrade.utf8)) as? [String: Any])
        #expect(Set(trade.keys) == ["price", "quantity", "side", "ts_event"], "\(lastTrade)")
        #expect(["buy", "sell"].contains(trade["side"] as? String) && trade["ts_event"] is Int)
        #expect((trade["price"] as? String).flatMap { try? ExactDecimal(parsing: $0) } != nil)
    }
}
