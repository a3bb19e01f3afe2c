import Foundation

/// `arbhost run` started in the background, its output collected, for tests that act on a
/// running host (edit its files, replace its plugins, signal it) and read what it said.
public final class RunningHost: @unchecked Sendable {
    public let process = Process()
    private let output: DataCollector
    /// The folder of its configuration, where it writes its pid file.
    public let folder: String

    /// Starts `arbhost run --config <config> <arguments>` and waits (up to 20 s) until its pid
    /// file exists: its services run.
    public init(_ arbhost: String, config: String, _ arguments: [String]) throws {
        folder = URL(fileURLWithPath: config).deletingLastPathComponent().path
        process.executableURL = URL(fileURLWithPath: arbhost)
        process.arguments = ["run", "--config", config] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        output = DataCollector(pipe.fileHandleForReading)
        _ = waitUntil(seconds: 20) { FileManager.default.fileExists(atPath: self.folder + "/.arbhost.pid") }
    }

    public var pid: Int32 { process.processIdentifier }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to end; its exit status and everything it wrote.
    public func finish() -> (status: Int32, text: String) {
        process.waitUntilExit()
        return (process.terminationStatus, output.finish())
    }
}
