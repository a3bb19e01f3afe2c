import ArbConfig
import ArbEngine
import Dispatch

/// `arbhost replay`: the configured strategies on recorded or generated data, the simulated
/// venues stepped on the data's time, then the summary and digest.
public struct ReplayRun {
    /// The simulated venue's plugin id: the venues a `--quotes` file feeds.
    public static let simulatedVenuePlugin = "org.arbhost.exchange.sim"

    public var configPath: String
    public var pluginDirectories: [String]
    /// A quotes CSV that replaces every simulated venue's source.
    public var quotesPath: String?
    /// Start (earlier data only warms the books up) and end of the window, ns since the epoch.
    public var window: (start: Int64?, end: Int64?) = (nil, nil)
    /// nil: as fast as possible; n: event time runs n times wall time.
    public var speed: Int64?

    public init(configPath: String, pluginDirectories: [String]) {
        self.configPath = configPath
        self.pluginDirectories = pluginDirectories
    }

    /// Points every simulated venue of `config` at the quotes file `path`.
    public static func feedQuotes(_ path: String, into config: inout SystemConfig) {
        for i in config.exchanges.indices where config.exchanges[i].plugin == simulatedVenuePlugin {
            config.exchanges[i].settings.entries.removeAll { $0.key == "source" || $0.key == "quotes" }
            config.exchanges[i].settings.entries.append(.init(key: "source", text: "quotes"))
            config.exchanges[i].settings.entries.append(.init(key: "quotes", text: path))
        }
    }

    /// Runs the replay to the end of its data; returns the summary and the digest (hex).
    public func run() throws(HostProcess.StartError) -> (summary: ReplaySummary, digest: String) {
        let host = HostRuntime(mode: .replay, pluginDirectories: pluginDirectories, configPath: configPath)
        host.loadPlugins()
        let result = host.loadConfiguration { config in
            if let quotesPath { ReplayRun.feedQuotes(quotesPath, into: &config) }
        }
        if case .failure(let errors) = result { throw .configuration(errors) }
        host.engine.replayWindow = window
        host.engine.replayPacer = speed.map { ReplayPacer(speed: $0) }
        let recorder = ReplayRecorder(engine: host.engine, market: host.market)
        let began = DispatchTime.now().uptimeNanoseconds
        let failures = host.start()
        if !failures.venues.isEmpty {
            host.shutdown()
            throw .venues(failures.venues)
        }
        if !failures.strategies.isEmpty {
            host.shutdown()
            throw .strategies(failures.strategies)
        }
        _ = host.engine.waitUntilFinished()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        let events = host.engine.eventsProcessed
        // Marked before shutdown, at the last prices of the replay.
        let marked = recorder.instrumentResults()
        host.shutdown()
        return (ReplaySummary(recorder: recorder, events: events, seconds: wall, instruments: marked), recorder.digestHex)
    }
}
