import ArbModel
import ArbSDK
import CHostSupport
import Glibc
import Logging
import Synchronization

/// The engine: one thread that owns all trading state and runs strategies.
///
/// Other threads (adapter I/O, control, API) hand it events through the lock-free inbound ring;
/// it applies each to the caches (books, funding), routes it to the host's handlers and the
/// strategies, then carries out what strategies asked for during that event (orders, bus
/// messages). Nothing on that path allocates, locks or awaits.
///
/// **Ordering.** Live: before each inbound event, every timer whose deadline has passed fires,
/// in deadline order (ties: the order they were set); inbound events are handled in the order
/// they were committed to the ring. Replay: the engine picks the earliest of the next timer and
/// each stepped adapter's next event time; at equal times timers fire first, then adapters in
/// the order they were added (slot order); what an adapter emits while stepped is handled in
/// emission order before the next step. In both modes an action a strategy takes inside a
/// callback is handled after the current event, never re-entrantly.
public final class Engine: @unchecked Sendable {
    public let mode: RunMode
    public let instruments: InstrumentRegistry
    public let router = EventRouter()
    public let bus = MessageBus()
    public let logger: Logger

    @usableFromInline let inbound: InboundRing
    /// Events emitted on the engine thread itself (stepped adapters), handled after the step.
    @usableFromInline let local: InboundRing
    public internal(set) var timers = TimerQueue()
    /// Event time in replay; the engine thread's per-turn wall time live.
    private let clockValue = Atomic<Int64>(0)
    let timerIds = Atomic<UInt64>(1)

    /// The services' handlers, by record type (see `handle(_:with:)`).
    let handlers: UnsafeMutablePointer<RecordHandler?>
    /// Who hears timers of each owner kind (strategy and venue slots belong to the runtime).
    public var strategyTimerFired: (DueTimer) -> Void = { _ in }
    public var venueTimerFired: (DueTimer) -> Void = { _ in }
    /// Who hears the final answer of requests, by owner.
    var requestAnswered: [(RequestOutcome) -> Void] =
        Array(repeating: { _ in }, count: RequestOwner.allCases.count)
    /// Names of event sources on the bus (strategy and venue names live in the runtime).
    public var sourceName: (EventSource) -> String = { _ in "" }

    /// Venue adapters by slot: stepped in replay, reached by the services for requests.
    public internal(set) var venues: ContiguousArray<VenueEndpoint?> = []
    /// Bumped when a venue is added, replaced, removed, connected or disconnected: the replay
    /// loop then rebuilds its table of stepped venues (reading the slots each step retained and
    /// released every instance twice per replayed line).
    private let venueRevision = Atomic<Int>(0)
    func venuesChanged() { venueRevision.wrappingAdd(1, ordering: .releasing) }
    /// Requests in flight to venues, each ending in one outcome for its owner.
    public internal(set) var requests = VenueRequests()

    /// Bus messages published during the event in hand, delivered after it.
    public var outbox = Outbox()
    /// Work services deferred to the end of the event in hand (a strategy's orders are sent
    /// after its callback returns, never re-entrantly); `hasDeferredWork` is the one test per event.
    public var hasDeferredWork = false
    var deferredWork: [() -> Void] = []

    /// > 0 while an event (or timer) is being handled.
    public internal(set) var eventDepth = 0

    /// Events handled since start; readable from any thread (single writer: the engine).
    private let processed = Atomic<UInt64>(0)
    public var eventsProcessed: UInt64 { processed.load(ordering: .acquiring) }
    @inline(__always) func countEvent() {
        processed.store(processed.load(ordering: .relaxed) &+ 1, ordering: .releasing)
    }
    /// Events that could not enter the inbound ring because it was full.
    public let droppedEvents = Atomic<UInt64>(0)

