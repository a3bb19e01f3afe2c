import Foundation
import ArbTestKit
import Testing

/// The hot path allocates nothing: checked in its own process with every malloc counted.
@Suite("Hot path")
struct HotPathTests {
    @Test("100,000 events through ring, engine and router to both dlopen'ed strategies allocate nothing")
    func zeroAllocationsPerEvent() throws {
        // The release build is what runs in production; `make test` builds it before the tests.
        let release = TestPaths.root + "/.build/release"
        let bench = release + "/arbhost-bench"
        let counter = release + "/libMallocCounter.so"
        try #require(FileManager.default.isExecutableFile(atPath: bench),
                     "\(bench) is missing: run `make test` (it builds the release benchmark first)")
        let result = try runProcess(bench, ["--plugins", release, "--check-allocations", "--events", "100000"],
                                    environment: ["LD_PRELOAD": counter], timeout: 300)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("events: 100000 through ring → engine → router → 2 plugins"), "\(result.output)")
        #expect(result.output.contains("allocations: 0 (0 bytes), per event: 0.0"), "\(result.output)")
    }

    @Test("the check really counts: without the interposer it refuses to report")
    func checkNeedsTheCounter() throws {
        let release = TestPaths.root + "/.build/release"
        let bench = release + "/arbhost-bench"
        try #require(FileManager.default.isExecutableFile(atPath: bench))
        let result = try runProcess(bench, ["--plugins", release, "--check-allocations"], timeout: 60)
        #expect(result.status == 2)
        #expect(result.output.contains("the malloc counter is not loaded"))
    }
}
