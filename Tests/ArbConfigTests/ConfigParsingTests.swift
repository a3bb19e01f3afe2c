import Foundation
import ArbModel
import ArbTestKit
import Testing
@testable import ArbConfig
import ArbPlugins

/// strategies.yaml, read from real files: the typed result, every error with its exact
/// position and key path, and hostile input refused fast.
@Suite struct ConfigParsingTests {
    /// One expected error, without the file (checked separately).
    struct Expected: Equatable, CustomStringConvertible {
        var line: Int
        var column: Int
        var keyPath: String
        var message: String
        init(_ line: Int, _ column: Int, _ keyPath: String, _ message: String) {
            (self.line, self.column, self.keyPath, self.message) = (line, column, keyPath, message)
        }
        var description: String { "\(line):\(column) \(keyPath): \(message)" }
    }

    static let environment = ["BINANCE_API_KEY": "k-not-shown", "BINANCE_SECRET": "s-not-shown",
                              "OKX_KEY": "k2", "OKX_SECRET": "s2", "OKX_PASSPHRASE": "p2"]

    /// Writes `bytes` as strategies.yaml in a fresh folder; the file's path.
    func write(_ bytes: Data) throws -> String {
        let path = try TestPaths.temporaryDirectory() + "/strategies.yaml"
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    func load(_ yaml: String, environment: [String: String] = Self.environment) throws -> (String, Result<SystemConfig, ConfigErrors>) {
        let path = try write(Data(yaml.utf8))
        return (path, ConfigDecoder.load(path: path, environment: environment))
    }

    /// Loads `yaml` and checks that it fails with exactly `expected`, in order, all in the file.
    func expectErrors(_ yaml: String, environment: [String: String] = Self.environment, _ expected: [Expected],
                      sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let (path, result) = try load(yaml, environment: environment)
        guard case .failure(let errors) = result else {
            Issue.record("expected errors, the file decoded", sourceLocation: sourceLocation)
            return
        }
        #expect(errors.errors.map { Expected($0.line, $0.column, $0.keyPath, $0.message) } == expected,
                "\(errors)", sourceLocation: sourceLocation)
        #expect(errors.errors.allSatisfy { $0.file == path }, sourceLocation: sourceLocation)
    }

    /// Loads hostile `bytes`: one error with `message` at `line`:`column`, in well under a second.
    func expectRefused(_ bytes: Data, _ line: Int, _ column: Int, _ message: String,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let path = try write(bytes)
        let clock = ContinuousClock()
        var result: Result<SystemConfig, ConfigErrors>?
        let elapsed = clock.measure { result = ConfigDecoder.load(path: path, environment: [:]) }
        #expect(elapsed < .seconds(1), "took \(elapsed)", sourceLocation: sourceLocation)
        guard case .failure(let errors) = result else {
            Issue.record("expected a refusal, the file decoded", sourceLocation: sourceLocation)
            return
        }
        #expect(errors.errors.count == 1, "\(errors)", sourceLocation: sourceLocation)
        let first = errors.errors.first
        #expect(first?.file == path && first?.line == line && first?.column == column, "\(errors)", sourceLocation: sourceLocation)
        #expect(first?.message.contains(message) == true, "\(errors)", sourceLocation: sourceLocation)
    }

    // MARK: A valid file

