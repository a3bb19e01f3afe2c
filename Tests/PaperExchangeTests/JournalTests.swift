import ArbModel
import Glibc
import Testing
@testable import PaperExchange

// The durable journal: recovery equals the original, torn tails are ignored, durable flushes are complete.

@Suite struct JournalTests {
    private func journaled(_ path: String, durable: Bool = true) throws -> PaperExchange {
        try PaperExchange.open(journalAt: path, durable: durable, instruments: Fixture.all,
                               balances: ["USDT": d("100000"), "BTC": d("1")]).get()
    }

    private func recover(_ path: String) throws -> PaperExchange {
        try PaperExchange.recover(from: path, instruments: Fixture.all).get()
    }

    @Test func recoveryRebuildsOrdersBalancesAndPositionsExactly() throws {
        let dir = TemporaryDirectory(), path = dir.file("venue.jsonl")
        defer { withExtendedLifetime(dir) {} } // ARC may release early; the files must outlive the test body
        let plain = Fixture.venue()
        let original = try journaled(path)
        let plainEvents = runScenario(plain)
        #expect(runScenario(original) == plainEvents) // journaling does not change behaviour

        let recovered = try recover(path)
        expectSameState(recovered, original)
        expectSameState(recovered, plain)
        #expect(recovered.orders.count == 10)
        #expect(recovered.order(clientOrderId: "l1")?.status == .cancelled)
        #expect(recovered.order(clientOrderId: "l1")?.filledQuantity == d("0.004"))
        #expect(recovered.order(clientOrderId: "i1")?.status == .expired)
        #expect(recovered.openOrders().map(\.clientOrderId) == ["l2", "s2"])

        // Ids, priorities and reservations continue where they were: the next call behaves the same.
        for venue in [plain, recovered] {
            venue.setBook(instrument: Fixture.perpId, bids: levels([("61000", "1")]), asks: levels([("61100", "1")]))
        }
        let next = plain.onBookChanged(instrument: Fixture.perpId, now: Fixture.expiry + 1)
        #expect(next.fills.map(\.tradeId) == ["F9"]) // l2, the resting post-only sell, as maker
        #expect(recovered.onBookChanged(instrument: Fixture.perpId, now: Fixture.expiry + 1) == next)
        let order = limit("n1", Fixture.perpId, .buy, "0.001", "61100")
        #expect(recovered.submit(order, now: Fixture.expiry + 2) == plain.submit(order, now: Fixture.expiry + 2))
        #expect(recovered.order(clientOrderId: "n1")?.venueOrderId == "P11")

        // And what the recovered venue appended recovers too.
        expectSameState(try recover(path), plain)
    }

    @Test func tornLastLineAndUnfinishedBatchAreIgnored() throws {
        let dir = TemporaryDirectory(), path = dir.file("venue.jsonl")
        defer { withExtendedLifetime(dir) {} } // ARC may release early; the files must outlive the test body
        let original = try journaled(path)
        _ = runScenario(original)
        let clean = contents(path)

        // A crash mid-write: half a line, no newline.
        appendRaw(path, "{\"n\":999,\"k\":\"ord\",\"cid\":\"torn")
        let afterTear = try recover(path)
        expectSameState(afterTear, original)
        #expect(afterTear.journal?.discardedTailBytes == 30)
        #expect(contents(path) == clean) // cut back before anything is appended

        // A batch cut short: complete lines, but not the one that ends the batch.
        let sequence = try #require(afterTear.journal?.lastSequence)
        let half = PaperJournalRecord.cancel(clientOrderId: "l2", time: Fixture.expiry + 9)
        appendRaw(path, try half.encoded(sequence: sequence + 1, commit: false, instruments: PaperJournalInstruments(Fixture.all)) + "\n")
        let afterCut = try recover(path)
        expectSameState(afterCut, original)
        #expect(afterCut.order(clientOrderId: "l2")?.status == .open)

        // The venue carries on from there, and that recovers too.
        _ = afterCut.cancel(clientOrderId: "l2", now: Fixture.expiry + 10)
        let again = try recover(path)
        #expect(again.order(clientOrderId: "l2")?.status == .cancelled)
        expectSameState(again, afterCut)
    }

