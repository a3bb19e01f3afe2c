import ArbSDK
import Foundation
import PluginKit
import Testing
@testable import ArbHost

/// A host running from a real strategies.yaml in a temporary folder, with a bus recorder and
/// a producer thread that emits a numbered book stream on `a:BTCUSDT`.
final class ReloadFixture: @unchecked Sendable {
    let dir: String
    let pluginDir: String
    let configPath: String
    let host: HostRuntime
    private let lock = NSLock()
    private var _seen: [(variant: String, count: UInt64, sequence: UInt64)] = []
    private var _system: [(topic: String, payload: String)] = []
    private var producer: Thread?
    private var producing = false
    private(set) var emitted: UInt64 = 0

    /// - Parameter counterPlugin: which build of the counter fixture is installed as libcounter.so.
    init(config: String, counterPlugin: String = "FixtureSwapV1", watch: Bool = true) throws {
        dir = try TestPaths.temporaryDirectory()
        pluginDir = try TestPaths.pluginFolder(in: dir, renamed: ["libcounter.so": counterPlugin])
        configPath = dir + "/strategies.yaml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        host = HostRuntime(mode: .live, pluginDirectories: [pluginDir], configPath: configPath)
        host.loadPlugins()
        if case .failure(let errors) = host.loadConfiguration() { Issue.record("\(errors)") }
        host.engine.bus.subscribe(try TopicPattern("custom.counter.seen"), .handler { [unowned self] m in
            let parts = String(m.payload).split(separator: " ")
            guard parts.count == 3, let count = UInt64(parts[1]), let sequence = UInt64(parts[2]) else { return }
            lock.withLock { _seen.append((String(parts[0]), count, sequence)) }
        })
        host.engine.bus.subscribe(try TopicPattern("system.>"), .handler { [unowned self] m in
            lock.withLock { _system.append((String(m.topic), String(m.payload))) }
        })
        host.start()
        if watch { try host.startWatching() }
    }

    var seen: [(variant: String, count: UInt64, sequence: UInt64)] { lock.withLock { _seen } }
    var system: [(topic: String, payload: String)] { lock.withLock { _system } }
    func system(_ topic: String) -> [String] { system.filter { $0.topic == topic }.map(\.payload) }

    /// Starts a thread emitting a snapshot and then deltas with sequence 2, 3, … on a:BTCUSDT,
    /// one every `pause` µs, as the venue's I/O thread would.
    func startProducing(pause: UInt32 = 200) throws {
        let venue = try #require(host.exchanges.exchange(named: "a"))
        let id = host.engine.instruments.id(for: Instrument(venue: "a", symbol: "BTCUSDT", kind: .perpetual))
        let emitter = BookEmitter(host: venue.hostTable, instrument: id)
        emitter.prices = ("59000.2", "59000.1", "59000.3", "59000.4")
        producing = true
        let thread = Thread { [self] in
            emitter.snapshot()
            while producingNow {
                emitter.delta()
                lock.withLock { emitted = emitter.sequence }
                usleep(pause)
            }
        }
        producer = thread
        thread.start()
    }

    private var producingNow: Bool { lock.withLock { producing } }

    /// Stops the producer and waits until the engine handled everything it emitted.
    func stopProducing() {
        lock.withLock { producing = false }
        while let p = producer, !p.isFinished { usleep(1000) }
        host.engine.perform { _ in }
    }

    /// Rewrites the config by writing a temporary file and renaming it over.
    func replaceConfig(_ text: String) throws {
        let temporary = dir + "/.strategies.yaml.tmp"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        #expect(rename(temporary, configPath) == 0)
    }

    /// Rewrites the config in place: truncate, write, close.
    func rewriteConfigInPlace(_ text: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: configPath))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    /// Installs another build as libcounter.so the way a deploy does: copy, then rename over.
    func installCounter(_ product: String) throws {
        let temporary = pluginDir + "/.libcounter.so.new"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: TestPaths.plugin(product), toPath: temporary)
        #expect(rename(temporary, pluginDir + "/libcounter.so") == 0)
    }

    func shutdown() { host.shutdown() }
}

/// The configuration the reload tests start from. `extraStrategies` are more list items
/// under `strategies:`, indented by two spaces.
func counterConfig(step: Int = 1, venue: String = "a", quoter: Bool = true, extraStrategies: String = "") -> String {
    var text = """
        exchanges:
          - name: a
            plugin: org.arbhost.exchange.sim
            settings:
              source: generator
              interval: 1h
              updates: 100
          - name: b
            plugin: org.arbhost.exchange.sim
            settings:
              source: generator
              interval: 1h
              updates: 100
              seed: 2
        strategies:
          - name: counter
            plugin: org.arbhost.test.counter
            parameters:
              venue: \(venue)
              step: \(step)

        """
    if quoter {
        text += """
              - name: quoter
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: a
                  offset_ticks: 4
                  requote_ticks: 1000

            """
    }
    text += extraStrategies
    text += """
        risk:
          max_daily_loss: 500

        """
    return text
}
