import ArbSDK
import ArbModel
import CZlib
import Glibc

/// A recorded capture held in memory: one message a line, `<local_receive_ns> <json>`.
///
/// Decompression happens once, up front (`load`), so replay timing measures the work on the
/// messages, not zlib.
public final class Capture: @unchecked Sendable {
    public let bytes: [UInt8]
    /// Start and end (exclusive) of each line, without the newline.
    public let lines: [Range<Int>]
    /// Each line's receive time (ns) and its JSON, read once here rather than per visit.
    public let times: [Int64]
    let messages: [Range<Int>]

    public enum LoadError: Error, CustomStringConvertible {
        case cannotOpen(String)
        case corrupt(String)
        /// The gzip stream ends before its end marker: the file was cut short (a copy still in
        /// progress, a full disk). Replaying the part before would look like a complete run.
        case truncated(String, bytesRead: Int)
        public var description: String {
            switch self {
            case .cannotOpen(let path): "cannot open capture \(path)"
            case .corrupt(let path): "capture \(path) is not a readable gzip or text file"
            case .truncated(let path, let count):
                "capture \(path) is cut short: its gzip stream ends without its end marker after \(count) bytes of data"
            }
        }
    }

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        var lines: [Range<Int>] = []
        lines.reserveCapacity(bytes.count / 120)
        var start = 0
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            while start < b.count, let hit = memchr(base + start, 0x0A, b.count - start) {
                let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if i > start { lines.append(start..<i) }
                start = i + 1
            }
        }
        if start < bytes.count { lines.append(start..<bytes.count) }
        self.lines = lines
        var times: [Int64] = [], messages: [Range<Int>] = []
        times.reserveCapacity(lines.count)
        messages.reserveCapacity(lines.count)
        bytes.withUnsafeBufferPointer { b in
            for range in lines {
                var time: Int64 = 0
                var i = range.lowerBound
                while i < range.upperBound, b[i] >= 0x30, b[i] <= 0x39 {
                    time = time &* 10 &+ Int64(b[i] &- 0x30)
                    i += 1
                }
                while i < range.upperBound, b[i] == 0x20 { i += 1 }
                times.append(time)
                messages.append(i..<range.upperBound)
            }
        }
        self.times = times
        self.messages = messages
    }

    /// Reads a `.gz` (or plain) capture file whole.
    public static func load(path: String) throws(LoadError) -> Capture {
        guard let file = gzopen(path, "rb") else { throw .cannotOpen(path) }
        defer { gzclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 { throw .corrupt(path) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<Int(n)])
        }
        // gzread reports a stream that stops early as end of file; zlib keeps the reason.
        var code: Int32 = Z_OK
        _ = gzerror(file, &code)
        if code == Z_BUF_ERROR { throw .truncated(path, bytesRead: bytes.count) }
        if code != Z_OK && code != Z_STREAM_END { throw .corrupt(path) }
        return Capture(bytes: bytes)
    }

    /// The receive time and the JSON of line `index`.
    @inline(__always)
    public func withLine<R>(_ index: Int, _ body: (Int64, UnsafeRawBufferPointer) -> R) -> R {
        let time = times[index], range = messages[index]
        return bytes.withUnsafeBytes { all in body(time, UnsafeRawBufferPointer(rebasing: all[range])) }
    }
}
