import ArbSDK
import Glibc
import ArbModel
import Synchronization
import Testing
@testable import ArbEngine

/// Runs `body` on a new pthread; pass the result to `pthread_join`.
private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

private func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
    var thread = pthread_t()
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    let result = pthread_create(&thread, nil, { context in
        Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
        return nil
    }, context)
    precondition(result == 0, "pthread_create failed: \(result)")
    return thread
}

/// The byte at `index` of record number `record`: varies with both, so a misplaced or stale
/// byte shows.
private func patternByte(record: Int, index: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: record &* 31 &+ index &* 7 &+ (index >> 8))
}

/// What the producers and the consumer of the stress test share.
private final class SharedFlags: Sendable {
    let stop = Atomic<Bool>(false)
    let fullRetries = Atomic<Int>(0)
}

private func align8(_ n: Int) -> Int { (n + 7) & ~7 }

private let recordTypes: [RecordType] = [.book, .trade, .funding, .fundingPayment, .order, .fill, .position,
                                         .balance, .gap, .connection, .requestDone, .instrumentSpec, .ticker,
                                         .command]

@Suite("InboundRing")
struct InboundRingTests {
    // MARK: Single thread

    @Test func maxPayloadIsAQuarterOfTheRingLessTheHeader() {
        #expect(InboundRing(capacity: 4096).maxPayload == 1024 - 8)
        #expect(InboundRing(capacity: 65536).maxPayload == 16384 - 8)
    }

    @Test func emptyRingHasNothingToPeek() {
        let ring = InboundRing(capacity: 4096)
        #expect(ring.peek() == nil)
        #expect(ring.usedBytes == 0)
        ring.release()  // nothing peeked: no effect
        #expect(ring.usedBytes == 0)
    }

    @Test func oneRecordRoundTrips() throws {
        let ring = InboundRing(capacity: 4096)
        let p = try #require(ring.claim(.trade, length: 12))
        #expect(Int(bitPattern: p) % 8 == 0, "payloads are 8-byte aligned")
        for i in 0..<12 { p.storeBytes(of: UInt8(i + 100), toByteOffset: i, as: UInt8.self) }
        #expect(ring.peek() == nil, "claimed but not committed")
        ring.commit(p)

        let record = try #require(ring.peek())
        #expect(record.type == RecordType.trade.rawValue)
        #expect(record.payload == p)
        #expect(record.length == 16, "the length is the claimed one rounded up to 8")
        #expect((0..<12).map { record.payload.load(fromByteOffset: $0, as: UInt8.self) } == (100..<112).map(UInt8.init))
        #expect(ring.usedBytes == 24)
        ring.release()
        #expect(ring.peek() == nil)
        #expect(ring.usedBytes == 0)
    }

    @Test func recordsAreReadInClaimOrderEvenWhenCommittedOutOfOrder() throws {
        let ring = InboundRing(capacity: 4096)
        let a = try #require(ring.claim(.book, length: 8))
        let b = try #require(ring.claim(.trade, length: 8))
        a.storeBytes(of: 1, as: UInt64.self)
        b.storeBytes(of: 2, as: UInt64.self)
        ring.commit(b)
        #expect(ring.peek() == nil, "the first claimed record is not committed yet")
        ring.commit(a)

        let first = try #require(ring.peek())
        #expect(first.type == RecordType.book.rawValue)
        #expect(first.payload.load(as: UInt64.self) == 1)
        ring.release()
        let second = try #require(ring.peek())
        #expect(second.type == RecordType.trade.rawValue)
        #expect(second.payload.load(as: UInt64.self) == 2)
        ring.release()
        #expect(ring.peek() == nil)
    }

