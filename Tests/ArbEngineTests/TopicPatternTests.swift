import Testing
@testable import ArbEngine

@Suite("TopicPattern")
struct TopicPatternTests {
    @Test func literalPatternMatchesOnlyTheSameTopic() throws {
        let pattern = try TopicPattern("data.book.binance.BTCUSDT")
        #expect(pattern.matches("data.book.binance.BTCUSDT"))
        #expect(!pattern.matches("data.book.binance.ETHUSDT"))
        #expect(!pattern.matches("data.book.okx.BTCUSDT"))
        #expect(!pattern.matches("data.book.binance.BTCUSD"))   // a prefix of a segment
        #expect(!pattern.matches("data.book.binance.BTCUSDTX"))  // a longer segment
        #expect(pattern.text == "data.book.binance.BTCUSDT")
        #expect(pattern.description == "data.book.binance.BTCUSDT")
    }

    @Test func starMatchesExactlyOneNonEmptySegment() throws {
        let pattern = try TopicPattern("data.book.*.BTCUSDT")
        #expect(pattern.matches("data.book.binance.BTCUSDT"))
        #expect(pattern.matches("data.book.x.BTCUSDT"))
        #expect(!pattern.matches("data.book.BTCUSDT"))                 // zero segments
        #expect(!pattern.matches("data.book.binance.spot.BTCUSDT"))    // two segments
        #expect(!pattern.matches("data.book..BTCUSDT"))                // an empty segment
        #expect(!pattern.matches("data.book.binance.ETHUSDT"))

        let trailing = try TopicPattern("a.*")
        #expect(trailing.matches("a.b"))
        #expect(!trailing.matches("a"))
        #expect(!trailing.matches("a."))
        #expect(!trailing.matches("a.b.c"))
    }

    @Test func trailingRestMatchesOneOrMoreSegments() throws {
        let pattern = try TopicPattern("custom.>")
        #expect(pattern.matches("custom.a"))
        #expect(pattern.matches("custom.a.b"))
        #expect(pattern.matches("custom.signal.spread.BTCUSDT"))
        #expect(!pattern.matches("custom"))       // zero segments after the prefix
        #expect(!pattern.matches("custom."))      // an empty rest
        #expect(!pattern.matches("customs.a"))
        #expect(!pattern.matches("other.a"))

        let everything = try TopicPattern(">")
        #expect(everything.matches("a"))
        #expect(everything.matches("a.b.c"))
        #expect(!everything.matches(""))
    }

    @Test func starAndRestCombine() throws {
        let pattern = try TopicPattern("data.*.>")
        #expect(pattern.matches("data.book.binance"))
        #expect(pattern.matches("data.trade.okx.BTC-USDT"))
        #expect(!pattern.matches("data.book"))
        #expect(!pattern.matches("order.book.binance"))
    }

    @Test func segmentCountMustMatch() throws {
        let pattern = try TopicPattern("a.b")
        #expect(pattern.matches("a.b"))
        #expect(!pattern.matches("a"))
        #expect(!pattern.matches("a.b.c"))
        #expect(!pattern.matches("a.b."))
        #expect(!pattern.matches(""))

        let single = try TopicPattern("a")
        #expect(single.matches("a"))
        #expect(!single.matches("a.b"))
        #expect(!single.matches(""))
    }

    @Test func matchingRawBytesAgreesWithMatchingStrings() throws {
        let pattern = try TopicPattern("x.*.z")
        let topics = ["x.y.z", "x.yy.z", "x.z", "x.y.z.w", "y.y.z"]
        for topic in topics {
            let bytes = Array(topic.utf8)
            let viaBytes = bytes.withUnsafeBytes { pattern.matches($0) }
            #expect(viaBytes == pattern.matches(topic), "\(topic)")
        }
    }

    @Test func emptyPatternIsRejected() {
        #expect(throws: TopicPattern.Invalid.empty) { try TopicPattern("") }
        #expect(TopicPattern.Invalid.empty.description == "a topic pattern may not be empty")
    }

    @Test(arguments: ["a..b", ".a", "a.", "."])
    func patternWithAnEmptySegmentIsRejected(_ text: String) {
        #expect(throws: TopicPattern.Invalid.emptySegment(text)) { try TopicPattern(text) }
    }

    @Test(arguments: [">.a", "a.>.b", "a.>.>"])
    func restThatIsNotLastIsRejected(_ text: String) {
        #expect(throws: TopicPattern.Invalid.restNotLast(text)) { try TopicPattern(text) }
    }

    @Test func errorDescriptionsNameThePattern() {
        #expect(TopicPattern.Invalid.emptySegment("a..b").description == "topic pattern 'a..b' has an empty segment")
        #expect(TopicPattern.Invalid.restNotLast("a.>.b").description
                == "in topic pattern 'a.>.b', '>' may only be the last segment")
    }

    @Test func starOrRestInsideASegmentIsALiteral() throws {
        let pattern = try TopicPattern("a.b*.c>")
        #expect(pattern.matches("a.b*.c>"))
        #expect(!pattern.matches("a.bx.cx"))
    }
}
