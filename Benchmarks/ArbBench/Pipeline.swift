import ArbSDK
import ArbConfig
import ArbEngine
import ArbMarket
import ArbPlugins
import ArbRuntime
import ArbTrading
import CHostSupport
import Foundation
import ArbBook
import ArbModel
import VenueBinance
import VenueWire

/// The hot path as it runs in production: adapter thread → emit (host table) → inbound ring →
/// engine thread → book → router → dlopen'ed strategy plugins, each making host queries.
final class Pipeline: @unchecked Sendable {
    enum Strategies: String, CaseIterable { case none, swift, c, both }

    let engine = Engine(mode: .live)
    let market: MarketDataService
    let orders: OrderManager
    let exchanges: ExchangeManager
    let strategies: StrategyManager
    let venueA: ExchangeInstance
    let venueB: ExchangeInstance
    let instrumentA: InstrumentId
    let instrumentB: InstrumentId
    private(set) var sequence: UInt64 = 1
    /// The producer's level, allocated once so producing allocates nothing.
    private let level = UnsafeMutablePointer<arb_book_level_t>.allocate(capacity: 1)

    /// - Parameter threaded: start the engine thread (the production shape); otherwise the
    ///   caller drives the engine with `runPending`, which isolates the engine's own cost.
    init(pluginDirectory: String, strategies which: Strategies, threaded: Bool = true) throws {
        let loader = PluginLoader()
        let venuePlugin = try loader.load(pluginDirectory + "/libSimVenue.so")
        market = MarketDataService(engine: engine)
        orders = OrderManager(engine: engine)
        exchanges = ExchangeManager(engine: engine, market: market)
        strategies = StrategyManager(engine: engine, market: market, orders: orders)
        // The venues are registered but not connected: this benchmark is their I/O thread.
        venueA = try exchanges.registerExchange(name: "bench-a", plugin: venuePlugin)
        venueB = try exchanges.registerExchange(name: "bench-b", plugin: venuePlugin)
        if which == .swift || which == .both {
            try strategies.registerStrategy(
                name: "spread-watch", plugin: try loader.load(pluginDirectory + "/libSpreadWatch.so"),
                parameters: Parameters(["venues": "bench-a,bench-b", "report_interval": "1h"]))
        }
        if which == .c || which == .both {
            try strategies.registerStrategy(
                name: "quoter", plugin: try loader.load(pluginDirectory + "/libCrossQuoter.so"),
                parameters: Parameters(["venue": "bench-a", "place_orders": "false"]))
        }
        instrumentA = engine.instruments.id(for: Instrument(venue: "bench-a", symbol: "BTCUSDT", kind: .perpetual))
        instrumentB = engine.instruments.id(for: Instrument(venue: "bench-b", symbol: "BTCUSDT", kind: .perpetual))
        if threaded { engine.start() }
        strategies.startAll()
        snapshot(venueA, instrumentA, mid: 600_000)
        snapshot(venueB, instrumentB, mid: 600_003)
        if threaded { waitFor(events: 2) } else { engine.runPending() }
    }

    func shutdown() {
        strategies.removeAll()
        exchanges.removeAll()
        if engine.isRunning { engine.stop() }
    }

    static func level(_ ticks: Int64, _ lots: Int64) -> arb_book_level_t {
        arb_book_level_t(price: ExactDecimal(units: Int128(ticks) * 100_000_000_000_000_000).cValue,
                         quantity: ExactDecimal(units: Int128(lots) * 1_000_000_000_000_000).cValue)
    }

    private func snapshot(_ venue: ExchangeInstance, _ id: InstrumentId, mid: Int64) {
        // The spec first, as a venue sends it at connect: the books then use the 0.1 tick grid.
        "BTC".withArbStr { base in
            "USDT".withArbStr { quote in
                var spec = arb_instrument_spec_t()
                spec.struct_size = UInt32(MemoryLayout<arb_instrument_spec_t>.size)
                spec.instrument = id.rawValue
                spec.base = base
                spec.quote = quote
                spec.settle = quote
                spec.tick_size = ExactDecimal(units: 100_000_000_000_000_000).cValue
                spec.lot_size = ExactDecimal(units: 1_000_000_000_000_000).cValue
                spec.contract_size = ExactDecimal.one.cValue
                let host = venue.hostTable
                _ = host.pointee.emit_instrument_spec(host, 0, &spec)
            }
        }
        let bids = (0..<20).map { Self.level(mid - 1 - Int64($0), 10) }
        let asks = (0..<20).map { Self.level(mid + Int64($0), 10) }
        bids.withUnsafeBufferPointer { b in
            asks.withUnsafeBufferPointer { a in
                var u = arb_book_update_t(struct_size: UInt32(MemoryLayout<arb_book_update_t>.size), instrument: id.rawValue,
                                          is_snapshot: 1, first_sequence: 1, last_sequence: 1, previous_sequence: 0,
                                          ts_event: 0, ts_init: 0, bids: b.baseAddress, bid_count: b.count,
                                          asks: a.baseAddress, ask_count: a.count)
                let host = venue.hostTable
                _ = host.pointee.emit_book(host, 0, &u)
            }
        }
    }

    /// Emits `count` one-level deltas on venue A from the calling thread, as an adapter's I/O
    /// thread would; retries while the ring is full. Allocates nothing.
    func produce(_ count: Int) {
        let host = venueA.hostTable
        var update = arb_book_update_t(struct_size: UInt32(MemoryLayout<arb_book_update_t>.size),
                                       instrument: instrumentA.rawValue, is_snapshot: 0, first_sequence: 0,
                                       last_sequence: 0, previous_sequence: 0, ts_event: 0, ts_init: 0, bids: nil,
                                       bid_count: 0, asks: nil, ask_count: 0)
        for i in 0..<count {
            sequence += 1
            // Change the size of one of the top 10 bids: the book stays valid, never crossed.
            level.pointee = Self.level(599_999 - Int64(i % 10), Int64(1 + i % 7))
            update.first_sequence = sequence
            update.last_sequence = sequence
            update.ts_event = Int64(i)
            update.bids = UnsafePointer(level)
            update.bid_count = 1
            while host.pointee.emit_book(host, 0, &update) == ARB_ERR_QUEUE_FULL { sched_yield() }
        }
    }

    /// Returns once the engine has handled everything committed so far (a command round trip
    /// through the FIFO ring). Allocates: call it outside measured regions.
    func settle() {
        if engine.isRunning { engine.perform { _ in } } else { engine.runPending() }
    }

    /// Spins until the engine has handled `events` events in total.
    func waitFor(events: UInt64) {
        while engine.eventsProcessed < events { sched_yield() }
    }
}
