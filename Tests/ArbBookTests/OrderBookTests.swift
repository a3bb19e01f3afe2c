import ArbSDK
import Testing
@testable import ArbBook
import ArbModel

/// A level as text, "price@quantity", for readable comparisons.
private typealias Level = (price: String, quantity: String)

private func cLevel(_ level: Level) -> arb_book_level_t {
    // The fixtures below are valid decimals; a typo in one is a test bug worth a crash.
    arb_book_level_t(price: try! ExactDecimal(parsing: level.price).cValue,
                     quantity: try! ExactDecimal(parsing: level.quantity).cValue)
}

extension OrderBook {
    /// Applies an update built from text levels (the arrays are borrowed for the call only).
    fileprivate mutating func apply(snapshot: Bool = false, sequence: UInt64, tsEvent: Int64 = 0,
                                    bids: [Level] = [], asks: [Level] = []) -> Outcome {
        let bidLevels = bids.map(cLevel), askLevels = asks.map(cLevel)
        return bidLevels.withUnsafeBufferPointer { b in
            askLevels.withUnsafeBufferPointer { a in
                var update = arb_book_update_t()
                update.struct_size = structSize(arb_book_update_t.self)
                update.instrument = instrument.rawValue
                update.is_snapshot = snapshot ? 1 : 0
                update.first_sequence = sequence
                update.last_sequence = sequence
                update.ts_event = tsEvent
                update.bids = b.baseAddress
                update.bid_count = b.count
                update.asks = a.baseAddress
                update.ask_count = a.count
                return apply(update)
            }
        }
    }

    fileprivate var bidText: [String] { bids.map { "\($0.price)@\($0.quantity)" } }
    fileprivate var askText: [String] { asks.map { "\($0.price)@\($0.quantity)" } }
}

@Suite("OrderBook")
struct OrderBookTests {
    private func snapshotBook() -> OrderBook {
        var book = OrderBook(instrument: InstrumentId(rawValue: 7))
        let outcome = book.apply(snapshot: true, sequence: 100, tsEvent: 1_000,
                                 bids: [("61800.3", "1"), ("61800.1", "2"), ("61799", "3")],
                                 asks: [("61800.5", "1.5"), ("61801", "0.25"), ("61810.75", "4")])
        precondition(outcome == .applied)
        return book
    }

    @Test func newBookHasNoSnapshot() {
        let book = OrderBook(instrument: InstrumentId(rawValue: 7))
        #expect(!book.isValid)
        #expect(book.staleReason == .noSnapshot)
        #expect(book.bids.isEmpty && book.asks.isEmpty)
        #expect(book.bestBid == nil && book.bestAsk == nil)
        #expect(book.sequence == 0)
    }

    @Test func snapshotMakesTheBookValidWithSidesSortedBestFirst() throws {
        var book = OrderBook(instrument: InstrumentId(rawValue: 7))
        // Levels given out of order are sorted: bids descending, asks ascending.
        let outcome = book.apply(snapshot: true, sequence: 100, tsEvent: 1_234,
                                 bids: [("61799", "3"), ("61800.3", "1"), ("61800.1", "2")],
                                 asks: [("61810.75", "4"), ("61800.5", "1.5"), ("61801", "0.25")])
        #expect(outcome == .applied)
        #expect(book.isValid)
        #expect(book.bidText == ["61800.3@1", "61800.1@2", "61799@3"])
        #expect(book.askText == ["61800.5@1.5", "61801@0.25", "61810.75@4"])
        #expect(book.bestBid == BookLevel(price: try ExactDecimal(parsing: "61800.3"), quantity: .one))
        #expect(book.bestAsk?.price == (try ExactDecimal(parsing: "61800.5")))
        #expect(book.sequence == 100)
        #expect(book.tsEvent == 1_234)
    }

    @Test func deltasInsertUpdateAndDeleteLevelsKeepingTheOrder() {
        var book = snapshotBook()
        // Insert between, at the top and at the bottom; update one; delete one with quantity 0.
        var outcome = book.apply(sequence: 101, tsEvent: 2_000,
                                 bids: [("61800.2", "5"), ("61800.4", "0.5"), ("61000", "9"), ("61800.1", "0")],
                                 asks: [("61800.9", "7"), ("61801", "0.75"), ("61800.45", "0.1"), ("62000", "1")])
        #expect(outcome == .applied)
        #expect(book.bidText == ["61800.4@0.5", "61800.3@1", "61800.2@5", "61799@3", "61000@9"])
        #expect(book.askText == ["61800.45@0.1", "61800.5@1.5", "61800.9@7", "61801@0.75", "61810.75@4", "62000@1"])
        #expect(book.sequence == 101)
        #expect(book.tsEvent == 2_000)

        // Delete the best levels and one that does not exist (no effect).
        outcome = book.apply(sequence: 102, bids: [("61800.4", "0"), ("1", "0")], asks: [("61800.45", "0"), ("62000", "0")])
        #expect(outcome == .applied)
        #expect(book.bidText == ["61800.3@1", "61800.2@5", "61799@3", "61000@9"])
        #expect(book.askText == ["61800.5@1.5", "61800.9@7", "61801@0.75", "61810.75@4"])
        #expect(book.isValid)
    }

