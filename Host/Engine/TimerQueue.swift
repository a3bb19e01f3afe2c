import ArbModel
import ArbSDK

/// Who a timer belongs to: a strategy slot or an exchange slot (timers belong to the configured
/// name's slot, so they survive a hot swap of the plugin binary).
public enum TimerOwner: Equatable, Sendable {
    case strategy(Int)
    case exchange(Int)
    case host(Int)
}

/// A timer that is due.
public struct DueTimer {
    public let id: UInt64
    public let owner: TimerOwner
    public let tag: UInt64
    public let deadline: Int64
}

/// The engine's timers: a binary heap over preallocated slots.
///
/// Timers with the same deadline fire in the order they were set. Cancelling marks the slot;
/// its heap entry is skipped when it surfaces. Nothing allocates once capacity is reached.
public struct TimerQueue {
    private struct Slot {
        var id: UInt64 = 0          // 0: free
        var owner: TimerOwner = .host(0)
        var tag: UInt64 = 0
        var interval: Int64 = 0
    }

    private struct Entry {
        var deadline: Int64
        var order: UInt64           // set order, breaks deadline ties
        var slot: Int32
        var id: UInt64
    }

    private var slots: ContiguousArray<Slot> = []
    private var free: ContiguousArray<Int32> = []
    private var heap: ContiguousArray<Entry> = []
    private var slotOfId: [UInt64: Int32] = [:]
    private var nextOrder: UInt64 = 0
    /// Heap entries of cancelled timers not yet popped.
    private var dead = 0

    public init(capacity: Int = 1024) {
        slots.reserveCapacity(capacity)
        heap.reserveCapacity(capacity)
        free.reserveCapacity(capacity)
        slotOfId.reserveCapacity(capacity)
    }

    /// Active timers.
    public var count: Int { slotOfId.count }

    /// Heap entries, cancelled ones included (for tests of compaction).
    public var heapCount: Int { heap.count }

    /// Sets timer `id` (unique, chosen by the caller); `interval > 0` repeats it.
    public mutating func set(id: UInt64, deadline: Int64, interval: Int64, owner: TimerOwner, tag: UInt64) {
        let slot: Int32
        if let reused = free.popLast() {
            slot = reused
        } else {
            slot = Int32(slots.count)
            slots.append(Slot())
        }
        slots[Int(slot)] = Slot(id: id, owner: owner, tag: tag, interval: max(0, interval))
        slotOfId[id] = slot
        push(Entry(deadline: deadline, order: nextOrder, slot: slot, id: id))
        nextOrder += 1
    }

    /// Cancels a timer; false if it does not exist (fired one-shot, cancelled, unknown).
    public mutating func cancel(_ id: UInt64, owner: TimerOwner? = nil) -> Bool {
        guard let slot = slotOfId[id] else { return false }
        if let owner, slots[Int(slot)].owner != owner { return false }
        release(slot)
        noteCancelled()
        return true
    }

    /// A live timer of `owner` with this tag and interval (a strategy resumed after a hot swap
    /// asking again for a timer it already has gets that one).
    public func find(owner: TimerOwner, tag: UInt64, interval: Int64) -> UInt64? {
        slots.first { $0.id != 0 && $0.owner == owner && $0.tag == tag && $0.interval == max(0, interval) }?.id
    }

    /// Cancels every timer of an owner.
    public mutating func cancelAll(owner: TimerOwner) {
        for (_, slot) in slotOfId where slots[Int(slot)].owner == owner {
            release(slot)
            noteCancelled()
        }
    }

    /// The earliest live deadline.
    public mutating func nextDeadline() -> Int64? {
        while let top = heap.first {
            if slots[Int(top.slot)].id == top.id { return top.deadline }
            _ = pop()
            dead = max(0, dead - 1)
        }
        return nil
    }

    /// Removes and returns the earliest timer if it is due at `now`; re-arms repeating ones.
    public mutating func popDue(now: Int64) -> DueTimer? {
        guard let deadline = nextDeadline(), deadline <= now, let top = pop() else { return nil }
        let slot = slots[Int(top.slot)]
        if slot.interval > 0 {
            var next = top.deadline + slot.interval
            if next < now { next = now + slot.interval }  // more than a beat behind: skip the missed ones
            push(Entry(deadline: next, order: nextOrder, slot: top.slot, id: top.id))
            nextOrder += 1
        } else {
            release(top.slot)
        }
        return DueTimer(id: top.id, owner: slot.owner, tag: slot.tag, deadline: top.deadline)
    }

    private mutating func release(_ slot: Int32) {
        slotOfId[slots[Int(slot)].id] = nil
        slots[Int(slot)].id = 0
        free.append(slot)
    }

    /// Cancelling leaves the entry in the heap; once they are half of it, drop them in place so
    /// a timer set and cancelled on every tick (a watchdog) does not grow the heap.
    private mutating func noteCancelled() {
        dead += 1
        guard dead > 32 && dead * 2 > heap.count else { return }
        var kept = 0
        for i in heap.indices where slots[Int(heap[i].slot)].id == heap[i].id {
            heap[kept] = heap[i]
            kept += 1
        }
        heap.removeLast(heap.count - kept)
        dead = 0
        var i = heap.count / 2
        while i > 0 {
            i -= 1
            siftDown(i)
        }
    }

    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.order < b.order
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.before(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func pop() -> Entry? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return top
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var best = i
            if l < heap.count && Self.before(heap[l], heap[best]) { best = l }
            if r < heap.count && Self.before(heap[r], heap[best]) { best = r }
            if best == i { return }
            heap.swapAt(i, best)
            i = best
        }
    }
}
