import Testing
@testable import ArbEngine

/// A reference around the queue under test, so its mutating calls can sit inside `#expect`
/// (the macro passes its operand as an immutable value).
private final class Timers {
    var queue: TimerQueue

    init(capacity: Int = 1024) { queue = TimerQueue(capacity: capacity) }

    var count: Int { queue.count }

    func set(id: UInt64, deadline: Int64, interval: Int64, owner: TimerOwner, tag: UInt64) {
        queue.set(id: id, deadline: deadline, interval: interval, owner: owner, tag: tag)
    }

    func setOnce(_ id: UInt64, at deadline: Int64, owner: TimerOwner = .host(0), tag: UInt64 = 0) {
        queue.set(id: id, deadline: deadline, interval: 0, owner: owner, tag: tag)
    }

    func cancel(_ id: UInt64, owner: TimerOwner? = nil) -> Bool { queue.cancel(id, owner: owner) }
    func cancelAll(owner: TimerOwner) { queue.cancelAll(owner: owner) }
    func nextDeadline() -> Int64? { queue.nextDeadline() }
    func popDue(now: Int64) -> DueTimer? { queue.popDue(now: now) }

    /// Every timer due at `now`, in firing order.
    func drainDue(now: Int64) -> [DueTimer] {
        var fired: [DueTimer] = []
        while let due = queue.popDue(now: now) { fired.append(due) }
        return fired
    }
}

@Suite("TimerQueue")
struct TimerQueueTests {
    @Test func timersFireInDeadlineOrder() {
        let q = Timers()
        let deadlines: [(UInt64, Int64)] = [(1, 500), (2, 100), (3, 300), (4, 200), (5, 400), (6, 50)]
        for (id, deadline) in deadlines { q.setOnce(id, at: deadline, tag: id * 10) }
        #expect(q.count == 6)

        let fired = q.drainDue(now: 1_000)
        #expect(fired.map(\.id) == [6, 2, 4, 3, 5, 1])
        #expect(fired.map(\.deadline) == [50, 100, 200, 300, 400, 500])
        #expect(fired.map(\.tag) == [60, 20, 40, 30, 50, 10])
        #expect(q.count == 0)
        #expect(q.nextDeadline() == nil)
    }

    @Test func timersWithTheSameDeadlineFireInTheOrderTheyWereSet() {
        let q = Timers()
        let ids: [UInt64] = [9, 3, 7, 1, 8, 2, 6, 4, 5, 10, 11, 12]
        for id in ids { q.setOnce(id, at: 100) }
        q.setOnce(99, at: 99)
        q.setOnce(101, at: 101)
        #expect(q.drainDue(now: 200).map(\.id) == [99] + ids + [101])
    }

    @Test func popDueReturnsNilBeforeTheDeadlineAndTheTimerAtIt() {
        let q = Timers()
        q.setOnce(1, at: 1_000, owner: .strategy(2), tag: 77)
        #expect(q.popDue(now: 0) == nil)
        #expect(q.popDue(now: 999) == nil)
        #expect(q.count == 1, "an early look does not consume the timer")
        #expect(q.nextDeadline() == 1_000)

        let due = q.popDue(now: 1_000)
        #expect(due?.id == 1)
        #expect(due?.owner == .strategy(2))
        #expect(due?.tag == 77)
        #expect(due?.deadline == 1_000)
        #expect(q.popDue(now: 10_000) == nil, "a one-shot timer fires once")
        #expect(q.count == 0)
    }

    @Test func popDueOnAnEmptyQueueIsNil() {
        let q = Timers()
        #expect(q.popDue(now: .max) == nil)
        #expect(q.nextDeadline() == nil)
        #expect(q.count == 0)
    }

    @Test func cancelledTimersNeverFire() {
        let q = Timers()
        q.setOnce(1, at: 10)
        q.setOnce(2, at: 20)
        q.setOnce(3, at: 30)
        #expect(q.cancel(2))
        #expect(q.count == 2)
        #expect(q.drainDue(now: 100).map(\.id) == [1, 3])
    }

    @Test func cancelReportsWhetherTheTimerExisted() {
        let q = Timers()
        #expect(!q.cancel(1), "unknown")
        q.setOnce(1, at: 10)
        #expect(q.cancel(1))
        #expect(!q.cancel(1), "already cancelled")
        q.setOnce(2, at: 10)
        _ = q.popDue(now: 10)
        #expect(!q.cancel(2), "a one-shot that fired")
    }

    @Test func cancelWithTheWrongOwnerFailsAndKeepsTheTimer() {
        let q = Timers()
        q.setOnce(1, at: 10, owner: .strategy(1))
        #expect(!q.cancel(1, owner: .strategy(2)))
        #expect(!q.cancel(1, owner: .exchange(1)))
        #expect(!q.cancel(1, owner: .host(1)))
        #expect(q.count == 1)
        #expect(q.cancel(1, owner: .strategy(1)))
        #expect(q.count == 0)
        #expect(q.drainDue(now: 100).isEmpty)
    }

    @Test func repeatingTimerReArmsAtDeadlinePlusInterval() {
        let q = Timers()
        q.set(id: 1, deadline: 100, interval: 10, owner: .strategy(0), tag: 5)

        #expect(q.popDue(now: 100)?.deadline == 100)
        #expect(q.nextDeadline() == 110)
        #expect(q.popDue(now: 109) == nil)
        // Slightly late: the next beat keeps the original phase.
        #expect(q.popDue(now: 113)?.deadline == 110)
        #expect(q.nextDeadline() == 120)
        #expect(q.popDue(now: 120)?.deadline == 120)
        #expect(q.nextDeadline() == 130)
        #expect(q.count == 1, "a repeating timer stays active")
    }

