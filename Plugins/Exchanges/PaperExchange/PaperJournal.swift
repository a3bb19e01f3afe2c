import ArbSDK
import Glibc
import ArbBook
import ArbModel

/// Why the journal could not be opened, read or written.
public enum PaperJournalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A system call failed (`errno` from Glibc).
    case io(operation: String, path: String, errno: Int32)
    /// A complete line before the committed end of the file does not parse (real corruption,
    /// not a crash mid-write, which only ever tears the tail).
    case corrupt(line: Int, reason: String)
    /// A record does not fit the venue it is replayed into (unknown instrument or order).
    case inconsistent(line: Int, reason: String)
    /// A record names its instrument by the host's handle (`"ins"`), as journals of older builds
    /// did: handles can differ from one run to the next, so the journal is refused, not guessed at.
    case instrumentHandles(path: String, line: Int)
    /// A committed record names an instrument the venue is not configured with now.
    case unknownInstrument(path: String, line: Int, instrument: PaperInstrumentName, configured: [PaperInstrumentName])

    public var description: String {
        switch self {
        case .io(let operation, let path, let errno): "\(operation) \(path): errno \(errno)"
        case .corrupt(let line, let reason): "journal line \(line) is corrupt: \(reason)"
        case .inconsistent(let line, let reason): "journal record \(line) does not apply: \(reason)"
        case .instrumentHandles(let path, let line):
            "journal \(path) line \(line) was written by an older build: names instrument handles; move the journal aside"
        case .unknownInstrument(let path, let line, let instrument, let configured):
            "journal \(path) line \(line) names \(instrument), which this venue is not configured with (configured: "
                + (configured.isEmpty ? "none" : configured.map(\.description).joined(separator: ", "))
                + "); configure it, or move the journal aside"
        }
    }
}

/// An append-only JSON-lines journal of the venue's state changes (`PaperJournalRecord`).
///
/// Records are buffered by `append` and written by `flush` as one batch: a single write(2)
/// whose last line carries `"end":true`, then fsync(2) when durable. Recovery keeps only whole
/// batches, so a crash mid-write (a torn line, or a batch cut short) loses the interrupted call
/// entirely and never half of it. Lines are numbered (`"n"`) to detect a lost line.
/// Records name instruments by the venue's symbol and kind (`PaperInstrumentName`), mapped to
/// the handles of the instruments the journal is opened with.
///
/// `durable: true` (live): an existing file is read back (`recovered`), its torn tail cut off,
/// and new batches appended, each fsynced. `durable: false` (backtests/replays): the file is
/// truncated at open and never fsynced.
public final class PaperJournal {
    public let path: String
    public let durable: Bool
    /// The committed records found in the file at open (always empty when not durable);
    /// `PaperExchange` drops them once replayed, so a long history is not held twice.
    public private(set) var recovered: [PaperJournalRecord]
    /// Bytes of an uncommitted tail removed at open (0 after a clean shutdown).
    public let discardedTailBytes: Int
    /// The number of fsync(2) calls made so far (0 when not durable).
    public private(set) var syncCount = 0
    /// The number of the last record written (or recovered).
    public private(set) var lastSequence: UInt64
    /// The venue's instruments, by handle and by name.
    let instruments: PaperJournalInstruments
    private let fd: Int32
    private var pending: [PaperJournalRecord] = []

    /// Opens (creating if needed) the journal of a venue with `instruments` at `path`; see the
    /// type's documentation for modes. A record naming an instrument that is not one of
    /// `instruments` is refused (`unknownInstrument`).
    public init(path: String, durable: Bool, instruments: [PaperInstrument]) throws(PaperJournalError) {
        self.path = path
        self.durable = durable
        self.instruments = PaperJournalInstruments(instruments)
        var scan = Scan()
        var existing = 0
        let created = access(path, F_OK) != 0
        if durable && !created {
            // Recovery reads the file to its end: a device or FIFO would never end (or lie).
            var info = stat()
            guard stat(path, &info) == 0 else { throw .io(operation: "stat", path: path, errno: errno) }
            guard info.st_mode & S_IFMT == S_IFREG else { throw .io(operation: "open (not a regular file)", path: path, errno: EINVAL) }
            let bytes = try Self.readAll(path)
            scan = try Self.scan(bytes, path: path, instruments: self.instruments)
            existing = bytes.count
        }
        let flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (durable ? 0 : O_TRUNC)
        let fd = Glibc.open(path, flags, 0o644)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        self.fd = fd
        recovered = scan.records
        lastSequence = scan.sequence
        discardedTailBytes = existing - scan.committedLength
        if discardedTailBytes > 0 {
            // Cut the torn tail now, or the next append would be glued onto half a line.
            guard ftruncate(fd, off_t(scan.committedLength)) == 0 else {
                throw .io(operation: "ftruncate", path: path, errno: errno)
            }
            try sync()
        }
        if durable && created {
            // A new file's directory entry must be durable too, or a crash can lose the file.
            let directory = Self.directory(of: path)
            let dfd = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard dfd >= 0 else { throw .io(operation: "open", path: directory, errno: errno) }
            defer { close(dfd) }
            guard fsync(dfd) == 0 else { throw .io(operation: "fsync", path: directory, errno: errno) }
        }
    }