    @Test func durableFlushLeavesCompleteCommittedBatches() throws {
        let dir = TemporaryDirectory(), path = dir.file("venue.jsonl")
        defer { withExtendedLifetime(dir) {} } // ARC may release early; the files must outlive the test body
        let venue = try journaled(path)
        let journal = try #require(venue.journal)
        #expect(journal.syncCount == 1) // the deposits
        venue.feed(Fixture.perpId, asks: [("60000", "0.001"), ("60001", "1")])
        let calls: [() -> [PaperEvent]] = [
            { venue.submit(market("a", Fixture.perpId, .buy, "0.002"), now: t0) },          // order + 2 fills
            { venue.submit(limit("b", Fixture.perpId, .buy, "0.001", "59000"), now: t0) },  // order
            { venue.cancel(clientOrderId: "b", now: t0) },                                  // cancel
            { venue.settleFunding(instrument: Fixture.perpId, rate: d("0.0001"), markPrice: d("60000"), now: t0) },
        ]
        for (k, call) in calls.enumerated() {
            _ = call()
            #expect(journal.syncCount == k + 2)
            let text = contents(path)
            let lines = text.split(separator: "\n")
            #expect(text.hasSuffix("\n"))
            #expect(UInt64(lines.count) == journal.lastSequence)
            #expect(lines.last?.hasSuffix(",\"end\":true}") == true)
            #expect(try PaperJournal.read(path: path, instruments: Fixture.all).count == lines.count)
        }
        // Rejections write nothing.
        _ = venue.submit(limit("a", Fixture.perpId, .buy, "0.001", "59000"), now: t0)
        #expect(journal.syncCount == calls.count + 1)
        let records = try PaperJournal.read(path: path, instruments: Fixture.all)
        #expect(records.count == 2 + 3 + 1 + 1 + 1)
        guard case .fill(let fill) = records[3] else { Issue.record("record 4 is \(records[3])"); return }
        #expect(fill.tradeId == "F1" && fill.price == d("60000") && fill.fee == d("0.024"))
    }

    @Test func nonDurableJournalTruncatesAndNeverSyncs() throws {
        let dir = TemporaryDirectory(), path = dir.file("replay.jsonl")
        defer { withExtendedLifetime(dir) {} }
        _ = runScenario(try journaled(path))
        let venue = try journaled(path, durable: false)
        #expect(venue.orders.isEmpty) // truncated at open, not recovered
        #expect(try PaperJournal.read(path: path, instruments: Fixture.all).count == 2)
        _ = runScenario(venue)
        #expect(venue.journal?.syncCount == 0)
        expectSameState(try recover(path), venue)
    }

    @Test func corruptionBeforeTheTailIsAnError() throws {
        let dir = TemporaryDirectory(), path = dir.file("venue.jsonl")
        defer { withExtendedLifetime(dir) {} } // ARC may release early; the files must outlive the test body
        _ = runScenario(try journaled(path))
        var lines = contents(path).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[3] = "{\"n\":4,\"k\":\"fill\",\"garbage"
        overwrite(path, lines.joined(separator: "\n"))
        #expect(throws: PaperJournalError.corrupt(line: 4, reason: "not a flat JSON object")) { try recover(path) }
    }

    @Test func recordsThatDoNotFitTheVenueStopRecovery() throws {
        let dir = TemporaryDirectory(), path = dir.file("venue.jsonl")
        defer { withExtendedLifetime(dir) {} } // ARC may release early; the files must outlive the test body
        _ = runScenario(try journaled(path))
        let result = PaperExchange.recover(from: path, instruments: [Fixture.spot])
        guard case .failure(.unknownInstrument(let file, let line, let instrument, let configured)) = result else {
            Issue.record("recovered: \(result)"); return
        }
        #expect(file == path)
        #expect(line == 3) // the first order, on the perpetual
        #expect(instrument == PaperInstrumentName(Fixture.perp))
        #expect(configured == [PaperInstrumentName(Fixture.spot)])
    }

