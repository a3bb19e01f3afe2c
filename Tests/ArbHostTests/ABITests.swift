import ArbSDK
import Foundation
import ArbBook
import ArbModel
import ArbTestKit
import Testing
@testable import ArbConfig
@testable import ArbEngine
@testable import ArbMarket
@testable import ArbPlugins
@testable import ArbRuntime
@testable import ArbTrading

/// The contract itself: the header compiles alone under the strictest flags, its layout is
/// pinned, and a plugin built out of tree with one `cc` line works.
@Suite("C ABI")
struct ABITests {
    @Test("arb_sdk.h compiles alone with -std=c11 -Wall -Wextra -Werror -pedantic")
    func headerCompilesAlone() throws {
        let dir = try TestPaths.temporaryDirectory()
        let source = dir + "/only_header.c"
        try "#include \"arb_sdk.h\"\nint main(void) { return 0; }\n".write(toFile: source, atomically: true, encoding: .utf8)
        for compiler in ["cc", "clang"] where FileManager.default.isExecutableFile(atPath: "/usr/bin/\(compiler)") {
            let result = try runProcess("/usr/bin/\(compiler)", ["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic",
                                                                "-I", TestPaths.header, source, "-o", dir + "/only_header"])
            #expect(result.status == 0, "\(compiler): \(result.output)")
        }
    }

    @Test("the size and every field offset of every struct are pinned")
    func layoutIsPinned() throws {
        let dir = try TestPaths.temporaryDirectory()
        let result = try runProcess("/usr/bin/cc", ["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I", TestPaths.header,
                                                   "-c", TestPaths.abi + "/abi_layout.c", "-o", dir + "/layout.o"])
        #expect(result.status == 0, "the ABI layout changed; if on purpose, bump the ABI version and run generate_layout.py:\n\(result.output)")
        let pinned = try String(contentsOfFile: TestPaths.abi + "/abi_layout.c", encoding: .utf8)
        #expect(pinned.components(separatedBy: "_Static_assert").count > 350)
        // The Swift view agrees with the C compiler on the types every event carries.
        #expect(MemoryLayout<arb_decimal_t>.size == 16)
        #expect(MemoryLayout<arb_str_t>.size == 16)
        #expect(pinned.contains("sizeof(struct arb_decimal) == 16"))
        #expect(pinned.contains("sizeof(struct arb_book_event) == \(MemoryLayout<arb_book_event_t>.size)"))
        #expect(pinned.contains("sizeof(struct arb_strategy_v1) == \(MemoryLayout<arb_strategy_v1_t>.size)"))
        #expect(pinned.contains("sizeof(struct arb_exchange_host) == \(MemoryLayout<arb_exchange_host_t>.size)"))
    }

    @Test("an out-of-tree C plugin built with one cc line loads and works through the host's tables")
    func outOfTreePlugin() throws {
        let dir = try TestPaths.temporaryDirectory()
        let library = dir + "/liboot.so"
        let build = try runProcess("/usr/bin/cc", ["-std=c11", "-shared", "-fPIC", "-I", TestPaths.header,
                                                  TestPaths.abi + "/out_of_tree_strategy.c", "-o", library])
        try #require(build.status == 0, "\(build.output)")

        let plugin = try PluginLoader().load(library)
        #expect(plugin.info == PluginInfo(kind: .strategy, id: "org.example.out-of-tree", name: "Out of tree", version: "0.1.0",
                                          summary: "built with one cc line", abiMajor: 1, abiMinor: 0))
        #expect(plugin.parameterDeclarations?.map(\.key) == ["price"])

        let engine = Engine(mode: .replay)
        var received: [(topic: String, payload: String, correlation: UInt64, source: String)] = []
        engine.bus.subscribe(try TopicPattern("custom.oot.>"), .handler { m in
            received.append((String(m.topic), String(m.payload), m.correlationId, String(m.sourceName)))
        })
        let services = HostServices(engine: engine)
        let strategies = services.strategies
        try strategies.registerStrategy(name: "oot", plugin: plugin, parameters: Parameters(["price": "61800.30"]))
        try strategies.startStrategy("oot")
        #expect(received.count == 1)
        #expect(received.first?.topic == "custom.oot.doubled")
        #expect(received.first?.payload == "123600.6")
        #expect(received.first?.correlation == 42)
        #expect(received.first?.source == "oot")

        // A missing required parameter is caught by the host from the plugin's declarations.
        #expect(throws: InstanceError.self) {
            try strategies.registerStrategy(name: "oot-2", plugin: plugin, parameters: Parameters())
        }
    }
}