    static let full = """
        # The whole system.
        exchanges:
          - name: binance
            plugin: org.arbhost.exchange.binance
            credentials:
              api_key_env: BINANCE_API_KEY
              secret_env: BINANCE_SECRET
            sandbox: true
            rate_limit: 1200
            timeout: 250ms
            settings:
              interval: 100ms
              depth:
                levels: 20
                snapshot: "true"
              streams: [trades, book]
          - name: okx
            plugin: org.arbhost.exchange.okx
            credentials: {api_key_env: OKX_KEY, secret_env: OKX_SECRET, passphrase_env: OKX_PASSPHRASE}
            timeout: 1m

        strategies:
          - name: basis
            plugin: org.arbhost.strategy.basis
            enabled: false
            symbols:
              - binance:BTCUSDT
              - okx:BTC-USDT:spot
              - okx:BTC-USD-250328:dated_future:2025-03-28
            parameters:
              entry_threshold: "0.000049895833333333"
              legs:
                near: binance
                far: okx
            risk_limits:
              max_position: 2.5
              max_notional: 100000
              max_daily_loss: 500.25
            position_size: 0.001
            max_positions: 3
            on_remove: flatten
          - name: watch
            plugin: org.arbhost.strategy.spread-watch

        risk:
          max_position_size:
            BTCUSDT: 1.5
            ETHUSDT: 20
          max_daily_loss: 1000
          max_drawdown: 0.1
          var_limit: 5000
          var_confidence: 0.99
          correlation_limit: 0.8
          stop_loss: 0.000049895833333333
          take_profit: 0.05
          leverage_limit: 3

        system:
          database: /var/lib/arbhost/arbhost.db
          log_level: debug
          log_format: json
          monitoring: true
          api_listen: 127.0.0.1:8080
          plugin_dirs:
            - plugins
            - /opt/arbhost/plugins

        """

    @Test func fullFileDecodesToExactValues() throws {
        let (path, result) = try load(Self.full)
        let config = try result.get()
        func at(_ line: Int, _ column: Int) -> String { "\(path):\(line):\(column)" }
        func d(_ text: String) throws -> ExactDecimal { try ExactDecimal(parsing: text) }

        var expected = SystemConfig()
        var binance = ExchangeConfig(name: "binance", plugin: "org.arbhost.exchange.binance",
                                     location: SourceLocation(file: path, line: 3, column: 5, keyPath: "exchanges[0]"))
        binance.credentials = .init(apiKeyEnv: "BINANCE_API_KEY", secretEnv: "BINANCE_SECRET")
        binance.sandbox = true
        binance.rateLimit = 1200
        binance.timeoutNanoseconds = 250_000_000
        binance.settings = Parameters([
            .init(key: "interval", text: "100ms", location: at(12, 17)),
            .init(key: "depth.levels", text: "20", location: at(14, 17)),
            .init(key: "depth.snapshot", text: "true", location: at(15, 19)),
            .init(key: "streams[0]", text: "trades", location: at(16, 17)),
            .init(key: "streams[1]", text: "book", location: at(16, 25)),
        ])
        var okx = ExchangeConfig(name: "okx", plugin: "org.arbhost.exchange.okx",
                                 location: SourceLocation(file: path, line: 17, column: 5, keyPath: "exchanges[1]"))
        okx.credentials = .init(apiKeyEnv: "OKX_KEY", secretEnv: "OKX_SECRET", passphraseEnv: "OKX_PASSPHRASE")
        okx.timeoutNanoseconds = 60_000_000_000
        expected.exchanges = [binance, okx]

        var basis = StrategyConfig(name: "basis", plugin: "org.arbhost.strategy.basis",
                                   location: SourceLocation(file: path, line: 23, column: 5, keyPath: "strategies[0]"))
        basis.enabled = false
        basis.symbols = [
            InstrumentRef(venue: "binance", symbol: "BTCUSDT"),
            InstrumentRef(venue: "okx", symbol: "BTC-USDT", kind: .spot),
            InstrumentRef(venue: "okx", symbol: "BTC-USD-250328", kind: .datedFuture, expiryNanoseconds: 1_743_148_800_000_000_000),  // 08:00 UTC delivery
        ]
        basis.parameters = Parameters([
            .init(key: "entry_threshold", text: "0.000049895833333333", location: at(31, 24)),
            .init(key: "legs.near", text: "binance", location: at(33, 15)),
            .init(key: "legs.far", text: "okx", location: at(34, 14)),
        ])
        basis.riskLimits.maxPosition = try d("2.5")
        basis.riskLimits.maxNotional = ExactDecimal(100_000)
        basis.riskLimits.maxDailyLoss = try d("500.25")
        basis.positionSize = try d("0.001")
        basis.maxPositions = 3
        basis.onRemove = .flatten
        let watch = StrategyConfig(name: "watch", plugin: "org.arbhost.strategy.spread-watch",
                                   location: SourceLocation(file: path, line: 42, column: 5, keyPath: "strategies[1]"))
        expected.strategies = [basis, watch]

        expected.risk.maxPositionSize = ["BTCUSDT": try d("1.5"), "ETHUSDT": ExactDecimal(20)]
        expected.risk.maxDailyLoss = ExactDecimal(1000)
        expected.risk.maxDrawdown = try d("0.1")
        expected.risk.varLimit = ExactDecimal(5000)
        expected.risk.varConfidence = try d("0.99")
        expected.risk.correlationLimit = try d("0.8")
        expected.risk.stopLoss = ExactDecimal(units: 49_895_833_333_333)
        expected.risk.takeProfit = try d("0.05")
        expected.risk.leverageLimit = ExactDecimal(3)

        expected.system.databasePath = "/var/lib/arbhost/arbhost.db"
        expected.system.logLevel = "debug"
        expected.system.logFormat = "json"
        expected.system.monitoring = true
        expected.system.apiListen = "127.0.0.1:8080"
        expected.system.pluginDirectories = ["plugins", "/opt/arbhost/plugins"]

        #expect(config.exchanges == expected.exchanges)
        #expect(config.strategies == expected.strategies)
        #expect(config.risk == expected.risk)
        #expect(config.system == expected.system)
        #expect(config == expected)
        #expect(config.strategies[0].symbols[2].instrument.expiryNanoseconds == 1_743_148_800_000_000_000)
    }

