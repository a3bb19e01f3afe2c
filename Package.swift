// swift-tools-version: 6.1
import PackageDescription

// The engine thread owns its state by design; dynamic exclusivity checks on every class property
// access cost more than the work on the hot path. (Kept off the modules a plugin package links,
// ArbModel and PluginKit, so PluginKit stays usable as a dependency.)
// The hot path crosses modules (engine → market → book → router → strategies; parser → sync →
// book): -cross-module-optimization makes each module's bodies available to the modules that
// call it, so splitting costs no inlining.
let hostHotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked", "-cross-module-optimization"])]
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

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
        // One lifecycle for the host's edge services (watchers, signals, later HTTP/WS, SQLite, API).
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // The contract: PluginSDK/include/arb_sdk.h (header-only).
        .target(
            name: "ArbSDK",
            path: "PluginSDK",
            exclude: ["ArbModel", "ArbBook", "PluginKit", "Venues", "CZlib"],
            sources: ["src"],
            publicHeadersPath: "include"
        ),
        // Values both sides share: exact decimal, instrument identity, sides, JSON text, topics.
        .target(name: "ArbModel", dependencies: ["ArbSDK"], path: "PluginSDK/ArbModel"),
        // Order-book storage: the price grid and ladder, the host's book.
        .target(name: "ArbBook", dependencies: ["ArbSDK", "ArbModel"], path: "PluginSDK/ArbBook", swiftSettings: hostHotPath),
        // What a Swift plugin links: the protocols and export glue (ArbModel re-exported).
        .target(name: "PluginKit", dependencies: ["ArbSDK", "ArbModel"], path: "PluginSDK/PluginKit"),
        // Venue wire code, shared by the simulated venue and the real adapters (never by strategies).
        // Their parsers run once per recorded or received line: bodies cross the module line (CMO).
        .target(name: "VenueWire", dependencies: ["ArbModel", "CZlib"], path: "PluginSDK/Venues/VenueWire",
                swiftSettings: hostHotPath),
        .target(name: "VenueBinance", dependencies: ["ArbSDK", "ArbModel", "VenueWire"], path: "PluginSDK/Venues/VenueBinance",
                swiftSettings: hostHotPath),
        // The system zlib, for recorded captures (.gz).
        .systemLibrary(name: "CZlib", path: "PluginSDK/CZlib", providers: [.apt(["zlib1g-dev"])]),

        // The host, in layers: each imports only those below it (ARCHITECTURE.md, "Modules").
        // Atomics and futex for the engine's inbound queue.
        .target(name: "CHostSupport", path: "Host/CHostSupport"),
        // The system libyaml, for strategies.yaml.
        .systemLibrary(name: "CLibYAML", path: "Host/CLibYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        // The loop, inbound queue, clock, timers, router, bus and outbox; services register with it.
        .target(name: "ArbEngine", dependencies: ["ArbSDK", "ArbModel", "CHostSupport", logging],
                path: "Host/Engine", swiftSettings: hostHotPath),
        // MarketDataService and FundingRateService.
        .target(name: "ArbMarket", dependencies: ["ArbSDK", "ArbModel", "ArbBook", "ArbEngine", logging],
                path: "Host/Market", swiftSettings: hostHotPath),
        // OrderManager (and, with the next issues, positions, risk, execution).
        .target(name: "ArbTrading", dependencies: ["ArbSDK", "ArbModel", "ArbEngine", "CHostSupport", logging],
                path: "Host/Trading", swiftSettings: hostHotPath),
        // Finding, checking and loading plugin files; parameters against their declarations.
        .target(name: "ArbPlugins", dependencies: ["ArbSDK", "ArbModel", logging], path: "Host/Plugins"),
        // strategies.yaml through libyaml to SystemConfig; diff, validation, file watching.
        .target(name: "ArbConfig", dependencies: ["ArbSDK", "ArbModel", "ArbPlugins", "CLibYAML", logging],
                path: "Host/Config"),
        // Everything wired: the managers and host tables, hot reload, replay, the edge services.
        .target(
            name: "ArbRuntime",
            dependencies: ["ArbSDK", "ArbModel", "ArbBook", "ArbEngine", "ArbMarket", "ArbTrading", "ArbPlugins",
                           "ArbConfig", "CHostSupport", logging,
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Host/Runtime",
            swiftSettings: hostHotPath
        ),
        // Blocks `run`'s signals before main (a constructor), so none arrives unhandled.
        .target(name: "CEarlySignals", path: "Host/CEarlySignals"),
        // The command line: argument parsing and nothing else.
        .executableTarget(
            name: "arbhost",
            dependencies: ["ArbRuntime", "ArbConfig", "ArbEngine", "ArbModel", "CEarlySignals",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Host/CLI"
        ),

        .target(name: "SpreadWatch", dependencies: ["PluginKit"], path: "Plugins/Strategies/SpreadWatch"),
        .target(name: "CrossQuoter", dependencies: ["ArbSDK"], path: "Plugins/Strategies/CrossQuoter"),
        // The simulated venues' paper matching engine (a library the sim adapter links).
        .target(name: "PaperExchange", dependencies: ["ArbModel", "ArbBook"], path: "Plugins/Exchanges/PaperExchange"),
        .target(name: "SimVenue", dependencies: ["PluginKit", "PaperExchange", "ArbBook", "VenueBinance", "VenueWire"], path: "Plugins/Exchanges/SimVenue"),

        .target(name: "FixtureWrongMajor", dependencies: ["ArbSDK"], path: "Tests/Fixtures/WrongMajor"),
        .target(name: "FixtureNewerMinor", dependencies: ["ArbSDK"], path: "Tests/Fixtures/NewerMinor"),
        .target(name: "FixtureCreateFails", dependencies: ["ArbSDK"], path: "Tests/Fixtures/CreateFails"),
        .target(name: "FixtureNoEntry", dependencies: ["ArbSDK"], path: "Tests/Fixtures/NoEntry"),
        .target(name: "FixtureSwapV1", dependencies: ["ArbSDK"], path: "Tests/Fixtures/SwapV1"),
        .target(name: "FixtureSwapV2", dependencies: ["ArbSDK"], path: "Tests/Fixtures/SwapV2"),
        .target(name: "FixtureSwapBroken", dependencies: ["ArbSDK"], path: "Tests/Fixtures/SwapBroken"),
        .target(name: "MallocCounter", path: "Tests/Fixtures/MallocCounter"),

        // What tests and benchmarks share: paths, child processes, a live host fixture.
        .target(name: "ArbTestKit", dependencies: ["ArbRuntime", "ArbConfig", "ArbEngine", "ArbMarket", "ArbPlugins", "ArbTrading", "ArbModel", "ArbSDK", "CHostSupport"], path: "Tests/ArbTestKit"),

        .executableTarget(name: "ArbBench", dependencies: ["ArbRuntime", "ArbConfig", "ArbEngine", "ArbMarket", "ArbPlugins", "ArbTrading", "ArbTestKit", "ArbSDK", "CHostSupport", "PaperExchange", "ArbModel", "ArbBook", "VenueBinance", "VenueWire"], path: "Benchmarks/ArbBench"),

        .testTarget(name: "ArbModelTests", dependencies: ["ArbModel"], path: "Tests/ArbModelTests"),
        .testTarget(name: "ArbBookTests", dependencies: ["ArbBook", "ArbModel"], path: "Tests/ArbBookTests"),
        .testTarget(name: "VenueBinanceTests", dependencies: ["VenueBinance", "VenueWire", "ArbBook", "ArbModel", "ArbTestKit"],
                    path: "Tests/VenueBinanceTests"),
        .testTarget(name: "ArbEngineTests", dependencies: ["ArbEngine", "ArbModel", "ArbSDK", "CHostSupport"], path: "Tests/ArbEngineTests"),
        .testTarget(name: "ArbMarketTests", dependencies: ["ArbMarket", "ArbModel", "ArbSDK"], path: "Tests/ArbMarketTests"),
        .testTarget(name: "ArbPluginsTests", dependencies: ["ArbPlugins", "ArbModel", "ArbSDK"], path: "Tests/ArbPluginsTests"),
        .testTarget(name: "ArbConfigTests", dependencies: ["ArbConfig", "ArbPlugins", "ArbModel", "ArbSDK", "ArbTestKit"],
                    path: "Tests/ArbConfigTests"),
        .testTarget(name: "PaperExchangeTests", dependencies: ["PaperExchange", "ArbModel"], path: "Tests/PaperExchangeTests"),
        // ABI/ holds C sources the tests compile with cc at run time (header checks, an
        // out-of-tree plugin), not sources of the test target.
        .testTarget(name: "ArbHostTests", dependencies: ["ArbRuntime", "ArbConfig", "ArbEngine", "ArbMarket", "ArbPlugins", "ArbTrading", "ArbTestKit", "ArbModel", "ArbBook", "VenueBinance", "VenueWire"], path: "Tests/ArbHostTests", exclude: ["ABI"]),
    ]
)