    @Test func variableSizedRecordsRoundTripThroughManyWrapArounds() throws {
        let capacity = 64 * 1024
        let ring = InboundRing(capacity: capacity)
        var pending: [(record: Int, size: Int, type: RecordType)] = []  // committed, not yet read
        var nextRecord = 0, verified = 0, bytesThrough = 0, fullCount = 0

        func consume(_ n: Int) throws {
            for _ in 0..<n {
                let expected = pending.removeFirst()
                let record = try #require(ring.peek(), "record \(expected.record) is missing")
                #expect(record.type == expected.type.rawValue)
                #expect(record.length == align8(expected.size))
                let bytes = UnsafeRawBufferPointer(start: record.payload, count: expected.size)
                var mismatches = 0
                for i in 0..<expected.size where bytes[i] != patternByte(record: expected.record, index: i) {
                    mismatches += 1
                }
                #expect(mismatches == 0, "record \(expected.record) of \(expected.size) bytes")
                ring.release()
                verified += 1
            }
        }

        while bytesThrough < 70 * capacity {
            // Sizes sweep 1...3000 in a scrambled order so every offset modulo 8 and every
            // distance to the end of the buffer gets hit.
            let size = (nextRecord &* 7_919) % 3_000 + 1
            let type = recordTypes[nextRecord % recordTypes.count]
            if let p = ring.claim(type, length: size) {
                let bytes = UnsafeMutableRawBufferPointer(start: p, count: size)
                for i in 0..<size { bytes[i] = patternByte(record: nextRecord, index: i) }
                ring.commit(p)
                pending.append((nextRecord, size, type))
                nextRecord += 1
                bytesThrough += size
            } else {
                // Full: read back a varying share of what is waiting, then carry on.
                fullCount += 1
                #expect(!pending.isEmpty, "the ring refused a \(size)-byte record while empty")
                try consume(max(1, pending.count / (1 + fullCount % 3)))
            }
        }
        try consume(pending.count)
        #expect(ring.peek() == nil)
        #expect(ring.usedBytes == 0)
        #expect(verified == nextRecord)
        #expect(fullCount > 50, "the test must actually fill the ring repeatedly")
    }

    @Test func claimReturnsNilWhenFullAndSucceedsAgainAfterRelease() throws {
        let ring = InboundRing(capacity: 4096)
        let size = ring.maxPayload  // 1016 bytes: 1024 with the header, four fill the ring
        var claimed: [UnsafeMutableRawPointer] = []
        for i in 0..<4 {
            let p = try #require(ring.claim(.balance, length: size), "record \(i)")
            p.storeBytes(of: UInt64(i), as: UInt64.self)
            ring.commit(p)
            claimed.append(p)
        }
        #expect(ring.usedBytes == 4096)
        #expect(ring.claim(.balance, length: size) == nil)
        #expect(ring.claim(.balance, length: 1) == nil, "not even one byte fits")

        // Peeking alone frees nothing.
        #expect(ring.peek()?.payload.load(as: UInt64.self) == 0)
        #expect(ring.claim(.balance, length: 1) == nil)
        ring.release()
        #expect(ring.usedBytes == 3072)

        let again = try #require(ring.claim(.balance, length: size))
        #expect(again == claimed[0], "the freed space is reused")
        again.storeBytes(of: 4, as: UInt64.self)
        ring.commit(again)
        #expect(ring.claim(.balance, length: 1) == nil)

        var order: [UInt64] = []
        while let record = ring.peek() {
            order.append(record.payload.load(as: UInt64.self))
            ring.release()
        }
        #expect(order == [1, 2, 3, 4])
        #expect(ring.usedBytes == 0)
    }

