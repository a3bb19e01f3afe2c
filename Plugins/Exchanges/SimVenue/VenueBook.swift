import PluginKit

/// The venue's own book of its one instrument: what it answers a snapshot request with, and
/// the sequence number of its last update.
struct VenueBook {
    private(set) var bids: [arb_book_level_t] = []
    private(set) var asks: [arb_book_level_t] = []
    private(set) var sequence: UInt64 = 0

    mutating func replace(bids: UnsafeBufferPointer<arb_book_level_t>, asks: UnsafeBufferPointer<arb_book_level_t>,
                          sequence: UInt64) {
        self.bids = Array(bids)
        self.asks = Array(asks)
        self.bids.sort { ExactDecimal($0.price) > ExactDecimal($1.price) }
        self.asks.sort { ExactDecimal($0.price) < ExactDecimal($1.price) }
        self.bids.removeAll { ExactDecimal($0.quantity).isZero }
        self.asks.removeAll { ExactDecimal($0.quantity).isZero }
        self.sequence = sequence
    }

    mutating func apply(bids: UnsafeBufferPointer<arb_book_level_t>, asks: UnsafeBufferPointer<arb_book_level_t>,
                        sequence: UInt64) {
        for level in bids { Self.set(level, in: &self.bids, better: >) }
        for level in asks { Self.set(level, in: &self.asks, better: <) }
        self.sequence = sequence
    }

    private static func set(_ level: arb_book_level_t, in side: inout [arb_book_level_t],
                            better: (ExactDecimal, ExactDecimal) -> Bool) {
        let price = ExactDecimal(level.price)
        var low = 0, high = side.count
        while low < high {
            let mid = (low + high) / 2
            if better(ExactDecimal(side[mid].price), price) { low = mid + 1 } else { high = mid }
        }
        let exists = low < side.count && ExactDecimal(side[low].price) == price
        if ExactDecimal(level.quantity).isZero {
            if exists { side.remove(at: low) }
        } else if exists {
            side[low].quantity = level.quantity
        } else {
            side.insert(level, at: low)
        }
    }
}
