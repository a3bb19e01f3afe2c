import ArbSDK
import PluginKit

/// Watches one symbol on several venues and reports the best cross-venue edge:
/// `bid(X) − ask(Y)` for every pair, the quantity a cross-exchange arbitrage would capture
/// before fees. Every book update makes one host query per other venue (no allocation);
/// every `report_interval` it logs the edge and publishes it on `custom.<its name>.edge`. Every
/// parameter but the venues and symbol changes live.
final class SpreadWatch: Strategy {
    static let descriptor = PluginDescriptor(
        id: "org.arbhost.strategy.spread-watch", name: "Spread watch", version: "1.0.0",
        summary: "Reports the best cross-venue edge of one symbol, in Swift")

    static var parameters: [ParameterSpec] {
        [
            ParameterSpec("venues", .string, "comma-separated venue names, at least two"),
            ParameterSpec("symbol", .string, default: "BTCUSDT", "the perpetual symbol on every venue"),
            ParameterSpec("report_interval", .duration, default: "2s", min: ExactDecimal(units: 1_000_000_000),
                          "how often to log and publish the edge"),
            ParameterSpec("alert_edge", .decimal, default: "5", "log a warning when the edge exceeds this (quote units)"),
        ]
    }

    static func validate(_ parameters: ParameterValues) throws {
        let venues = try parameters.string("venues").split(separator: ",")
        guard venues.count >= 2 else { throw ParameterProblem("venues", "needs at least two venues, found \(venues.count)") }
    }

    let host: StrategyHost
    let name: String
    let venues: [String]
    let symbol: String
    var reportInterval: Int64
    var alertEdge: ExactDecimal
    var instruments: [InstrumentId] = []
    var tops: [TopOfBook?] = []
    var events: UInt64 = 0
    var bestEdge: ExactDecimal = .min
    var bestPair = (0, 0)
    var lastResync: Int64 = 0
    /// The report timer (replaced when `report_interval` changes).
    var reportTimer: UInt64 = 0

    init(host: StrategyHost, name: String, parameters: ParameterValues) throws {
        self.host = host
        self.name = name
        venues = try parameters.string("venues").split(separator: ",").map { String($0.filter { $0 != " " }) }
        symbol = try parameters.string("symbol")
        reportInterval = try parameters.duration("report_interval")
        alertEdge = try parameters.decimal("alert_edge")
    }

    func start() throws {
        instruments = try venues.map { venue throws(HostError) in try host.instrument(venue: venue, symbol: symbol) }
        tops = Array(repeating: nil, count: instruments.count)
        for id in instruments { try host.subscribeMarket(id) }
        reportTimer = try host.setTimer(at: host.now + reportInterval, every: reportInterval)
        host.log(.info, "watching \(symbol) on \(venues.joined(separator: ", "))")
    }

    func onMarketData(_ event: BookEvent) {
        events &+= 1
        guard let me = instruments.firstIndex(of: event.instrument) else { return }
        for other in instruments.indices where other != me {
            // One host query per other venue: the host's book already has every update.
            guard let top = host.topOfBook(instruments[other]), !top.isStale, !event.bestBid.isZero else { continue }
            if let edge = try? event.bestBid.subtracting(top.ask), edge > bestEdge {
                bestEdge = edge
                bestPair = (me, other)
            }
            if let edge = try? top.bid.subtracting(event.bestAsk), edge > bestEdge {
                bestEdge = edge
                bestPair = (other, me)
            }
        }
    }

    func onTimer(_ timer: UInt64, tag: UInt64) {
        guard bestEdge != .min else {
            host.log(.info, "no quotes yet on every venue (\(events) book events)")
            return
        }
        let rich = venues[bestPair.0], cheap = venues[bestPair.1]
        let line = "best edge \(bestEdge) \(symbol): sell \(rich), buy \(cheap) (\(events) book events)"
        host.log(bestEdge > alertEdge ? .warning : .info, line)
        var json = JSONObject()
        json.field("symbol", symbol)
        json.field("edge", bestEdge)
        json.field("sell", rich)
        json.field("buy", cheap)
        json.field("events", events)
        try? host.publish(Topic.custom(strategy: name, "edge"), json.text)
        bestEdge = .min
    }

    func onBookStale(_ instrument: InstrumentId, reason: String) {
        host.log(.warning, "book \(instrument) stale: \(reason)")
    }

    func onBookResynced(_ instrument: InstrumentId) {
        lastResync = host.now
    }

    func reconfigure(_ parameters: ParameterValues) throws {
        let venues = try parameters.string("venues").split(separator: ",").map { String($0.filter { $0 != " " }) }
        guard venues == self.venues, try parameters.string("symbol") == symbol else {
            throw ParameterProblem("venues", "venues and symbol cannot change while running; restart the strategy")
        }
        let interval = try parameters.duration("report_interval")
        if interval != reportInterval {
            // The next report comes one new interval from now.
            let timer = try host.setTimer(at: host.now + interval, every: interval)
            try? host.cancelTimer(reportTimer)
            reportTimer = timer
            reportInterval = interval
        }
        alertEdge = try parameters.decimal("alert_edge")
    }

    func saveState() throws -> (version: UInt32, bytes: [UInt8])? {
        (1, withUnsafeBytes(of: events.littleEndian) { Array($0) })
    }

    func restoreState(version: UInt32, bytes: UnsafeRawBufferPointer) throws {
        guard version == 1, bytes.count == 8 else { throw ParameterProblem("", "unknown state version \(version)") }
        events = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
    }
}

@c(arb_plugin_entry)
public func arbPluginEntry(_ hostMajor: UInt32, _ hostMinor: UInt32) -> UnsafePointer<arb_plugin_descriptor_t>? {
    exportStrategy(SpreadWatch.self, hostMajor, hostMinor)
}