    @Test func recordThatDoesNotFitBeforeTheEndWrapsWithPadding() throws {
        let ring = InboundRing(capacity: 4096)
        // 3 records of 1024 bytes and one of 512: the tail stops 512 bytes before the end.
        for _ in 0..<3 { ring.commit(try #require(ring.claim(.book, length: 1016))) }
        ring.commit(try #require(ring.claim(.trade, length: 504)))
        for _ in 0..<3 {
            _ = try #require(ring.peek())
            ring.release()
        }
        // 1024 bytes do not fit in the last 512: they go to the start, behind a padding record.
        let wrapped = try #require(ring.claim(.fill, length: 1016))
        wrapped.storeBytes(of: 0xABCD, as: UInt64.self)
        ring.commit(wrapped)
        #expect(ring.usedBytes == 512 + 512 + 1024)

        #expect(ring.peek()?.type == RecordType.trade.rawValue)
        ring.release()
        let record = try #require(ring.peek(), "the padding is skipped")
        #expect(record.type == RecordType.fill.rawValue)
        #expect(record.payload.load(as: UInt64.self) == 0xABCD)
        ring.release()
        #expect(ring.peek() == nil)
        #expect(ring.usedBytes == 0)
    }

    @Test func claimLargerThanMaxPayloadReturnsNil() throws {
        let ring = InboundRing(capacity: 64 * 1024)
        #expect(ring.claim(.book, length: ring.maxPayload + 1) == nil)
        #expect(ring.claim(.book, length: 1 << 20) == nil)
        #expect(ring.usedBytes == 0, "a refused claim takes no space")
        let p = try #require(ring.claim(.book, length: ring.maxPayload), "exactly maxPayload fits")
        ring.commit(p)
        #expect(ring.peek()?.length == ring.maxPayload)
        ring.release()
    }

    @Test func waitReturnsAtOnceWhenARecordIsCommitted() throws {
        let ring = InboundRing(capacity: 4096)
        ring.commit(try #require(ring.claim(.gap, length: 8)))
        let start = ContinuousClock.now
        ring.wait(timeoutNanoseconds: 5_000_000_000)
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(ring.peek()?.type == RecordType.gap.rawValue)
    }

    // MARK: Many producers

    @Test(.timeLimit(.minutes(1)))
    func manyProducersDeliverEverySequenceCompleteAndInOrder() throws {
        let producers = 4
        let perProducer = 200_000
        let ring = InboundRing(capacity: 1 << 20)
        let flags = SharedFlags()

        let threads = (0..<producers).map { producer in
            startThread {
                var sequence: UInt64 = 0
                while sequence < UInt64(perProducer) {
                    guard let p = ring.claim(.trade, length: 16) else {
                        if flags.stop.load(ordering: .relaxed) { return }
                        flags.fullRetries.add(1, ordering: .relaxed)
                        sched_yield()
                        continue
                    }
                    p.storeBytes(of: UInt32(producer), as: UInt32.self)
                    p.storeBytes(of: UInt32(0x5EED), toByteOffset: 4, as: UInt32.self)
                    p.storeBytes(of: sequence, toByteOffset: 8, as: UInt64.self)
                    ring.commit(p)
                    sequence += 1
                }
            }
        }

        var next = [UInt64](repeating: 0, count: producers)
        var received = 0, outOfOrder = 0, malformed = 0
        let total = producers * perProducer
        let deadline = ContinuousClock.now + .seconds(30)
        while received < total {
            guard let record = ring.peek() else {
                if ContinuousClock.now > deadline { break }
                ring.wait(timeoutNanoseconds: 1_000_000)
                continue
            }
            let producer = Int(record.payload.load(as: UInt32.self))
            let marker = record.payload.load(fromByteOffset: 4, as: UInt32.self)
            let sequence = record.payload.load(fromByteOffset: 8, as: UInt64.self)
            if record.type != RecordType.trade.rawValue || record.length != 16 || marker != 0x5EED
                || !(0..<producers).contains(producer) {
                malformed += 1
            } else {
                if sequence != next[producer] { outOfOrder += 1 }
                next[producer] = sequence + 1
            }
            received += 1
            ring.release()
        }
        flags.stop.store(true, ordering: .relaxed)
        for thread in threads { pthread_join(thread, nil) }

        #expect(received == total,
                "timed out after \(received) of \(total) records (\(flags.fullRetries.load(ordering: .relaxed)) full retries)")
        #expect(malformed == 0)
        #expect(outOfOrder == 0, "sequences must arrive complete, in order, without duplicates")
        #expect(next == [UInt64](repeating: UInt64(perProducer), count: producers))
        #expect(ring.peek() == nil, "nothing beyond what was sent")
        #expect(ring.usedBytes == 0)
    }

    // MARK: RecordCodec

    @Test func orderEventWithFourStringsRoundTripsThroughARecord() throws {
        let ring = InboundRing(capacity: 64 * 1024)
        let clientId = "cq-000042", venueId = "8389765012345678901", feeCurrency = "USDT"
        let reason = "post-only order would take liquidity: price 61800.3 crosses the ask"

        var order = arb_order_event_t()
        order.struct_size = structSize(arb_order_event_t.self)
        order.order_id = 0x0123_4567_89AB_CDEF
        order.instrument = 17
        order.side = ARB_SIDE_SELL
        order.type = ARB_ORDER_LIMIT
        order.time_in_force = ARB_TIF_POST_ONLY
        order.status = ARB_ORDER_REJECTED
        order.is_final = 1
        order.quantity = try ExactDecimal(parsing: "0.015").cValue
        order.price = try ExactDecimal(parsing: "61800.3").cValue
        order.filled_quantity = ExactDecimal.zero.cValue
        order.remaining_quantity = try ExactDecimal(parsing: "0.015").cValue
        order.average_price = try ExactDecimal(parsing: "-1.000000000000000001").cValue
        order.fee = try ExactDecimal(parsing: "123456789.123456789123456789").cValue
        order.ts_event = 1_700_000_000_123_456_789
        order.ts_init = -5

        let status = clientId.withArbStr { c in
            venueId.withArbStr { v in
                feeCurrency.withArbStr { f in
                    reason.withArbStr { r in
                        order.client_order_id = c
                        order.venue_order_id = v
                        order.fee_currency = f
                        order.reason = r
                        return RecordCodec.post(order, header: RecordHeader(source: 3, request: 99), to: ring)
                    }
                }
            }
        }
        #expect(status == ARB_OK)

        let record = try #require(ring.peek())
        #expect(record.type == RecordType.order.rawValue)
        let (header, read) = RecordCodec.read(record.payload, as: arb_order_event_t.self)
        #expect(header.source == 3)
        #expect(header.request == 99)

        // The strings live inside the record now.
        let recordBytes = UnsafeRawPointer(record.payload)..<UnsafeRawPointer(record.payload + record.length)
        for s in [read.client_order_id, read.venue_order_id, read.fee_currency, read.reason] {
            let start = try #require(s.ptr.map(UnsafeRawPointer.init))
            #expect(recordBytes.contains(start) && start + s.len <= recordBytes.upperBound)
        }
        #expect(String(read.client_order_id) == clientId)
        #expect(String(read.venue_order_id) == venueId)
        #expect(String(read.fee_currency) == feeCurrency)
        #expect(String(read.reason) == reason)

        // Every other field is bit-identical: compare with the original, strings blanked.
        var expected = order, actual = read
        for blank in [\arb_order_event_t.client_order_id, \.venue_order_id, \.fee_currency, \.reason] {
            expected[keyPath: blank] = .empty
            actual[keyPath: blank] = .empty
        }
        let same = withUnsafeBytes(of: &expected) { e in withUnsafeBytes(of: &actual) { a in e.elementsEqual(a) } }
        #expect(same)
        #expect(ExactDecimal(read.price) == (try ExactDecimal(parsing: "61800.3")))
        #expect(ExactDecimal(read.fee) == (try ExactDecimal(parsing: "123456789.123456789123456789")))
        ring.release()
        #expect(ring.usedBytes == 0)
    }

    @Test func emptyAndMissingStringsReadBackEmpty() throws {
        let ring = InboundRing(capacity: 4096)
        var order = arb_order_event_t()
        order.order_id = 5
        order.client_order_id = .empty                               // {NULL, 0}
        let empty: [CChar] = [0]
        let status = empty.withUnsafeBufferPointer { p in
            order.venue_order_id = arb_str_t(ptr: p.baseAddress, len: 0)  // a pointer, no bytes
            return RecordCodec.post(order, header: RecordHeader(source: 0, request: 0), to: ring)
        }
        #expect(status == ARB_OK)
        let record = try #require(ring.peek())
        let (_, read) = RecordCodec.read(record.payload, as: arb_order_event_t.self)
        #expect(read.order_id == 5)
        for s in [read.client_order_id, read.venue_order_id, read.fee_currency, read.reason] {
            #expect(s.len == 0)
            #expect(String(s) == "")
        }
        ring.release()
    }

    @Test func bookUpdateWithBidAndAskArraysRoundTripsThroughARecord() throws {
        let ring = InboundRing(capacity: 64 * 1024)
        func level(_ price: String, _ quantity: String) throws -> arb_book_level_t {
            arb_book_level_t(price: try ExactDecimal(parsing: price).cValue,
                             quantity: try ExactDecimal(parsing: quantity).cValue)
        }
        let bids = try [level("61800.3", "1.5"), level("61800.2", "0.000000000000000001"), level("61799", "250")]
        let asks = try [level("61800.4", "0.2"), level("61801", "0")]

        var update = arb_book_update_t()
        update.struct_size = structSize(arb_book_update_t.self)
        update.instrument = 4
        update.is_snapshot = 1
        update.first_sequence = 1_000
        update.last_sequence = 1_010
        update.previous_sequence = 999
        update.ts_event = 1_700_000_000_000_000_000
        update.ts_init = 1_700_000_000_000_000_321
        let status = bids.withUnsafeBufferPointer { b in
            asks.withUnsafeBufferPointer { a in
                update.bids = b.baseAddress
                update.bid_count = b.count
                update.asks = a.baseAddress
                update.ask_count = a.count
                return RecordCodec.post(update, header: RecordHeader(source: 1, request: 0), to: ring)
            }
        }
        #expect(status == ARB_OK)

        let record = try #require(ring.peek())
        #expect(record.type == RecordType.book.rawValue)
        let (header, read) = RecordCodec.read(record.payload, as: arb_book_update_t.self)
        #expect(header.source == 1)
        #expect(read.instrument == 4)
        #expect(read.is_snapshot == 1)
        #expect(read.first_sequence == 1_000)
        #expect(read.last_sequence == 1_010)
        #expect(read.previous_sequence == 999)
        #expect(read.ts_event == 1_700_000_000_000_000_000)
        #expect(read.ts_init == 1_700_000_000_000_000_321)
        #expect(read.struct_size == structSize(arb_book_update_t.self))
        #expect(read.bid_count == 3)
        #expect(read.ask_count == 2)

        let readBids = UnsafeRawBufferPointer(UnsafeBufferPointer(start: read.bids, count: read.bid_count))
        let readAsks = UnsafeRawBufferPointer(UnsafeBufferPointer(start: read.asks, count: read.ask_count))
        #expect(bids.withUnsafeBytes { $0.elementsEqual(readBids) })
        #expect(asks.withUnsafeBytes { $0.elementsEqual(readAsks) })
        #expect(readBids.baseAddress.map { $0 > UnsafeRawPointer(record.payload) } == true)
        #expect(readAsks.baseAddress.map { $0 + readAsks.count <= UnsafeRawPointer(record.payload + record.length) } == true)
        #expect(ExactDecimal(read.bids![1].quantity) == ExactDecimal(units: 1))
        ring.release()
    }

    @Test func bookUpdateWithoutLevelsReadsBackEmptySides() throws {
        let ring = InboundRing(capacity: 4096)
        var update = arb_book_update_t()
        update.last_sequence = 7
        #expect(RecordCodec.post(update, header: RecordHeader(source: 0, request: 0), to: ring) == ARB_OK)
        let record = try #require(ring.peek())
        let (_, read) = RecordCodec.read(record.payload, as: arb_book_update_t.self)
        #expect(read.last_sequence == 7)
        #expect(read.bids == nil && read.bid_count == 0)
        #expect(read.asks == nil && read.ask_count == 0)
        ring.release()
    }

    @Test func postRefusesARecordLargerThanMaxPayloadAndReportsAFullRing() throws {
        let ring = InboundRing(capacity: 4096)
        let levels = [arb_book_level_t](repeating: arb_book_level_t(), count: 64)  // 2 KiB > 1016
        var update = arb_book_update_t()
        let tooLarge = levels.withUnsafeBufferPointer { b in
            update.bids = b.baseAddress
            update.bid_count = b.count
            return RecordCodec.post(update, header: RecordHeader(source: 0, request: 0), to: ring)
        }
        #expect(tooLarge == ARB_ERR_INVALID_ARGUMENT)
        #expect(ring.usedBytes == 0)

        update = arb_book_update_t()
        var posted = 0
        while RecordCodec.post(update, header: RecordHeader(source: 0, request: 0), to: ring) == ARB_OK { posted += 1 }
        #expect(posted > 0)
        #expect(RecordCodec.post(update, header: RecordHeader(source: 0, request: 0), to: ring) == ARB_ERR_QUEUE_FULL)
    }
}
