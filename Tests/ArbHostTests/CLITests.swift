import Foundation
import Testing

/// The `arbhost` executable as a user runs it.
@Suite("arbhost CLI")
struct CLITests {
    let arbhost = TestPaths.build + "/arbhost"

    /// A plugin folder with the three example plugins.
    func examplePlugins() throws -> String {
        let dir = try TestPaths.temporaryDirectory()
        for name in ["SpreadWatch", "CrossQuoter", "SeededVenue"] {
            try FileManager.default.copyItem(atPath: TestPaths.plugin(name), toPath: dir + "/lib\(name).so")
        }
        return dir
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

    @Test("run starts the demo, trades on the seeded venues and stops cleanly on SIGINT")
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
        #expect(text.contains("[plugin=org.arbhost.exchange.seeded venue=seeded-a] connected"))
        #expect(text.contains("[plugin=org.arbhost.strategy.spread-watch strategy=spread-watch] best edge"))
        #expect(text.contains("[plugin=org.arbhost.strategy.cross-quoter strategy=quoter] order open at"))
        #expect(text.contains("signal 2: shutting down"))
        #expect(text.contains("host stopped after"))
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

    @Test("run without any plugin says where it looked and fails")
    func runWithoutPlugins() throws {
        let dir = try TestPaths.temporaryDirectory()
        let result = try runProcess(arbhost, ["run", "--no-build-plugins", "--plugin-dir", dir, "--duration", "1"])
        #expect(result.status == 1)
        #expect(result.output.contains("no plugins found in \(dir)"))
    }
}
