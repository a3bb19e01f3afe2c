import ArbSDK
import PluginKit

extension Engine {
    /// MarketDataService.subscribe for a strategy: starts delivery, and asks the instrument's
    /// venue for its book, trades and (perpetuals) funding if nobody did yet.
    func subscribeMarket(_ s: StrategyInstance, _ id: InstrumentId) -> arb_status_t {
        guard let instrument = instruments.instrument(id) else { return ARB_ERR_NOT_FOUND }
        let firstListener = market.subscriberCount(id) == 0
        market.subscribe(id, strategy: s.slot)
        s.marketSubscriptions.insert(id)
        if firstListener, let e = exchangeSlots.first(where: { $0?.name == instrument.venue }) ?? nil,
           e.state == .connected {
            requestMarketData(e, id, kind: instrument.kind)
        }
        return ARB_OK
    }

    func unsubscribeMarket(_ s: StrategyInstance, _ id: InstrumentId) -> arb_status_t {
        guard s.marketSubscriptions.remove(id) != nil else { return ARB_ERR_NOT_FOUND }
        market.unsubscribe(id, strategy: s.slot)
        return ARB_OK
    }

    /// Subscribes a venue to the channels of an instrument.
    func requestMarketData(_ e: ExchangeInstance, _ id: InstrumentId, kind: InstrumentKind) {
        guard let subscribe = e.table.subscribe else { return }
        var channels = [ARB_CHANNEL_BOOK, ARB_CHANNEL_TRADES]
        if kind == .perpetual { channels.append(ARB_CHANNEL_FUNDING) }
        for channel in channels {
            let status = hostRequest(e) { request in subscribe(e.instance, request, id.rawValue, channel) }
            if status != ARB_OK && status != ARB_ERR_UNSUPPORTED {
                e.logger.warning("subscribe to channel \(channel) of \(id) refused: status \(status)")
            }
        }
    }

    /// Every instrument some running strategy listens to on venue `e` (for reconnects).
    func subscribedInstruments(of e: ExchangeInstance) -> [InstrumentId] {
        let ids = Set(strategySlots.compactMap { $0?.marketSubscriptions }.flatMap { $0 })
        return ids.filter { instruments.instrument($0)?.venue == e.name }.sorted()
    }

    @inline(__always)
    func topOfBook(_ id: InstrumentId, _ out: UnsafeMutablePointer<arb_top_of_book_t>) -> arb_status_t {
        let found = market.withExistingBook(id) { book -> Bool in
            guard book.sequence != 0 || book.isValid || book.bestBid != nil else { return false }
            var top = arb_top_of_book_t()
            top.struct_size = structSize(arb_top_of_book_t.self)
            top.instrument = id.rawValue
            (top.bid, top.bid_quantity, top.ask, top.ask_quantity) = book.cTop
            top.sequence = book.sequence
            top.ts_event = book.tsEvent
            top.stale = book.isValid ? 0 : 1
            out.pointee = top
            return true
        }
        return found == true ? ARB_OK : ARB_ERR_NOT_FOUND
    }

    func bookLevels(_ id: InstrumentId, side: arb_side_t, _ levels: UnsafeMutablePointer<arb_book_level_t>?,
                    capacity: Int, count: UnsafeMutablePointer<Int>?) -> arb_status_t {
        guard side == ARB_SIDE_BUY || side == ARB_SIDE_SELL, levels != nil || capacity == 0 else {
            return ARB_ERR_INVALID_ARGUMENT
        }
        let bid = side == ARB_SIDE_BUY
        var n = 0
        let found: Void? = market.withExistingBook(id) { book in
            book.forEachLevel(bid: bid) { level in
                guard n < capacity else { return false }
                levels![n] = level.cValue
                n += 1
                return true
            }
        }
        guard found != nil else { return ARB_ERR_NOT_FOUND }
        count?.pointee = n
        return ARB_OK
    }
}

extension MarketDataService {
    func subscriberCount(_ id: InstrumentId) -> Int {
        Int(id.rawValue) < subscribers.count ? subscribers[Int(id.rawValue)].count : 0
    }
}
