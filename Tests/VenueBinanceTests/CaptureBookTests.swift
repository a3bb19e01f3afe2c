import ArbSDK
import Foundation
import Testing
@testable import ArbBook
import ArbModel
import ArbTestKit
import VenueBinance
import VenueWire

/// The real Binance captures through PluginKit's parser and sync rules into the host's book.
@Suite("Binance captures")
struct CaptureBookTests {
    struct Top: Equatable {
        var bid: ExactDecimal, bidQuantity: ExactDecimal, ask: ExactDecimal, askQuantity: ExactDecimal
    }

    /// Replays a capture; `skipDepth` drops that many-th depth diff after sync (a lost message).
    final class Replay {
        var parser = BinanceParser()
        var sync: BinanceBookSync
        var book: OrderBook
        /// What the venue itself knows: every diff, none dropped (answers snapshot requests).
        var venueBook: OrderBook
        var venueLastId: UInt64 = 0
        var buffered: [Int] = []
        var topAfter: [UInt64: Top] = [:]
        var tickers: [BinanceBookTicker] = []
        var applied = 0, dropped = 0, crossed = 0, gaps = 0, resyncs = 0, depthSeen = 0
        let skipDepth: Int?

        /// `tick`: the books' price step (their tick grid), or none (sorted chunks only).
        init(market: BinanceBookSync.Market, skipDepth: Int? = nil, tick: ExactDecimal? = nil) {
            book = OrderBook(instrument: InstrumentId(rawValue: 1), priceStep: tick)
            venueBook = OrderBook(instrument: InstrumentId(rawValue: 1), priceStep: tick)
            sync = BinanceBookSync(market: market)
            self.skipDepth = skipDepth
        }

        func update(_ snapshot: Bool, _ sequence: UInt64, _ body: (arb_book_update_t) -> Void) {
            parser.bids.withUnsafeBufferPointer { b in
                parser.asks.withUnsafeBufferPointer { a in
                    body(arb_book_update_t(struct_size: UInt32(MemoryLayout<arb_book_update_t>.size), instrument: 1,
                                           is_snapshot: snapshot ? 1 : 0, first_sequence: sequence, last_sequence: sequence,
                                           previous_sequence: 0, ts_event: 0, ts_init: 0, bids: b.baseAddress,
                                           bid_count: b.count, asks: a.baseAddress, ask_count: a.count))
                }
            }
        }

        func run(_ capture: Capture) {
            for i in capture.lines.indices { capture.withLine(i) { _, json in handle(json, line: i, capture: capture) } }
        }

        func handle(_ json: UnsafeRawBufferPointer, line: Int, capture: Capture) {
            switch parser.parse(json) {
            case .snapshot(let s)?:
                sync.snapshot(lastUpdateId: s.lastUpdateId)
                update(true, s.lastUpdateId) { _ = book.apply($0); _ = venueBook.apply($0) }
                venueLastId = s.lastUpdateId
                let waiting = buffered
                buffered.removeAll()
                for j in waiting { capture.withLine(j) { _, json in handle(json, line: j, capture: capture) } }
            case .depth(let d)?:
                depthSeen += 1
                if sync.snapshotId != nil || venueLastId != 0, d.finalUpdateId >= venueLastId {
                    update(false, d.finalUpdateId) { _ = venueBook.apply($0) }
                    venueLastId = d.finalUpdateId
                }
                if depthSeen == skipDepth { return }  // lost on the way to us
                switch sync.check(first: d.firstUpdateId, final: d.finalUpdateId, previous: d.previousFinalUpdateId) {
                case .apply:
                    var outcome = OrderBook.Outcome.applied
                    update(false, d.finalUpdateId) { outcome = book.apply($0) }
                    if outcome != .applied { crossed += 1 }
                    applied += 1
                    if let bid = book.bestBid, let ask = book.bestAsk {
                        topAfter[d.finalUpdateId] = Top(bid: bid.price, bidQuantity: bid.quantity, ask: ask.price,
                                                        askQuantity: ask.quantity)
                    }
                case .dropStale: dropped += 1
                case .buffer: buffered.append(line)
                case .gap:
                    gaps += 1
                    book.invalidate(.gapReported(expected: 0, received: 0))
                    // Resync from the venue's own book, as the simulated venue answers a snapshot request.
                    sync.snapshot(lastUpdateId: venueLastId)
                    let bids = ContiguousArray(venueBook.bids.map(\.cValue)), asks = ContiguousArray(venueBook.asks.map(\.cValue))
                    bids.withUnsafeBufferPointer { b in
                        asks.withUnsafeBufferPointer { a in
                            _ = book.apply(arb_book_update_t(struct_size: UInt32(MemoryLayout<arb_book_update_t>.size), instrument: 1,
                                                             is_snapshot: 1, first_sequence: venueLastId, last_sequence: venueLastId,
                                                             previous_sequence: 0, ts_event: 0, ts_init: 0, bids: b.baseAddress,
                                                             bid_count: b.count, asks: a.baseAddress, ask_count: a.count))
                        }
                    }
                    resyncs += 1
                }
            case .bookTicker(let t)?:
                tickers.append(t)
            case .trade?, .other?:
                break
            case nil:
                Issue.record("line \(line + 1) did not parse")
            }
        }

