import ArbHost
import CHostSupport
import Foundation
import PluginKit

/// Config edits and plugin swaps on a host under a steady event stream: how long from the file
/// write to the change in effect, and whether any event was lost on the way.
final class ReloadBench: @unchecked Sendable {
    let dir: String
    let pluginDir: String
    let configPath: String
    let host: HostRuntime
    let lock = NSLock()
    var arrivals: [(topic: String, payload: String, at: Int64)] = []
    var sequences: [UInt64] = []
    var producing = true
    var emitted: UInt64 = 0

    init(plugins: String) throws {
        dir = NSTemporaryDirectory() + "arbhost-bench-\(getpid())"
        pluginDir = dir + "/plugins"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: pluginDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: plugins + "/libSimVenue.so", toPath: pluginDir + "/libSimVenue.so")
        try FileManager.default.copyItem(atPath: plugins + "/libFixtureSwapV1.so", toPath: pluginDir + "/libcounter.so")
        configPath = dir + "/strategies.yaml"
        try Self.config(step: 1).write(toFile: configPath, atomically: true, encoding: .utf8)
        host = HostRuntime(mode: .live, pluginDirectories: [pluginDir], configPath: configPath)
        host.loadPlugins()
        if case .failure(let errors) = host.loadConfiguration() { fatalError("\(errors)") }
        host.engine.bus.subscribe(try TopicPattern("system.>"), .handler { [unowned self] m in
            let at = arb_monotonic_ns()
            lock.withLock { arrivals.append((String(m.topic), String(m.payload), at)) }
        })
        host.engine.bus.subscribe(try TopicPattern("custom.counter.seen"), .handler { [unowned self] m in
            let parts = String(m.payload).split(separator: " ")
            if parts.count == 3, let sequence = UInt64(parts[2]), sequence >= 2 { lock.withLock { sequences.append(sequence) } }
        })
        host.start()
        try host.startWatching()
    }

    static func config(step: Int) -> String {
        """
        exchanges:
          - name: a
            plugin: org.arbhost.exchange.sim
            settings:
              source: generator
              interval: 1h
              updates: 100
        strategies:
          - name: counter
            plugin: org.arbhost.test.counter
            parameters:
              venue: a
              step: \(step)
        """
    }

    /// Emits a numbered stream on a:BTCUSDT from its own thread until `finish`.
    func startProducing() {
        let venue = host.exchanges.exchange(named: "a")!
        let id = host.engine.instruments.id(for: Instrument(venue: "a", symbol: "BTCUSDT", kind: .perpetual))
        Thread { [self] in
            let hostTable = venue.hostTable
            var sequence: UInt64 = 1
            var bid = Pipeline.level(590_000, 1), ask = Pipeline.level(590_001, 1)
            func emit(_ snapshot: Bool) {
                var u = arb_book_update_t(struct_size: UInt32(MemoryLayout<arb_book_update_t>.size), instrument: id.rawValue,
                                          is_snapshot: snapshot ? 1 : 0, first_sequence: sequence, last_sequence: sequence,
                                          previous_sequence: 0, ts_event: 0, ts_init: 0, bids: nil, bid_count: 1,
                                          asks: nil, ask_count: snapshot ? 1 : 0)
                withUnsafePointer(to: &bid) { b in
                    withUnsafePointer(to: &ask) { a in
                        u.bids = b
                        u.asks = a
                        while hostTable.pointee.emit_book(hostTable, 0, &u) == ARB_ERR_QUEUE_FULL { sched_yield() }
                    }
                }
            }
            emit(true)
            while lock.withLock({ producing }) {
                sequence += 1
                bid = Pipeline.level(590_000, Int64(1 + sequence % 5))
                emit(false)
                lock.withLock { emitted = sequence }
                usleep(100)
            }
        }.start()
    }

    func arrivals(_ topic: String) -> [(payload: String, at: Int64)] {
        lock.withLock { arrivals.filter { $0.topic == topic }.map { ($0.payload, $0.at) } }
    }

    /// Waits for the n-th message on a topic; returns its arrival time.
    func waitFor(_ topic: String, count: Int) -> Int64? {
        let deadline = arb_monotonic_ns() + 10_000_000_000
        while arb_monotonic_ns() < deadline {
            let seen = arrivals(topic)
            if seen.count >= count { return seen[count - 1].at }
            usleep(200)
        }
        return nil
    }

    func finish() -> (lost: Int, duplicated: Int) {
        lock.withLock { producing = false }
        usleep(20_000)
        host.engine.perform { _ in }
        let (seen, last) = lock.withLock { (sequences, emitted) }
        host.shutdown()
        try? FileManager.default.removeItem(atPath: dir)
        let unique = Set(seen)
        return (Int(last) - 1 - unique.count, seen.count - unique.count)
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    /// Runs both measurements; returns the figures.
    static func run(plugins: String, edits: Int, swaps: Int) throws -> [Figure] {
        let bench = try ReloadBench(plugins: plugins)
        bench.startProducing()
        usleep(200_000)
        var editLatencies: [Double] = []
        for i in 1...edits {
            let text = config(step: 1 + i)
            let start = arb_monotonic_ns()
            if i % 2 == 0 {
                let temporary = bench.dir + "/.next.yaml"
                try text.write(toFile: temporary, atomically: false, encoding: .utf8)
                rename(temporary, bench.configPath)
            } else {
                let handle = FileHandle(forWritingAtPath: bench.configPath)!
                try handle.truncate(atOffset: 0)
                try handle.write(contentsOf: Data(text.utf8))
                try handle.close()
            }
            guard let applied = bench.waitFor("system.config_applied", count: i) else { fatalError("edit \(i) was not applied") }
            editLatencies.append(Double(applied - start) / 1e6)
        }
        var swapLatencies: [Double] = []
        var switchTimes: [Double] = []
        for i in 1...swaps {
            let build = i % 2 == 1 ? "libFixtureSwapV2.so" : "libFixtureSwapV1.so"
            let temporary = bench.pluginDir + "/.next.so"
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.copyItem(atPath: plugins + "/" + build, toPath: temporary)
            let start = arb_monotonic_ns()
            rename(temporary, bench.pluginDir + "/libcounter.so")
            guard let swapped = bench.waitFor("system.plugin_swapped", count: i) else { fatalError("swap \(i) did not happen") }
            swapLatencies.append(Double(swapped - start) / 1e6)
            let payload = bench.arrivals("system.plugin_swapped")[i - 1].payload
            if let range = payload.range(of: "switched in "), let end = payload[range.upperBound...].firstIndex(of: " "),
               let micros = Double(payload[range.upperBound..<end]) {
                switchTimes.append(micros)
            }
        }
        let applied = bench.arrivals("system.config_applied").count
        let (lost, duplicated) = bench.finish()
        precondition(applied == edits, "\(applied) config_applied events for \(edits) edits")
        precondition(lost == 0 && duplicated == 0, "events lost: \(lost), duplicated: \(duplicated)")
        let streamNote = "while a book stream flowed (10k events/s): 0 events lost, 0 duplicated"
        func figure(_ name: String, _ values: [Double], _ p: Double, _ workload: String, unit: String = "ms") -> Figure {
            let value = p == 0.5 ? Measure.median(values) : percentile(values, p)
            let f = Figure(name: name, value: value, unit: unit, workload: workload, samples: values)
            print(String(format: "%-48@ %10.2f %@   (%@)", f.name as NSString, f.value, unit as NSString, f.workload as NSString))
            return f
        }
        return [
            figure("config edit → applied, median", editLatencies, 0.5,
                   "\(edits) edits of a parameter (half renamed over, half rewritten in place), file write to config_applied; 15 ms debounce; \(streamNote)"),
            figure("config edit → applied, p99", editLatencies, 0.99, "the same \(edits) edits"),
            figure("plugin file replaced → swapped, median", swapLatencies, 0.5,
                   "\(swaps) swaps of a C strategy build (rename over), detection + load + create + state move + switch; \(streamNote)"),
            figure("plugin file replaced → swapped, p99", swapLatencies, 0.99, "the same \(swaps) swaps"),
            figure("swap: switch on the engine thread, median", switchTimes, 0.5,
                   "save_state → restore_state → start of the new build, between two events", unit: "µs"),
        ]
    }
}