    @Test func recordsRoundTripThroughJSON() throws {
        let odd = "q\"uo\\te\n\t\u{1}é✓🚀"
        // Handles at the edges, one named with characters that need escaping, a dated future's expiry.
        var seven = Fixture.future
        seven.id = 7
        seven.symbol = odd
        seven.expiry = -1
        var last = Fixture.spot
        last.id = UInt32.max
        last.symbol = "ETHUSDT"
        let instruments = PaperJournalInstruments(Fixture.all + [seven, last])
        let records: [PaperJournalRecord] = [
            .deposit(currency: odd, amount: d("-0.000000000000000001")),
            .order(PaperOrderRequest(clientOrderId: odd, instrument: 7, side: .sell, type: .limit, timeInForce: .postOnly,
                                     quantity: d("1.5"), price: d("170141183460469231731.687303715884105727"),
                                     reduceOnly: true), venueOrderId: "P9", time: -5),
            .order(market("m", 1, .buy, "2"), venueOrderId: "P10", time: Int64.max),
            .amend(clientOrderId: "a", price: nil, quantity: d("3"), time: Int64.min),
            .cancel(clientOrderId: "c", time: 1), .expire(clientOrderId: "e", time: 2),
            .fill(PaperFill(tradeId: "F1", clientOrderId: odd, venueOrderId: "P1", instrument: UInt32.max, side: .buy,
                            price: d("61659.8"), quantity: d("0.003"), fee: d("0.07399176"), feeCurrency: "USDT",
                            liquidity: .maker, time: 3)),
            .funding(instrument: 2, rate: d("-0.000125"), markPrice: d("61659.8"), positionQuantity: d("-0.003"),
                     amount: d("-0.02312242"), currency: "USDT", time: 4),
            .expirySettlement(instrument: 4, indexPrice: d("59000"), time: 5),
        ]
        for (k, record) in records.enumerated() {
            let line = try record.encoded(sequence: UInt64(k + 1), commit: k % 2 == 0, instruments: instruments)
            let fields = JSONFields.parse(ArraySlice(line.utf8))
            #expect(fields.map { PaperJournalRecord.decode($0, instruments: instruments) } == .success(record), "\(line)")
            #expect(!line.contains("\"ins\""), "\(line)")
            #expect((try? fields?.bool("end")) == (k % 2 == 0 ? true : nil))
        }
    }
}

@Suite struct JournalFailureTests {
    /// An instrument that needs no margin and charges no fee, so orders are accepted with no money.
    private var free: PaperInstrument {
        var instrument = Fixture.perp
        instrument.initialMargin = .zero
        instrument.makerFee = .zero
        instrument.takerFee = .zero
        return instrument
    }

    @Test func failedWriteStopsTheVenue() throws {
        // /dev/full accepts the open and fails every write with ENOSPC.
        let venue = try PaperExchange.open(journalAt: "/dev/full", durable: false, instruments: [free], balances: [:]).get()
        let events = venue.submit(limit("a", free.id, .buy, "0.01", "60000"), now: t0)
        #expect(events.contains { if case .internalError = $0 { true } else { false } })
        #expect(venue.journalError != nil)
        #expect(venue.submit(limit("b", free.id, .buy, "0.01", "60000"), now: t0).rejectCode == -1001)
        #expect(venue.cancel(clientOrderId: "a", now: t0).rejectCode == -1001)
        #expect(venue.amend(clientOrderId: "a", price: d("59000"), now: t0).rejectCode == -1001)
        #expect(venue.settleFunding(instrument: free.id, rate: d("0.0001"), markPrice: d("60000"), now: t0).rejectCode == -1001)
        #expect(venue.onBookChanged(instrument: free.id, now: t0).count == 1)
    }

    @Test func startingBalancesThatCannotBeWrittenFailTheOpen() {
        let result = PaperExchange.open(journalAt: "/dev/full", durable: false, instruments: [free], balances: ["USDT": d("1")])
        guard case .failure(.io(let operation, _, _)) = result else { Issue.record("opened: \(result)"); return }
        #expect(operation == "write")
    }

    @Test func durableJournalMustBeARegularFile() {
        #expect(throws: PaperJournalError.self) { try PaperJournal(path: "/dev/zero", durable: true, instruments: []) }
    }
}

/// Records name instruments by the venue's symbol and kind (and a dated future's expiry), never by
/// the host's handle: a restart with the markets listed in another order gives them other
/// handles, and every record must still land on its own market.
@Suite struct JournalInstrumentNameTests {
    /// BTCUSDT spot and perpetual (one symbol, two kinds) and a dated future.
    static let spot = Fixture.spot
    static let perp = { var perp = Fixture.perp; perp.symbol = "BTCUSDT"; return perp }()
    static let future = Fixture.future

