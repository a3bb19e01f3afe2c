import ArbSDK
import Foundation
import PluginKit
import Testing
@testable import ArbHost

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
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir)
        try config.write(toFile: dir + "/strategies.yaml", atomically: true, encoding: .utf8)
        let host = HostRuntime(mode: .replay, pluginDirectories: [plugins], configPath: dir + "/strategies.yaml")
        host.loadPlugins()
        if case .failure(let errors) = host.loadConfiguration() { Issue.record("\(errors)") }
        return host
    }

    func run(_ config: String) throws -> (recorder: ReplayRecorder, funding: FundingRateService, host: HostRuntime) {
        let host = try replayHost(config)
        let recorder = ReplayRecorder(engine: host.engine)
        let funding = FundingRateService(engine: host.engine)
        host.start()
        #expect(host.engine.waitUntilFinished(timeoutNanoseconds: 120_000_000_000))
        return (recorder, funding, host)
    }

    @Test("venues share the index, quote every market, pay funding at their own intervals, and settle the dated future")
    func generatedMarkets() throws {
        let (recorder, funding, host) = try run(Self.config())
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
        // Both venues quote around the same index: their perpetuals stay within a few ticks plus the basis.
        let books = host.engine.perform { engine -> [ExactDecimal] in
            ["fast", "slow"].compactMap { venue in
                engine.instruments.existingId(for: Instrument(venue: venue, symbol: "BTCUSDT", kind: .perpetual))
                    .flatMap { engine.market.latestPrice($0) }
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

    @Test("acknowledgement latency goes through host timers: each answer lands exactly that much later on the event clock")
    func latency() throws {
        func delays(_ config: String) throws -> [Int64] {
            let host = try replayHost(config)
            var sent: [UInt64: Int64] = [:]
            var answered: [Int64] = []
            host.engine.router.registerHandler(.orderCreated) { event in
                if case .order(let p) = event.payload, p.pointee.status == ARB_ORDER_PENDING { sent[p.pointee.order_id] = event.timestamp }
            }
            host.engine.router.registerHandler(.actionResult) { event in
                guard case .actionResult(let p) = event.payload, p.pointee.kind == ARB_ACTION_SUBMIT_ORDER,
                      let at = sent[p.pointee.action_id] else { return }
                answered.append(event.timestamp - at)
            }
            host.start()
            #expect(host.engine.waitUntilFinished(timeoutNanoseconds: 120_000_000_000))
            host.shutdown()
            return answered
        }
        let immediate = try delays(Self.config())
        let base = Self.config()
        let line = try #require(base.split(separator: "\n").first { $0.contains("funding_interval: 1h") })
        let indent = line.prefix { $0 == " " }
        let delayed = try delays(base.replacingOccurrences(of: String(line), with: "\(line)\n\(indent)ack_latency: 250ms"))
        #expect(!immediate.isEmpty && immediate.allSatisfy { $0 == 0 }, "zero latency: answered within the same event")
        #expect(!delayed.isEmpty && delayed.allSatisfy { $0 == 250_000_000 }, "\(Set(delayed))")
    }
}
