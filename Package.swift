// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "arbhost",
    products: [
        .executable(name: "arbhost", targets: ["arbhost"]),
        .library(name: "PluginKit", targets: ["PluginKit"]),
        // Example plugins, loaded with dlopen by the host and the tests.
        .library(name: "SpreadWatch", type: .dynamic, targets: ["SpreadWatch"]),
        .library(name: "CrossQuoter", type: .dynamic, targets: ["CrossQuoter"]),
        .library(name: "SimVenue", type: .dynamic, targets: ["SimVenue"]),
        // Broken plugins for the loader's refusal tests.
        .library(name: "FixtureWrongMajor", type: .dynamic, targets: ["FixtureWrongMajor"]),
        .library(name: "FixtureNewerMinor", type: .dynamic, targets: ["FixtureNewerMinor"]),
        .library(name: "FixtureCreateFails", type: .dynamic, targets: ["FixtureCreateFails"]),
        .library(name: "FixtureNoEntry", type: .dynamic, targets: ["FixtureNoEntry"]),
        // Three builds of one strategy for the hot-swap tests.
        .library(name: "FixtureSwapV1", type: .dynamic, targets: ["FixtureSwapV1"]),
        .library(name: "FixtureSwapV2", type: .dynamic, targets: ["FixtureSwapV2"]),
        .library(name: "FixtureSwapBroken", type: .dynamic, targets: ["FixtureSwapBroken"]),
        // LD_PRELOAD'ed into the hot-path allocation check.
        .library(name: "MallocCounter", type: .dynamic, targets: ["MallocCounter"]),
        .executable(name: "arbhost-bench", targets: ["ArbBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The contract: PluginSDK/include/arb_sdk.h (header-only).
        .target(
            name: "ArbSDK",
            path: "PluginSDK",
            exclude: ["PluginKit", "CZlib"],
            sources: ["src"],
            publicHeadersPath: "include"
        ),
        .target(name: "PluginKit", dependencies: ["ArbSDK", "CZlib"], path: "PluginSDK/PluginKit"),
        // The system zlib, for recorded captures (.gz).
        .systemLibrary(name: "CZlib", path: "PluginSDK/CZlib", providers: [.apt(["zlib1g-dev"])]),

        // Atomics and futex for the engine's inbound queue.
        .target(name: "CHostSupport", path: "Host/CHostSupport"),
        // The system libyaml, for strategies.yaml.
        .systemLibrary(name: "CLibYAML", path: "Host/CLibYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        .target(
            name: "ArbHost",
            dependencies: [
                "ArbSDK", "PluginKit", "CHostSupport", "CLibYAML",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Host",
            exclude: ["CLI", "CHostSupport", "CLibYAML"],
            // The engine thread owns its state by design; dynamic exclusivity checks on every
            // class property access cost more than the work on the hot path.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .executableTarget(
            name: "arbhost",
            dependencies: ["ArbHost", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Host/CLI"
        ),

        .target(name: "SpreadWatch", dependencies: ["PluginKit"], path: "Plugins/Strategies/SpreadWatch"),
        .target(name: "CrossQuoter", dependencies: ["ArbSDK"], path: "Plugins/Strategies/CrossQuoter"),
        // The simulated venues' paper matching engine (a library the sim adapter links).
        .target(name: "PaperExchange", dependencies: ["PluginKit"], path: "Plugins/Exchanges/PaperExchange"),
        .target(name: "SimVenue", dependencies: ["PluginKit", "PaperExchange"], path: "Plugins/Exchanges/SimVenue"),

        .target(name: "FixtureWrongMajor", dependencies: ["ArbSDK"], path: "Tests/Fixtures/WrongMajor"),
        .target(name: "FixtureNewerMinor", dependencies: ["ArbSDK"], path: "Tests/Fixtures/NewerMinor"),
        .target(name: "FixtureCreateFails", dependencies: ["ArbSDK"], path: "Tests/Fixtures/CreateFails"),
        .target(name: "FixtureNoEntry", dependencies: ["ArbSDK"], path: "Tests/Fixtures/NoEntry"),
        .target(name: "FixtureSwapV1", dependencies: ["ArbSDK"], path: "Tests/Fixtures/SwapV1"),
        .target(name: "FixtureSwapV2", dependencies: ["ArbSDK"], path: "Tests/Fixtures/SwapV2"),
        .target(name: "FixtureSwapBroken", dependencies: ["ArbSDK"], path: "Tests/Fixtures/SwapBroken"),
        .target(name: "MallocCounter", path: "Tests/Fixtures/MallocCounter"),

        .executableTarget(name: "ArbBench", dependencies: ["ArbHost", "CHostSupport", "PaperExchange"], path: "Benchmarks/ArbBench"),

        .testTarget(name: "PluginKitTests", dependencies: ["PluginKit"], path: "Tests/PluginKitTests"),
        .testTarget(name: "PaperExchangeTests", dependencies: ["PaperExchange"], path: "Tests/PaperExchangeTests"),
        // ABI/ holds C sources the tests compile with cc at run time (header checks, an
        // out-of-tree plugin), not sources of the test target.
        .testTarget(name: "ArbHostTests", dependencies: ["ArbHost"], path: "Tests/ArbHostTests", exclude: ["ABI"]),
    ]
)