        var finalTop: Top? {
            guard let bid = book.bestBid, let ask = book.bestAsk else { return nil }
            return Top(bid: bid.price, bidQuantity: bid.quantity, ask: ask.price, askQuantity: ask.quantity)
        }
    }

    static let usdm = Result { try Capture.load(path: TestPaths.root + "/Data/binance/usdm_btcusdt_20240808.gz") }
    static let spot = Result { try Capture.load(path: TestPaths.root + "/Data/binance/spot_btcusdt_20240808.gz") }

    static func decimal(_ text: String) -> ExactDecimal { (try? ExactDecimal(parsing: text)) ?? .zero }

    /// Without a tick (sorted chunks only) and with the instrument's 0.1 (the tick grid, as the
    /// host runs with the venue's spec): the same checks, and the same whole book at the end.
    @Test("USD-M: built from the snapshot and the diffs, no gap, never crossed, equal to every matching bookTicker, final top as the reference",
          arguments: [nil, "0.1"])
    func usdmBook(tick: String?) throws {
        let capture = try Self.usdm.get()
        #expect(capture.lines.count == 93_954)
        let replay = Replay(market: .usdm, tick: tick.map(Self.decimal))
        replay.run(capture)
        #expect(replay.gaps == 0)
        #expect(replay.crossed == 0)
        #expect(replay.book.isValid)
        #expect(replay.tickers.count == 66_089)
        var matched = 0, mismatched = 0
        for t in replay.tickers {
            guard let top = replay.topAfter[t.updateId] else { continue }
            if top == Top(bid: t.bid, bidQuantity: t.bidQuantity, ask: t.ask, askQuantity: t.askQuantity) { matched += 1 } else { mismatched += 1 }
        }
        #expect(matched == 629)
        #expect(mismatched == 0)
        #expect(replay.finalTop == Top(bid: Self.decimal("61659.70"), bidQuantity: Self.decimal("1.486"),
                                       ask: Self.decimal("61659.80"), askQuantity: Self.decimal("0.981")))
        if tick != nil {
            let chunksOnly = Replay(market: .usdm)
            chunksOnly.run(capture)
            #expect(replay.book.bids.count > 4_000 && replay.book.asks.count > 4_000)
            #expect(replay.book.bids == chunksOnly.book.bids && replay.book.asks == chunksOnly.book.asks)
        }
    }

    @Test("USD-M: a lost depth message is detected as a gap and the book resyncs from the venue's snapshot")
    func usdmGap() throws {
        let capture = try Self.usdm.get()
        let replay = Replay(market: .usdm, skipDepth: 3_000, tick: Self.decimal("0.1"))
        replay.run(capture)
        #expect(replay.gaps == 1)
        #expect(replay.resyncs == 1)
        #expect(replay.crossed == 0)
        #expect(replay.finalTop == Top(bid: Self.decimal("61659.70"), bidQuantity: Self.decimal("1.486"),
                                       ask: Self.decimal("61659.80"), askQuantity: Self.decimal("0.981")))
    }

    @Test("spot: the spot rule (U = previous u + 1) holds over the whole capture")
    func spotBook() throws {
        let capture = try Self.spot.get()
        let replay = Replay(market: .spot, tick: Self.decimal("0.01"))
        replay.run(capture)
        #expect(replay.applied > 0)
        #expect(replay.gaps == 0)
        #expect(replay.crossed == 0)
        #expect(replay.book.isValid)
    }

    @Test("parser: every field of each message kind, exactly")
    func parser() throws {
        var parser = BinanceParser()
        func parse(_ text: String) -> BinanceMessage? {
            var text = text
            return text.withUTF8 { parser.parse(UnsafeRawBufferPointer($0)) }
        }
        #expect(parse(#"{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256321,"s":"BTCUSDT","t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}}"#)
                == .trade(BinanceTrade(tradeId: 5266583935, price: Self.decimal("61800.3"), quantity: Self.decimal("0.006"),
                                       buyerIsMaker: false, eventTime: 1723161256322, tradeTime: 1723161256321)))
        #expect(parse(#"{"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}"#)
                == .bookTicker(BinanceBookTicker(updateId: 50093239212, bid: Self.decimal("61837.63"), bidQuantity: Self.decimal("3.78826"),
                                                 ask: Self.decimal("61837.64"), askQuantity: Self.decimal("1.54698"), eventTime: 0, transactionTime: 0)))
        #expect(parse(#"{"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":5,"T":4,"s":"BTCUSDT","U":10,"u":12,"pu":9,"b":[["1.5","2"],["1.4","0.000"]],"a":[]}}"#)
                == .depth(BinanceDepthUpdate(eventTime: 5, transactionTime: 4, firstUpdateId: 10, finalUpdateId: 12, previousFinalUpdateId: 9)))
        #expect(parser.bids.map { ExactDecimal($0.price) } == [Self.decimal("1.5"), Self.decimal("1.4")])
        #expect(parser.bids.map { ExactDecimal($0.quantity) } == [Self.decimal("2"), .zero])
        #expect(parser.asks.isEmpty)
        #expect(parse(#"{"stream":"x","data":{"e":"kline","k":{}}}"#) == .other)
        #expect(parse(#"{"stream":"x","data":{"e":"trade","p":"1.x","q":"1"}}"#) == nil)
        #expect(parse(#"{"stream":"x","data":{"e":"trade""#) == nil)
    }

    @Test("sync rules: stale dropped, straddle, chain, gaps, spot's U = u + 1")
    func syncRules() {
        var futures = BinanceBookSync(market: .usdm)
        #expect(futures.check(first: 1, final: 5, previous: 0) == .buffer)
        futures.snapshot(lastUpdateId: 100)
        #expect(futures.check(first: 90, final: 99, previous: 89) == .dropStale)
        #expect(futures.check(first: 101, final: 110, previous: 99) == .gap(expected: 100, received: 101))
        futures.snapshot(lastUpdateId: 100)
        #expect(futures.check(first: 95, final: 105, previous: 94) == .apply)
        #expect(futures.check(first: 106, final: 108, previous: 105) == .apply)
        #expect(futures.check(first: 110, final: 112, previous: 109) == .gap(expected: 108, received: 109))
        #expect(futures.check(first: 113, final: 115, previous: 112) == .buffer)

        var spot = BinanceBookSync(market: .spot)
        spot.snapshot(lastUpdateId: 100)
        #expect(spot.check(first: 90, final: 100, previous: 0) == .dropStale)
        #expect(spot.check(first: 99, final: 103, previous: 0) == .apply)
        #expect(spot.check(first: 104, final: 104, previous: 0) == .apply)
        #expect(spot.check(first: 106, final: 107, previous: 0) == .gap(expected: 105, received: 106))
    }
}

/// Recordings are read with the same care as YAML: a file cut short is an error, not half a run.
@Suite("Capture files")
struct CaptureFileTests {
    @Test("a .gz capture cut short is refused as truncated, with how much it held")
    func truncatedCapture() throws {
        let dir = try TestPaths.temporaryDirectory()
        let whole = try Data(contentsOf: URL(fileURLWithPath: TestPaths.root + "/Data/binance/usdm_btcusdt_20240808.gz"))
        for size in [300_000, whole.count / 2, whole.count - 1] {
            let path = dir + "/cut-\(size).gz"
            try whole.prefix(size).write(to: URL(fileURLWithPath: path))
            #expect {
                _ = try Capture.load(path: path)
            } throws: { error in
                guard let error = error as? Capture.LoadError, case .truncated(let file, let count) = error else { return false }
                return file == path && count > 0 && error.description.contains("is cut short")
            }
        }
        // The whole file still loads.
        #expect(try Capture.load(path: TestPaths.root + "/Data/binance/usdm_btcusdt_20240808.gz").lines.count > 90_000)
    }
}
