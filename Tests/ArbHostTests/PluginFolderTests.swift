import ArbPlugins
import ArbRuntime
import ArbTestKit
import Foundation
import Testing

/// Plugin folders as users give them: relative, missing, or two holding the same plugin.
@Suite("Plugin folders")
struct PluginFolderTests {
    let arbhost = TestPaths.build + "/arbhost"

    @Test("a relative --plugin-dir is one absolute folder: a replaced file in it is hot-swapped")
    func relativeFolderHotSwap() throws {
        let dir = try TestPaths.temporaryDirectory()
        _ = try TestPaths.pluginFolder(in: dir, ["SimVenue"], renamed: ["libcounter.so": "FixtureSwapV1"])
        try counterConfig(step: 1, quoter: false).write(toFile: dir + "/strategies.yaml", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: arbhost)
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.arguments = ["run", "--config", "strategies.yaml", "--no-build-plugins", "--plugin-dir", "plugins", "--duration", "30"]
        FileManager.default.createFile(atPath: dir + "/run.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/run.log"))
        p.standardOutput = log
        p.standardError = log
        try p.run()
        func text() -> String { (try? String(contentsOfFile: dir + "/run.log", encoding: .utf8)) ?? "" }
        #expect(waitUntil(seconds: 20) { FileManager.default.fileExists(atPath: dir + "/.arbhost.pid") })
        try FileManager.default.copyItem(atPath: TestPaths.plugin("FixtureSwapV2"), toPath: dir + "/plugins/.next.so")
        #expect(rename(dir + "/plugins/.next.so", dir + "/plugins/libcounter.so") == 0)
        // The watcher alone (no reload signal): before the paths were normalised it reported an
        // absolute path that matched no loaded plugin, and nothing was swapped.
        #expect(waitUntil(seconds: 20) { text().contains("strategy counter: now on") }, "\(text())")
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let text = text()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("strategy counter: now on"), "\(text)")
        #expect(text.contains("loaded strategy plugin org.arbhost.test.counter 1.0.1 from \(dir)/plugins/libcounter.so"), "\(text)")
    }

    @Test("a --plugin-dir that does not exist is an error for every command")
    func missingFolder() throws {
        for command in [["run"], ["replay"], ["check", TestPaths.root + "/strategies.yaml"], ["plugins"]] {
            let result = try runProcess(arbhost, command + ["--no-build-plugins", "--plugin-dir", "/nonexistent/plugins"], timeout: 60)
            #expect(result.status == 1, "\(command): \(result.output)")
            #expect(result.output.contains("error: cannot read plugin folder /nonexistent/plugins"), "\(command): \(result.output)")
        }
    }

    @Test("when two folders hold the same plugin id, the first folder given wins, and plugins marks the other copy")
    func firstFolderWins() throws {
        let dir = try TestPaths.temporaryDirectory()
        // "zz" sorts after "aa": the order given decides, not the alphabet.
        for folder in ["aa", "zz"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: TestPaths.plugin("SpreadWatch"), toPath: dir + "/\(folder)/libSpreadWatch.so")
        }
        let host = HostRuntime(pluginDirectories: [dir + "/zz", dir + "/aa"])
        host.loadPlugins()
        #expect(host.plugin(id: "org.arbhost.strategy.spread-watch")?.path == dir + "/zz/libSpreadWatch.so")
        #expect(host.plugins.count == 1)
        let result = try runProcess(arbhost, ["plugins", "--no-build-plugins", "--plugin-dir", dir + "/zz", "--plugin-dir", dir + "/aa"])
        #expect(result.status == 0, "\(result.output)")
        let text = result.output
        let first = try #require(text.range(of: dir + "/zz/libSpreadWatch.so"))
        let second = try #require(text.range(of: dir + "/aa/libSpreadWatch.so\n"))
        #expect(first.lowerBound < second.lowerBound)
        #expect(text[second.upperBound...].contains("shadowed: \(dir)/zz/libSpreadWatch.so has the same id"), "\(text)")
    }

    @Test("copies left by a killed host are removed when the next one starts; a live host's are kept")
    func abandonedCopiesRemoved() throws {
        let tmp = try TestPaths.temporaryDirectory()
        // A process that has exited: its pid names no process now.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let fm = FileManager.default
        for name in ["arbhost-plugins-\(gone.processIdentifier)-abc123", "arbhost-plugins-Q1w2E3",
                     "arbhost-plugins-\(getpid())-keep01", "unrelated-folder"] {
            try fm.createDirectory(atPath: tmp + "/" + name, withIntermediateDirectories: true)
            try Data("copy".utf8).write(to: URL(fileURLWithPath: tmp + "/\(name)/123-1-libcounter.so"))
        }
        PluginLoader.removeAbandonedCopies(in: tmp)
        #expect(try fm.contentsOfDirectory(atPath: tmp).sorted() == ["arbhost-plugins-\(getpid())-keep01", "unrelated-folder"])
    }
}