    @Test func defaultsWhenSectionsAreAbsent() throws {
        let (_, result) = try load("system:\n  log_level: warning\n")
        let config = try result.get()
        var expected = SystemConfig()
        expected.system.logLevel = "warning"
        #expect(config == expected)
    }

    /// The example file at the package root stays valid (its contents are its owners' to change).
    @Test func theShippedStrategiesFileDecodes() throws {
        let config = try ConfigDecoder.load(path: TestPaths.root + "/strategies.yaml", environment: [:]).get()
        #expect(!config.exchanges.isEmpty)
        #expect(!config.strategies.isEmpty)
    }

    // MARK: Errors, each with its position and key path

    @Test func syntaxErrorCarriesLibyamlsProblemAndMark() throws {
        try expectErrors("system:\n  log_level: info: debug\n", [
            Expected(2, 18, "", "syntax error: mapping values are not allowed in this context"),
        ])
        try expectErrors("system:\n  database: \"unterminated\n  log_level: info\n", [
            Expected(4, 1, "", "syntax error: found unexpected end of stream (while scanning a quoted scalar that starts at line 2, column 13)"),
        ])
    }

    @Test func unknownKeysSuggestTheClosestKnownKey() throws {
        try expectErrors("""
            stratgies: []
            exchanges: []
            strategies:
              - name: s
                plugin: p
                enabeld: true
            colour: red
            """, [
            Expected(1, 1, "", "unknown key 'stratgies'; did you mean 'strategies'?"),
            Expected(6, 5, "strategies[0]", "unknown key 'enabeld'; did you mean 'enabled'?"),
            Expected(7, 1, "", "unknown key 'colour'; known keys: exchanges, strategies, risk, system"),
        ])
    }

    @Test func wrongTypesAreNamed() throws {
        try expectErrors("""
            strategies:
              - name: s
                plugin: p
                enabled: yes
                position_size: abc
                max_positions: 2.5
                symbols: {a: b}
            risk: [1, 2]
            system:
              monitoring: "on"
              plugin_dirs: plugins
            """, [
            Expected(4, 14, "strategies[0].enabled", "expected true or false, found 'yes'"),
            Expected(5, 20, "strategies[0].position_size", "expected a decimal number, found 'abc'"),
            Expected(6, 20, "strategies[0].max_positions", "expected an integer, found '2.5'"),
            Expected(7, 14, "strategies[0].symbols", "expected a sequence, found a mapping"),
            Expected(8, 7, "risk", "expected a mapping, found a sequence"),
            Expected(10, 15, "system.monitoring", "expected true or false, found 'on'"),
            Expected(11, 16, "system.plugin_dirs", "expected a sequence, found 'plugins'"),
        ])
        try expectErrors("risk:\n  stop_loss: 1e-5\n  take_profit: 0.0000000000000000001\n", [
            Expected(2, 14, "risk.stop_loss", "expected a decimal number, found '1e-5' (write the digits out; exponents are not accepted)"),
            Expected(3, 16, "risk.take_profit", "expected a decimal number, found '0.0000000000000000001' (more than 18 fraction digits)"),
        ])
    }

