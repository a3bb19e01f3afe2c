import ArbSDK
import ArbBook
import PluginKit
import VenueBinance
import VenueWire

/// One market a generator quotes.
struct GeneratedMarket {
    var symbol: String
    var kind: InstrumentKind
    /// Dated futures: delivery time (ns).
    var expiry: Int64
}

/// A seeded market generator: every venue with the same `seed` shares the underlying's random
/// walk (the index); each venue adds its own basis and noise (`venue_seed`, `basis_bps`), and
/// each market its own premium: a perpetual's (and a dated future's) wanders, mean-reverting,
/// within ±`premiumRangeBps` of the venue's basis, so its premium now and then leaves the
/// ±0.05 % band where the premium-index method pays just the interest rate, and venues' funding
/// rates (paid at each venue's interval, within cap and floor) differ; spot stays within a few
/// ticks of the index; a dated future trades at a contango that decays to zero at expiry, where it settles
/// at the index. Books have `depth` levels a side; trades print now and then. The same settings
/// give the same events, bit for bit.
final class GeneratorSource: MarketSource {
    struct Settings {
        var seed: UInt64
        var venueSeed: UInt64
        var startPrice: ExactDecimal
        var tick: ExactDecimal
        var lot: ExactDecimal
        var depth: Int
        var interval: Int64
        var updates: Int
        var startTime: Int64
        var basisBps: Int64
        var fundingInterval: Int64
        var fundingCap: ExactDecimal
        var contangoBps: Int64
        /// How far a derivative's premium wanders from the venue's basis, in bps.
        var premiumRangeBps: Int64 = 10
    }

    let settings: Settings
    let markets: [GeneratedMarket]
    private var market: SplitMix64
    private var venue: SplitMix64
    private var indexTicks: Int64
    private var premiumTicks: [Int64]
    private var sequence: [UInt64]
    private var expired: [Bool]
    private var step = 0
    private var time: Int64
    private var nextFunding: Int64
    /// When the next mark-price/funding update goes out: once a second of event time, as
    /// Binance's markPrice@1s stream does.
    private var nextFundingUpdate: Int64
    /// Events of the current step, handed out one by one.
    private var queue: [(market: Int, event: SimEvent, bids: Range<Int>, asks: Range<Int>)] = []
    /// The next event of `queue` to hand out (the queue is emptied, keeping its storage, when done).
    private var head = 0
    /// The book levels of the current step's events, in one buffer reused every step.
    private var levels: ContiguousArray<arb_book_level_t> = []
    private(set) var messages = 0

    init(settings: Settings, markets: [GeneratedMarket]) {
        self.settings = settings
        self.markets = markets
        market = SplitMix64(seed: settings.seed)
        venue = SplitMix64(seed: settings.venueSeed ^ 0x5EED)
        let ticks = (try? settings.startPrice.divided(by: settings.tick, rounding: .halfEven)) ?? .zero
        indexTicks = Int64(ticks.units / ExactDecimal.one.units)
        premiumTicks = Array(repeating: 0, count: markets.count)
        sequence = Array(repeating: 0, count: markets.count)
        expired = Array(repeating: false, count: markets.count)
        time = settings.startTime
        nextFunding = (settings.startTime / max(settings.fundingInterval, 1) + 1) * max(settings.fundingInterval, 1)
        nextFundingUpdate = settings.startTime
    }

    var nextTime: Int64? {
        if head < queue.count { return time }
        return step < settings.updates ? time : nil
    }

    func next(_ handle: SimEventHandler) -> Bool {
        if head == queue.count {
            guard step < settings.updates else { return false }
            queue.removeAll(keepingCapacity: true)
            levels.removeAll(keepingCapacity: true)
            head = 0
            generate()
        }
        guard head < queue.count else { return false }
        let item = queue[head]
        head += 1
        messages += 1
        levels.withUnsafeBufferPointer { all in
            handle(time, item.market, item.event, UnsafeBufferPointer(rebasing: all[item.bids]),
                   UnsafeBufferPointer(rebasing: all[item.asks]))
        }
        if head == queue.count {
            step += 1
            time += settings.interval
        }
        return true
    }

    /// `ticks` steps of `unit` (a tick or a lot), exactly; zero if it would not fit.
    private static func times(_ unit: ExactDecimal, _ count: Int64) -> ExactDecimal {
        let (units, overflow) = unit.units.multipliedReportingOverflow(by: Int128(count))
        return overflow ? .zero : ExactDecimal(units: units)
    }

    private func price(_ ticks: Int64) -> ExactDecimal { Self.times(settings.tick, ticks) }
    private func quantity(_ lots: Int64) -> ExactDecimal { Self.times(settings.lot, lots) }