    @Test func repeatingTimerFarBehindSkipsMissedBeats() {
        let q = Timers()
        q.set(id: 1, deadline: 100, interval: 10, owner: .host(0), tag: 0)
        // 35 past the deadline: beats 110, 120, 130 are missed. It fires once, then re-arms one
        // interval after now (deadline + interval < now, so next = now + interval).
        let fired = q.drainDue(now: 135)
        #expect(fired.map(\.deadline) == [100])
        #expect(q.nextDeadline() == 145)

        // Exactly one interval late: the next beat (155) is due now, so it fires too, in phase.
        #expect(q.drainDue(now: 155).map(\.deadline) == [145, 155])
        #expect(q.nextDeadline() == 165)
    }

    @Test func negativeIntervalMeansOneShot() {
        let q = Timers()
        q.set(id: 1, deadline: 10, interval: -5, owner: .host(0), tag: 0)
        #expect(q.drainDue(now: 1_000).map(\.id) == [1])
        #expect(q.count == 0)
    }

    @Test func cancellingARepeatingTimerStopsIt() {
        let q = Timers()
        q.set(id: 1, deadline: 10, interval: 10, owner: .strategy(3), tag: 0)
        #expect(q.popDue(now: 10)?.id == 1)
        #expect(q.cancel(1, owner: .strategy(3)))
        #expect(q.drainDue(now: 1_000).isEmpty)
        #expect(q.nextDeadline() == nil)
    }

    @Test func cancelAllRemovesOnlyThatOwnersTimers() {
        let q = Timers()
        q.setOnce(1, at: 10, owner: .strategy(1))
        q.setOnce(2, at: 20, owner: .strategy(2))
        q.set(id: 3, deadline: 30, interval: 5, owner: .strategy(1), tag: 0)
        q.setOnce(4, at: 40, owner: .exchange(1))
        q.setOnce(5, at: 50, owner: .strategy(1))
        q.setOnce(6, at: 60, owner: .host(1))

        q.cancelAll(owner: .strategy(1))
        #expect(q.count == 3)
        #expect(q.drainDue(now: 60).map(\.id) == [2, 4, 6])
        #expect(!q.cancel(1) && !q.cancel(3) && !q.cancel(5))
    }

    @Test func cancelAllOfAnOwnerWithoutTimersChangesNothing() {
        let q = Timers()
        q.setOnce(1, at: 10, owner: .strategy(1))
        q.cancelAll(owner: .exchange(1))
        #expect(q.count == 1)
        #expect(q.drainDue(now: 10).map(\.id) == [1])
    }

    @Test func nextDeadlineSkipsCancelledEntries() {
        let q = Timers()
        q.setOnce(1, at: 10)
        q.setOnce(2, at: 20)
        q.setOnce(3, at: 30)
        #expect(q.nextDeadline() == 10)
        #expect(q.cancel(1))
        #expect(q.nextDeadline() == 20)
        #expect(q.cancel(2))
        #expect(q.nextDeadline() == 30)
        #expect(q.cancel(3))
        #expect(q.nextDeadline() == nil)
        #expect(q.popDue(now: 100) == nil)
    }

    @Test func reusedSlotsKeepTimerIdsDistinct() {
        let q = Timers(capacity: 4)
        var nextId: UInt64 = 1
        var live: [UInt64: Int64] = [:]  // id -> deadline
        // Many rounds of set and cancel so freed slots are reused again and again, with cancelled
        // entries still in the heap whose slot now belongs to another timer.
        for round in 0..<200 {
            var ids: [UInt64] = []
            for k in 0..<5 {
                let id = nextId
                nextId += 1
                let deadline = Int64(1_000 + (round * 7 + k * 13) % 500)
                q.setOnce(id, at: deadline, tag: id &* 3)
                ids.append(id)
                live[id] = deadline
            }
            // Keep one timer of each round, cancel the rest.
            for id in ids.dropFirst() {
                #expect(q.cancel(id))
                live[id] = nil
            }
        }
        #expect(q.count == 200)
        #expect(q.count == live.count)

        let fired = q.drainDue(now: 10_000)
        #expect(fired.count == 200)
        #expect(Set(fired.map(\.id)) == Set(live.keys))
        #expect(fired.allSatisfy { live[$0.id] == $0.deadline && $0.tag == $0.id &* 3 })
        #expect(zip(fired, fired.dropFirst()).allSatisfy { $0.deadline <= $1.deadline })
        #expect(q.count == 0)
    }

    @Test func cancelledTimerDoesNotFireThroughAReusedSlot() {
        let q = Timers()
        q.setOnce(1, at: 10)
        #expect(q.cancel(1))
        q.setOnce(2, at: 50)  // takes the slot of timer 1, whose heap entry (deadline 10) remains
        #expect(q.nextDeadline() == 50)
        #expect(q.popDue(now: 20) == nil)
        #expect(q.drainDue(now: 50).map(\.id) == [2])
    }
}

extension TimerQueueTests {
    @Test func cancelledEntriesDoNotGrowTheHeap() {
        var q = TimerQueue(capacity: 64)
        // A watchdog: set far ahead and cancelled on every tick, 100,000 times.
        for i in 1...100_000 {
            q.set(id: UInt64(i), deadline: 1_000_000_000 + Int64(i), interval: 0, owner: .host(0), tag: 0)
            #expect(q.cancel(UInt64(i)) || false)
        }
        #expect(q.count == 0)
        #expect(q.heapCount < 100)
        #expect(q.nextDeadline() == nil)
    }
}