    /// The markets with the handles 1, 2, 3, … in the order listed, as the host numbers them.
    func numbered(_ markets: [PaperInstrument]) -> [PaperInstrument] {
        markets.enumerated().map { k, market in
            var numbered = market
            numbered.id = UInt32(k + 1)
            return numbered
        }
    }

    /// A journaled venue with spot, perpetual and future as 1, 2, 3 that bought 0.01 BTC spot,
    /// went 0.4 long on the perpetual and 0.2 short on the future, with an order resting on each
    /// market and one funding settlement.
    func tradedVenue(_ path: String) throws -> PaperExchange {
        let venue = try PaperExchange.open(journalAt: path, durable: true, instruments: numbered([Self.spot, Self.perp, Self.future]),
                                           balances: ["USDT": d("100000"), "BTC": d("1")]).get()
        var events: [PaperEvent] = []
        venue.feed(1, asks: [("60000", "1")])
        events += venue.submit(market("s1", 1, .buy, "0.01"), now: t0)
        events += venue.submit(limit("s2", 1, .sell, "0.5", "70000"), now: t0)
        venue.feed(2, asks: [("60010", "1")])
        events += venue.submit(market("p1", 2, .buy, "0.4"), now: t0)
        events += venue.submit(limit("p2", 2, .buy, "0.1", "50000"), now: t0)
        venue.feed(3, bids: [("61000", "1")])
        events += venue.submit(market("f1", 3, .sell, "0.2"), now: t0)
        events += venue.submit(limit("f2", 3, .sell, "0.1", "65000"), now: t0)
        events += venue.settleFunding(instrument: 2, rate: d("0.0001"), markPrice: d("60000"), now: t0)
        #expect(events.rejectCode == nil, "\(events)")
        #expect(events.fills.count == 3)
        #expect(venue.position(instrument: 2)?.quantity == d("0.4"))
        return venue
    }

    @Test func recoveryAppliesEachRecordToItsMarketWhenTheMarketsAreListedInAnotherOrder() throws {
        let dir = TemporaryDirectory(), path = dir.file("venue.jsonl")
        defer { withExtendedLifetime(dir) {} } // ARC may release early; the files must outlive the test body
        let original = try tradedVenue(path)
        let text = contents(path)
        #expect(text.contains("\"sym\":\"BTCUSDT\",\"kind\":\"perpetual\""), "\(text)")
        #expect(text.contains("\"sym\":\"BTCUSDT_240602\",\"kind\":\"dated_future\",\"exp\":\(Fixture.expiry)"), "\(text)")
        #expect(!text.contains("\"ins\""), "\(text)")

        // Listed perpetual, future, spot: every market has another handle now.
        let recovered = try PaperExchange.recover(from: path, instruments: numbered([Self.perp, Self.future, Self.spot])).get()
        let moved: [UInt32: UInt32] = [1: 3, 2: 1, 3: 2]
        // Each order, with what its fills did (filled quantity, average price, fees), on its own market.
        #expect(recovered.orders.count == original.orders.count)
        for order in original.orders {
            var expected = order
            expected.instrument = try #require(moved[order.instrument])
            #expect(recovered.order(clientOrderId: order.clientOrderId) == expected)
        }
        #expect(recovered.openOrders(instrument: 3).map(\.clientOrderId) == ["s2"])
        #expect(recovered.openOrders(instrument: 1).map(\.clientOrderId) == ["p2"])
        #expect(recovered.openOrders(instrument: 2).map(\.clientOrderId) == ["f2"])
        // Positions: 0.4 long on the perpetual, 0.2 short on the future, none on spot.
        for position in original.positions {
            var expected = position
            expected.instrument = try #require(moved[position.instrument])
            #expect(recovered.position(instrument: expected.instrument) == expected)
        }
        #expect(recovered.position(instrument: 1)?.quantity == d("0.4"))
        #expect(recovered.position(instrument: 2)?.quantity == d("-0.2"))
        #expect(recovered.position(instrument: 3) == nil)
        #expect(recovered.balances == original.balances)
        #expect(original.fundingPeriods[2] != nil)
        #expect(recovered.fundingPeriods == [1: original.fundingPeriods[2] ?? 0])

        // What the recovered venue appends names markets too: back in the first order, all is where it was.
        #expect(recovered.cancel(clientOrderId: "p2", now: t0 + 1).rejectCode == nil)
        let again = try PaperExchange.recover(from: path, instruments: numbered([Self.spot, Self.perp, Self.future])).get()
        #expect(again.order(clientOrderId: "p2")?.status == .cancelled)
        #expect(again.order(clientOrderId: "p2")?.instrument == 2)
        #expect(again.position(instrument: 2)?.quantity == d("0.4"))
        #expect(again.positions == original.positions)
        #expect(again.balances == recovered.balances)
    }

