import ArbSDK
import ArbBook
import ArbModel
import VenueBinance
import VenueWire
import CHostSupport
import Foundation

/// One measured figure: the median of its samples, with unit and workload.
struct Figure: Codable {
    var name: String
    var value: Double
    var unit: String
    var workload: String
    var samples: [Double]
}

enum Measure {
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Runs `body` `runs` times; each run returns ns per operation.
    static func figure(_ name: String, unit: String = "ns", workload: String, runs: Int, _ body: () -> Double) -> Figure {
        let samples = (0..<runs).map { _ in body() }
        let f = Figure(name: name, value: median(samples), unit: unit, workload: workload, samples: samples)
        print(String(format: "%-48@ %10.2f %@   (median of %d; %@)", f.name as NSString, f.value, f.unit as NSString,
                     runs, f.workload as NSString))
        return f
    }

    @inline(__always) static func now() -> Int64 { arb_monotonic_ns() }
}
