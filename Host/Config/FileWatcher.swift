import ArbModel
import ArbPlugins
import ArbSDK
import Foundation
import Glibc
import Logging

/// Watches files with inotify and reports each settled change once.
///
/// It watches the files' folders, so an atomic replace (write a temp file, rename it over) and
/// an in-place rewrite (truncate, write, close) are both seen; only "closed after writing" and
/// "moved into place" count, and a change is reported after `debounce` of quiet (at most
/// `maximumDelay` after the first event), so the several events of one edit give one report.
public final class FileWatcher: @unchecked Sendable {
    public typealias Handler = @Sendable ([String]) -> Void

    private let fd: Int32
    private var wakePipe: [Int32] = [-1, -1]
    private var watches: [Int32: String] = [:]  // watch descriptor → folder
    private let names: Set<String>?              // nil: every file whose name ends in `suffix`
    private let suffix: String
    private let debounce: Int64
    private let maximumDelay: Int64
    private let handler: Handler
    private var thread: Thread?
    private let logger = Logger(label: "watcher")

    /// - Parameters:
    ///   - files: absolute paths of files to watch (their folders are watched).
    ///   - folders: folders in which every file ending in `suffix` is watched.
    public init(files: [String] = [], folders: [String] = [], suffix: String = ".so",
                debounceNanoseconds: Int64 = 15_000_000, maximumDelayNanoseconds: Int64 = 200_000_000,
                handler: @escaping Handler) throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        self.suffix = suffix
        debounce = debounceNanoseconds
        maximumDelay = maximumDelayNanoseconds
        self.handler = handler
        names = files.isEmpty ? nil : Set(files.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO)
        var dirs = Set(folders.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        for f in files { dirs.insert(URL(fileURLWithPath: f).standardizedFileURL.deletingLastPathComponent().path) }
        for dir in dirs {
            let wd = inotify_add_watch(fd, dir, mask)
            if wd >= 0 { watches[wd] = dir } else { logger.warning("cannot watch \(dir): \(String(cString: strerror(errno)))") }
        }
        guard pipe(&wakePipe) == 0 else { throw POSIXError(.EIO) }
    }

    deinit {
        stop()
        close(fd)
        close(wakePipe[0])
        close(wakePipe[1])
    }

    /// Starts the watching thread.
    public func start() {
        let t = Thread { [unowned self] in self.run() }
        t.name = "arbhost-watcher"
        thread = t
        t.start()
    }

    /// Stops the watching thread and waits for it.
    public func stop() {
        guard let t = thread else { return }
        thread = nil
        var byte: UInt8 = 1
        _ = write(wakePipe[1], &byte, 1)
        while !t.isFinished { usleep(1000) }
    }

    private func run() {
        var pending = Set<String>()
        var firstAt: Int64 = 0, lastAt: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var timeout: Int32 = -1
            if !pending.isEmpty {
                let now = Self.monotonic()
                let due = min(lastAt + debounce, firstAt + maximumDelay)
                if now >= due {
                    let changed = pending.sorted()
                    pending.removeAll()
                    handler(changed)
                    continue
                }
                timeout = Int32(max(1, (due - now + 999_999) / 1_000_000))
            }
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakePipe[0], events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, timeout)
            if ready < 0 && errno != EINTR { return }
            if fds[1].revents != 0 { return }
            guard fds[0].revents != 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { continue }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= n {
                let (wd, length, name) = buffer.withUnsafeBytes { raw -> (Int32, Int, String) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let start = offset + MemoryLayout<inotify_event>.size
                    let bytes = raw[start..<min(start + Int(event.len), raw.count)].prefix { $0 != 0 }
                    return (event.wd, Int(event.len), String(decoding: bytes, as: UTF8.self))
                }
                offset += MemoryLayout<inotify_event>.size + length
                guard let dir = watches[wd], !name.isEmpty else { continue }
                let path = dir + "/" + name
                let wanted = names.map { $0.contains(path) } ?? name.hasSuffix(suffix)
                guard wanted else { continue }
                let now = Self.monotonic()
                if pending.isEmpty { firstAt = now }
                lastAt = now
                pending.insert(path)
            }
        }
    }

    static func monotonic() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
