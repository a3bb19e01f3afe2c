import ArbSDK
import ArbBook
import PluginKit
import VenueBinance
import VenueWire

/// Replays the top-of-book quotes CSV of the cross-venue workload
/// (`ts_ns,venue,symbol,bid_px,bid_sz,ask_px,ask_sz`), keeping only the rows of one CSV venue
/// (`BINANCE`, `OKX`) and of this venue's symbol: each row is a one-level book snapshot.
final class QuoteSource: MarketSource {
    private let bytes: [UInt8]
    private var offset: Int
    private let venue: [UInt8]
    private let symbol: [UInt8]
    private(set) var messages = 0
    private var sequence: UInt64 = 0
    private var pending: (time: Int64, bid: arb_book_level_t, ask: arb_book_level_t)?
    private let path: String
    /// The 1-based number of the line `offset` is in.
    private var line = 0  // the header's own line end makes it 1
    private var lastTime = Int64.min
    /// Rows of this venue skipped as malformed; each of the first `reportedProblems` is reported
    /// with its file and line (`report`), the rest counted.
    private(set) var problems = 0
    static let reportedProblems = 10
    static let maximumLineLength = 4096
    private let report: (String) -> Void

    enum LoadError: Error, CustomStringConvertible {
        case cannotRead(String)
        case badHeader(String)
        var description: String {
            switch self {
            case .cannotRead(let path): "cannot read quotes file \(path)"
            case .badHeader(let path): "\(path): expected the header ts_ns,venue,symbol,bid_px,bid_sz,ask_px,ask_sz"
            }
        }
    }

    /// - Parameter report: hears each malformed row of this venue (file:line: what is wrong).
    init(path: String, venue: String, symbol: String, report: @escaping (String) -> Void = { _ in }) throws(LoadError) {
        self.path = path
        self.report = report
        guard let capture = try? Capture.load(path: path) else { throw .cannotRead(path) }
        bytes = capture.bytes
        let header = Array("ts_ns,venue,symbol,bid_px,bid_sz,ask_px,ask_sz".utf8)
        guard bytes.starts(with: header) else { throw .badHeader(path) }
        offset = header.count
        self.venue = Array(venue.utf8)
        self.symbol = Array(symbol.utf8)
        advance()
    }

    var nextTime: Int64? { pending?.time }

    func next(_ handle: SimEventHandler) -> Bool {
        guard var row = pending else { return false }
        sequence += 1
        withUnsafePointer(to: &row.bid) { b in
            withUnsafePointer(to: &row.ask) { a in
                handle(row.time, 0, .book(snapshot: true, sequence: sequence, previous: sequence - 1),
                       UnsafeBufferPointer(start: b, count: 1), UnsafeBufferPointer(start: a, count: 1))
            }
        }
        advance()
        return true
    }

    /// Reads rows until one of this venue's (or the end).
    private func advance() {
        pending = nil
        bytes.withUnsafeBytes { all in
            while offset < all.count {
                var end = offset
                while end < all.count && all[end] != 0x0A { end += 1 }
                let row = UnsafeRawBufferPointer(rebasing: all[offset..<end])
                offset = end + 1
                line += 1
                guard !row.isEmpty else { continue }
                guard row.count <= Self.maximumLineLength else {
                    problem("longer than \(Self.maximumLineLength) bytes")
                    continue
                }
                var fields: [Range<Int>] = []
                fields.reserveCapacity(7)
                var start = 0
                for i in 0...row.count where i == row.count || row[i] == UInt8(ascii: ",") {
                    fields.append(start..<i)
                    start = i + 1
                }
                guard fields.count == 7 else {
                    problem("expected 7 columns (ts_ns,venue,symbol,bid_px,bid_sz,ask_px,ask_sz), found \(fields.count)")
                    continue
                }
                guard row[fields[1]].elementsEqual(venue), row[fields[2]].elementsEqual(symbol) else { continue }
                let s = JSONScanner(row)
                func text(_ i: Int) -> String { String(decoding: row[fields[i]], as: UTF8.self) }
                guard let time = s.integer(fields[0]) else { problem("ts_ns is not an integer: '\(text(0))'"); continue }
                guard let bid = s.decimal(fields[3]), let bidSize = s.decimal(fields[4]),
                      let ask = s.decimal(fields[5]), let askSize = s.decimal(fields[6]) else {
                    problem("a price or size is not a decimal: '\(text(3))', '\(text(4))', '\(text(5))', '\(text(6))'")
                    continue
                }
                guard bid > .zero, ask > .zero, bidSize > .zero, askSize > .zero else {
                    problem("prices and sizes must be positive: bid \(bid) × \(bidSize), ask \(ask) × \(askSize)")
                    continue
                }
                guard bid <= ask else { problem("the bid \(bid) is above the ask \(ask)"); continue }
                guard time >= lastTime else { problem("ts_ns \(time) goes back from \(lastTime)"); continue }
                lastTime = time
                messages += 1
                pending = (time, arb_book_level_t(price: bid.cValue, quantity: bidSize.cValue),
                           arb_book_level_t(price: ask.cValue, quantity: askSize.cValue))
                return
            }
        }
    }

    /// Reports a malformed row of this venue (file:line) and skips it.
    private func problem(_ what: String) {
        problems += 1
        if problems <= Self.reportedProblems { report("\(path):\(line): \(what); row skipped") }
        if problems == Self.reportedProblems + 1 { report("\(path): more malformed rows; only the count is kept from here") }
    }
}
