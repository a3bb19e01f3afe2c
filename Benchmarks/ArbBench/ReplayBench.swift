import ArbSDK
import ArbConfig
import ArbEngine
import ArbMarket
import ArbPlugins
import ArbRuntime
import ArbTrading
import CHostSupport
import Foundation
import ArbBook
import ArbModel
import VenueBinance
import VenueWire

/// Replay throughput: the real capture and generated markets, stepped on the engine thread
/// through the simulated venue plugins into the host's books and a strategy plugin.
enum ReplayBench {
    /// Runs one replay of `config` (YAML text) and returns (wall ns of the stepping, events handled).
    /// `busSubscriber`: a host-side subscriber on `data.>`, so every book and trade update is
    /// also published on the bus as JSON.
    static func replay(_ config: String, plugins: String, busSubscriber: Bool = false) throws -> (nanoseconds: Int64, events: UInt64) {
        let dir = NSTemporaryDirectory() + "arbhost-replay-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try config.write(toFile: dir + "/strategies.yaml", atomically: true, encoding: .utf8)
        let host = HostRuntime(mode: .replay, pluginDirectories: [plugins + "/plugins"], configPath: dir + "/strategies.yaml")
        host.loadPlugins()
        if case .failure(let errors) = host.loadConfiguration() { fatalError("\(errors)") }
        if busSubscriber {
            let pattern = try TopicPattern("data.>")
            host.engine.perform { engine in _ = engine.bus.subscribe(pattern, .handler { _ in }) }
        }
        host.start()
        _ = host.engine.waitUntilFinished()
        let elapsed = host.engine.replayEnded.load(ordering: .acquiring) - host.engine.replayBegan.load(ordering: .acquiring)
        let events = host.engine.eventsProcessed
        host.shutdown()
        return (elapsed, events)
    }

    static func peakMemoryMiB() -> Double { ReplaySummary.peakMemory() ?? .nan }

    /// Runs `arbhost replay` of the capture as a child process; the peak memory it reports
    /// (its own VmHWM: a child's rusage would carry the parent's high-water mark across exec).
    static func replayProcessPeakMiB(plugins: String) -> Double? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: plugins + "/arbhost")
        p.arguments = ["replay", "--config", "configs/replay-usdm.yaml", "--plugin-dir", plugins + "/plugins", "--no-build-plugins"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let line = output.split(separator: "\n").first(where: { $0.hasPrefix("peak memory: ") }) else { return nil }
        return Double(line.dropFirst("peak memory: ".count).prefix { $0.isNumber || $0 == "." })
    }

    static func run(plugins: String, runs: Int, capture: Bool, generated: Bool) throws -> [Figure] {
        var figures: [Figure] = []
        if capture {
            figures += try captureFigures(plugins: plugins, runs: runs)
            if let peak = replayProcessPeakMiB(plugins: plugins) {
                let f = Figure(name: "peak memory, one capture replay", value: peak, unit: "MiB",
                               workload: "maximum resident set of `arbhost replay --config configs/replay-usdm.yaml` in its own process (the reference engine's: about 260 MiB)",
                               samples: [peak])
                print(String(format: "%-48@ %10.1f MiB", f.name as NSString, f.value))
                figures.append(f)
            }
        }
        if generated { figures += try generatedFigures(plugins: plugins, runs: runs) }
        let peak = Figure(name: "peak memory (whole bench process)", value: peakMemoryMiB(), unit: "MiB",
                          workload: "VmHWM after the replays above (includes the capture in memory)", samples: [])
        print(String(format: "%-48@ %10.1f MiB", peak.name as NSString, peak.value))
        figures.append(peak)
        return figures
    }

    static func captureFigures(plugins: String, runs: Int) throws -> [Figure] {
        var figures: [Figure] = []
        let path = "Data/binance/usdm_btcusdt_20240808.gz"
        var lines = 0
        figures.append(Measure.figure("capture decompression", unit: "ms", workload: "gunzip \(path) into memory (apart from replay)",
                                      runs: runs) {
            let start = Measure.now()
            let capture = try? Capture.load(path: path)
            lines = capture?.lines.count ?? 0
            return Double(Measure.now() - start) / 1e6
        })
        let capture = """
            exchanges:
              - name: sim
                plugin: org.arbhost.exchange.sim
                settings:
                  capture: \(FileManager.default.currentDirectoryPath)/\(path)
            strategies:
              - name: quoter
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: sim
                  offset_ticks: 2
                  requote_ticks: 3
            """
        if let loaded = try? Capture.load(path: path) { figures += CaptureStages.figures(loaded, runs: runs) }
        var events: UInt64 = 0
        let f = Measure.figure("replay, real USD-M capture", unit: "lines/s",
                               workload: "\(lines) lines (bookTicker, depth, trade each one) from memory: parse → Binance sync → venue book → host book → router → C quoter placing and cancelling paper orders",
                               runs: runs) {
            guard let r = try? replay(capture, plugins: plugins) else { return .nan }
            events = r.events
            return Double(lines) / (Double(r.nanoseconds) / 1e9)
        }
        figures.append(f)
        print("  (host events handled per run: \(events))")
        figures.append(Measure.figure("replay, real USD-M capture, updates also on the bus", unit: "lines/s",
                                      workload: "the same, with a subscriber on data.>: each book and trade update also published on the bus as JSON",
                                      runs: runs) {
            guard let r = try? replay(capture, plugins: plugins, busSubscriber: true) else { return .nan }
            return Double(lines) / (Double(r.nanoseconds) / 1e9)
        })
        return figures
    }

    static func generatedFigures(plugins: String, runs: Int) throws -> [Figure] {
        var figures: [Figure] = []
        for (venues, symbols, updates) in [(2, 1, 50_000), (4, 100, 500)] {
            let symbolList = (0..<symbols).map { "S\($0)USDT:perpetual" }.joined(separator: ",")
            var yaml = "exchanges:\n"
            for v in 0..<venues {
                yaml += """
                      - name: v\(v)
                        plugin: org.arbhost.exchange.sim
                        settings:
                          source: generator
                          seed: 11
                          venue_seed: \(v + 1)
                          markets: \(symbolList)
                          interval: 10ms
                          updates: \(updates)
                          depth: 20

                    """
            }
            // One strategy listens to every book: the host subscribes it to all of `symbols`.
            let all = (0..<venues).flatMap { v in (0..<symbols).map { "v\(v):S\($0)USDT" } }.joined(separator: ", ")
            yaml += """
                strategies:
                  - name: q
                    plugin: org.arbhost.strategy.cross-quoter
                    symbols: [\(all)]
                    parameters:
                      venue: v0
                      symbol: S0USDT
                      place_orders: false
                """
            let messages = venues * symbols * updates
            figures.append(Measure.figure("replay, generated \(venues) venues × \(symbols) symbol\(symbols == 1 ? "" : "s")", unit: "events/s",
                                          workload: "generator venues stepped on event time, \(updates) updates of every book, all subscribed by one C strategy; events = host events handled",
                                          runs: max(1, runs / 2)) {
                guard let r = try? replay(yaml, plugins: plugins) else { return .nan }
                _ = messages
                return Double(r.events) / (Double(r.nanoseconds) / 1e9)
            })
        }
        return figures
    }
}
