import Foundation
import ServiceLifecycle

/// The running host's pid beside its configuration (`.arbhost.pid`), for `arbhost reload`;
/// removed at shutdown.
public struct PidFileService: Service {
    public let path: String

    public init(path: String) { self.path = path }

    public func run() async throws {
        try? "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
        try? await gracefulShutdown()
        try? FileManager.default.removeItem(atPath: path)
    }
}
