import ArbConfig
import ArbEngine
import ArbMarket
import ArbPlugins
import ArbRuntime
import ArbTrading
import ArbModel
import ArbSDK
import CHostSupport
import Foundation

/// A live host running from a real strategies.yaml in a temporary folder, with what tests and
/// the reload benchmark watch: every `system.*` bus message with its arrival time, what the
/// counter fixture strategy reports seeing (`custom.counter.seen`), and a producer thread that
/// emits a numbered book stream on `a:BTCUSDT` as the venue's I/O thread would.
public final class LiveHostFixture: @unchecked Sendable {
    public struct Arrival: Sendable {
        public var topic: String
        public var payload: String
        /// Monotonic ns when it was delivered.
        public var at: Int64
    }

    public struct Seen: Sendable {
        public var variant: String
        public var count: UInt64
        public var sequence: UInt64
    }

    public enum SetupError: Error, CustomStringConvertible {
        case configuration(String)
        public var description: String {
            switch self { case .configuration(let text): "the fixture's configuration was refused: \(text)" }
        }
    }

    public let dir: String
    public let pluginDir: String
    public let configPath: String
    public let host: HostRuntime
    private let lock = NSLock()
    private var _seen: [Seen] = []
    private var _system: [Arrival] = []
    private var producer: Thread?
    private var producing = false
    private var _emitted: UInt64 = 0

    /// - Parameters:
    ///   - config: the YAML text of strategies.yaml.
    ///   - plugins: plugin files to install: file name in the plugin folder → built product.
    ///   - watch: watch the file and the plugin folder as `arbhost run` does.
    public init(config: String, plugins: [String: String], watch: Bool = true) throws {
        dir = try TestPaths.temporaryDirectory()
        pluginDir = try TestPaths.pluginFolder(in: dir, [], renamed: plugins)
        configPath = dir + "/strategies.yaml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        host = HostRuntime(mode: .live, pluginDirectories: [pluginDir], configPath: configPath)
        host.loadPlugins()
        if case .failure(let errors) = host.loadConfiguration() { throw SetupError.configuration("\(errors)") }
        host.engine.bus.subscribe(try TopicPattern("custom.counter.seen"), .handler { [unowned self] m in
            let parts = String(m.payload).split(separator: " ")
            guard parts.count == 3, let count = UInt64(parts[1]), let sequence = UInt64(parts[2]) else { return }
            lock.withLock { _seen.append(Seen(variant: String(parts[0]), count: count, sequence: sequence)) }
        })
        host.engine.bus.subscribe(try TopicPattern("system.>"), .handler { [unowned self] m in
            let at = arb_monotonic_ns()
            lock.withLock { _system.append(Arrival(topic: String(m.topic), payload: String(m.payload), at: at)) }
        })
        host.start()
        if watch { try host.startWatching() }
    }

    public var seen: [Seen] { lock.withLock { _seen } }
    public var system: [Arrival] { lock.withLock { _system } }
    /// The payloads of the `system.*` messages on `topic`, in order.
    public func system(_ topic: String) -> [String] { system.filter { $0.topic == topic }.map(\.payload) }
    /// The highest sequence emitted so far.
    public var emitted: UInt64 { lock.withLock { _emitted } }

    /// Waits (up to 10 s) for the `count`-th message on `topic`; returns when it arrived.
    public func waitFor(_ topic: String, count: Int) -> Int64? {
        var at: Int64?
        _ = waitUntil {
            let arrivals = system.filter { $0.topic == topic }
            if arrivals.count >= count { at = arrivals[count - 1].at }
            return at != nil
        }
        return at
    }

    /// Starts a thread emitting a snapshot and then deltas with sequence 2, 3, … on a:BTCUSDT,
    /// one every `pause` µs.
    public func startProducing(pause: UInt32 = 200) {
        guard let venue = host.exchanges.exchange(named: "a") else { preconditionFailure("the fixture's config has no venue 'a'") }
        let id = host.engine.instruments.id(for: Instrument(venue: "a", symbol: "BTCUSDT", kind: .perpetual))
        let emitter = BookEmitter(host: venue.hostTable, instrument: id)
        emitter.prices = ("59000.2", "59000.1", "59000.3", "59000.4")
        lock.withLock { producing = true }
        let thread = Thread { [self] in
            emitter.snapshot()
            while lock.withLock({ producing }) {
                emitter.delta()
                lock.withLock { _emitted = emitter.sequence }
                usleep(pause)
            }
        }
        producer = thread
        thread.start()
    }

    /// Stops the producer and waits until the engine handled everything it emitted.
    public func stopProducing() {
        lock.withLock { producing = false }
        while let p = producer, !p.isFinished { usleep(1000) }
        host.engine.perform { _ in }
    }

    /// Deltas the counter strategy never saw, and ones it saw twice (sequences from 2 on).
    public func lostAndDuplicated() -> (lost: Int, duplicated: Int) {
        let sequences = seen.map(\.sequence).filter { $0 >= 2 }
        let unique = Set(sequences)
        return (Int(emitted) - 1 - unique.count, sequences.count - unique.count)
    }

    /// Rewrites the config by writing a temporary file and renaming it over (how editors save).
    public func replaceConfig(_ text: String) throws {
        let temporary = dir + "/.strategies.yaml.tmp"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, configPath) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Rewrites the config in place: truncate, write, close.
    public func rewriteConfigInPlace(_ text: String) throws {
        guard let handle = FileHandle(forWritingAtPath: configPath) else { throw CocoaError(.fileNoSuchFile) }
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    /// Installs another build under `file` in the plugin folder the way a deploy does: copy,
    /// then rename over.
    public func installPlugin(_ product: String, as file: String = "libcounter.so") throws {
        let temporary = pluginDir + "/.\(file).new"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: TestPaths.plugin(product), toPath: temporary)
        guard rename(temporary, pluginDir + "/" + file) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Shuts the host down and removes the folder.
    public func shutdown() {
        host.shutdown()
        try? FileManager.default.removeItem(atPath: dir)
    }
}
