import ArbSDK
import PluginKit
import Testing
@testable import PaperExchange

// The feed path the simulated venue uses: C levels, best first, snapshot or delta.

@Suite struct FeedTests {
    private func apply(_ venue: PaperExchange, snapshot: Bool, bids: [(String, String)], asks: [(String, String)]) {
        let b = bids.map { arb_book_level_t(price: d($0.0).cValue, quantity: d($0.1).cValue) }
        let a = asks.map { arb_book_level_t(price: d($0.0).cValue, quantity: d($0.1).cValue) }
        b.withUnsafeBufferPointer { b in
            a.withUnsafeBufferPointer { a in
                venue.applyFeed(instrument: Fixture.perpId, snapshot: snapshot, bids: b, asks: a)
            }
        }
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