    @Test func outOfRangeValuesAreRefused() throws {
        try expectErrors("""
            exchanges:
              - name: x
                plugin: p
                rate_limit: 0
                timeout: 0s
              - name: y
                plugin: p
                timeout: 10
            strategies:
              - name: s
                plugin: p
                position_size: 0
                max_positions: 0
                on_remove: flaten
                risk_limits: {max_daily_loss: -1}
            risk:
              max_position_size: {BTCUSDT: -0.5}
              max_drawdown: 1.5
              var_confidence: 1
              correlation_limit: -0.1
              leverage_limit: 0.5
            system:
              log_level: verbose
              log_format: xml
              api_listen: localhost:70000
            """, [
            Expected(4, 17, "exchanges[0].rate_limit", "must be at least 1, found '0'"),
            Expected(5, 14, "exchanges[0].timeout", "must be greater than 0, found '0s'"),
            Expected(8, 14, "exchanges[1].timeout", "expected a duration such as 250ms, 10s or 1m (units ns, us, ms, s, m, h, d), found '10'"),
            Expected(12, 20, "strategies[0].position_size", "must be greater than 0, found '0'"),
            Expected(13, 20, "strategies[0].max_positions", "must be at least 1, found '0'"),
            Expected(14, 16, "strategies[0].on_remove", "expected one of cancel_orders, flatten, keep, found 'flaten'; did you mean 'flatten'?"),
            Expected(15, 35, "strategies[0].risk_limits.max_daily_loss", "must be at least 0, found '-1'"),
            Expected(17, 32, "risk.max_position_size.BTCUSDT", "must be at least 0, found '-0.5'"),
            Expected(18, 17, "risk.max_drawdown", "must be between 0 and 1, found '1.5'"),
            Expected(19, 19, "risk.var_confidence", "must be greater than 0 and less than 1, found '1'"),
            Expected(20, 22, "risk.correlation_limit", "must be between 0 and 1, found '-0.1'"),
            Expected(21, 19, "risk.leverage_limit", "must be at least 1, found '0.5'"),
            Expected(23, 14, "system.log_level", "expected one of trace, debug, info, notice, warning, error, critical, found 'verbose'"),
            Expected(24, 15, "system.log_format", "expected one of text, json, found 'xml'"),
            Expected(25, 15, "system.api_listen", "expected host:port with a port from 1 to 65535 (IPv6 in brackets: [::1]:8080), found 'localhost:70000'"),
        ])
    }

    @Test func duplicateKeysAndNames() throws {
        try expectErrors("""
            exchanges:
              - name: a
                plugin: p
              - name: a
                plugin: q
            strategies:
              - name: s
                plugin: p
                parameters:
                  legs.near: x
                  legs: {near: y}
              - name: s
                plugin: p
                plugin: q
            system:
              log_level: info
              log_level: debug
            """, [
            Expected(4, 11, "exchanges[1].name", "duplicate exchange name 'a' (first at line 2)"),
            Expected(11, 20, "strategies[0].parameters.legs.near", "duplicate key 'legs.near' (first at line 10)"),
            Expected(12, 11, "strategies[1].name", "duplicate strategy name 's' (first at line 7)"),
            Expected(14, 5, "strategies[1]", "duplicate key 'plugin' (first at line 13)"),
            Expected(17, 3, "system", "duplicate key 'log_level' (first at line 16)"),
        ])
    }

