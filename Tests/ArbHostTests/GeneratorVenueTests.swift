import ArbSDK
import Foundation
import ArbBook
import ArbModel
import Synchronization
import ArbTestKit
import Testing
@testable import ArbConfig
@testable import ArbEngine
@testable import ArbMarket
@testable import ArbPlugins
@testable import ArbRuntime
@testable import ArbTrading

/// The simulated venue's own market generator: several markets per venue, correlated venues,
/// funding at each venue's interval, a dated future that expires.
@Suite("Simulated venue generator", .serialized)
struct GeneratorVenueTests {
    static func config(quoterOffset: Int = 1) -> String {
        """
        exchanges:
          - name: fast
            plugin: org.arbhost.exchange.sim
            settings:
              source: generator
              markets: BTCUSDT:perpetual, BTCUSDT:spot, BTCUSDT-0101:dated_future:2024-01-01
              seed: 42
              venue_seed: 1
              interval: 5s
              updates: 8000
              funding_interval: 1h
              spot_taker_fee: 0.001
          - name: slow
            plugin: org.arbhost.exchange.sim
            settings:
              source: generator
              markets: BTCUSDT:perpetual
              seed: 42
              venue_seed: 2
              basis_bps: 3
              interval: 5s
              updates: 8000
              funding_interval: 8h
        strategies:
          - name: quoter
            plugin: org.arbhost.strategy.cross-quoter
            parameters:
              venue: fast
              offset_ticks: \(quoterOffset)
              requote_ticks: 2
              quantity: 0.01
          - name: watch
            plugin: org.arbhost.strategy.spread-watch
            symbols: [fast:BTCUSDT:spot, fast:BTCUSDT-0101:dated_future:2024-01-01]
            parameters:
              venues: fast,slow
              report_interval: 1h
        """
    }

    /// A replay host with the package's plugins and `config` loaded, not started.
    func replayHost(_ config: String) throws -> HostRuntime {
        try TestPaths.replayHost(config, plugins: TestPaths.pluginFolder(in: TestPaths.temporaryDirectory()))
    }

    /// Funding messages on the bus, by venue: the host's own FundingRateService publishes them.
    final class FundingInbox: @unchecked Sendable {
        var perHour: [String: [ExactDecimal]] = [:]
        var estimated = 0
    }

    func run(_ config: String, fundingInbox: FundingInbox? = nil) throws -> (recorder: ReplayRecorder, funding: FundingRateService, host: HostRuntime) {
        let host = try replayHost(config)
        let recorder = ReplayRecorder(engine: host.engine, market: host.market)
        if let inbox = fundingInbox {
            host.engine.bus.subscribe(try TopicPattern("data.funding.*.BTCUSDT"), .handler { m in
                guard let json = try? JSONSerialization.jsonObject(with: Data(String(m.payload).utf8)) as? [String: Any],
                      let venue = json["venue"] as? String, let text = json["rate_per_hour"] as? String,
                      let rate = try? ExactDecimal(parsing: text) else { return }
                inbox.perHour[venue, default: []].append(rate)
                if json["estimated_rate"] is String { inbox.estimated += 1 }
            })
        }
        host.start()
        #expect(host.engine.waitUntilFinished(timeoutNanoseconds: 120_000_000_000))
        return (recorder, host.funding, host)
    }

