import ArbRuntime
import ArbTestKit
import VenueWire
import Foundation
import Testing

/// What a new user tripped on in their first hour, each checked as they met it.
@Suite("First hour")
struct FirstHourTests {
    let arbhost = TestPaths.build + "/arbhost"

    @Test("arbhost-bench --help prints its usage and exits 0; a bad argument exits 2 with the usage")
    func benchHelp() throws {
        let bench = TestPaths.build + "/arbhost-bench"
        let help = try runProcess(bench, ["--help"], timeout: 30)
        #expect(help.status == 0, "\(help.output)")
        #expect(help.output.contains("usage: arbhost-bench"))
        let bad = try runProcess(bench, ["--runs", "many"], timeout: 30)
        #expect(bad.status == 2, "\(bad.output)")
        #expect(bad.output.contains("--runs needs a positive number, found 'many'"))
        let unknown = try runProcess(bench, ["--only", "everything"], timeout: 30)
        #expect(unknown.status == 2 && unknown.output.contains("--only takes"), "\(unknown.output)")
    }

    @Test("the configuration's size limit holds where the file is read: check, run and replay refuse a 5 MiB file")
    func configSizeLimit() throws {
        let dir = try TestPaths.temporaryDirectory()
        let path = dir + "/strategies.yaml"
        var text = "# padding\n"
        text += String(repeating: "#" + String(repeating: "x", count: 1023) + "\n", count: 5 * 1024)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        for arguments in [["check", path], ["run", "--config", path, "--duration", "1"], ["replay", "--config", path]] {
            let result = try runProcess(arbhost, arguments + ["--no-build-plugins"], timeout: 60)
            #expect(result.status == 1, "\(arguments): \(result.output)")
            #expect(result.output.contains("larger than the 4 MiB limit for strategies.yaml"), "\(arguments): \(result.output)")
        }
    }