    @Test func sidesStaySortedUnderManyRandomDeltas() {
        var book = OrderBook(instrument: InstrumentId(rawValue: 7))
        var rng = SplitMix64(seed: 42)
        // Prices in tenths; bids stay at or below 61800.3 and asks at or above 61800.5, so the
        // book never crosses.
        var expectedBids: [Int: Int] = [618003: 1, 618001: 2, 617990: 3]  // price -> quantity
        var expectedAsks: [Int: Int] = [618005: 1, 618010: 1, 618107: 1]
        _ = book.apply(snapshot: true, sequence: 1, bids: [("61800.3", "1"), ("61800.1", "2"), ("61799", "3")],
                       asks: [("61800.5", "1"), ("61801", "1"), ("61810.7", "1")])
        for seq in 2..<400 {
            let bidPrice = 617_900 + Int(rng.next() % 104)   // 61790.0 ... 61800.3
            let askPrice = 618_005 + Int(rng.next() % 100)   // 61800.5 ... 61810.4
            let bidQuantity = Int(rng.next() % 4), askQuantity = Int(rng.next() % 4)  // 0 deletes
            let outcome = book.apply(sequence: UInt64(seq),
                                     bids: [(tenths(bidPrice), "\(bidQuantity)")],
                                     asks: [(tenths(askPrice), "\(askQuantity)")])
            #expect(outcome == .applied)
            expectedBids[bidPrice] = bidQuantity == 0 ? nil : bidQuantity
            expectedAsks[askPrice] = askQuantity == 0 ? nil : askQuantity
        }
        #expect(book.bidText == expectedBids.sorted { $0.key > $1.key }.map { "\(tenths($0.key))@\($0.value)" })
        #expect(book.askText == expectedAsks.sorted { $0.key < $1.key }.map { "\(tenths($0.key))@\($0.value)" })
        #expect(zip(book.bids, book.bids.dropFirst()).allSatisfy { $0.price > $1.price })
        #expect(zip(book.asks, book.asks.dropFirst()).allSatisfy { $0.price < $1.price })
    }

    @Test func laterSnapshotReplacesEveryLevel() {
        var book = snapshotBook()
        let outcome = book.apply(snapshot: true, sequence: 50, bids: [("100", "1")], asks: [("101", "2")])
        #expect(outcome == .applied)
        #expect(book.bidText == ["100@1"])
        #expect(book.askText == ["101@2"])
        #expect(book.sequence == 50, "a snapshot may restart the sequence")
    }

    @Test func deltasBeforeAnySnapshotAreIgnored() {
        var book = OrderBook(instrument: InstrumentId(rawValue: 7))
        let outcome = book.apply(sequence: 5, tsEvent: 99, bids: [("100", "1")], asks: [("101", "1")])
        #expect(outcome == .ignoredStale)
        #expect(book.bids.isEmpty && book.asks.isEmpty)
        #expect(!book.isValid)
        #expect(book.staleReason == .noSnapshot)
        #expect(book.sequence == 0)
        #expect(book.tsEvent == 0)
    }

    @Test func deltaWithALowerSequenceInvalidatesWithoutBeingApplied() {
        var book = snapshotBook()
        let outcome = book.apply(sequence: 99, bids: [("61700", "1")])
        #expect(outcome == .invalidated)
        #expect(!book.isValid)
        #expect(book.staleReason == .sequenceWentBack(last: 100, received: 99))
        #expect(book.bidText == ["61800.3@1", "61800.1@2", "61799@3"], "the stale delta is not applied")
        #expect(book.sequence == 100)
    }

    @Test func deltaWithoutASequenceIsNotChecked() {
        var book = snapshotBook()
        #expect(book.apply(sequence: 0, bids: [("61700", "1")]) == .applied)
        #expect(book.sequence == 100, "sequence 0 means the venue has none: the last one stays")
        #expect(book.bids.last?.price == ExactDecimal(61700))
    }

    @Test func updateThatCrossesTheBookInvalidates() {
        var book = snapshotBook()
        // A bid at the best ask: crossed (touching counts).
        let outcome = book.apply(sequence: 101, bids: [("61800.5", "1")])
        #expect(outcome == .invalidated)
        #expect(!book.isValid)
        #expect(book.staleReason == .crossed)

        var other = snapshotBook()
        #expect(other.apply(sequence: 101, asks: [("61800", "1")]) == .invalidated, "an ask below the best bid")
        #expect(other.staleReason == .crossed)
    }

    @Test func crossedSnapshotInvalidates() {
        var book = OrderBook(instrument: InstrumentId(rawValue: 7))
        #expect(book.apply(snapshot: true, sequence: 1, bids: [("101", "1")], asks: [("100", "1")]) == .invalidated)
        #expect(!book.isValid)
        #expect(book.staleReason == .crossed)
    }

    @Test func afterInvalidationDeltasAreIgnoredUntilASnapshot() {
        var book = snapshotBook()
        #expect(book.apply(sequence: 90) == .invalidated)

        let before = (book.bidText, book.askText)
        #expect(book.apply(sequence: 101, bids: [("61800.4", "1")]) == .ignoredStale)
        #expect(book.apply(sequence: 102, asks: [("61800.5", "0")]) == .ignoredStale)
        #expect(book.bidText == before.0 && book.askText == before.1)
        #expect(book.sequence == 100)
        #expect(!book.isValid)

        #expect(book.apply(snapshot: true, sequence: 200, bids: [("10", "1")], asks: [("11", "1")]) == .applied)
        #expect(book.isValid)
        #expect(book.apply(sequence: 201, bids: [("10.5", "2")]) == .applied)
        #expect(book.bidText == ["10.5@2", "10@1"])
    }

    @Test func explicitInvalidateRecordsTheReason() {
        var book = snapshotBook()
        book.invalidate(.gapReported(expected: 101, received: 105))
        #expect(!book.isValid)
        #expect(book.staleReason == .gapReported(expected: 101, received: 105))
        #expect(book.apply(sequence: 105, bids: [("61800.2", "1")]) == .ignoredStale)
    }
}

/// Tenths as decimal text: 618003 -> "61800.3", 617990 -> "61799".
private func tenths(_ n: Int) -> String { n % 10 == 0 ? "\(n / 10)" : "\(n / 10).\(n % 10)" }

