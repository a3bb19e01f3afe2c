import ArbBook
import ArbEngine
import ArbModel
import ArbSDK

extension MarketDataService {
    /// Starts delivering an instrument's events to subscriber `slot` (a strategy) and, if it is
    /// the first, asks the instrument's venue for its book, trades and (perpetuals) funding
    /// (subscribe_symbol). Engine thread.
    public func subscribeSymbol(_ id: InstrumentId, subscriber slot: Int) -> arb_status_t {
        guard let instrument = instruments.instrument(id) else { return ARB_ERR_NOT_FOUND }
        ensure(id)
        let firstListener = subscribers[Int(id.rawValue)].isEmpty
        if !subscribers[Int(id.rawValue)].contains(Int32(slot)) { subscribers[Int(id.rawValue)].append(Int32(slot)) }
        if firstListener, let venue = engine.venue(named: instrument.venue), venue.isConnected {
            requestMarketData(venue, id, kind: instrument.kind)
        }
        return ARB_OK
    }

    /// Stops delivering an instrument's events to subscriber `slot` (unsubscribe_symbol).
    public func unsubscribeSymbol(_ id: InstrumentId, subscriber slot: Int) {
        ensure(id)
        subscribers[Int(id.rawValue)].removeAll { $0 == Int32(slot) }
    }

    /// Removes every subscription of subscriber `slot`.
    public func unsubscribeAll(subscriber slot: Int) {
        for i in subscribers.indices { subscribers[i].removeAll { $0 == Int32(slot) } }
    }

    /// How many subscribers an instrument has.
    public func subscriberCount(_ id: InstrumentId) -> Int {
        Int(id.rawValue) < subscribers.count ? subscribers[Int(id.rawValue)].count : 0
    }

    /// Asks `venue` for the channels of an instrument (book, trades, and funding for perpetuals).
    public func requestMarketData(_ venue: VenueEndpoint, _ id: InstrumentId, kind: InstrumentKind) {
        guard let subscribe = venue.table.subscribe else { return }
        var channels = [ARB_CHANNEL_BOOK, ARB_CHANNEL_TRADES]
        if kind == .perpetual { channels.append(ARB_CHANNEL_FUNDING) }
        for channel in channels {
            let (status, _) = engine.sendRequest(to: venue, owner: .host) { request in
                subscribe(venue.instance, request, id.rawValue, channel)
            }
            if status != ARB_OK && status != ARB_ERR_UNSUPPORTED {
                let name = instruments.instrument(id)?.description ?? "\(id)"
                let why = status == ARB_ERR_NOT_FOUND ? "the venue has no such market (check the strategy's kind and symbol against the venue's settings)"
                                                      : "status \(status)"
                venue.logger.warning("subscribe to channel \(channel) of \(name) refused: \(why)")
            }
        }
    }

    /// Asks a venue that (re)connected for everything some subscriber listens to on it.
    public func resubscribe(_ venue: VenueEndpoint) {
        for raw in subscribers.indices where !subscribers[raw].isEmpty {
            let id = InstrumentId(rawValue: UInt32(raw))
            guard let instrument = instruments.instrument(id), instrument.venue == venue.name else { continue }
            requestMarketData(venue, id, kind: instrument.kind)
        }
    }
}