    deinit { close(fd) }

    /// Releases the recovered records (after they were replayed).
    public func dropRecovered() { recovered = [] }

    /// Queues a record for the next `flush`.
    public func append(_ record: PaperJournalRecord) { pending.append(record) }

    /// Queues records for the next `flush`, in order.
    public func append(_ records: [PaperJournalRecord]) { pending.append(contentsOf: records) }

    /// Writes the queued records as one committed batch (one write(2), then fsync(2) if durable).
    /// When this returns, the batch is complete in the file (and on stable storage if durable).
    public func flush() throws(PaperJournalError) {
        guard !pending.isEmpty else { return }
        var text = ""
        let before = lastSequence
        for (k, record) in pending.enumerated() {
            lastSequence += 1
            do throws(PaperJournalError) {
                text += try record.encoded(sequence: lastSequence, commit: k == pending.count - 1, instruments: instruments)
            } catch {
                // Nothing of the batch was written (a record of an instrument the venue does not have).
                lastSequence = before
                pending.removeAll(keepingCapacity: true)
                throw error
            }
            text += "\n"
        }
        pending.removeAll(keepingCapacity: true)
        var utf8 = Array(text.utf8)
        // One write(2) normally; the loop only resumes after a signal or a short write.
        let failed: Int32? = utf8.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
        if let failed { throw .io(operation: "write", path: path, errno: failed) }
        if durable { try sync() }
    }

    /// The committed records of the journal at `path` of a venue with `instruments`, ignoring a
    /// torn tail (read-only).
    public static func read(path: String, instruments: [PaperInstrument]) throws(PaperJournalError) -> [PaperJournalRecord] {
        try scan(readAll(path), path: path, instruments: PaperJournalInstruments(instruments)).records
    }

    private func sync() throws(PaperJournalError) {
        guard durable else { return }
        guard fsync(fd) == 0 else { throw .io(operation: "fsync", path: path, errno: errno) }
        syncCount += 1
    }

    // MARK: - Reading

    /// The committed prefix of a journal file.
    struct Scan {
        var records: [PaperJournalRecord] = []
        var committedLength = 0
        var sequence: UInt64 = 0
    }

    /// Splits the bytes into lines and keeps the records of whole batches. A line without its
    /// newline, or that does not parse, ends the scan; it is a torn tail unless a committed
    /// batch follows it, which would mean corruption in the middle of the file. A record naming
    /// an instrument by handle (older builds) is refused at once; one naming an instrument not
    /// in `instruments` is refused when its batch commits (a batch cut short is dropped anyway).
    static func scan(_ bytes: [UInt8], path: String, instruments: PaperJournalInstruments) throws(PaperJournalError) -> Scan {
        var result = Scan()
        var batch: [PaperJournalRecord] = []
        var sequence: UInt64 = 0
        var failure: (line: Int, reason: String)?
        var unknown: PaperJournalError?
        var start = 0, line = 0
        while start < bytes.count, let newline = bytes[start...].firstIndex(of: 0x0A) {
            line += 1
            let fields = JSONFields.parse(bytes[start..<newline])
            defer { start = newline + 1 }
            if let failure {
                if let fields, (try? fields.bool("end")) == true {
                    throw .corrupt(line: failure.line, reason: failure.reason)
                }
                continue
            }
            guard let fields else { failure = (line, "not a flat JSON object"); continue }
            var record: PaperJournalRecord?
            switch PaperJournalRecord.decode(fields, instruments: instruments) {
            case .failure(.field(let error)):
                failure = (line, "field \(error)")
                continue
            case .failure(.handle):
                throw .instrumentHandles(path: path, line: line)
            case .failure(.unknownInstrument(let name)):
                if unknown == nil {
                    unknown = .unknownInstrument(path: path, line: line, instrument: name, configured: instruments.configured)
                }
            case .success(let decoded):
                record = decoded
            }
            guard (try? fields.int("n")) == Int64(truncatingIfNeeded: sequence + 1) else {
                failure = (line, "record number is not \(sequence + 1)")
                continue
            }
            sequence += 1
            if let record { batch.append(record) }
            if (try? fields.bool("end")) == true {
                if let unknown { throw unknown }
                result.records.append(contentsOf: batch)
                batch.removeAll()
                result.committedLength = newline + 1
                result.sequence = sequence
            }
        }
        return result
    }

    /// The whole file (empty if it does not exist).
    static func readAll(_ path: String) throws(PaperJournalError) -> [UInt8] {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return [] }
            throw .io(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "read", path: path, errno: errno)
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
