import ArbSDK
import ArbBook
import ArbModel

/// The paper matching engine of one simulated venue: an exchange-side book per instrument (fed
/// by the data source), the account's orders, balances and positions, and an optional durable
/// journal so the venue survives a kill of the host.
///
/// Single-threaded by design (the owning adapter serialises calls). Deterministic: time is
/// always passed in, ids are counters, and every output that could follow a Dictionary's order
/// is sorted first.
///
/// Every state change goes through one journal record (`PaperJournalRecord`) applied by
/// `apply(_:_:)`; live calls decide the records (matching, validation), recovery re-applies the
/// journaled ones with the same code, which is why a recovered venue equals the original.
public final class PaperExchange {
    /// An accepted order plus what only the engine needs to know about it.
    struct OrderSlot {
        var order: PaperOrder
        /// Time priority among the account's resting orders (lower = earlier); refreshed by
        /// amends that raise the quantity or move the price, as on real venues.
        var priority: UInt64
        /// What the order currently holds back from `free`, and in which currency.
        var reserved: ExactDecimal
        var reservedCurrency: String
    }

    let instruments: [UInt32: PaperInstrument]
    let currencyPrecision: [String: Int]
    var books: [UInt32: PaperBook] = [:]
    /// Accepted orders in acceptance order; `slotIndex` finds them by client order id.
    var slots: [OrderSlot] = []
    var slotIndex: [String: Int] = [:]
    /// Indices into `slots` of the orders still open, per instrument, in acceptance order.
    var openSlots: [UInt32: [Int]] = [:]
    var positionBook: [UInt32: PaperPosition] = [:]
    var totals: [String: ExactDecimal] = [:]
    /// Σ order reservations + position margins per currency (`PaperBalance.used`).
    var reserved: [String: ExactDecimal] = [:]
    /// Dated futures already settled by `settleExpiry`.
    var settledInstruments: Set<UInt32> = []
    /// The latest mark price of each derivative (market data, not journaled), for margin checks.
    var marks: [UInt32: ExactDecimal] = [:]
    /// Per settle currency, equity − maintenance at the last full margin check, less the most
    /// the marks that moved since could have taken from it: while it stays positive no full
    /// check is needed. Cleared by any state change.
    var marginCushions: [String: ExactDecimal] = [:]
    /// Per perpetual, the funding period (now / fundingInterval) last settled.
    var fundingPeriods: [UInt32: Int64] = [:]
    var nextOrderNumber: UInt64 = 1
    var nextTradeNumber: UInt64 = 1
    var nextPriority: UInt64 = 1
    var journal: PaperJournal?
    /// Records of the current call, written to the journal as one batch when the call ends.
    var pending: [PaperJournalRecord] = []

    /// Set when a journal write failed; from then on every mutating call is refused with
    /// `internalError` (fail-stop: memory and disk must not silently diverge).
    public private(set) var journalError: PaperJournalError?

    /// A venue with the given instruments (the first of duplicate ids wins) and starting balances.
    /// `currencyPrecision` gives the decimal places fees, funding, PnL and margin are booked at
    /// (default 8, clamped to 0...18).
    public convenience init(instruments: [PaperInstrument], balances: [String: ExactDecimal],
                            currencyPrecision: [String: Int] = [:]) {
        self.init(instruments: instruments, currencyPrecision: currencyPrecision)
        deposit(balances)
    }

    /// An empty venue (no balances): the starting point of recovery.
    init(instruments: [PaperInstrument], currencyPrecision: [String: Int]) {
        var byId: [UInt32: PaperInstrument] = [:]
        for instrument in instruments where byId[instrument.id] == nil { byId[instrument.id] = instrument }
        self.instruments = byId
        self.currencyPrecision = currencyPrecision
        // Each book on its instrument's tick grid (levels set by index near the top).
        for (id, instrument) in byId { books[id] = PaperBook(step: instrument.tickSize) }
    }

    /// Credits starting balances through deposit records (sorted, so the journal is deterministic).
    func deposit(_ balances: [String: ExactDecimal]) {
        var ignored: [PaperEvent] = []
        for currency in balances.keys.sorted() {
            guard let amount = balances[currency] else { continue }
            // Adding to an empty account cannot overflow; a failure here would be a bug.
            do throws(DecimalError) { try commit(.deposit(currency: currency, amount: amount), &ignored) } catch {}
        }
    }

    // MARK: - Market data

    /// Replaces an instrument's book (levels best first; unsorted input is sorted, zero levels dropped).
    public func setBook(instrument: UInt32, bids: [PaperLevel], asks: [PaperLevel]) {
        guard instruments.index(forKey: instrument) != nil else { return }
        books[instrument] = PaperBook(bids: bids, asks: asks, step: instruments[instrument]?.tickSize)
    }