    @Test("venues share the index, quote every market, pay funding at their own intervals, and settle the dated future")
    func generatedMarkets() throws {
        let inbox = FundingInbox()
        let (recorder, funding, host) = try run(Self.config(), fundingInbox: inbox)
        defer { host.shutdown() }
        // 8000 updates × 5 s ≈ 11 h of event time: 11 hourly settlements on `fast`, 1 on `slow`.
        #expect(recorder.bookEvents > 8000)
        #expect(recorder.fills > 0)
        #expect(recorder.fundingPayments >= 1, "the quoter's position on `fast` paid or received funding")
        let rates = host.engine.perform { _ in funding.allFundingRates(symbol: "BTCUSDT") }
        #expect(Set(rates.keys) == ["fast", "slow"])
        #expect(rates["fast"].map { $0.intervalNanoseconds == 3_600_000_000_000 } == true)
        #expect(rates["slow"].map { $0.intervalNanoseconds == 28_800_000_000_000 } == true)
        let spreads = host.engine.perform { _ in funding.fundingRateSpread(symbol: "BTCUSDT") }
        #expect(spreads.count == 1)
        // The host's funding service published every update with its estimate; the premium
        // wanders out of the ±0.05 % band, so rates move and the venues' hourly rates differ
        // (a funding-rate arbitrage exists), not just their intervals.
        #expect(inbox.estimated > 0)
        let fast = inbox.perHour["fast"] ?? [], slow = inbox.perHour["slow"] ?? []
        #expect(Set(fast).count > 3 && Set(slow).count > 3, "rates never moved: \(Set(fast)) \(Set(slow)) \(fast.count) \(slow.count)")
        let gaps = zip(fast.suffix(slow.count), slow).filter { $0 != $1 }.count
        #expect(gaps > 0, "the venues' hourly funding rates were always equal")
        // Spot markets are charged their own fees; derivatives the venue's.
        let fees = host.engine.perform { engine -> [ExactDecimal?] in
            [InstrumentKind.spot, .perpetual].map { kind in
                engine.instruments.existingId(for: Instrument(venue: "fast", symbol: "BTCUSDT", kind: kind))
                    .flatMap { host.market.spec($0)?.takerFee }
            }
        }
        #expect(fees == [ExactDecimal(units: 1_000_000_000_000_000), ExactDecimal(units: 400_000_000_000_000)])
        // The dated future stops quoting at its expiry (08:00) while the perpetual goes on.
        let lastBook = host.engine.perform { engine -> (future: Int64, perpetual: Int64) in
            func last(_ kind: InstrumentKind, _ symbol: String, _ expiry: Int64 = 0) -> Int64 {
                engine.instruments.existingId(for: Instrument(venue: "fast", symbol: symbol, kind: kind, expiryNanoseconds: expiry))
                    .flatMap { host.market.latestOrderBook($0)?.tsEvent } ?? 0
            }
            return (last(.datedFuture, "BTCUSDT-0101", 1_704_096_000_000_000_000), last(.perpetual, "BTCUSDT"))
        }
        #expect(lastBook.future > 0 && lastBook.future < 1_704_096_000_000_000_000, "\(host.engine.perform { e in (1..<UInt32(e.instruments.count + 1)).compactMap { e.instruments.instrument(InstrumentId(rawValue: $0)).map { "\($0) \($0.expiryNanoseconds)" } } })")
        #expect(lastBook.perpetual > 1_704_096_000_000_000_000)
        // Both venues quote around the same index: their perpetuals stay within a few ticks plus the basis.
        let books = host.engine.perform { engine -> [ExactDecimal] in
            ["fast", "slow"].compactMap { venue in
                engine.instruments.existingId(for: Instrument(venue: venue, symbol: "BTCUSDT", kind: .perpetual))
                    .flatMap { host.market.latestPrice($0) }
            }
        }
        #expect(books.count == 2)
        if books.count == 2, let gap = try? books[0].subtracting(books[1]).absolute() {
            #expect(gap < ExactDecimal(100), "the venues' perpetuals are correlated: \(books)")
        }
    }

    @Test("the generator is deterministic, and a strategy parameter changes the run")
    func deterministic() throws {
        let a = try run(Self.config())
        a.host.shutdown()
        let b = try run(Self.config())
        b.host.shutdown()
        let c = try run(Self.config(quoterOffset: 3))
        c.host.shutdown()
        #expect(a.recorder.digest == b.recorder.digest)
        #expect(a.recorder.digest != c.recorder.digest)
    }

