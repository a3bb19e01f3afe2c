import ArbSDK
import ArbConfig
import ArbEngine
import ArbMarket
import ArbPlugins
import ArbRuntime
import ArbTrading
import ArbTestKit
import CHostSupport
import Foundation
import ArbBook
import ArbModel
import VenueBinance
import VenueWire

/// Config edits and plugin swaps on a host under a steady event stream: how long from the file
/// write to the change in effect, and whether any event was lost on the way.
enum ReloadBench {
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

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    /// Runs both measurements; returns the figures.
    static func run(plugins: String, edits: Int, swaps: Int) throws -> [Figure] {
        let bench = try LiveHostFixture(config: config(step: 1), plugins: ["libSimVenue.so": "SimVenue", "libcounter.so": "FixtureSwapV1"])
        bench.startProducing(pause: 100)
        usleep(200_000)
        var editLatencies: [Double] = []
        for i in 1...edits {
            let text = config(step: 1 + i)
            let start = arb_monotonic_ns()
            if i % 2 == 0 { try bench.replaceConfig(text) } else { try bench.rewriteConfigInPlace(text) }
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
            let payload = bench.system("system.plugin_swapped")[i - 1]
            if let range = payload.range(of: "switched in "), let end = payload[range.upperBound...].firstIndex(of: " "),
               let micros = Double(payload[range.upperBound..<end]) {
                switchTimes.append(micros)
            }
        }
        let applied = bench.system("system.config_applied").count
        bench.stopProducing()
        let (lost, duplicated) = bench.lostAndDuplicated()
        bench.shutdown()
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
