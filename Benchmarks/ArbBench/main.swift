// arbhost-bench: the measured figures of the hot path.
//
//   arbhost-bench --plugins DIR [--json FILE] [--markdown FILE] [--runs N] [--events N]
//   arbhost-bench --plugins DIR --check-allocations [--events N]   (run with LD_PRELOAD=libMallocCounter.so)
import ArbSDK
import ArbConfig
import ArbEngine
import ArbMarket
import ArbPlugins
import ArbRuntime
import ArbTrading
import CHostSupport
import Foundation
import Logging
import ArbBook
import ArbModel
import VenueBinance
import VenueWire

struct Options {
    var plugins = ".build/release"
    var json: String?
    var markdown: String?
    var runs = 5
    var events = 100_000
    var checkAllocations = false
    /// Run only the groups named (pipeline, roundtrip, bus, replay = capture + generated, reload); all when empty.
    var only: Set<String> = []

    static let usage = """
        usage: arbhost-bench [--plugins DIR] [--json OUT.json] [--markdown OUT.md] [--runs N] [--events N]
                             [--only GROUP]... [--check-allocations]
          --plugins DIR          the folder with the built plugins (default .build/release)
          --json, --markdown     also write the figures as JSON (stamped with the commit) and as BENCHMARKS.md
          --runs N               timed runs per figure, the median reported (default 5)
          --events N             events per pipeline run (default 100000)
          --only GROUP           pipeline, roundtrip, bus, replay (capture + generated) or reload; repeatable
          --check-allocations    count mallocs on the hot path (run with LD_PRELOAD=libMallocCounter.so)
        """

    /// Exits with the usage on --help (status 0) or on a bad argument (status 2).
    static func exit(_ message: String?) -> Never {
        if let message { FileHandle.standardError.write(Data("arbhost-bench: \(message)\n\n\(usage)\n".utf8)) }
        else { print(usage) }
        Foundation.exit(message == nil ? 0 : 2)
    }

    init(_ arguments: [String]) {
        var i = 1
        func value() -> String {
            i += 1
            guard i < arguments.count else { Options.exit("\(arguments[i - 1]) needs a value") }
            return arguments[i]
        }
        func number() -> Int {
            let text = value()
            guard let n = Int(text), n > 0 else { Options.exit("\(arguments[i - 1]) needs a positive number, found '\(text)'") }
            return n
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--help", "-h": Options.exit(nil)
            case "--plugins": plugins = value()
            case "--json": json = value()
            case "--markdown": markdown = value()
            case "--runs": runs = number()
            case "--events": events = number()
            case "--check-allocations": checkAllocations = true
            case "--only":
                let group = value()
                guard ["pipeline", "roundtrip", "bus", "replay", "reload"].contains(group) else {
                    Options.exit("--only takes pipeline, roundtrip, bus, replay or reload, not '\(group)'")
                }
                only.insert(group)
            default: Options.exit("unknown argument \(arguments[i])")
            }
            i += 1
        }
    }
}

LoggingSystem.bootstrap { label in
    var handler = LineLogHandler(label: label, format: .text)
    handler.logLevel = .error
    return handler
}
let options = Options(CommandLine.arguments)

if options.checkAllocations {
    exit(AllocationCheck.run(options))
}

var figures: [Figure] = []
let events = options.events

func wanted(_ group: String) -> Bool { options.only.isEmpty || options.only.contains(group) }