    /// Applies a feed's book update as the C ABI carries it (levels best first): a snapshot
    /// replaces the book, reusing its storage; a delta sets each level (quantity 0 removes).
    /// One lookup of the book per update: per level, two hash lookups were most of a deep
    /// delta's cost.
    /// Returns true when the update left the book crossed and levels it did not refresh were
    /// removed (data lost upstream): the book then differs from what the update alone describes.
    @discardableResult
    public func applyFeed(instrument: UInt32, snapshot: Bool, bids: UnsafeBufferPointer<arb_book_level_t>,
                          asks: UnsafeBufferPointer<arb_book_level_t>) -> Bool {
        // Every instrument has its book from the start: one lookup finds it, then in place.
        guard let i = books.index(forKey: instrument) else { return false }
        return Self.apply(&books.values[i], snapshot: snapshot, bids: bids, asks: asks)
    }

    private static func apply(_ book: inout PaperBook, snapshot: Bool, bids: UnsafeBufferPointer<arb_book_level_t>,
                              asks: UnsafeBufferPointer<arb_book_level_t>) -> Bool {
        if snapshot {
            book.removeAll()
            // Worst first: each level then lands at the top of the ladder, which shifts nothing.
            book.bidLadder.set(levels: bids, reversed: true)
            book.askLadder.set(levels: asks, reversed: true)
            return false
        }
        book.bidLadder.set(levels: bids)
        book.askLadder.set(levels: asks)
        return uncross(&book, bids: bids, asks: asks)
    }

    /// A delta that leaves the book crossed means a level it did not refresh is stale (a
    /// message was lost before the data reached the venue): as in hftbacktest's depth, the
    /// level the update just set stands and the stale one opposite it goes. When both or
    /// neither were refreshed, the book is left crossed (the host then marks it stale).
    private static func uncross(_ book: inout PaperBook, bids: UnsafeBufferPointer<arb_book_level_t>,
                                asks: UnsafeBufferPointer<arb_book_level_t>) -> Bool {
        func refreshed(_ levels: UnsafeBufferPointer<arb_book_level_t>, _ price: ExactDecimal) -> Bool {
            levels.contains { ExactDecimal($0.price) == price && ExactDecimal($0.quantity) > .zero }
        }
        var removed = false
        while let bid = book.bidLadder.best, let ask = book.askLadder.best, bid.price >= ask.price {
            let bidFresh = refreshed(bids, bid.price), askFresh = refreshed(asks, ask.price)
            if bidFresh && !askFresh {
                book.askLadder.set(price: ask.price, quantity: .zero)
            } else if askFresh && !bidFresh {
                book.bidLadder.set(price: bid.price, quantity: .zero)
            } else {
                break
            }
            removed = true
        }
        return removed
    }

    /// Sets one level (quantity 0 removes it). Also how the data source restores liquidity that
    /// paper takers consumed: consumed quantity stays gone until the feed overwrites the level.
    public func applyLevel(instrument: UInt32, side: PaperBookSide, price: ExactDecimal, quantity: ExactDecimal) {
        guard instruments.index(forKey: instrument) != nil else { return }  // no copy of the instrument
        books[instrument, default: PaperBook()].set(side, price: price, quantity: quantity)
    }

    /// The mid of an instrument's book, read in place (no copy of the book).
    public func mid(_ instrument: UInt32) -> ExactDecimal? {
        guard let i = books.index(forKey: instrument) else { return nil }
        return books.values[i].mid
    }

    /// The venue's current book (the feed's levels minus what paper takers consumed); the
    /// account's own resting orders are not shown in it.
    public func book(_ instrument: UInt32) -> PaperBook { books[instrument] ?? PaperBook() }

    // MARK: - Queries

    /// The instrument with this handle.
    public func instrument(_ id: UInt32) -> PaperInstrument? { instruments[id] }

    /// Any accepted order, open or final, by client order id.
    public func order(clientOrderId: String) -> PaperOrder? {
        slotIndex[clientOrderId].map { slots[$0].order }
    }

    /// Every accepted order, in acceptance order.
    public var orders: [PaperOrder] { slots.map(\.order) }

    /// Whether any order of `instrument` is open (one hash lookup: checked on every book update).
    public func hasOpenOrders(instrument: UInt32) -> Bool { !(openSlots[instrument]?.isEmpty ?? true) }

