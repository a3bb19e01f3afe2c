import ArbModel
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
        appendRaw(path, half.encoded(sequence: sequence + 1, commit: false) + "\n")
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
            #expect(try PaperJournal.read(path: path).count == lines.count)
        }
        // Rejections write nothing.
        _ = venue.submit(limit("a", Fixture.perpId, .buy, "0.001", "59000"), now: t0)
        #expect(journal.syncCount == calls.count + 1)
        let records = try PaperJournal.read(path: path)
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
        #expect(try PaperJournal.read(path: path).count == 2)
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
        guard case .failure(.inconsistent(let line, _)) = result else { Issue.record("recovered: \(result)"); return }
        #expect(line == 3) // the first order, on the perpetual
    }

    @Test func recordsRoundTripThroughJSON() {
        let odd = "q\"uo\\te\n\t\u{1}é✓🚀"
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
            let line = record.encoded(sequence: UInt64(k + 1), commit: k % 2 == 0)
            let fields = JSONFields.parse(ArraySlice(line.utf8))
            #expect(fields.map { PaperJournalRecord.decode($0) } == .success(record), "\(line)")
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
        #expect(throws: PaperJournalError.self) { try PaperJournal(path: "/dev/zero", durable: true) }
    }
}
