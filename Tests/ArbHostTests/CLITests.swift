import Foundation
import ArbTestKit
import Testing

/// The `arbhost` executable as a user runs it.
@Suite("arbhost CLI")
struct CLITests {
    let arbhost = TestPaths.build + "/arbhost"

    /// A plugin folder with the three example plugins.
    func examplePlugins() throws -> String {
        try TestPaths.pluginFolder(in: TestPaths.temporaryDirectory())
    }

    @Test("plugins lists each file with kind, id, version and ABI, or why it was refused, and exits 0")
    func listsPlugins() throws {
        let dir = try TestPaths.temporaryDirectory()
        try FileManager.default.copyItem(atPath: TestPaths.plugin("SpreadWatch"), toPath: dir + "/libSpreadWatch.so")
        try FileManager.default.copyItem(atPath: TestPaths.plugin("FixtureWrongMajor"), toPath: dir + "/libWrong.so")
        try "not a library".write(toFile: dir + "/libtext.so", atomically: true, encoding: .utf8)
        let result = try runProcess(arbhost, ["plugins", "--no-build-plugins", "--plugin-dir", dir])
        #expect(result.status == 0)
        #expect(result.output.contains("kind: strategy  id: org.arbhost.strategy.spread-watch  version: 1.0.0  ABI: 1.0"))
        #expect(result.output.contains("refused: plugin \(dir)/libWrong.so was built for ABI 2.x"))
        #expect(result.output.contains("refused: plugin \(dir)/libtext.so is not a loadable shared library"))
        #expect(result.output.contains("venues: string (required)"))
    }

    @Test("plugins exits 0 when it finds nothing")
    func listsNothing() throws {
        let dir = try TestPaths.temporaryDirectory()
        let result = try runProcess(arbhost, ["plugins", "--no-build-plugins", "--plugin-dir", dir])
        #expect(result.status == 0)
        #expect(result.output.contains("no plugin files found"))
    }

    @Test("plugins exits 1 when a folder it was given cannot be read")
    func unreadableFolder() throws {
        let result = try runProcess(arbhost, ["plugins", "--no-build-plugins", "--plugin-dir", "/nonexistent/plugins"])
        #expect(result.status == 1)
        #expect(result.output.contains("error: cannot read plugin folder /nonexistent/plugins"))
    }

