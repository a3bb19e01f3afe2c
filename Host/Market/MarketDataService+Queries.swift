import ArbBook
import ArbEngine
import ArbModel
import ArbSDK

extension MarketDataService {
    /// The top of an instrument's book as the ABI struct (a strategy's `top_of_book`), read in place.
    @inlinable @inline(__always)
    public func topOfBook(_ id: InstrumentId, _ out: UnsafeMutablePointer<arb_top_of_book_t>) -> arb_status_t {
        let found = withExistingBook(id) { book -> Bool in
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

    public func bookLevels(_ id: InstrumentId, side: arb_side_t, _ levels: UnsafeMutablePointer<arb_book_level_t>?,
                    capacity: Int, count: UnsafeMutablePointer<Int>?) -> arb_status_t {
        guard side == ARB_SIDE_BUY || side == ARB_SIDE_SELL, levels != nil || capacity == 0 else {
            return ARB_ERR_INVALID_ARGUMENT
        }
        let bid = side == ARB_SIDE_BUY
        var n = 0
        let found: Void? = withExistingBook(id) { book in
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
