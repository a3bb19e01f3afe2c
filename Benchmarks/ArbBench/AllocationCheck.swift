import ArbSDK
import ArbBook
import ArbModel
import VenueBinance
import VenueWire
import ArbConfig
import ArbEngine
import ArbMarket
import ArbPlugins
import ArbRuntime
import ArbTrading
import Foundation
import Glibc

/// Counts allocations on the hot path: 100,000 events from another thread through the ring,
/// the engine and the router to both dlopen'ed strategies, each making a host query per event;
/// then the same with a bus subscriber on every market-data topic, so each book update is also
/// published as JSON. Needs `LD_PRELOAD=libMallocCounter.so`, which counts every malloc in the
/// process.
enum AllocationCheck {
    /// Counts on the engine thread what the bus delivered.
    final class Counter: @unchecked Sendable { var value = 0 }

    typealias Call = @convention(c) () -> Void
    typealias Read = @convention(c) () -> UInt64

    static func symbol<T>(_ name: String, as: T.Type) -> T? {
        guard let p = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(p, to: T.self)
    }

    static func run(_ options: Options) -> Int32 {
        guard let start = symbol("malloc_counter_start", as: Call.self),
              let stop = symbol("malloc_counter_stop", as: Call.self),
              let reset = symbol("malloc_counter_reset", as: Call.self),
              let allocations = symbol("malloc_counter_allocations", as: Read.self),
              let bytes = symbol("malloc_counter_bytes", as: Read.self)
        else {
            print("error: the malloc counter is not loaded; run with LD_PRELOAD=<build>/libMallocCounter.so")
            return 2
        }
        do {
            let pipeline = try Pipeline(pluginDirectory: options.plugins, strategies: .both)
            var failed = false
            for busSubscriber in [false, true] {
                let published = Counter()
                if busSubscriber {
                    let pattern = try TopicPattern("data.>")
                    pipeline.engine.perform { engine in
                        _ = engine.bus.subscribe(pattern, .handler { _ in published.value += 1 })
                    }
                }
                // Warm up: books reach their depth, arrays their capacity, lazy globals initialise.
                pipeline.produce(20_000)
                pipeline.settle()
                let before = pipeline.engine.eventsProcessed
                published.value = 0
                reset()
                start()
                pipeline.produce(options.events)
                pipeline.waitFor(events: before + UInt64(options.events))
                stop()
                let handled = pipeline.engine.eventsProcessed - before
                pipeline.settle()
                let count = allocations(), size = bytes()
                let route = busSubscriber ? ", each also published on the bus as JSON (\(published.value) messages)" : ""
                print("events: \(handled) through ring → engine → router → 2 plugins (Swift spread-watch, C quoter)\(route)")
                print("allocations: \(count) (\(size) bytes), per event: \(Double(count) / Double(max(handled, 1)))")
                if count != 0 || (busSubscriber && published.value < options.events) { failed = true }
            }
            pipeline.shutdown()
            return failed ? 1 : 0
        } catch {
            print("error: \(error)")
            return 2
        }
    }
}