    @Test("acknowledgement latency goes through host timers: each answer lands exactly that much later on the event clock, and no fill before its order's answer")
    func latency() throws {
        func delays(_ config: String) throws -> (answers: [Int64], fills: Int, fillsBeforeAnswer: Int) {
            let host = try replayHost(config)
            var sent: [UInt64: Int64] = [:]
            var answeredAt: [UInt64: Int64] = [:]
            var answers: [Int64] = []
            var fills = 0, early = 0
            host.engine.router.registerHandler(.orderCreated) { event in
                if case .order(let p) = event.payload, p.pointee.status == ARB_ORDER_PENDING { sent[p.pointee.order_id] = event.timestamp }
            }
            host.engine.router.registerHandler(.actionResult) { event in
                // An answer still in flight when the replay ends is abandoned as UNKNOWN at shutdown.
                guard case .actionResult(let p) = event.payload, p.pointee.kind == ARB_ACTION_SUBMIT_ORDER,
                      p.pointee.outcome != ARB_OUTCOME_UNKNOWN, let at = sent[p.pointee.action_id] else { return }
                answers.append(event.timestamp - at)
                answeredAt[p.pointee.action_id] = event.timestamp
            }
            host.engine.router.registerHandler(.fill) { event in
                guard case .fill(let p) = event.payload else { return }
                fills += 1
                if answeredAt[p.pointee.order_id] == nil { early += 1 }
            }
            host.start()
            #expect(host.engine.waitUntilFinished(timeoutNanoseconds: 120_000_000_000))
            host.shutdown()
            return (answers, fills, early)
        }
        let immediate = try delays(Self.config())
        let base = Self.config()
        let line = try #require(base.split(separator: "\n").first { $0.contains("funding_interval: 1h") })
        let indent = line.prefix { $0 == " " }
        let delayed = try delays(base.replacingOccurrences(of: String(line), with: "\(line)\n\(indent)ack_latency: 250ms"))
        #expect(!immediate.answers.isEmpty && immediate.answers.allSatisfy { $0 == 0 }, "zero latency: answered within the same event")
        #expect(!delayed.answers.isEmpty && delayed.answers.allSatisfy { $0 == 250_000_000 }, "\(Set(delayed.answers))")
        // Resting orders fill while their answer is still on its way: the fill waits for it.
        #expect(delayed.fills > 0 && delayed.fillsBeforeAnswer == 0, "\(delayed.fillsBeforeAnswer) of \(delayed.fills) fills before their order's answer")
    }

    /// Live, a simulated venue's event times follow the host's clock: the generator starts now,
    /// recorded data is shifted to now (orders, fills, funding and expiries then agree).
    @Test("live, the simulated venues' event times are the host's clock", arguments: ["generator", "capture"])
    func liveEventTimesAreNow(source: String) throws {
        let dir = try TestPaths.temporaryDirectory()
        let settings = source == "generator"
            ? "source: generator\n      interval: 10ms\n      updates: 1000"
            : "source: capture\n      capture: \(TestPaths.root)/Data/binance/usdm_btcusdt_20240808.gz"
        try """
            exchanges:
              - name: sim
                plugin: org.arbhost.exchange.sim
                settings:
                  \(settings)
            strategies:
              - name: quoter
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: sim
            """.write(toFile: dir + "/strategies.yaml", atomically: true, encoding: .utf8)
        let host = HostRuntime(mode: .live, pluginDirectories: [try TestPaths.pluginFolder(in: dir)], configPath: dir + "/strategies.yaml")
        host.loadPlugins()
        if case .failure(let errors) = host.loadConfiguration() { Issue.record("\(errors)") }
        let seen = Mutex<[(event: Int64, clock: Int64)]>([])
        host.engine.router.registerHandler(.orderBookUpdate) { [engine = host.engine] event in
            let clock = engine.now()
            seen.withLock { if $0.count < 20 { $0.append((event.timestamp, clock)) } }
        }
        host.start()
        defer { host.shutdown() }
        #expect(waitUntil(seconds: 20) { seen.withLock { $0.count >= 20 } })
        for (event, clock) in seen.withLock({ $0 }) {
            #expect(abs(clock - event) < 2_000_000_000, "event at \(event), host clock \(clock)")
        }
    }
}
