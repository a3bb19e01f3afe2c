import ArbConfig
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The running host's control channel: a Unix socket beside its pid file (`.arbhost.sock`,
/// owner-only), one request per connection, one line in and the answer out. `arbhost reload`
/// uses it to learn the outcome of a reload; later commands (halt, resume, status) join it.
///
/// Requests run on this service's thread, as any control operation does: what changes trading
/// state goes to the engine through its inbound queue, between two events.
public struct ControlSocketService: Service {
    let host: HostRuntime
    let path: String

    public init(host: HostRuntime, path: String) {
        self.host = host
        self.path = path
    }

    public func run() async throws {
        let server = ControlServer(host: host, path: path)
        guard server.open() else { return }
        server.start()
        try? await gracefulShutdown()
        server.stop()
    }
}

/// The requests the channel answers.
public enum ControlRequest {
    /// Answers a request line. The first answer line is the outcome (`applied <version>`,
    /// `unchanged`, `rejected`, `error …`); detail lines follow.
    public static func answer(_ line: String, host: HostRuntime) -> [String] {
        switch line.trimmingCharacters(in: .whitespacesAndNewlines) {
        case "reload":
            let (outcome, swaps) = host.reloadNow()
            var lines: [String]
            switch outcome {
            case .applied(let version)?: lines = ["applied \(version.number)"] + version.summary
            case .rejected(let errors)?: lines = ["rejected"] + errors.map(\.description)
            case .unchanged?, nil: lines = ["unchanged"]
            }
            return lines + swaps
        case "status":
            let version = host.configManager?.versions.last?.number ?? 0
            return ["running", "config version \(version)", "events \(host.engine.eventsProcessed)"]
        case let other:
            return ["error unknown request '\(other.prefix(40))' (known: reload, status)"]
        }
    }
}

/// The socket and the thread that serves it.
final class ControlServer: @unchecked Sendable {
    private let host: HostRuntime
    private let path: String
    private var fd: Int32 = -1
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let logger = Logger(label: "control")

    init(host: HostRuntime, path: String) {
        self.host = host
        self.path = path
    }

    /// Binds the socket, readable and writable by this user only; false (logged) if it cannot.
    func open() -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            logger.warning("no control socket: its path \(path) is longer than \(capacity - 1) bytes; `arbhost reload` falls back to SIGHUP")
            return false
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        unlink(path)  // a socket left by a killed host
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return fail("socket") }
        let previous = umask(0o077)  // created owner-only, never briefly open to others
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previous)
        guard bound == 0 else { return fail("bind \(path)") }
        chmod(path, 0o600)
        guard listen(fd, 8) == 0 else { return fail("listen") }
        return true
    }

    private func fail(_ what: String) -> Bool {
        logger.warning("no control socket (\(what): \(String(cString: strerror(errno)))); `arbhost reload` falls back to SIGHUP")
        if fd >= 0 { close(fd) }
        fd = -1
        return false
    }

    func start() {
        Thread.detachNewThread { [self] in
            while !stopping.load(ordering: .acquiring) {
                var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&ready, 1, 100) > 0 else { continue }
                let client = accept(fd, nil, nil)
                if client >= 0 { serve(client) }
            }
            finished.signal()
        }
    }

    /// Reads one request line (at most 256 bytes, 2 s) and writes the answer.
    private func serve(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while bytes.count < 256, !bytes.contains(UInt8(ascii: "\n")) {
            let n = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[..<n]
        }
        let line = String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let answer = ControlRequest.answer(line, host: host).joined(separator: "\n") + "\n"
        var remaining = Array(answer.utf8)[...]
        while !remaining.isEmpty {
            let n = remaining.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            remaining = remaining.dropFirst(n)
        }
    }

    func stop() {
        guard fd >= 0 else { return }
        stopping.store(true, ordering: .releasing)
        finished.wait()
        close(fd)
        unlink(path)
    }
}