    private let engineThread = Atomic<UInt>(0)
    private let stopRequested = Atomic<Bool>(false)
    /// Replay: adapters are stepped only once setup is done (`beginReplay`), so that every
    /// strategy sees the stream from its first event, run after run.
    private let replayReleased = Atomic<Bool>(false)

    /// Replay window: events before `start` update books but reach no strategy (warm-up);
    /// stepping ends after `end`. Set before `start()`.
    public var replayWindow: (start: Int64?, end: Int64?) = (nil, nil)
    /// Replay pacing: nil as fast as possible, else event time runs `speed` times wall time.
    public var replayPacer: ReplayPacer?
    /// False while a replay is warming up before its window: books update, strategies hear nothing.
    public internal(set) var deliversToStrategies = true
    private let finished = Atomic<Bool>(false)
    private var thread: pthread_t?

    /// - Parameters:
    ///   - mode: live (wall clock) or replay (event clock, stepped adapters).
    ///   - ringCapacity: bytes of the inbound ring, a power of two.
    public init(mode: RunMode = .live, instruments: InstrumentRegistry = InstrumentRegistry(),
                ringCapacity: Int = 1 << 24) {
        self.mode = mode
        self.instruments = instruments
        inbound = InboundRing(capacity: ringCapacity)
        local = InboundRing(capacity: 1 << 22)
        logger = Logger(label: "engine")
        handlers = .allocate(capacity: RecordType.allCases.count + 1)
        handlers.initialize(repeating: nil, count: RecordType.allCases.count + 1)
        requestAnswered[RequestOwner.host.rawValue] = { [unowned(unsafe) self] answer in
            guard answer.outcome != ARB_OUTCOME_ACCEPTED, let venue = venue(answer.venue) else { return }
            venue.logger.warning("request \(answer.request) failed: \(String(answer.message))")
        }
    }

    deinit {
        handlers.deinitialize(count: RecordType.allCases.count + 1)
        handlers.deallocate()
    }

    // MARK: Services

    /// Makes `handler` the one that receives records of `type`. Call before the engine runs.
    public func handle(_ type: RecordType, with handler: RecordHandler) {
        precondition(type != .command, "commands belong to the engine")
        handlers[Int(type.rawValue)] = handler
    }

    /// Makes `body` hear the final answer of every request `owner` makes.
    public func answerRequests(of owner: RequestOwner, with body: @escaping (RequestOutcome) -> Void) {
        requestAnswered[owner.rawValue] = body
    }

    /// Adds work to run after every event in which a service set `hasDeferredWork`.
    public func addDeferredWork(_ body: @escaping () -> Void) { deferredWork.append(body) }

    // MARK: Clock

    /// Now on the host clock: wall time live, event time in replay. Any thread.
    ///
    /// Live, the engine thread reads the wall clock once per loop turn, and everything it runs
    /// for that event sees that time: one clock read per event instead of one per query, and
    /// every strategy sees the same "now" for the same event. Other threads read the wall clock.
    @inline(__always)
    public func now() -> Int64 {
        if mode == .replay || isEngineThreadOfRunningEngine { return clockValue.load(ordering: .relaxed) }
        return arb_wall_time_ns()
    }

    /// Sets the engine thread's clock for the current turn (live).
    @inline(__always)
    private func tick() -> Int64 {
        let t = arb_wall_time_ns()
        clockValue.store(t, ordering: .relaxed)
        return t
    }

    /// Moves the replay clock forward (never back).
    func advanceClock(to time: Int64) {
        if time > clockValue.load(ordering: .relaxed) { clockValue.store(time, ordering: .relaxed) }
    }

    /// Sets where the replay clock starts.
    public func setReplayStart(_ time: Int64) { clockValue.store(time, ordering: .relaxed) }

