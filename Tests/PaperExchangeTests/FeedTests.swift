import ArbSDK
import ArbModel
import Testing
@testable import PaperExchange

// The feed path the simulated venue uses: C levels, best first, snapshot or delta.

@Suite struct FeedTests {
    @discardableResult
    private func apply(_ venue: PaperExchange, snapshot: Bool, bids: [(String, String)], asks: [(String, String)]) -> Bool {
        let b = bids.map { arb_book_level_t(price: d($0.0).cValue, quantity: d($0.1).cValue) }
        let a = asks.map { arb_book_level_t(price: d($0.0).cValue, quantity: d($0.1).cValue) }
        return b.withUnsafeBufferPointer { b in
            a.withUnsafeBufferPointer { a in
                venue.applyFeed(instrument: Fixture.perpId, snapshot: snapshot, bids: b, asks: a)
            }
        }
    }

    /// Upstream data lost a removal: a fresh level crosses a stale one, which gives way.
    @Test func aDeltaThatCrossesAStaleLevelRemovesIt() {
        let venue = Fixture.venue()
        apply(venue, snapshot: true, bids: [("100", "1"), ("99", "2")], asks: [("101", "1"), ("102", "2"), ("104", "1")])
        // A bid at 102.5: asks 101 and 102 are stale (the diffs removing them were lost).
        #expect(apply(venue, snapshot: false, bids: [("102.5", "3")], asks: []))
        #expect(venue.book(Fixture.perpId).bids == levels([("102.5", "3"), ("100", "1"), ("99", "2")]))
        #expect(venue.book(Fixture.perpId).asks == levels([("104", "1")]))
        // The same from the ask side.
        #expect(apply(venue, snapshot: false, bids: [], asks: [("100", "2")]))
        #expect(venue.book(Fixture.perpId).bids == levels([("99", "2")]))
        #expect(venue.book(Fixture.perpId).asks == levels([("100", "2"), ("104", "1")]))
        // An ordinary delta changes nothing more than it says.
        #expect(!apply(venue, snapshot: false, bids: [("98", "1")], asks: [("105", "1")]))
        // An update that crosses itself is the data's own error: the stale ask at 100 goes, the
        // two fresh levels stay crossed (the host will see that and mark its book stale).
        #expect(apply(venue, snapshot: false, bids: [("101", "1")], asks: [("100.5", "1")]))
        #expect(venue.book(Fixture.perpId).bids.first == PaperLevel(d("101"), d("1")))
        #expect(venue.book(Fixture.perpId).asks == levels([("100.5", "1"), ("104", "1"), ("105", "1")]))
    }

    @Test func snapshotReplacesAndDeltaSetsAndRemoves() {
        let venue = Fixture.venue()
        apply(venue, snapshot: true, bids: [("100", "1"), ("99", "2"), ("98", "3")], asks: [("101", "1"), ("102", "2")])
        #expect(venue.book(Fixture.perpId).bids == levels([("100", "1"), ("99", "2"), ("98", "3")]))
        #expect(venue.book(Fixture.perpId).asks == levels([("101", "1"), ("102", "2")]))

        // A delta: change one level, remove one, add one on each side.
        apply(venue, snapshot: false, bids: [("99", "5"), ("98", "0"), ("99.5", "1")], asks: [("101", "0"), ("103", "4")])
        #expect(venue.book(Fixture.perpId).bids == levels([("100", "1"), ("99.5", "1"), ("99", "5")]))
        #expect(venue.book(Fixture.perpId).asks == levels([("102", "2"), ("103", "4")]))

        // A later snapshot leaves nothing of the earlier book.
        apply(venue, snapshot: true, bids: [("90", "1")], asks: [("91", "1")])
        #expect(venue.book(Fixture.perpId).bids == levels([("90", "1")]))
        #expect(venue.book(Fixture.perpId).asks == levels([("91", "1")]))
        #expect(venue.book(Fixture.perpId) == PaperBook(bids: levels([("90", "1")]), asks: levels([("91", "1")])))
    }

    @Test func unknownInstrumentIsIgnored() {
        let venue = Fixture.venue()
        let level = [arb_book_level_t(price: d("1").cValue, quantity: d("1").cValue)]
        level.withUnsafeBufferPointer { l in venue.applyFeed(instrument: 999, snapshot: true, bids: l, asks: l) }
        #expect(venue.book(999).bids.isEmpty && venue.book(999).asks.isEmpty)
    }
}
