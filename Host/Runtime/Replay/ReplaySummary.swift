import ArbBook
import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbSDK
import ArbTrading
import Foundation

/// What a replay did, for people (text) and tools (JSON).
public struct ReplaySummary {
    public var events: UInt64
    public var seconds: Double
    public var bookEvents: Int
    public var trades: Int
    public var orders: Int
    public var fills: Int
    public var rejections: Int
    public var fees: [String: ExactDecimal]
    public var funding: [String: ExactDecimal]
    public var traded: [String: ExactDecimal]
    public var positions: [String: ExactDecimal]
    /// Per traded instrument: position, entry, PnL, fees, funding, and the mark it was valued at.
    public var instruments: [(venue: String, symbol: String, ledger: InstrumentLedger, mark: ExactDecimal?)]
    public var digest: String
    /// The process's peak resident memory (VmHWM), MiB; nil where /proc is not there.
    public var peakMemoryMiB: Double?

    /// `instruments`: the recorder's `instrumentResults()`, taken while the books still hold the
    /// replay's last prices (by default, now).
    public init(recorder: ReplayRecorder, events: UInt64, seconds: Double,
                instruments: [(venue: String, symbol: String, ledger: InstrumentLedger, mark: ExactDecimal?)]? = nil) {
        self.events = events
        self.seconds = seconds
        bookEvents = recorder.bookEvents
        trades = recorder.trades
        orders = recorder.orders
        fills = recorder.fills
        rejections = recorder.rejections
        fees = recorder.fees
        funding = recorder.fundingAmounts
        traded = recorder.traded
        positions = recorder.positions
        self.instruments = instruments ?? recorder.instrumentResults()
        digest = recorder.digestHex
        peakMemoryMiB = Self.peakMemory()
    }

    /// This process's peak resident memory (VmHWM), MiB.
    public static func peakMemory() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kib / 1024
    }

    /// Net PnL per venue (realised + unrealised − fees + funding), with its currency.
    public var venuePnL: [(venue: String, net: ExactDecimal, currency: String)] {
        var totals: [String: (net: ExactDecimal, currency: String)] = [:]
        for i in instruments {
            guard let net = try? i.ledger.net(at: i.mark) else { continue }
            let sum = (try? (totals[i.venue]?.net ?? .zero).adding(net)) ?? net
            totals[i.venue] = (sum, i.ledger.feeCurrency)
        }
        return totals.map { ($0.key, $0.value.net, $0.value.currency) }.sorted { $0.venue < $1.venue }
    }

    public var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }

    public var text: String {
        var lines = [
            "events: \(events) (book \(bookEvents), trades \(trades)) in \(String(format: "%.3f", seconds)) s, \(Int(eventsPerSecond)) events/s",
            "signals: 0 (signal routing comes with the orders issue)",
            "orders: \(orders), fills: \(fills), rejected: \(rejections)",
        ]
        for (currency, fee) in fees.sorted(by: { $0.key < $1.key }) { lines.append("fees: \(fee) \(currency)") }
        for (currency, amount) in funding.sorted(by: { $0.key < $1.key }) { lines.append("funding: \(amount) \(currency)") }
        for (key, position) in positions.sorted(by: { $0.key < $1.key }) {
            lines.append("position \(key): \(position), traded notional \(traded[key] ?? .zero)")
        }
        for i in instruments {
            let l = i.ledger
            let unrealized = i.mark.flatMap { try? l.unrealized(at: $0) }
            let net = (try? l.net(at: i.mark)).map { "\($0)" } ?? "overflow"
            lines.append("pnl \(i.venue):\(i.symbol): realized \(l.realized), unrealized \(unrealized.map { "\($0)" } ?? "n/a")"
                         + "\(i.mark.map { " at \($0)" } ?? ""), fees \(l.fees), funding \(l.funding), net \(net) \(l.feeCurrency)")
        }
        for v in venuePnL { lines.append("venue \(v.venue): net pnl \(v.net) \(v.currency)") }
        if let peak = peakMemoryMiB { lines.append(String(format: "peak memory: %.1f MiB", peak)) }
        return lines.joined(separator: "\n")
    }

    public var json: String {
        func map(_ values: [String: ExactDecimal]) -> String {
            "{" + values.sorted(by: { $0.key < $1.key }).map { "\(jsonString($0.key)):\(jsonString($0.value.description))" }
                .joined(separator: ",") + "}"
        }
        return """
            {"events":\(events),"seconds":\(seconds),"events_per_second":\(Int(eventsPerSecond)),"book_events":\(bookEvents),\
            "trades":\(trades),"signals":0,"orders":\(orders),"fills":\(fills),"rejected":\(rejections),"fees":\(map(fees)),\
            "funding":\(map(funding)),"positions":\(map(positions)),"traded_notional":\(map(traded)),\
            "instruments":[\(instruments.map(instrumentJSON).joined(separator: ","))],\
            "venues":{\(venuePnL.map { "\(jsonString($0.venue)):{\"net_pnl\":\(jsonString($0.net.description)),\"currency\":\(jsonString($0.currency))}" }.joined(separator: ","))},\
            "peak_memory_mib":\(peakMemoryMiB.map { String(format: "%.1f", $0) } ?? "null"),"digest":"\(digest)"}
            """
    }

    private func instrumentJSON(_ i: (venue: String, symbol: String, ledger: InstrumentLedger, mark: ExactDecimal?)) -> String {
        func text(_ d: ExactDecimal?) -> String { d.map { jsonString($0.description) } ?? "null" }
        let l = i.ledger
        return "{\"venue\":\(jsonString(i.venue)),\"symbol\":\(jsonString(i.symbol)),\"position\":\(text(l.position)),"
            + "\"average_price\":\(text(l.averagePrice)),\"mark\":\(text(i.mark)),\"realized_pnl\":\(text(l.realized)),"
            + "\"unrealized_pnl\":\(text(i.mark.flatMap { try? l.unrealized(at: $0) })),\"fees\":\(text(l.fees)),"
            + "\"funding\":\(text(l.funding)),\"net_pnl\":\(text(try? l.net(at: i.mark))),\"currency\":\(jsonString(l.feeCurrency)),"
            + "\"traded_notional\":\(text(l.tradedNotional))}"
    }
}