    @Test func instrumentIdsAreChecked() throws {
        try expectErrors("""
            exchanges:
              - {name: binance, plugin: p}
              - {name: okx, plugin: p}
            strategies:
              - name: s
                plugin: p
                symbols:
                  - kraken:BTCUSD
                  - binance:BTCUSDT:futures
                  - okx:BTC-USD:dated_future
                  - okx:BTC-USD:dated_future:2025-02-30
                  - binance:BTCUSDT:spot:2025-03-28
                  - BTCUSDT
                  -
            """, [
            Expected(8, 9, "strategies[0].symbols[0]", "no exchange named 'kraken' is configured (known: binance, okx)"),
            Expected(9, 9, "strategies[0].symbols[1]", "unknown instrument kind 'futures'; expected spot, perpetual or dated_future"),
            Expected(10, 9, "strategies[0].symbols[2]", "a dated_future needs an expiry: okx:BTC-USD:dated_future:yyyy-mm-dd"),
            Expected(11, 9, "strategies[0].symbols[3]", "expected an expiry date yyyy-mm-dd between 1970-01-01 and 2261-12-31, found '2025-02-30'"),
            Expected(12, 9, "strategies[0].symbols[4]", "only a dated_future has an expiry; spot instruments take none"),
            Expected(13, 9, "strategies[0].symbols[5]", "expected an instrument id venue:symbol[:kind[:expiry]], found 'BTCUSDT'"),
            Expected(14, 8, "strategies[0].symbols[6]", "expected an instrument id venue:symbol[:kind[:expiry]], found nothing"),
        ])
    }

    @Test func credentialsNameSetEnvironmentVariables() throws {
        let yaml = """
            exchanges:
              - name: binance
                plugin: p
                credentials:
                  api_key_env: BINANCE_API_KEY
                  secret_env: BINANCE_SECRET
                  passphrase_env: sk_live_0123456789
            """
        try expectErrors(yaml, environment: ["BINANCE_API_KEY": "k", "BINANCE_SECRET": ""], [
            Expected(6, 19, "exchanges[0].credentials.secret_env", "environment variable BINANCE_SECRET is empty"),
            Expected(7, 23, "exchanges[0].credentials.passphrase_env",
                     "expected the name of an environment variable ([A-Z_][A-Z0-9_]*), found a text value (not shown)"),
        ])
        try expectErrors(yaml.replacingOccurrences(of: "sk_live_0123456789", with: "BINANCE_PASSPHRASE"),
                         environment: ["BINANCE_SECRET": "s", "BINANCE_PASSPHRASE": "p"], [
            Expected(5, 20, "exchanges[0].credentials.api_key_env", "environment variable BINANCE_API_KEY is not set"),
        ])
    }