    @Test("every command has --help")
    func help() throws {
        for command in [[], ["run"], ["plugins"]] {
            let result = try runProcess(arbhost, command + ["--help"])
            #expect(result.status == 0)
            #expect(result.output.contains("USAGE: arbhost"))
            if !command.isEmpty { #expect(result.output.contains("--plugin-dir")) }
        }
    }

    @Test("run starts the demo, trades on the simulated venues and stops cleanly on SIGINT")
    func runAndInterrupt() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: arbhost)
        p.arguments = ["run", "--no-build-plugins", "--plugin-dir", try examplePlugins()]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let output = DataCollector(pipe.fileHandleForReading)
        // Long enough for spread-watch's first 2 s report and the quoter's first order.
        sleep(4)
        kill(p.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(20)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!p.isRunning, "arbhost did not stop on SIGINT")
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        let text = output.finish()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("[plugin=org.arbhost.exchange.sim venue=sim-a] connected"))
        #expect(text.contains("[plugin=org.arbhost.strategy.spread-watch strategy=spread-watch] best edge"))
        #expect(text.contains("[plugin=org.arbhost.strategy.cross-quoter strategy=quoter] order "))
        #expect(text.contains("signal 2: shutting down"))
        #expect(text.contains("host stopped after"))
        // At exit, what the session did, as replay prints it.
        #expect(text.contains(" arbhost orders: "), "\(text)")
        #expect(text.contains(" arbhost venue sim-a: net pnl "), "\(text)")
    }

    @Test("run --log-format json writes one JSON object per line, plugin lines tagged with id and instance")
    func jsonLogs() throws {
        let result = try runProcess(arbhost, ["run", "--no-build-plugins", "--plugin-dir", try examplePlugins(),
                                              "--log-format", "json", "--duration", "2.5"])
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.count > 5)
        var tagged = false
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            #expect(object?["level"] != nil && object?["message"] != nil, "\(line)")
            if object?["strategy"] == "spread-watch" && object?["plugin"] == "org.arbhost.strategy.spread-watch" { tagged = true }
        }
        #expect(tagged)
    }

    @Test("replay exits 1 with the venue and the reason when a venue cannot connect, and prints no summary")
    func replayVenueThatCannotConnect() throws {
        let dir = try TestPaths.temporaryDirectory()
        let plugins = try TestPaths.pluginFolder(in: dir, ["SimVenue", "CrossQuoter"])
        let config = dir + "/strategies.yaml"
        try """
            exchanges:
              - name: sim
                plugin: org.arbhost.exchange.sim
                settings:
                  source: quotes
                  quotes: \(dir)/missing.csv
            strategies:
              - name: quoter
                plugin: org.arbhost.strategy.cross-quoter
                parameters:
                  venue: sim
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try runProcess(arbhost, ["replay", "--config", config, "--no-build-plugins", "--plugin-dir", plugins], timeout: 60)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("venue 'sim' (plugin org.arbhost.exchange.sim) could not connect (status "), "\(result.output)")
        #expect(result.output.contains(": cannot read quotes file \(dir)/missing.csv"), "\(result.output)")
        #expect(!result.output.contains("digest:"), "\(result.output)")
    }

    @Test("run without any plugin says where it looked and fails")
    func runWithoutPlugins() throws {
        let dir = try TestPaths.temporaryDirectory()
        let result = try runProcess(arbhost, ["run", "--no-build-plugins", "--plugin-dir", dir, "--duration", "1"])
        #expect(result.status == 1)
        #expect(result.output.contains("no plugins found in \(dir)"))
    }

    @Test("check validates a file: exit 0 when valid, 1 with every problem listed when not")
    func check() throws {
        let plugins = try examplePlugins()
        let good = try runProcess(arbhost, ["check", TestPaths.root + "/strategies.yaml", "--no-build-plugins", "--plugin-dir", plugins])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("strategies.yaml: valid (2 exchange(s), 2 strategy(ies))"))

        let dir = try TestPaths.temporaryDirectory()
        let bad = dir + "/bad.yaml"
        try """
            exchanges:
              - name: a
                plugin: org.arbhost.exchange.sim
                sandbox: maybe
            strategies:
              - name: q
                plugin: org.arbhost.strategy.cross-quoter
                enabled: yes
            risk:
              max_drawdown: 1.5
            """.write(toFile: bad, atomically: true, encoding: .utf8)
        let result = try runProcess(arbhost, ["check", bad, "--no-build-plugins", "--plugin-dir", plugins])
        #expect(result.status == 1)
        #expect(result.output.contains("\(bad):4:14: exchanges[0].sandbox: expected true or false, found 'maybe'"), "\(result.output)")
        #expect(result.output.contains("\(bad):8:14: strategies[0].enabled: expected true or false, found 'yes'"), "\(result.output)")
        #expect(result.output.contains("\(bad):10:17: risk.max_drawdown:"), "\(result.output)")
        #expect(result.output.contains("3 problem(s)"), "\(result.output)")

        // Plugin-level problems are found too, once the structure is sound.
        try """
            exchanges:
              - name: a
                plugin: org.arbhost.exchange.sim
            strategies:
              - name: q
                plugin: org.arbhost.strategy.cross-quoter
            """.write(toFile: bad, atomically: true, encoding: .utf8)
        let missing = try runProcess(arbhost, ["check", bad, "--no-build-plugins", "--plugin-dir", plugins])
        #expect(missing.status == 1)
        #expect(missing.output.contains("strategies[0].parameters.venue: is required"), "\(missing.output)")
    }

    @Test("run refuses an invalid configuration with every problem, and starts nothing")
    func runRefusesInvalidConfig() throws {
        let dir = try TestPaths.temporaryDirectory()
        try "strategies:\n  - name: x\n    plugin: nope\n    colour: red\n".write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let result = try runProcess(arbhost, ["run", "--config", dir + "/s.yaml", "--no-build-plugins", "--plugin-dir", try examplePlugins()])
        #expect(result.status == 1)
        #expect(result.output.contains("\(dir)/s.yaml:4:5: strategies[0]: unknown key 'colour'"), "\(result.output)")
    }

    @Test("arbhost reload talks to the running host and prints the outcome: the version applied, or the rejection (exit 1)")
    func reloadCommand() throws {
        let dir = try TestPaths.temporaryDirectory()
        let config = dir + "/strategies.yaml"
        let socket = dir + "/.arbhost.sock"
        let original = try String(contentsOfFile: TestPaths.root + "/strategies.yaml", encoding: .utf8)
        try original.write(toFile: config, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: arbhost)
        p.arguments = ["run", "--config", config, "--no-watch", "--no-build-plugins", "--plugin-dir", try examplePlugins()]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let output = DataCollector(pipe.fileHandleForReading)
        #expect(waitUntil { FileManager.default.fileExists(atPath: socket) })
        // Owner-only: another user cannot drive this host.
        let mode = (try FileManager.default.attributesOfItem(atPath: socket)[.posixPermissions] as? NSNumber)?.intValue ?? 0
        #expect(mode & 0o777 == 0o600, "mode \(String(mode, radix: 8))")

        try original.replacingOccurrences(of: "report_interval: 2s", with: "report_interval: 3s")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let applied = try runProcess(arbhost, ["reload", "--config", config])
        #expect(applied.status == 0, "\(applied.output)")
        #expect(applied.output.hasPrefix("applied 2\n"), "\(applied.output)")
        #expect(applied.output.contains("strategy spread-watch: parameters report_interval 2s → 3s"), "\(applied.output)")

        let same = try runProcess(arbhost, ["reload", "--config", config])
        #expect(same.status == 0 && same.output == "unchanged\n", "\(same.output)")

        try original.replacingOccurrences(of: "report_interval: 2s", with: "report_interval: soon")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let rejected = try runProcess(arbhost, ["reload", "--config", config])
        #expect(rejected.status == 1, "\(rejected.output)")
        #expect(rejected.output.hasPrefix("rejected\n"), "\(rejected.output)")
        #expect(rejected.output.contains("\(config):") && rejected.output.contains("report_interval"), "\(rejected.output)")

        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let text = output.finish()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/.arbhost.pid"))
        #expect(!FileManager.default.fileExists(atPath: socket))
        let none = try runProcess(arbhost, ["reload", "--config", config])
        #expect(none.status == 1 && none.output.contains("error: no host is running from"), "\(none.output)")
    }
}
