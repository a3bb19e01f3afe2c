import ArbSDK
import ArbBook
import ArbModel

// A journaled venue: starting one, and rebuilding it after the host was killed.
extension PaperExchange {
    /// A venue journaled at `path`.
    ///
    /// Durable (live): if the file holds committed records, the venue is rebuilt from them
    /// (`balances` is then ignored: the journal's deposits are the truth) and continues the same
    /// file; otherwise it starts with `balances`, journaled as deposits. Not durable (replays):
    /// the file is truncated and the venue starts fresh. Books are not journaled: the feed
    /// re-sends them, and recovered open orders match once it does. Records name instruments by
    /// symbol and kind (`PaperInstrumentName`) and are replayed into the instrument of that name
    /// in `instruments`, whatever its handle is now; a journal naming one that is not there is
    /// refused (`unknownInstrument`), as is one written with handles by an older build.
    public static func open(journalAt path: String, durable: Bool, instruments: [PaperInstrument],
                            balances: [String: ExactDecimal],
                            currencyPrecision: [String: Int] = [:]) -> Result<PaperExchange, PaperJournalError> {
        do throws(PaperJournalError) {
            let journal = try PaperJournal(path: path, durable: durable, instruments: instruments)
            let venue = PaperExchange(instruments: instruments, currencyPrecision: currencyPrecision)
            if journal.recovered.isEmpty {
                venue.journal = journal
                let before = venue.snapshot()
                venue.deposit(balances)
                var events: [PaperEvent] = []
                venue.finish(&events, since: before)
                if let error = venue.journalError { throw error }
            } else {
                try venue.replay(journal.recovered)
                journal.dropRecovered()
                venue.journal = journal
            }
            return .success(venue)
        } catch {
            return .failure(error)
        }
    }

    /// Rebuilds the venue journaled (durably) at `path` — orders with their statuses and fills,
    /// balances, positions, id counters, settled funding periods and expiries — ignoring a torn
    /// last batch, and keeps appending to the same file.
    public static func recover(from path: String, instruments: [PaperInstrument],
                               currencyPrecision: [String: Int] = [:]) -> Result<PaperExchange, PaperJournalError> {
        open(journalAt: path, durable: true, instruments: instruments, balances: [:], currencyPrecision: currencyPrecision)
    }

    /// Re-applies journaled records with the code live calls use; a record that does not fit
    /// the state (unknown instrument or order, overfill) stops recovery instead of guessing.
    func replay(_ records: [PaperJournalRecord]) throws(PaperJournalError) {
        var events: [PaperEvent] = []
        for (offset, record) in records.enumerated() {
            if let problem = inconsistency(record) { throw .inconsistent(line: offset + 1, reason: problem) }
            do throws(DecimalError) { try apply(record, &events) } catch {
                throw .inconsistent(line: offset + 1, reason: "decimal \(error)")
            }
            events.removeAll(keepingCapacity: true)
        }
    }

    /// Why a record cannot be applied to the current state, nil if it can.
    private func inconsistency(_ record: PaperJournalRecord) -> String? {
        func openOrder(_ id: String) -> PaperOrder? {
            guard let index = slotIndex[id], !slots[index].order.status.isFinal else { return nil }
            return slots[index].order
        }
        switch record {
        case .deposit:
            return nil
        case .order(let request, _, _):
            if instruments[request.instrument] == nil { return "unknown instrument \(request.instrument)" }
            return slotIndex[request.clientOrderId] == nil ? nil : "duplicate order \(request.clientOrderId)"
        case .amend(let id, _, _, _), .cancel(let id, _), .expire(let id, _):
            return openOrder(id) == nil ? "no open order \(id)" : nil
        case .fill(let fill):
            guard let order = openOrder(fill.clientOrderId), order.instrument == fill.instrument else {
                return "fill \(fill.tradeId) for no open order \(fill.clientOrderId)"
            }
            guard fill.quantity.units > 0, fill.quantity <= order.remainingQuantity else {
                return "fill \(fill.tradeId) quantity \(fill.quantity) does not fit order \(fill.clientOrderId)"
            }
            return nil
        case .funding(let id, _, _, _, _, _, _):
            return instruments[id]?.kind == .perpetual ? nil : "funding for non-perpetual \(id)"
        case .expirySettlement(let id, _, _):
            return instruments[id]?.expiry != nil ? nil : "expiry of non-dated instrument \(id)"
        }
    }
}