    @Test func literalSecretsAreRefusedAndNeverEchoed() throws {
        let (_, result) = try load("""
            exchanges:
              - name: binance
                plugin: p
                api_key: AKIA-LITERAL-KEY
                credentials:
                  api_secret: LITERAL-SECRET-1
                settings:
                  interval: 1s
                  auth: {passphrase: LITERAL-PASS-2}
            """)
        guard case .failure(let errors) = result else {
            Issue.record("a literal secret was accepted")
            return
        }
        let message = "secrets are never written in strategies.yaml; name an environment variable with api_key_env / secret_env / passphrase_env"
        #expect(errors.errors.map { Expected($0.line, $0.column, $0.keyPath, $0.message) } == [
            Expected(4, 5, "exchanges[0].api_key", message),
            Expected(6, 7, "exchanges[0].credentials.api_secret", message),
            Expected(9, 14, "exchanges[0].settings.auth.passphrase", message),
        ])
        for secret in ["AKIA-LITERAL-KEY", "LITERAL-SECRET-1", "LITERAL-PASS-2"] {
            #expect(!errors.description.contains(secret))
        }
    }

    @Test func everyErrorIsReportedSortedByPosition() throws {
        let (path, result) = try load("""
            system:
              log_level: loud
            risk:
              max_drawdown: 2
            strategies:
              - name: s
                plugin: p
                enabled: no
                symbols: [nowhere:BTCUSDT]
            exchanges:
              - plugin: p
                timeout: soon
            """)
        guard case .failure(let errors) = result else {
            Issue.record("expected errors")
            return
        }
        #expect(errors.errors.map { Expected($0.line, $0.column, $0.keyPath, $0.message) } == [
            Expected(2, 14, "system.log_level", "expected one of trace, debug, info, notice, warning, error, critical, found 'loud'"),
            Expected(4, 17, "risk.max_drawdown", "must be between 0 and 1, found '2'"),
            Expected(8, 14, "strategies[0].enabled", "expected true or false, found 'no'"),
            Expected(9, 15, "strategies[0].symbols[0]", "no exchange named 'nowhere' is configured (known: none)"),
            Expected(11, 5, "exchanges[0]", "missing required key 'name'"),
            Expected(12, 14, "exchanges[0].timeout", "expected a duration such as 250ms, 10s or 1m (units ns, us, ms, s, m, h, d), found 'soon'"),
        ])
        let lines = errors.description.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines.first == "\(path):2:14: system.log_level: expected one of trace, debug, info, notice, warning, error, critical, found 'loud'")
    }

    @Test func requiredKeysAndEmptyValues() throws {
        try expectErrors("""
            exchanges:
              - name:
                plugin: p
              - name: ""
            strategies:
              - plugin: p
                enabled:
                position_size: ~
            """, [
            Expected(2, 5, "exchanges[0].name", "'name' needs a value"),
            Expected(4, 5, "exchanges[1]", "missing required key 'plugin'"),
            Expected(4, 11, "exchanges[1].name", "'name' may not be empty"),
            Expected(6, 5, "strategies[0]", "missing required key 'name'"),
        ])
    }

    /// Every prefix of a valid file and many single-byte corruptions of it decode or fail
    /// cleanly: no trap, no hang.
    @Test func truncatedAndCorruptedFilesNeverTrap() {
        let bytes = Array(Self.full.utf8)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for end in 0...bytes.count {
                _ = ConfigDecoder.decode(Array(bytes[..<end]), file: "prefix.yaml", environment: Self.environment)
            }
            var random = SplitMix64(seed: 42)
            let specials: [UInt8] = [0x00, 0x09, 0x0A, 0x22, 0x26, 0x2A, 0x2D, 0x3A, 0x5B, 0x7B, 0x7D, 0x21, 0xC3, 0xFF]
            for _ in 0..<2000 {
                var copy = bytes
                let at = Int(random.next() % UInt64(copy.count))
                copy[at] = specials[Int(random.next() % UInt64(specials.count))]
                _ = ConfigDecoder.decode(copy, file: "mutated.yaml", environment: Self.environment)
            }
        }
        #expect(elapsed < .seconds(20))
    }

    @Test func aMissingFileIsOneErrorWithoutPosition() throws {
        let path = try TestPaths.temporaryDirectory() + "/absent.yaml"
        guard case .failure(let errors) = ConfigDecoder.load(path: path, environment: [:]) else {
            Issue.record("a missing file loaded")
            return
        }
        #expect(errors.errors.map { Expected($0.line, $0.column, $0.keyPath, $0.message) } == [
            Expected(0, 0, "", "cannot open the configuration file: No such file or directory"),
        ])
        #expect(errors.description == "\(path):0:0: cannot open the configuration file: No such file or directory")
    }

    // MARK: Hostile input, refused fast

    @Test func billionLaughsIsRefusedAtTheFirstAnchor() throws {
        var yaml = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        try expectRefused(Data(yaml.utf8), 1, 4, "anchors and aliases are not supported in strategies.yaml")
        try expectRefused(Data("system:\n  database: *db\n".utf8), 2, 13, "anchors and aliases are not supported in strategies.yaml")
    }

    @Test func deepNestingIsRefused() throws {
        try expectRefused(Data((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8),
                          1, 65, "nesting deeper than 64 levels is not allowed")
        try expectRefused(Data((String(repeating: "{a: ", count: 10_000) + "1" + String(repeating: "}", count: 10_000)).utf8),
                          1, 257, "nesting deeper than 64 levels is not allowed")
        var block = ""
        for depth in 0..<100 { block += String(repeating: " ", count: depth) + "k:\n" }
        try expectRefused(Data(block.utf8), 65, 65, "nesting deeper than 64 levels is not allowed")
    }

    @Test func largeInputIsRefused() throws {
        let line = "# " + String(repeating: "x", count: 1021) + "\n"
        let tenMiB = String(repeating: line, count: 10 * 1024)
        try expectRefused(Data(tenMiB.utf8), 0, 0, "the file is larger than the 4 MiB limit for strategies.yaml")
        let clock = ContinuousClock()
        var result: Result<SystemConfig, ConfigErrors>?
        let elapsed = clock.measure { result = ConfigDecoder.decode(tenMiB, file: "big.yaml", environment: [:]) }
        #expect(elapsed < .seconds(1))
        if case .failure(let errors) = result {
            #expect(errors.description == "big.yaml:0:0: the file is 10485760 bytes, larger than the 4 MiB limit for strategies.yaml")
        } else {
            Issue.record("a 10 MiB text decoded")
        }
        try expectRefused(Data(("system:\n  database: " + String(repeating: "x", count: 1 << 20) + "\n").utf8),
                          2, 13, "a value of 1048576 bytes is longer than the limit of 64 KiB")
        try expectRefused(Data(("[" + String(repeating: "1,", count: 100_001) + "]").utf8),
                          1, 200_000, "more than 100000 values")
    }

    /// Just under the node limit: a large valid file, and one with an error on every key.
    @Test func filesAtTheNodeLimitStayFast() throws {
        var valid = "exchanges:\n  - name: x\n    plugin: p\n    settings:\n"
        var unknown = ""
        for i in 0..<49_990 {
            valid += "      k\(i): \(i)\n"
            unknown += "unknown_key_\(i): \(i)\n"
        }
        let clock = ContinuousClock()
        var decoded: Result<SystemConfig, ConfigErrors>?
        var elapsed = clock.measure { decoded = ConfigDecoder.decode(valid, file: "big.yaml", environment: [:]) }
        #expect(elapsed < .seconds(2), "took \(elapsed)")
        #expect(try decoded?.get().exchanges.first?.settings.entries.count == 49_990)
        elapsed = clock.measure { decoded = ConfigDecoder.decode(unknown, file: "big.yaml", environment: [:]) }
        #expect(elapsed < .seconds(2), "took \(elapsed)")
        if case .failure(let errors) = decoded {
            #expect(errors.errors.count == 49_990)
            #expect(errors.errors.last?.line == 49_990)
        } else {
            Issue.record("unknown keys were accepted")
        }
    }

    @Test func badBytesAreRefusedWithTheirPosition() throws {
        try expectRefused(Data("system:\n  database: é".utf8) + Data([0xFF]) + Data("x\n".utf8),
                          2, 14, "the file is not valid UTF-8 (byte 0xFF starts no valid character)")
        try expectRefused(Data("a: b\n  # c".utf8) + Data([0xE2, 0x82]), 2, 6, "the file is not valid UTF-8 (byte 0xE2")
        try expectRefused(Data("system:\n  log_level: in".utf8) + Data([0]) + Data("fo\n".utf8),
                          2, 16, "the file contains a NUL byte")
        try expectRefused(Data("system:\n  database: \"a\\0b\"\n".utf8), 2, 13, "values may not contain NUL characters")
        try expectRefused(Data("system:\n  database: é\u{1}b\n".utf8), 2, 14, "control characters are not allowed (U+0001)")
    }

    @Test func oneDocumentExactly() throws {
        try expectRefused(Data("---\nsystem: {}\n---\nsystem: {}\n".utf8), 3, 1, "strategies.yaml must hold exactly one document")
        try expectRefused(Data(), 1, 1, "the configuration is empty")
        try expectRefused(Data("# only\n\n   # comments\n".utf8), 1, 1, "the configuration is empty")
        try expectRefused(Data("---\n...\n".utf8), 1, 1, "the configuration is empty")
    }

    @Test func tagsOtherThanTheStandardOnesAreRefused() throws {
        try expectRefused(Data("system: !custom {}\n".utf8), 1, 9, "the tag '!custom' is not supported in strategies.yaml")
        let (_, result) = try load("system:\n  log_level: !!str debug\n")
        #expect(try result.get().system.logLevel == "debug")
    }
}