    @Test("a reload whose file is missing is logged as a rejection, and the host runs on")
    func reloadOfAMissingFileIsLogged() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir)
        let path = dir + "/strategies.yaml"
        try FileManager.default.copyItem(atPath: TestPaths.root + "/strategies.yaml", toPath: path)
        let host = try RunningHost(arbhost, config: path, ["--no-build-plugins", "--plugin-dir", plugins, "--no-watch", "--duration", "20"])
        try FileManager.default.removeItem(atPath: path)
        host.signal(SIGHUP)
        host.signal(SIGTERM)
        let (status, text) = host.finish()
        #expect(status == 0, "\(text)")
        #expect(text.contains("cannot open the configuration file"), "\(text)")
        #expect(text.contains("configuration rejected: the file could not be read; still running on version 1"), "\(text)")
    }

    @Test("a refused hot swap is logged as refused, without a swap time or an old image's size")
    func refusedSwapLog() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir, ["SimVenue"], renamed: ["libcounter.so": "FixtureSwapV1"])
        let path = dir + "/strategies.yaml"
        try counterConfig(step: 1, quoter: false).write(toFile: path, atomically: true, encoding: .utf8)
        let host = try RunningHost(arbhost, config: path, ["--no-build-plugins", "--plugin-dir", plugins, "--duration", "30"])
        try FileManager.default.copyItem(atPath: TestPaths.plugin("FixtureSwapBroken"), toPath: plugins + "/.next.so")
        #expect(rename(plugins + "/.next.so", plugins + "/libcounter.so") == 0)
        // Then a reload forces the check at once, whatever the watcher's timing.
        host.signal(SIGHUP)
        host.signal(SIGTERM)
        let (_, text) = host.finish()
        #expect(text.contains("swap refused"), "\(text)")
        #expect(!text.contains("swap took"), "\(text)")
        #expect(!text.contains("the old image"), "\(text)")
    }

    @Test("run blocks SIGINT, SIGTERM and SIGHUP in every thread from its first instruction")
    func signalsBlockedEverywhere() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir)
        let path = dir + "/strategies.yaml"
        try FileManager.default.copyItem(atPath: TestPaths.root + "/strategies.yaml", toPath: path)
        let host = try RunningHost(arbhost, config: path, ["--no-build-plugins", "--plugin-dir", plugins, "--no-watch", "--duration", "30"])
        #expect(FileManager.default.fileExists(atPath: dir + "/.arbhost.pid"))
        // Every thread's blocked set (hex mask, bit n-1 for signal n) holds HUP, INT and TERM,
        // except the signal service's while it waits for them in rt_sigtimedwait (the kernel
        // shows the waited signals as unblocked during the wait).
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(host.pid)/task")
        #expect(tasks.count > 3)
        var waiting = 0
        for task in tasks {
            let folder = "/proc/\(host.pid)/task/\(task)"
            let status = (try? String(contentsOfFile: folder + "/status", encoding: .utf8)) ?? ""
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }),
                  let mask = UInt64(line.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16) else { continue }
            let all = [SIGHUP, SIGINT, SIGTERM].allSatisfy { mask & (1 << UInt64($0 - 1)) != 0 }
            if all { continue }
            // rt_sigtimedwait: 128 on x86_64, 137 on aarch64.
            let call = (try? String(contentsOfFile: folder + "/syscall", encoding: .utf8))?.split(separator: " ").first
            #expect(call == "128" || call == "137", "thread \(task) takes signals outside sigtimedwait: \(line)")
            waiting += 1
        }
        #expect(waiting <= 1)
        host.signal(SIGTERM)
        #expect(host.finish().status == 0)
    }

    @Test("signals that arrive before the host can take them wait: a SIGHUP and SIGTERM pending at start are handled")
    func signalsPendingAtStart() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir)
        let path = dir + "/strategies.yaml"
        try FileManager.default.copyItem(atPath: TestPaths.root + "/strategies.yaml", toPath: path)
        // Spawned with the three blocked, and signalled at once: they are pending from the
        // process's first instruction, as a signal sent while it loads would be from its first.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for signal in [SIGHUP, SIGINT, SIGTERM] { sigaddset(&blocked, signal) }
        posix_spawnattr_setsigmask(&attributes, &blocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let log = dir + "/run.log"
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = [arbhost, "run", "--config", path, "--no-build-plugins", "--plugin-dir", plugins, "--no-watch",
                         "--duration", "30"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        #expect(posix_spawn(&pid, arbhost, &actions, &attributes, &argv, environ) == 0)
        kill(pid, SIGHUP)
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "exit status \(status): \(text)")
        #expect(text.contains("SIGHUP: reloading"), "\(text)")
        #expect(text.contains("signal 15: shutting down"), "\(text)")
        #expect(text.contains("host stopped after"), "\(text)")
    }

    @Test("one logging rule: replay shows plugin lines by default, and the file's system.log_level is obeyed")
    func replayLogging() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir)
        let config = """
            exchanges:
              - name: sim
                plugin: org.arbhost.exchange.sim
                settings:
                  capture: \(TestPaths.root)/Data/binance/usdm_btcusdt_20240808.gz
            strategies:
              - name: quoter
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: sim
            """
        try config.write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try (config + "\nsystem:\n  log_level: warning\n").write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        let window = ["--to", "1723161256414442066", "--no-build-plugins", "--plugin-dir", plugins]
        let byDefault = try runProcess(arbhost, ["replay", "--config", dir + "/a.yaml"] + window)
        #expect(byDefault.status == 0, "\(byDefault.output)")
        #expect(byDefault.output.contains("[plugin=org.arbhost.strategy.cross-quoter strategy=quoter] quoting BTCUSDT on sim"),
                "\(byDefault.output)")
        let quiet = try runProcess(arbhost, ["replay", "--config", dir + "/b.yaml"] + window)
        #expect(quiet.status == 0, "\(quiet.output)")
        #expect(!quiet.output.contains(" INFO "), "\(quiet.output)")
        #expect(quiet.output.contains("digest: "))
        let asked = try runProcess(arbhost, ["replay", "--config", dir + "/b.yaml", "--log-level", "info"] + window)
        #expect(asked.output.contains("quoting BTCUSDT on sim"), "\(asked.output)")
    }

    @Test("a list where a text value belongs is one type error, not 'required' plus 'unknown key'")
    func listForAString() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir)
        try """
            exchanges:
              - name: sim-a
                plugin: org.arbhost.exchange.sim
            strategies:
              - name: quoter
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: [sim-a]
            """.write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let result = try runProcess(arbhost, ["check", dir + "/s.yaml", "--no-build-plugins", "--plugin-dir", plugins])
        #expect(result.status == 1)
        #expect(result.output.contains("s.yaml:8:15: strategies[0].parameters.venue: expected a string, found a list"), "\(result.output)")
        #expect(result.output.contains("1 problem(s)"), "\(result.output)")
    }

    @Test("names and ids have limits: a 10 KB strategy name or plugin id is refused with a message")
    func nameAndIdLimits() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir)
        let long = String(repeating: "x", count: 10_000)
        try """
            exchanges:
              - name: sim-a
                plugin: org.arbhost.exchange.sim
            strategies:
              - name: \(long)
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: sim-a
            """.write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let result = try runProcess(arbhost, ["check", dir + "/s.yaml", "--no-build-plugins", "--plugin-dir", plugins])
        #expect(result.status == 1)
        #expect(result.output.contains("strategies[0].name: strategy names are at most 64 bytes, found 10000"), "\(result.output)")

        // A plugin whose descriptor gives a 10 KB id.
        let source = dir + "/long_id.c"
        try """
            #include "arb_sdk.h"
            static const void *get_interface(const char *id) { (void)id; return 0; }
            static const arb_plugin_descriptor_t descriptor = {
                sizeof descriptor, ARB_ABI_MAJOR, ARB_ABI_MINOR, ARB_PLUGIN_STRATEGY,
                "org.example.\(long)", "Long id", "0.1.0", "an id past the limit", get_interface,
            };
            ARB_EXPORT const arb_plugin_descriptor_t *arb_plugin_entry(uint32_t major, uint32_t minor) {
                (void)minor;
                return major == ARB_ABI_MAJOR ? &descriptor : 0;
            }
            """.write(toFile: source, atomically: true, encoding: .utf8)
        let build = try runProcess("/usr/bin/cc", ["-std=c11", "-shared", "-fPIC", "-I", TestPaths.header, source, "-o", dir + "/liblong.so"])
        try #require(build.status == 0, "\(build.output)")
        let listed = try runProcess(arbhost, ["plugins", "--no-build-plugins", "--plugin-dir", dir])
        #expect(listed.output.contains("refused: plugin \(dir)/liblong.so"), "\(listed.output)")
        #expect(listed.output.contains("the id is longer than 128 bytes"), "\(listed.output)")
    }

    @Test("check says why a configured plugin id is missing: the file that has it was refused")
    func checkNamesRefusedFiles() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir, ["SimVenue"], renamed: ["libwrong.so": "FixtureWrongMajor",
                                                                                 "libnewer.so": "FixtureNewerMinor"])
        func check(_ id: String) throws -> String {
            try """
                exchanges:
                  - name: sim-a
                    plugin: org.arbhost.exchange.sim
                strategies:
                  - name: s
                    plugin: \(id)
                """.write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
            let result = try runProcess(arbhost, ["check", dir + "/s.yaml", "--no-build-plugins", "--plugin-dir", plugins])
            #expect(result.status == 1)
            return result.output
        }
        // A newer minor names its id: the message says that file has it.
        let newer = try check("org.arbhost.test.newer-minor")
        #expect(newer.contains("no strategy plugin has the id 'org.arbhost.test.newer-minor': \(plugins)/libnewer.so has it but was refused: it was built for ABI 1.1"), "\(newer)")
        // Another major's descriptor is not read past its version: every refused file is listed with why.
        let wrong = try check("org.arbhost.test.wrong-major")
        #expect(wrong.contains("no strategy plugin has the id 'org.arbhost.test.wrong-major'"), "\(wrong)")
        #expect(wrong.contains("refused plugin files, one may be it: "), "\(wrong)")
        #expect(wrong.contains("libwrong.so (it was built for ABI 2.x, but this host speaks ABI 1.x"), "\(wrong)")
    }

    @Test("a plugin that aborts in start ends the host, and the last words name the plugin, instance and callback")
    func pluginCrashNamesThePlugin() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir, ["SimVenue"])
        try buildCStrategy(id: "org.example.aborts", start: "abort();", to: plugins + "/libaborts.so")
        try """
            exchanges:
              - name: sim-a
                plugin: org.arbhost.exchange.sim
            strategies:
              - name: doomed
                plugin: org.example.aborts
            """.write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let result = try runProcess(arbhost, ["run", "--config", dir + "/s.yaml", "--no-build-plugins", "--plugin-dir", plugins,
                                              "--no-watch", "--duration", "20"], environment: ["SWIFT_BACKTRACE": "enable=no"])
        #expect(result.status != 0)
        #expect(result.output.contains("arbhost: SIGABRT in a plugin: strategy 'doomed' (plugin org.example.aborts 0.1.0, \(plugins)/libaborts.so), in its start callback"),
                "\(result.output)")
    }

    @Test("check runs the venue's own validation of its settings: market: coinm is an error at its line, not a vanished venue")
    func checkRunsVenueValidation() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir, ["SimVenue"])
        func check(_ settings: String) throws -> ProcessOutput {
            try """
                exchanges:
                  - name: sim
                    plugin: org.arbhost.exchange.sim
                    settings:
                \(settings)
                """.write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
            return try runProcess(arbhost, ["check", dir + "/s.yaml", "--no-build-plugins", "--plugin-dir", plugins])
        }
        let coinm = try check("      market: coinm")
        #expect(coinm.status == 1)
        #expect(coinm.output.contains("s.yaml:5:15: exchanges[0].settings.market: expected usdm or spot, found 'coinm'"), "\(coinm.output)")
        let mismatch = try check("      kind: spot\n      market: usdm")
        #expect(mismatch.status == 1)
        #expect(mismatch.output.contains("exchanges[0].settings.market: usdm does not fit kind spot"), "\(mismatch.output)")
        #expect(try check("      kind: spot").status == 0)
    }

    @Test("a spot capture needs one setting, kind: spot (the sync rule follows)")
    func spotCaptureNeedsOneSetting() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir)
        try """
            exchanges:
              - name: sim
                plugin: org.arbhost.exchange.sim
                settings:
                  capture: \(TestPaths.root)/Data/binance/spot_btcusdt_20240808.gz
                  kind: spot
            strategies:
              - name: quoter
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: sim
                  kind: spot
                  place_orders: false
            """.write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let result = try runProcess(arbhost, ["replay", "--config", dir + "/s.yaml", "--no-build-plugins", "--plugin-dir", plugins])
        #expect(result.status == 0, "\(result.output)")
        #expect(!result.output.contains("refused"), "\(result.output)")
        let events = result.output.split(separator: "\n").first { $0.hasPrefix("events: ") } ?? ""
        #expect(!events.contains("(book 0,"), "\(result.output)")
    }

    @Test("a strategy that fails to start at start is an error: run and replay say so and exit 1")
    func strategyStartFailureIsAnError() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir, ["SimVenue"])
        try buildCStrategy(id: "org.example.refuses-start", start: "return ARB_ERR_REJECTED;", to: plugins + "/librefuses.so")
        try """
            exchanges:
              - name: sim
                plugin: org.arbhost.exchange.sim
                settings:
                  capture: \(TestPaths.root)/Data/binance/usdm_btcusdt_20240808.gz
            strategies:
              - name: refuser
                plugin: org.example.refuses-start
            """.write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let common = ["--config", dir + "/s.yaml", "--no-build-plugins", "--plugin-dir", plugins]
        let replay = try runProcess(arbhost, ["replay"] + common)
        #expect(replay.status == 1, "\(replay.output)")
        #expect(replay.output.contains("'refuser'") && replay.output.contains("start failed"), "\(replay.output)")
        #expect(!replay.output.contains("digest: "), "\(replay.output)")
        let run = try runProcess(arbhost, ["run", "--no-watch", "--duration", "20"] + common)
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("'refuser'") && run.output.contains("start failed"), "\(run.output)")
    }

    @Test("a reload whose new strategy cannot start records no version: it is rejected, with why")
    func failedStartRecordsNoVersion() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir, ["SimVenue", "CrossQuoter"])
        // A C plugin whose start always refuses.
        try buildCStrategy(id: "org.example.refuses-start", start: "return ARB_ERR_REJECTED;", to: plugins + "/librefuses.so")
        let base = """
            exchanges:
              - name: sim
                plugin: org.arbhost.exchange.sim
                settings:
                  source: generator
                  interval: 1h
            strategies:
              - name: quoter
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: sim

            """
        let path = dir + "/s.yaml"
        try base.write(toFile: path, atomically: true, encoding: .utf8)
        let host = HostRuntime(mode: .live, pluginDirectories: [plugins], configPath: path)
        host.loadPlugins()
        guard case .success = host.loadConfiguration() else { Issue.record("the base configuration was refused"); return }
        #expect(host.start().strategies.isEmpty)
        defer { host.shutdown() }
        try (base + "  - name: refuser\n    plugin: org.example.refuses-start\n").write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = host.configManager?.reloadConfig()
        guard case .rejected(let errors)? = outcome else { Issue.record("expected a rejection, got \(String(describing: outcome))"); return }
        #expect(errors.contains { $0.message.contains("strategy refuser: not started") }, "\(errors)")
        #expect(host.configManager?.versions.map(\.number) == [1])
        #expect(host.strategies.strategy(named: "refuser") == nil)
    }

    /// Builds a one-file C strategy plugin with the id `id` whose `start` runs `start` (C
    /// statements ending in a return), into the shared library at `library`.
    func buildCStrategy(id: String, start: String, to library: String) throws {
        let source = library + ".c"
        try """
            #include <stdlib.h>
            #include "arb_sdk.h"
            static int instance;
            static arb_status_t create(const arb_strategy_host_t *h, arb_str_t n, const arb_params_t *p,
                                       const arb_errors_t *e, void **out) { (void)h; (void)n; (void)p; (void)e; *out = &instance; return ARB_OK; }
            static void destroy(void *p) { (void)p; }
            static arb_status_t start(void *p) { (void)p; \(start) }
            static void stop(void *p) { (void)p; }
            static const arb_strategy_v1_t strategy = {
                .struct_size = sizeof(arb_strategy_v1_t), .create = create, .destroy = destroy, .start = start, .stop = stop,
            };
            static const void *get_interface(const char *id) { (void)id; return &strategy; }
            static const arb_plugin_descriptor_t descriptor = {
                sizeof descriptor, ARB_ABI_MAJOR, ARB_ABI_MINOR, ARB_PLUGIN_STRATEGY,
                "\(id)", "Test strategy", "0.1.0", "a strategy for one test", get_interface,
            };
            ARB_EXPORT const arb_plugin_descriptor_t *arb_plugin_entry(uint32_t major, uint32_t minor) {
                (void)minor;
                return major == ARB_ABI_MAJOR ? &descriptor : 0;
            }
            """.write(toFile: source, atomically: true, encoding: .utf8)
        let build = try runProcess("/usr/bin/cc", ["-std=c11", "-shared", "-fPIC", "-I", TestPaths.header, source, "-o", library])
        try #require(build.status == 0, "\(build.output)")
    }

    @Test("a quotes file's malformed rows are reported with file and line, counted, and skipped, never silently")
    func malformedQuoteRows() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir)
        let rows = [
            "ts_ns,venue,symbol,bid_px,bid_sz,ask_px,ask_sz",
            "1704067200000000000,BINANCE,BTCUSDT,60000.0,1,60000.3,1",      // 2: good
            "1704067200000000000,OKX,BTCUSDT,60000.1,1,60000.4,1",          // 3: good
            "1704067200100000000,BINANCE,BTCUSDT,abc,1,60000.3,1",          // 4: not a number
            "1704067200200000000,BINANCE,BTCUSDT,-5,1,60000.3,1",           // 5: negative price
            "1704067200300000000,BINANCE,BTCUSDT,60000.0,1",                // 6: missing columns
            "1704067200400000000,BINANCE,BTCUSDT,60001.0,1,60000.3,1",      // 7: bid above ask
            "1704067199000000000,BINANCE,BTCUSDT,60000.0,1,60000.3,1",      // 8: time goes back
            "1704067200500000000,BINANCE,BTCUSDT,60000.0,1,60000.3,1" + String(repeating: " ", count: 5000),  // 9: too long
            "1704067200600000000,BINANCE,BTCUSDT,60000.0,2,60000.3,2",      // 10: good
        ]
        try (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/q.csv", atomically: true, encoding: .utf8)
        let config = try String(contentsOfFile: TestPaths.root + "/configs/cross-venue-quotes.yaml", encoding: .utf8)
        try config.write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let result = try runProcess(arbhost, ["replay", "--config", dir + "/s.yaml", "--quotes", dir + "/q.csv",
                                              "--no-build-plugins", "--plugin-dir", plugins])
        #expect(result.status == 0, "\(result.output)")
        let q = dir + "/q.csv"
        for expected in ["\(q):4: a price or size is not a decimal", "\(q):5: prices and sizes must be positive",
                         "\(q):6: expected 7 columns", "\(q):7: the bid 60001 is above the ask 60000.3",
                         "\(q):8: ts_ns 1704067199000000000 goes back", "\(q):9: longer than 4096 bytes",
                         "\(q): 6 malformed row(s) of this venue skipped in all"] {
            #expect(result.output.contains(expected), "missing '\(expected)' in \(result.output)")
        }
        #expect(!result.output.contains("\(q):2:") && !result.output.contains("\(q):10:"), "\(result.output)")
    }

    @Test("a capture's unreadable lines are reported with file and line, counted, and skipped, never silently")
    func unreadableCaptureLines() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir)
        // The first 300 lines of the real capture, as plain text, with three bad lines put in.
        let whole = try Capture.load(path: TestPaths.root + "/Data/binance/usdm_btcusdt_20240808.gz")
        var lines = whole.lines.prefix(300).map { String(decoding: whole.bytes[$0], as: UTF8.self) }
        let time = lines[9].prefix { $0 != " " }
        lines.insert("\(time) {this is not json", at: 10)                                     // line 11
        lines.insert("\(time) {\"result\":null,\"id\":7}", at: 20)                              // line 21
        lines.insert("\(time) {\"e\":\"depthUpdate\",\"E\":1,\"U\":x,\"u\":2,\"b\":[],\"a\":[]}", at: 30)  // line 31
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/c.txt", atomically: true, encoding: .utf8)
        try """
            exchanges:
              - name: sim
                plugin: org.arbhost.exchange.sim
                settings:
                  capture: \(dir)/c.txt
            """.write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let result = try runProcess(arbhost, ["replay", "--config", dir + "/s.yaml", "--no-build-plugins", "--plugin-dir", plugins])
        #expect(result.status == 0, "\(result.output)")
        let c = dir + "/c.txt"
        for expected in ["\(c):11: not a Binance message", "\(c):21: not a Binance message", "\(c):31: not a Binance message",
                         "\(c): 3 unreadable line(s) skipped in all"] {
            #expect(result.output.contains(expected), "missing '\(expected)' in \(result.output)")
        }
    }
}
