import Foundation
import PluginKit

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
    public var digest: String

    public init(recorder: ReplayRecorder, events: UInt64, seconds: Double) {
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
        digest = recorder.digestHex
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
            "funding":\(map(funding)),"positions":\(map(positions)),"traded_notional":\(map(traded)),"digest":"\(digest)"}
            """
    }
}