    /// One step of the world: the index moves, then every live market quotes around it.
    private func generate() {
        switch market.next() % 4 {
        case 0: indexTicks -= 1
        case 3: indexTicks += 1
        default: break
        }
        let index = price(indexTicks)
        let venueBasis = indexTicks * settings.basisBps / 10_000
        for m in markets.indices where !expired[m] {
            let spec = markets[m]
            // The premium mean-reverts around the venue's basis: within a few ticks for spot,
            // within ±premiumRangeBps for derivatives, in steps of 1/16 of that range, pulled
            // back one step in 32 updates (so it spends time across the whole range).
            let bound = spec.kind == .spot ? 8 : max(8, indexTicks * settings.premiumRangeBps / 10_000)
            let stride = spec.kind == .spot ? 1 : max(1, bound / 16)
            let pull: Int64 = premiumTicks[m] > 0 ? -stride : (premiumTicks[m] < 0 ? stride : 0)
            let pullOdds: UInt64 = spec.kind == .spot ? 4 : 32
            premiumTicks[m] = max(-bound, min(bound, premiumTicks[m] + (Int64(venue.next() % 3) - 1) * stride
                                                   + (venue.next() % pullOdds == 0 ? pull : 0)))
            var midTicks = indexTicks + venueBasis + premiumTicks[m]
            if spec.kind == .datedFuture {
                if time >= spec.expiry {
                    expired[m] = true
                    queue.append((m, .expire(index: index), 0..<0, 0..<0))
                    continue
                }
                // Contango decays linearly to zero at expiry.
                let left = Double(spec.expiry - time) / 31_536_000_000_000_000
                midTicks += Int64((Double(indexTicks) * Double(settings.contangoBps) / 10_000 * left).rounded())
            }
            let spread = Int64(1 + venue.next() % 3)
            let bestBid = midTicks - spread / 2 - spread % 2, bestAsk = bestBid + spread
            // Bids then asks, each best first; the sizes drawn in the order they always were.
            let bidStart = levels.count, depth = settings.depth
            levels.append(contentsOf: repeatElement(arb_book_level_t(), count: 2 * depth))
            // One access to the buffer and the random source for the whole book (each access
            // to a class's property is checked at run time).
            var random = venue
            let (tick, lot) = (settings.tick, settings.lot)
            levels.withUnsafeMutableBufferPointer { buffer in
                for i in 0..<depth {
                    buffer[bidStart + i] = arb_book_level_t(price: Self.times(tick, bestBid - Int64(i)).cValue,
                                                            quantity: Self.times(lot, Int64(1 + random.next() % 50)).cValue)
                    buffer[bidStart + depth + i] = arb_book_level_t(price: Self.times(tick, bestAsk + Int64(i)).cValue,
                                                                    quantity: Self.times(lot, Int64(1 + random.next() % 50)).cValue)
                }
            }
            venue = random
            sequence[m] += 1
            queue.append((m, .book(snapshot: true, sequence: sequence[m], previous: sequence[m] - 1),
                          bidStart..<(bidStart + depth), (bidStart + depth)..<(bidStart + 2 * depth)))
            if venue.next() % 3 == 0 {
                let buy = venue.next() % 2 == 0
                let trade = BinanceTrade(tradeId: UInt64(step * markets.count + m + 1), price: price(buy ? bestAsk : bestBid),
                                         quantity: quantity(Int64(1 + venue.next() % 20)), buyerIsMaker: !buy,
                                         eventTime: time / 1_000_000, tradeTime: time / 1_000_000)
                queue.append((m, .trade(trade), 0..<0, 0..<0))
            }
            if spec.kind == .perpetual && (time >= nextFundingUpdate || time >= nextFunding) {
                let mark = price(midTicks)
                let rate = fundingRate(mark: mark, index: index)
                if time >= nextFundingUpdate { queue.append((m, .funding(rate: rate, mark: mark, index: index, nextFundingTime: nextFunding), 0..<0, 0..<0)) }
                if time >= nextFunding { queue.append((m, .settleFunding(rate: rate, mark: mark), 0..<0, 0..<0)) }
            }
        }
        if time >= nextFunding { nextFunding += max(settings.fundingInterval, 1) }
        if time >= nextFundingUpdate { nextFundingUpdate = time + 1_000_000_000 }
    }

    /// The premium-index method: premium P = (mark − index) / index, interest I = 0.01 % per 8 h
    /// scaled to the interval, rate = P + clamp(I − P, ±0.05 %), within ±cap.
    private func fundingRate(mark: ExactDecimal, index: ExactDecimal) -> ExactDecimal {
        guard let difference = try? mark.subtracting(index),
              let premium = try? difference.divided(by: index, rounding: .halfEven),
              let interest = try? ExactDecimal(parsing: "0.0001").multiplied(byInteger: Int(settings.fundingInterval))
                .divided(by: ExactDecimal(8 * 3_600_000_000_000), rounding: .halfEven),
              let gap = try? interest.subtracting(premium) else { return .zero }
        let clamp = (try? ExactDecimal(parsing: "0.0005")) ?? .zero
        let bounded = min(max(gap, (try? clamp.negated()) ?? .zero), clamp)
        let rate = (try? premium.adding(bounded)) ?? .zero
        let cap = settings.fundingCap
        return min(max(rate, (try? cap.negated()) ?? .zero), cap)
    }
}
