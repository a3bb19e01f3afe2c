import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbRuntime
import ArbSDK
import ArbTestKit
import Dispatch
import Foundation
import Testing

/// Other threads never wait on the engine: an adapter's timers travel through the inbound queue,
/// and the services' queries read what the engine published.
@Suite("Engine boundary")
struct EngineBoundaryTests {
    /// A live engine whose thread is held inside a command until `release`.
    final class HeldEngine: @unchecked Sendable {
        let services: HostServices
        let venue: ExchangeInstance
        private let entered = DispatchSemaphore(value: 0)
        private let gate = DispatchSemaphore(value: 0)

        init() throws {
            services = HostServices(engine: Engine(mode: .live))
            venue = try services.exchanges.registerExchange(name: "a", plugin: PluginLoader().load(TestPaths.plugin("SimVenue")))
            services.engine.start()
        }

        /// Occupies the engine thread from a helper thread; returns once it is held.
        func hold() {
            Thread.detachNewThread { [self] in
                services.engine.perform { _ in
                    self.entered.signal()
                    self.gate.wait()
                }
            }
            entered.wait()
        }

        func release() { gate.signal() }

        func shutdown() {
            services.engine.stop()
        }
    }

    @Test("an adapter's set_timer and cancel_timer from its own thread return while the engine thread is busy")
    func timersNeverWaitForTheEngine() throws {
        let held = try HeldEngine()
        defer { held.shutdown() }
        let before = held.services.engine.perform { $0.timers.count }
        held.hold()
        // Before this issue the call waited for the engine thread: with the engine held (as when
        // it waits on a lock this adapter thread holds) it never returned.
        let host = held.venue.hostTable
        var id: UInt64 = 0
        let deadline = held.services.engine.now() + 3_600_000_000_000
        #expect(host.pointee.set_timer(host, deadline, 0, 7, &id) == ARB_OK)
        #expect(id != 0)
        var other: UInt64 = 0
        #expect(host.pointee.set_timer(host, deadline, 0, 8, &other) == ARB_OK)
        #expect(host.pointee.cancel_timer(host, other) == ARB_OK)
        #expect(host.pointee.cancel_timer(host, 999_999_999) == ARB_ERR_NOT_FOUND)
        held.release()
        // Applied on the engine thread in order: one timer set, the other set then cancelled.
        let timers = held.services.engine.perform { engine in
            (engine.timers.count, engine.timers.find(owner: .exchange(held.venue.slot), tag: 7, interval: 0))
        }
        #expect(timers.0 == before + 1)
        #expect(timers.1 == id)
    }

    @Test("funding queries answer from what the engine published, while its thread is busy")
    func fundingQueriesNeverWaitForTheEngine() throws {
        let held = try HeldEngine()
        defer { held.shutdown() }
        let id = held.services.engine.instruments.id(for: Instrument(venue: "a", symbol: "BTCUSDT", kind: .perpetual))
        var c = arb_funding_rate_t()
        c.struct_size = UInt32(MemoryLayout<arb_funding_rate_t>.size)
        c.instrument = id.rawValue
        c.rate = try ExactDecimal(parsing: "0.0001").cValue
        c.mark_price = try ExactDecimal(parsing: "101").cValue
        c.index_price = try ExactDecimal(parsing: "100").cValue
        c.funding_interval_ns = 8 * 3_600_000_000_000
        c.next_funding_time_ns = 1_800_000_000_000_000_000
        // Through the venue's host table, as its I/O thread would, then wait until handled.
        let host = held.venue.hostTable
        #expect(host.pointee.emit_funding(host, 0, &c) == ARB_OK)
        held.services.engine.perform { _ in }
        held.hold()
        defer { held.release() }
        let rate = held.services.funding.fundingRate(venue: "a", symbol: "BTCUSDT")
        #expect(rate?.rate == (try ExactDecimal(parsing: "0.0001")))
        #expect(held.services.funding.premiumSamples(venue: "a", symbol: "BTCUSDT").count == 1)
        #expect(held.services.funding.allFundingRates(symbol: "BTCUSDT").keys.sorted() == ["a"])
        #expect(held.services.exchanges.fundingRatesAll(symbol: "BTCUSDT")["a"]?.instrument == id.rawValue)
    }
}
