import Foundation
import Testing
@testable import ArbHost

/// Where the package and the build live, for tests that load built plugins or run built tools.
enum TestPaths {
    /// The folder of the test bundle: the debug build folder with every product in it.
    static let build: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The runner may live inside the .xctest bundle folder.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("libSpreadWatch.so").path),
              url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    static let root: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static let abi = root + "/Tests/ArbHostTests/ABI"
    static let header = root + "/PluginSDK/include"

    static func plugin(_ product: String) -> String { build + "/lib\(product).so" }

    /// A replay host with `config` (YAML text) written to a temporary folder, the plugins in
    /// `plugins` loaded and the configuration applied; not started.
    static func replayHost(_ config: String, plugins: String) throws -> HostRuntime {
        let dir = try temporaryDirectory()
        try config.write(toFile: dir + "/strategies.yaml", atomically: true, encoding: .utf8)
        let host = HostRuntime(mode: .replay, pluginDirectories: [plugins], configPath: dir + "/strategies.yaml")
        host.loadPlugins()
        if case .failure(let errors) = host.loadConfiguration() { Issue.record("\(errors)") }
        return host
    }

    /// A `plugins` folder in `parent` holding copies of the package's built plugins
    /// (`products`), and of fixtures under other file names (`renamed`: file name → product).
    static func pluginFolder(in parent: String, _ products: [String] = ["SimVenue", "CrossQuoter", "SpreadWatch"],
                             renamed: [String: String] = [:]) throws -> String {
        let folder = parent + "/plugins"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in products {
            try FileManager.default.copyItem(atPath: plugin(name), toPath: folder + "/lib\(name).so")
        }
        for (file, product) in renamed {
            try FileManager.default.copyItem(atPath: plugin(product), toPath: folder + "/" + file)
        }
        return folder
    }

    /// A fresh temporary folder.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "arbhost-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// The result of a child process.
struct ProcessOutput {
    var status: Int32
    var output: String
}

/// Runs a program to completion (or kills it after `timeout` seconds) and captures its output.
func runProcess(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                timeout: Double = 120) throws -> ProcessOutput {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = DataCollector(pipe.fileHandleForReading)
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(20_000) }
    if p.isRunning {
        p.terminate()
        p.waitUntilExit()
        Issue.record("\(path) \(arguments) timed out after \(timeout) s")
    }
    p.waitUntilExit()
    return ProcessOutput(status: p.terminationStatus, output: data.finish())
}

/// Reads a pipe on a background thread so a chatty child never blocks on a full pipe.
final class DataCollector: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            let all = handle.readDataToEndOfFile()
            lock.lock()
            data = all
            lock.unlock()
            done.signal()
        }
    }

    func finish() -> String {
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