    /// Replay: puts the clock at the earliest next event of the stepped adapters, so that
    /// timers strategies set at start count from the data's time. Call after connecting venues.
    public func alignReplayClock() {
        perform { engine in
            var earliest = Int64.max
            for case let e? in engine.venues where e.isStepped && e.state == .connected {
                var t: Int64 = 0
                if e.table.next_event_time!(e.instance, &t) == ARB_OK { earliest = min(earliest, t) }
            }
            if earliest != .max { engine.clockValue.store(earliest, ordering: .relaxed) }
        }
    }

    /// Monotonic ns when a replay began stepping and when it ran out of data (0 until then).
    public let replayBegan = Atomic<Int64>(0)
    public let replayEnded = Atomic<Int64>(0)

    /// Replay: starts stepping the adapters.
    public func beginReplay() {
        replayBegan.store(arb_monotonic_ns(), ordering: .releasing)
        replayReleased.store(true, ordering: .releasing)
        inbound.wake()
    }

    // MARK: Threads

    /// Whether the caller is the engine thread (or the engine is not running, when the caller
    /// drives it directly, as tests and the control thread before start do).
    @inline(__always)
    public var isOnEngineThread: Bool {
        arb_engine_of_this_thread() == selfPointer || engineThread.load(ordering: .acquiring) == 0
    }

    /// Whether the caller is this running engine's own thread.
    @inlinable @inline(__always)
    var isEngineThreadOfRunningEngine: Bool { arb_engine_of_this_thread() == selfPointer }