    /// Open orders (of one instrument, or all), in acceptance order.
    public func openOrders(instrument: UInt32? = nil) -> [PaperOrder] {
        if let instrument { return (openSlots[instrument] ?? []).map { slots[$0].order } }
        return openSlots.values.flatMap { $0 }.sorted().map { slots[$0].order }
    }

    /// Every currency the account has touched, sorted by name.
    public var balances: [PaperBalance] {
        Set(totals.keys).union(reserved.keys).sorted().map { balance($0) }
    }

    /// One currency's balance (zero if never touched).
    public func balance(_ currency: String) -> PaperBalance {
        let total = totals[currency] ?? .zero, used = reserved[currency] ?? .zero
        return PaperBalance(currency: currency, free: total.minusSaturating(used), used: used, total: total)
    }

    /// Every position ever opened (flat ones keep their realized PnL), sorted by instrument.
    public var positions: [PaperPosition] {
        positionBook.keys.sorted().compactMap { positionBook[$0] }
    }

    /// The position of one instrument, nil if never traded.
    public func position(instrument: UInt32) -> PaperPosition? { positionBook[instrument] }

    // MARK: - Shared helpers

    /// Decimal places amounts in `currency` are booked at.
    func places(_ currency: String) -> Int { min(max(currencyPrecision[currency] ?? 8, 0), ExactDecimal.scale) }

    /// `value` rounded to `currency`'s precision.
    func round(_ value: ExactDecimal, _ currency: String, _ mode: RoundingMode) throws(DecimalError) -> ExactDecimal {
        try value.rounded(places: places(currency), rounding: mode)
    }

    /// price × quantity × contractSize × rate, rounded half-even to the settle precision: one
    /// rounding per fill, as venues book it, so Σ fees is the sum of the rounded fills.
    func fee(_ instrument: PaperInstrument, price: ExactDecimal, quantity: ExactDecimal,
             rate: ExactDecimal) throws(DecimalError) -> ExactDecimal {
        try round(price.times(quantity).times(instrument.contractSize).times(rate), instrument.settle, .halfEven)
    }

    /// True once no order may be placed, amended or filled on the instrument.
    func isExpired(_ instrument: PaperInstrument, now: Int64) -> Bool {
        if settledInstruments.contains(instrument.id) { return true }
        if let expiry = instrument.expiry { return now >= expiry }
        return false
    }

    /// The signed position quantity (0 when none).
    func positionQuantity(_ instrument: UInt32) -> ExactDecimal { positionBook[instrument]?.quantity ?? .zero }

    /// How much an order on `side` can reduce the current position (0 if flat or on the same side).
    func reducible(_ instrument: UInt32, side: OrderSide) -> ExactDecimal {
        let q = positionQuantity(instrument)
        return (side == .buy && q.units < 0) || (side == .sell && q.units > 0) ? q.absValue : .zero
    }

    /// Applies a record and queues it for the journal (when there is one).
    func commit(_ record: PaperJournalRecord, _ events: inout [PaperEvent]) throws(DecimalError) {
        // Balances or positions change: the next margin check starts from scratch.
        if !marginCushions.isEmpty { marginCushions.removeAll(keepingCapacity: true) }
        try apply(record, &events)
        if journal != nil { pending.append(record) }
    }

    /// The balances before a call, to report what it changed.
    struct BalanceSnapshot {
        let totals: [String: ExactDecimal]
        let reserved: [String: ExactDecimal]
    }

    func snapshot() -> BalanceSnapshot { BalanceSnapshot(totals: totals, reserved: reserved) }

    /// Ends a mutating call: appends `balanceChanged` for each changed currency (sorted) and
    /// writes the call's records to the journal as one batch (one write, one fsync if durable).
    func finish(_ events: inout [PaperEvent], since before: BalanceSnapshot) {
        let currencies = Set(totals.keys).union(reserved.keys).union(before.totals.keys).union(before.reserved.keys)
        // A currency first touched by this call counts as having been zero before it.
        for currency in currencies.sorted()
        where (totals[currency] ?? .zero) != (before.totals[currency] ?? .zero)
            || (reserved[currency] ?? .zero) != (before.reserved[currency] ?? .zero) {
            events.append(.balanceChanged(balance(currency)))
        }
        guard let journal, !pending.isEmpty else { return }
        journal.append(pending)
        pending.removeAll(keepingCapacity: true)
        do throws(PaperJournalError) { try journal.flush() } catch {
            journalError = error
            events.append(.internalError(reason: "journal write failed, venue stopped: \(error)"))
        }
    }

    /// The refusal every mutating call returns once the journal has failed.
    var stoppedReason: String? { journalError.map { "journal failed, venue stopped: \($0)" } }
}