    @Test func aJournalNamingAMarketThatIsNotConfiguredIsRefusedWithFileLineMarketAndTheConfiguredOnes() throws {
        let dir = TemporaryDirectory(), path = dir.file("venue.jsonl")
        defer { withExtendedLifetime(dir) {} } // ARC may release early; the files must outlive the test body
        _ = try tradedVenue(path)
        let lines = contents(path).split(separator: "\n")
        let line = try #require(lines.firstIndex { $0.contains("\"kind\":\"perpetual\"") }) + 1

        let result = PaperExchange.recover(from: path, instruments: numbered([Self.future, Self.spot]))
        guard case .failure(let error) = result else { Issue.record("recovered without the perpetual"); return }
        #expect(error == .unknownInstrument(path: path, line: line, instrument: PaperInstrumentName(symbol: "BTCUSDT", kind: .perpetual),
                                            configured: [PaperInstrumentName(Self.future), PaperInstrumentName(Self.spot)]))
        #expect(error.description == "journal \(path) line \(line) names BTCUSDT perpetual, which this venue is not configured with "
                + "(configured: BTCUSDT_240602 dated_future expiring \(Fixture.expiry), BTCUSDT spot); configure it, or move the journal aside")
        // A market of the same symbol but another kind is another market.
        if case .success = PaperExchange.recover(from: path, instruments: numbered([Self.spot, Self.future])) {
            Issue.record("recovered the perpetual's records into spot")
        }
    }

    @Test func aMarketNamedOnlyInABatchCutShortIsNotRefused() throws {
        let dir = TemporaryDirectory(), path = dir.file("venue.jsonl")
        defer { withExtendedLifetime(dir) {} } // ARC may release early; the files must outlive the test body
        _ = try PaperExchange.open(journalAt: path, durable: true, instruments: [Self.spot], balances: ["USDT": d("100000")]).get()
        // A crash mid-batch left an order on a market this venue no longer has, without its batch's end.
        let order = PaperJournalRecord.order(limit("gone", 2, .buy, "0.001", "60000"), venueOrderId: "P1", time: t0)
        appendRaw(path, try order.encoded(sequence: 2, commit: false, instruments: PaperJournalInstruments([Self.spot, Self.perp])) + "\n")
        let recovered = try PaperExchange.recover(from: path, instruments: [Self.spot]).get()
        #expect(recovered.orders.isEmpty)
        #expect(recovered.balance("USDT").total == d("100000"))
        #expect(recovered.journal?.discardedTailBytes ?? 0 > 0)
    }

    @Test func aJournalThatNamesInstrumentHandlesIsRefusedAsWrittenByAnOlderBuild() throws {
        let dir = TemporaryDirectory(), path = dir.file("venue.jsonl")
        defer { withExtendedLifetime(dir) {} } // ARC may release early; the files must outlive the test body
        close(open(path, O_CREAT | O_WRONLY, 0o644))
        appendRaw(path, """
            {"n":1,"k":"dep","cur":"USDT","amt":"100000","end":true}
            {"n":2,"k":"ord","cid":"a","vid":"P1","ins":2,"side":"buy","type":"limit","tif":"gtc","qty":"0.001","px":"60000","ro":false,"ts":1,"end":true}

            """)
        let result = PaperExchange.recover(from: path, instruments: numbered([Self.spot, Self.perp]))
        guard case .failure(let error) = result else { Issue.record("recovered a journal of handles"); return }
        #expect(error == .instrumentHandles(path: path, line: 2))
        #expect(error.description == "journal \(path) line 2 was written by an older build: names instrument handles; move the journal aside")
    }
}
