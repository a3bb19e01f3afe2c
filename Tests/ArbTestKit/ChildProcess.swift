import Foundation

/// The result of a child process.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var output: String
    /// The process ran past its timeout and was terminated.
    public var timedOut: Bool
}

/// Runs a program to completion (or terminates it after `timeout` seconds) and captures its
/// standard output and error together.
public func runProcess(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
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
    let timedOut = p.isRunning
    if timedOut { p.terminate() }
    p.waitUntilExit()
    return ProcessOutput(status: p.terminationStatus, output: data.finish(), timedOut: timedOut)
}

/// Reads a pipe on a background thread so a chatty child never blocks on a full pipe.
public final class DataCollector: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)

    public init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            let all = handle.readDataToEndOfFile()
            lock.lock()
            data = all
            lock.unlock()
            done.signal()
        }
    }

    public func finish() -> String {
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Polls `condition` for up to `seconds` (for outcomes on other threads; never for timing).
public func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}
