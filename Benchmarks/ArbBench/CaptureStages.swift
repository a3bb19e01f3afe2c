import ArbConfig
import ArbEngine
import ArbMarket
import ArbPlugins
import ArbRuntime
import ArbTrading
import ArbSDK
import PaperExchange
import ArbBook
import ArbModel
import VenueBinance
import VenueWire

/// Where the capture replay's time goes: the same lines through the stages one at a time, in
/// this process, without the host's engine or the plugin boundary. Each figure is the whole
/// capture through all the stages up to it; the differences are each stage's cost.
enum CaptureStages {
    enum Stage: Int, CaseIterable {
        case parse, sync, venueBook, hostBook
        var label: String {
            switch self {
            case .parse: "parse every line"
            case .sync: "+ Binance sync check"
            case .venueBook: "+ venue (paper) book"
            case .hostBook: "+ host book"
            }
        }
    }

    /// Nanoseconds for the whole capture through the stages up to `last`.
    static func run(_ capture: Capture, through last: Stage) -> Int64 {
        var parser = BinanceParser()
        var sync = BinanceBookSync(market: .usdm)
        let instrument = PaperInstrument(
            id: 1, symbol: "BTCUSDT", kind: .perpetual, base: "BTC", quote: "USDT", tickSize: ExactDecimal(units: 100_000_000_000_000_000),
            lotSize: ExactDecimal(units: 1_000_000_000_000_000), minQuantity: .zero, minNotional: .zero, makerFee: .zero, takerFee: .zero,
            initialMargin: .zero, maintenanceMargin: .zero, fundingInterval: 0)
        let paper = PaperExchange(instruments: [instrument], balances: [:])
        var book = OrderBook(instrument: InstrumentId(rawValue: 1), priceStep: instrument.tickSize)
        var buffered: [Int] = []
        var kept = 0
        // One line through the stages; returns the diffs that waited for the snapshot.
        func handle(_ index: Int) -> [Int] {
            capture.withLine(index) { time, json in
                guard let message = parser.parse(json) else { return [] }
                var snapshot = false
                var waiting: [Int] = []
                switch message {
                case .snapshot(let s):
                    guard last.rawValue >= Stage.sync.rawValue else { return [] }
                    sync.snapshot(lastUpdateId: s.lastUpdateId)
                    snapshot = true
                    swap(&waiting, &buffered)
                case .depth(let d):
                    guard last.rawValue >= Stage.sync.rawValue else { return [] }
                    switch sync.check(first: d.firstUpdateId, final: d.finalUpdateId, previous: d.previousFinalUpdateId) {
                    case .apply: break
                    case .buffer: buffered.append(index); return []
                    default: return []
                    }
                default: return []
                }
                kept += 1
                guard last.rawValue >= Stage.venueBook.rawValue else { return waiting }
                parser.bids.withUnsafeBufferPointer { b in
                    parser.asks.withUnsafeBufferPointer { a in
                        paper.applyFeed(instrument: 1, snapshot: snapshot, bids: b, asks: a)
                        guard last == .hostBook else { return }
                        let update = arb_book_update_t(
                            struct_size: UInt32(MemoryLayout<arb_book_update_t>.size), instrument: 1, is_snapshot: snapshot ? 1 : 0,
                            first_sequence: 0, last_sequence: 0, previous_sequence: 0, ts_event: time, ts_init: time,
                            bids: b.baseAddress, bid_count: b.count, asks: a.baseAddress, ask_count: a.count)
                        _ = book.apply(update)
                    }
                }
                return waiting
            }
        }
        let start = Measure.now()
        for index in capture.lines.indices {
            for waiting in handle(index) { _ = handle(waiting) }
        }
        let elapsed = Measure.now() - start
        precondition(last == .parse || kept > 6000, "the capture's diffs did not apply (\(kept))")
        return elapsed
    }

    static func figures(_ capture: Capture, runs: Int) -> [Figure] {
        _ = run(capture, through: .hostBook)  // warm up: the capture's pages and the code, once
        return Stage.allCases.map { stage in
            Measure.figure("capture stages: \(stage.label)", unit: "lines/s",
                           workload: "\(capture.lines.count) lines in one thread, no engine, no plugin boundary; the whole capture through every stage up to this one",
                           runs: runs) {
                Double(capture.lines.count) / (Double(run(capture, through: stage)) / 1e9)
            }
        }
    }
}
