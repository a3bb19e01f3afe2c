import Foundation

/// The command line's side of the control channel: one request, the answer's lines.
public enum ControlClient {
    public static func request(_ line: String, socket path: String) -> Result<[String], ControlClientError> {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else { return .failure(.init("socket path too long: \(path)")) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(.init("socket: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return .failure(.init("cannot reach \(path): \(String(cString: strerror(errno)))")) }
        let request = Array((line + "\n").utf8)
        guard request.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == request.count else {
            return .failure(.init("cannot send to \(path)"))
        }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            answer += chunk[..<n]
        }
        let text = String(decoding: answer, as: UTF8.self)
        return .success(text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init))
    }
}

public struct ControlClientError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