    @usableFromInline var selfPointer: UnsafeRawPointer { UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque()) }

    public var isRunning: Bool { engineThread.load(ordering: .acquiring) != 0 }

    /// True when a replay has run out of events.
    public var isFinished: Bool { finished.load(ordering: .acquiring) }

    /// Starts the engine thread.
    public func start() {
        precondition(thread == nil, "the engine is already started")
        stopRequested.store(false, ordering: .releasing)
        let box = Unmanaged.passRetained(self).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 8 << 20)
        var t = pthread_t()
        let started = Semaphore()
        startSignal = started
        let result = pthread_create(&t, &attributes, { arg in
            let engine = Unmanaged<Engine>.fromOpaque(arg!).takeRetainedValue()
            engine.threadMain()
            return nil
        }, box)
        pthread_attr_destroy(&attributes)
        precondition(result == 0, "cannot start the engine thread: \(result)")
        thread = t
        started.wait()
    }

    private var startSignal: Semaphore?

    private func threadMain() {
        arb_set_engine_of_this_thread(selfPointer)
        engineThread.store(UInt(pthread_self()), ordering: .releasing)
        startSignal?.signal()
        switch mode {
        case .live: runLive()
        case .replay: runReplay()
        }
        // Drain what is left so that no committed event is lost.
        drain(inbound)
        engineThread.store(0, ordering: .releasing)
        arb_set_engine_of_this_thread(nil)
    }

    /// Stops the engine thread after the event in hand; waits for it.
    public func stop() {
        guard let t = thread else { return }
        stopRequested.store(true, ordering: .releasing)
        inbound.wake()
        pthread_join(t, nil)
        thread = nil
    }

    /// Waits until a replay has consumed every event (or `timeout` ns passed).
    public func waitUntilFinished(timeoutNanoseconds: Int64 = .max) -> Bool {
        let (sum, overflow) = arb_monotonic_ns().addingReportingOverflow(timeoutNanoseconds)
        let deadline = overflow ? Int64.max : sum
        while !finished.load(ordering: .acquiring) {
            if arb_monotonic_ns() >= deadline { return false }
            usleep(1000)
        }
        return true
    }

    // MARK: Loops

    private func runLive() {
        var idleSpins = 0
        var idleSince: Int64 = 0
        while !stopRequested.load(ordering: .relaxed) {
            fireDueTimers(now: tick())
            if let record = inbound.peek() {
                process(record.type, record.payload)
                inbound.release()
                // What the engine thread itself emitted (an adapter called from a command).
                drain(local)
                idleSpins = 0
                continue
            }
            // Under load the next event is microseconds away: spin for up to 200 µs (a wake-up
            // from futex costs the producer a syscall and the engine tens of µs), then sleep
            // until a producer commits or the next timer is due.
            idleSpins += 1
            if idleSpins < 64 || arb_monotonic_ns() - idleSince < 200_000 {
                if idleSpins == 1 { idleSince = arb_monotonic_ns() }
                for _ in 0..<8 { arb_cpu_relax() }
                continue
            }
            var timeout: Int64 = 100_000_000
            if let deadline = timers.nextDeadline() { timeout = max(0, min(timeout, deadline - tick())) }
            if timeout > 0 { inbound.wait(timeoutNanoseconds: timeout) }
            idleSpins = 0
        }
    }

    /// A venue the replay steps: what the loop calls, without touching its instance object.
    private struct SteppedVenue {
        let slot: Int
        let instance: UnsafeMutableRawPointer
        let nextEventTime: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<Int64>?) -> arb_status_t
        let advanceTo: @convention(c) (UnsafeMutableRawPointer?, Int64) -> arb_status_t
        let crashLabel: UnsafePointer<CChar>
    }

    private func steppedVenues() -> ContiguousArray<SteppedVenue> {
        var stepped: ContiguousArray<SteppedVenue> = []
        for case let e? in venues where e.isStepped && e.state == .connected {
            guard let instance = e.instance, let next = e.table.next_event_time, let advance = e.table.advance_to else { continue }
            stepped.append(SteppedVenue(slot: e.slot, instance: instance, nextEventTime: next, advanceTo: advance,
                                        crashLabel: UnsafePointer(e.crashLabel)))
        }
        return stepped
    }

    private func runReplay() {
        var venues: ContiguousArray<SteppedVenue> = []
        var revision = -1
        var nextTimes: ContiguousArray<Int64?> = []
        var known: ContiguousArray<Bool> = []
        while !stopRequested.load(ordering: .relaxed) {
            drain(inbound)
            if !replayReleased.load(ordering: .acquiring) {
                inbound.wait(timeoutNanoseconds: 1_000_000)
                continue
            }
            let current = venueRevision.load(ordering: .acquiring)
            if current != revision {
                revision = current
                venues = steppedVenues()
                nextTimes = ContiguousArray(repeating: nil, count: venues.count)
                known = ContiguousArray(repeating: false, count: venues.count)
            }
            var best = -1
            var bestTime = Int64.max
            for i in venues.indices {
                if !known[i] {
                    var t: Int64 = 0
                    nextTimes[i] = venues[i].nextEventTime(venues[i].instance, &t) == ARB_OK ? t : nil
                    known[i] = true
                }
                if let t = nextTimes[i], t < bestTime {
                    bestTime = t
                    best = i
                }
            }
            let timerTime = timers.nextDeadline()
            // The replay ends with the data: timers due after the last event do not fire
            // (a repeating timer would otherwise run the clock forever).
            if best < 0 {
                if !finished.load(ordering: .relaxed) { replayEnded.store(arb_monotonic_ns(), ordering: .releasing) }
                finished.store(true, ordering: .releasing)
                // Stay responsive to control commands until stopped.
                inbound.wait(timeoutNanoseconds: 10_000_000)
                continue
            }
            if let end = replayWindow.end, bestTime > end, timerTime.map({ $0 > end }) ?? true {
                if !finished.load(ordering: .relaxed) { replayEnded.store(arb_monotonic_ns(), ordering: .releasing) }
                finished.store(true, ordering: .releasing)
                inbound.wait(timeoutNanoseconds: 10_000_000)
                continue
            }
            let next = min(bestTime, timerTime ?? .max)
            replayPacer?.pace(toEventTime: next)
            deliversToStrategies = replayWindow.start.map { next >= $0 } ?? true
            if let t = timerTime, t <= bestTime {
                advanceClock(to: t)
                fireDueTimers(now: t)
            } else {
                advanceClock(to: bestTime)
                let venue = venues[best]
                _ = CrashMarker.calling(venue.crashLabel, "advance_to") { venue.advanceTo(venue.instance, bestTime) }
            }
            drain(local)
            // Actions may have reached adapters; their next event time may have changed.
            for i in known.indices { known[i] = false }
        }
    }

    /// Handles every committed record of `ring` (engine thread).
    func drain(_ ring: InboundRing) {
        while let record = ring.peek() {
            process(record.type, record.payload)
            ring.release()
            if ring !== local { drain(local) }
        }
    }

    /// Runs the engine loop inline until `ring` is empty: for tests and tools that drive an
    /// engine without its thread.
    public func runPending() {
        precondition(!isRunning || isOnEngineThread, "runPending on a running engine from another thread")
        fireDueTimers(now: now())
        drain(local)
        drain(inbound)
    }

    // MARK: Timers

    func fireDueTimers(now: Int64) {
        while let due = timers.popDue(now: now) {
            eventDepth += 1
            switch due.owner {
            case .strategy: strategyTimerFired(due)
            case .exchange: venueTimerFired(due)
            case .host: hostTimerFired(due)
            }
            eventDepth -= 1
            afterEvent()
            drain(local)
        }
    }

    /// Host-owned timers (none yet beyond tests).
    func hostTimerFired(_ due: DueTimer) {}

    /// Sets a timer for `owner` and returns its id. Engine thread; other threads use
    /// `postTimer`, which never waits for the engine.
    public func setTimer(deadline: Int64, interval: Int64, owner: TimerOwner, tag: UInt64) -> UInt64 {
        let id = timerIds.wrappingAdd(1, ordering: .relaxed).oldValue
        timers.set(id: id, deadline: deadline, interval: interval, owner: owner, tag: tag)
        return id
    }

    /// Cancels a timer of `owner`; false if it is not that owner's. Engine thread.
    public func cancelTimer(_ id: UInt64, owner: TimerOwner) -> Bool { timers.cancel(id, owner: owner) }

    /// Cancels every timer of `owner`. Engine thread.
    public func cancelTimers(owner: TimerOwner) { timers.cancelAll(owner: owner) }

    // MARK: Control

    /// Runs `body` on the engine thread and waits for it (inline when called on the engine
    /// thread or when the engine is not running). For control operations: it allocates.
    public func perform<T>(_ body: @escaping (Engine) -> T) -> T {
        if !isRunning {
            let result = body(self)
            if eventDepth == 0 { afterEvent() }
            return result
        }
        if isOnEngineThread { return body(self) }
        var result: T?
        let box = EngineCommand { engine in result = body(engine) }
        let pointer = Unmanaged.passRetained(box).toOpaque()
        while RecordCodec.post(CommandRecord(box: pointer), header: RecordHeader(source: 0, request: 0), to: inbound) != ARB_OK {
            usleep(100)
        }
        box.done.wait()
        return result!
    }

    func runCommand(_ record: CommandRecord) {
        let command = Unmanaged<EngineCommand>.fromOpaque(record.box).takeRetainedValue()
        command.body(self)
        // What the command caused (actions, bus messages) is done before its caller resumes.
        afterEvent()
        command.done.signal()
    }
}

/// A closure sent to the engine thread, and the signal that it ran.
final class EngineCommand: @unchecked Sendable {
    let body: (Engine) -> Void
    let done = Semaphore()
    init(_ body: @escaping (Engine) -> Void) { self.body = body }
}

/// A counting semaphore for control-path waits (never used on the hot path).
final class Semaphore: @unchecked Sendable {
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    init() { sem_init(semaphore, 0, 0) }
    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }
    func signal() { sem_post(semaphore) }
    func wait() { while sem_wait(semaphore) != 0 && errno == EINTR {} }
}
