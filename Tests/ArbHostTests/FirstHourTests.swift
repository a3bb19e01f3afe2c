import ArbTestKit
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
        let p = Process()
        p.executableURL = URL(fileURLWithPath: arbhost)
        p.arguments = ["run", "--config", path, "--no-build-plugins", "--plugin-dir", plugins, "--no-watch", "--duration", "20"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let output = DataCollector(pipe.fileHandleForReading)
        #expect(waitUntil(seconds: 20) { FileManager.default.fileExists(atPath: dir + "/.arbhost.pid") })
        try FileManager.default.removeItem(atPath: path)
        kill(p.processIdentifier, SIGHUP)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let text = output.finish()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("cannot open the configuration file"), "\(text)")
        #expect(text.contains("configuration rejected: the file could not be read; still running on version 1"), "\(text)")
    }
}