// 1. The whole path, per event, for each strategy set: end to end with the engine thread
//    running (producer and engine on separate cores), and the engine's own work alone.
var engineMedians: [Pipeline.Strategies: Double] = [:]
for which in Pipeline.Strategies.allCases where wanted("pipeline") {
    let pipeline = try Pipeline(pluginDirectory: options.plugins, strategies: which)
    pipeline.produce(20_000)  // warm up: books at depth, caches hot
    pipeline.settle()
    var done = pipeline.engine.eventsProcessed
    figures.append(Measure.figure("end to end per event, strategies: \(which.rawValue)",
                                  workload: "\(events) one-level book deltas emitted by another thread → ring → engine thread → book → router → plugins (throughput)",
                                  runs: options.runs) {
        let start = Measure.now()
        pipeline.produce(events)
        done += UInt64(events)
        pipeline.waitFor(events: done)
        return Double(Measure.now() - start) / Double(events)
    })
    pipeline.shutdown()

    let inline = try Pipeline(pluginDirectory: options.plugins, strategies: which, threaded: false)
    let batch = 20_000
    inline.produce(batch)
    inline.engine.runPending()
    if which == .none {
        figures.append(Measure.figure("adapter emit per event", workload:
            "\(batch) one-level deltas emitted through the host table into the ring (adapter thread side)",
                                      runs: options.runs * 3) {
            let start = Measure.now()
            inline.produce(batch)
            let elapsed = Measure.now() - start
            inline.engine.runPending()
            return Double(elapsed) / Double(batch)
        })
    }
    let f = Measure.figure("engine work per event, strategies: \(which.rawValue)",
                           workload: "\(batch) deltas already in the ring, handled on one thread: read → book → router → plugins",
                           runs: options.runs * 3) {
        inline.produce(batch)
        let start = Measure.now()
        inline.engine.runPending()
        return Double(Measure.now() - start) / Double(batch)
    }
    engineMedians[which] = f.value
    figures.append(f)
    inline.shutdown()
}
for which in [Pipeline.Strategies.swift, .c] where wanted("pipeline") {
    let extra = (engineMedians[which] ?? .nan) - (engineMedians[.none] ?? .nan)
    let f = Figure(name: "cost per event, \(which.rawValue) plugin", value: extra, unit: "ns",
                   workload: "engine work with only the \(which.rawValue) strategy minus with none (medians): the plugin's callback and its host query",
                   samples: [])
    print(String(format: "%-48@ %10.2f ns   (%@)", f.name as NSString, f.value, f.workload as NSString))
    figures.append(f)
}

// 2. A bare host → plugin → host round trip, against one indirect C call.
if wanted("roundtrip") {
    let pipeline = try Pipeline(pluginDirectory: options.plugins, strategies: .both)
    let calls = 10_000_000
    let noop = arb_bench_noop()!
    figures.append(Measure.figure("indirect C call (baseline)", workload: "\(calls) calls of a no-op C function pointer",
                                  runs: options.runs) {
        let start = Measure.now()
        for _ in 0..<calls { noop(nil) }
        return Double(Measure.now() - start) / Double(calls)
    })
    for (name, label) in [("quoter", "C"), ("spread-watch", "Swift")] {
        guard let s = pipeline.strategies.strategy(named: name) else { continue }
        let id = pipeline.instrumentA
        let f: Figure = pipeline.engine.perform { _ in
            Measure.figure("round trip host → \(label) plugin → host", workload:
                "\(calls) on_book_resynced calls; the plugin reads the host clock once", runs: options.runs) {
                let start = Measure.now()
                for _ in 0..<calls { s.deliverBookResynced(id) }
                return Double(Measure.now() - start) / Double(calls)
            }
        }
        figures.append(f)
    }
    pipeline.shutdown()
}

// 3. Bus publish to 1 and 10 subscribers.
for subscribers in [1, 10] where wanted("bus") {
    let bus = MessageBus()
    var received = 0
    for _ in 0..<subscribers {
        bus.subscribe(try TopicPattern("custom.bench.*"), .handler { _ in received &+= 1 })
    }
    let messages = 2_000_000
    let topic = Array("custom.bench.tick".utf8)
    let payload = Array("{\"px\":\"61800.30\"}".utf8)
    figures.append(Measure.figure("bus publish, \(subscribers) subscriber\(subscribers == 1 ? "" : "s")",
                                  workload: "\(messages) publishes of a 17-byte payload to a pattern subscription",
                                  runs: options.runs) {
        topic.withUnsafeBufferPointer { t in
            payload.withUnsafeBufferPointer { p in
                let message = BusMessage(topic: arb_str_t(t), payload: arb_str_t(p), source: .host,
                                         sourceName: arb_str_t.empty, correlationId: 0, timestamp: 0)
                let start = Measure.now()
                for _ in 0..<messages { bus.publish(message) }
                return Double(Measure.now() - start) / Double(messages)
            }
        }
    })
    precondition(received == messages * subscribers * options.runs, "bus lost messages")
}

// 4. Replay throughput.
if wanted("replay") || wanted("capture") || wanted("generated") {
    figures += try ReplayBench.run(plugins: options.plugins, runs: options.runs,
                                   capture: wanted("replay") || wanted("capture"),
                                   generated: wanted("replay") || wanted("generated"))
}

// 5. Config edits and plugin swaps under a steady stream.
if wanted("reload") {
    figures += try ReloadBench.run(plugins: options.plugins, edits: 100, swaps: 30)
}

try Report.write(figures, json: options.json, markdown: options.markdown, options: options)
