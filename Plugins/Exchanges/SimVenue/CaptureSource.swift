import ArbSDK
import ArbBook
import PluginKit
import VenueBinance
import VenueWire

/// Replays a recorded Binance capture (spot or USD-M): each line is parsed by PluginKit's
/// Binance parser and checked by Binance's sync rule, exactly as the live adapter will do, and
/// the venue's stream is what survives: the snapshot, then the diffs in sequence. Event time is
/// the capture's local receive time.
final class CaptureSource: MarketSource {
    let capture: Capture
    private var parser = BinanceParser()
    private var sync: BinanceBookSync
    private var line = 0
    private var buffered: [Int] = []
    private var replaying: [Int] = []
    private(set) var messages = 0
    private var lastFinal: UInt64 = 0
    private let path: String
    /// Lines skipped because the parser could not read them or they are no known message; each
    /// of the first ten is reported with its file and line (`report`), the rest counted.
    private(set) var problems = 0
    private let report: (String) -> Void

    init(capture: Capture, market: BinanceBookSync.Market, path: String = "", report: @escaping (String) -> Void = { _ in }) {
        self.capture = capture
        self.path = path
        self.report = report
        sync = BinanceBookSync(market: market)
    }

    private func problem(_ index: Int, _ what: String) {
        problems += 1
        if problems <= 10 { report("\(path):\(index + 1): \(what); line skipped") }
        if problems == 11 { report("\(path): more unreadable lines; only the count is kept from here") }
    }

    var nextTime: Int64? {
        if let waiting = replaying.first { return capture.times[waiting] }
        return line < capture.times.count ? capture.times[line] : nil
    }

    func next(_ handle: SimEventHandler) -> Bool {
        while true {
            let index: Int
            let fromBuffer: Bool
            if !replaying.isEmpty {
                index = replaying.removeFirst()
                fromBuffer = true
            } else {
                guard line < capture.lines.count else { return false }
                index = line
                line += 1
                fromBuffer = false
            }
            if !fromBuffer { messages += 1 }
            var emitted = false
            capture.withLine(index) { time, json in
                guard let message = parser.parse(json) else {
                    if !fromBuffer { problem(index, "not a Binance message this parser reads (not JSON, or a number field that is not a number)") }
                    return
                }
                switch message {
                case .snapshot(let s):
                    sync.snapshot(lastUpdateId: s.lastUpdateId)
                    lastFinal = s.lastUpdateId
                    emit(time, .book(snapshot: true, sequence: s.lastUpdateId, previous: 0), handle)
                    // Diffs that came before the snapshot are checked now, in order.
                    replaying = buffered
                    buffered.removeAll()
                    emitted = true
                case .depth(let d):
                    switch sync.check(first: d.firstUpdateId, final: d.finalUpdateId, previous: d.previousFinalUpdateId) {
                    case .apply:
                        emit(time, .book(snapshot: false, sequence: d.finalUpdateId, previous: lastFinal), handle)
                        lastFinal = d.finalUpdateId
                        emitted = true
                    case .buffer: buffered.append(index)
                    case .dropStale: break
                    case .gap(let expected, let received):
                        handle(time, 0, .gap(expected: expected, received: received), .init(start: nil, count: 0), .init(start: nil, count: 0))
                        // The capture has no second snapshot: resume the chain from here.
                        sync.snapshot(lastUpdateId: d.previousFinalUpdateId)
                        _ = sync.check(first: d.firstUpdateId, final: d.finalUpdateId, previous: d.previousFinalUpdateId)
                        emit(time, .book(snapshot: false, sequence: d.finalUpdateId, previous: lastFinal), handle)
                        lastFinal = d.finalUpdateId
                        emitted = true
                    }
                case .trade(let t):
                    handle(time, 0, .trade(t), .init(start: nil, count: 0), .init(start: nil, count: 0))
                    emitted = true
                case .bookTicker(let t):
                    handle(time, 0, .ticker(t), .init(start: nil, count: 0), .init(start: nil, count: 0))
                    emitted = true
                case .other:
                    if !fromBuffer { problem(index, "not a market message (neither depth, snapshot, trade nor bookTicker)") }
                }
            }
            if emitted { return true }
        }
    }

    private func emit(_ time: Int64, _ event: SimEvent,
                      _ handle: SimEventHandler) {
        parser.bids.withUnsafeBufferPointer { b in
            parser.asks.withUnsafeBufferPointer { a in handle(time, 0, event, b, a) }
        }
    }
}
