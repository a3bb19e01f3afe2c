import Foundation

/// The checks a plugin file passes before `dlopen` sees it.
///
/// `dlopen` trusts the file's layout: it maps each `PT_LOAD` segment at the length the program
/// header gives and then touches it (zero-fills the tail of the last page, reads the dynamic
/// section). A segment that runs past the end of the file maps pages with nothing behind them,
/// and the first touch kills the process with SIGBUS. A file cut short (an interrupted copy, a
/// build still being written into a watched plugin folder) is exactly that. This check reads the
/// bytes and refuses such a file with a reason instead.
///
/// Accepted: an ELF64 little-endian shared object (`ET_DYN`, version 1) for x86_64 or aarch64,
/// whose program header table, loadable segments, dynamic section (terminated, its tables
/// inside the loaded segments) and section header table all lie within the file. Every
/// offset + size is computed with checked arithmetic. Segments are numbered by their index in
/// the program header table, from 0 (as in `readelf -l`'s segment-to-section mapping).
public struct PluginImageCheck: Sendable {
    /// What is wrong with a file; the first problem found, in the order a loader meets them.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file could not be read (the system's reason).
        case unreadable(String)
        /// The file does not start with the ELF magic `7f 45 4c 46` (its first bytes, up to 4).
        case notELF(firstBytes: [UInt8])
        /// The ELF magic is there but the file ends inside the 64-byte ELF header.
        case headerCutShort(fileSize: Int)
        /// `EI_CLASS` is not ELFCLASS64.
        case unsupportedClass(UInt8)
        /// `EI_DATA` is not ELFDATA2LSB (little-endian).
        case unsupportedByteOrder(UInt8)
        /// `EI_VERSION` or `e_version` is not EV_CURRENT (1).
        case unsupportedVersion(UInt32)
        /// `e_type` is not ET_DYN.
        case notSharedObject(type: UInt16)
        /// `e_machine` is neither EM_X86_64 nor EM_AARCH64.
        case unsupportedMachine(UInt16)
        /// `e_phentsize` is not the size of an ELF64 program header (56).
        case programHeaderEntrySize(UInt16)
        /// `e_phnum` is 0.
        case noProgramHeaders
        /// `e_shentsize` is not the size of an ELF64 section header (64).
        case sectionHeaderEntrySize(UInt16)
        /// A header table runs past the end of the file.
        case tableOutsideFile(Table, end: UInt64, fileSize: Int)
        /// An offset + size (or address + size) does not fit in 64 bits.
        case overflow(String)
        /// A segment's bytes in the file, `[p_offset, p_offset + p_filesz)`, run past its end.
        case segmentOutsideFile(index: Int, type: UInt32, end: UInt64, fileSize: Int)
        /// A `PT_LOAD` segment's `p_filesz` is larger than its `p_memsz`.
        case segmentLargerInFileThanInMemory(index: Int, fileSize: UInt64, memorySize: UInt64)
        /// A `PT_LOAD` segment's `p_vaddr` is below the previous one's (they must be sorted).
        case loadSegmentsOutOfOrder(index: Int)
        /// No `PT_LOAD` segment: nothing to map.
        case noLoadSegment
        /// No `PT_DYNAMIC` segment.
        case noDynamicSegment
        /// The `PT_DYNAMIC` segment is not inside the file-backed part of one `PT_LOAD` segment.
        case dynamicOutsideLoadSegments(index: Int)
        /// The dynamic section has no `DT_NULL` entry within its `p_filesz` bytes.
        case dynamicNotTerminated(index: Int)
        /// A table the dynamic section points at lies outside every `PT_LOAD` segment's memory.
        case dynamicTableOutsideSegments(tag: String, start: UInt64, end: UInt64)

        /// The header tables a check covers.
        public enum Table: String, Sendable, Equatable {
            case programHeaders = "program header table"
            case sectionHeaders = "section header table"
        }

        public var description: String {
            switch self {
            case .unreadable(let detail):
                return "cannot be read: \(detail)"
            case .notELF(let first):
                if first.isEmpty { return "not an ELF file: the file is empty" }
                return "not an ELF file: it starts with \(Self.hex(first)), not the ELF magic 7f 45 4c 46"
            case .headerCutShort(let size):
                return "the ELF header needs 64 bytes but the file has \(size) bytes"
            case .unsupportedClass(let c):
                return "ELF class \(c)\(c == 1 ? " (32-bit)" : ""); this host loads only 64-bit ELF (class 2)"
            case .unsupportedByteOrder(let d):
                return "ELF data encoding \(d)\(d == 2 ? " (big-endian)" : ""); this host loads only little-endian ELF (1)"
            case .unsupportedVersion(let v):
                return "ELF version \(v); only version 1 exists"
            case .notSharedObject(let type):
                let name = [0: "ET_NONE", 1: "ET_REL, an object file", 2: "ET_EXEC, an executable", 4: "ET_CORE, a core dump"][type]
                return "ELF type \(type)\(name.map { " (\($0))" } ?? ""); a plugin must be a shared object (ET_DYN, 3)"
            case .unsupportedMachine(let m):
                return "built for machine \(m) (e_machine); this host loads x86_64 (62) or aarch64 (183)"
            case .programHeaderEntrySize(let size):
                return "e_phentsize is \(size), not the 56 bytes of an ELF64 program header"
            case .noProgramHeaders:
                return "the ELF header lists no program headers (e_phnum is 0)"
            case .sectionHeaderEntrySize(let size):
                return "e_shentsize is \(size), not the 64 bytes of an ELF64 section header"
            case .tableOutsideFile(let table, let end, let size):
                return "the \(table.rawValue) ends at byte \(end) but the file has \(size) bytes"
            case .overflow(let what):
                return "\(what) overflows 64 bits"
            case .segmentOutsideFile(let index, let type, let end, let size):
                return "\(Self.segmentName(type)) segment \(index) ends at byte \(end) but the file has \(size) bytes"
            case .segmentLargerInFileThanInMemory(let index, let fileSize, let memorySize):
                return "PT_LOAD segment \(index) has p_filesz \(fileSize), larger than its p_memsz \(memorySize)"
            case .loadSegmentsOutOfOrder(let index):
                return "PT_LOAD segment \(index) starts below the PT_LOAD segment before it (they must be sorted by p_vaddr)"
            case .noLoadSegment:
                return "no PT_LOAD segment: nothing to map"
            case .noDynamicSegment:
                return "no PT_DYNAMIC segment: a shared object needs a dynamic section"
            case .dynamicOutsideLoadSegments(let index):
                return "the PT_DYNAMIC segment \(index) does not lie within the file bytes of a PT_LOAD segment"
            case .dynamicNotTerminated(let index):
                return "the dynamic section (segment \(index)) has no DT_NULL entry to end it"
            case .dynamicTableOutsideSegments(let tag, let start, let end):
                return "the dynamic entry \(tag) points at 0x\(String(start, radix: 16))..<0x\(String(end, radix: 16)), outside every PT_LOAD segment"
            }
        }

        static func hex(_ bytes: [UInt8]) -> String {
            bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
        }

        static func segmentName(_ type: UInt32) -> String {
            switch type {
            case PT.load: "PT_LOAD"
            case PT.dynamic: "PT_DYNAMIC"
            case PT.interp: "PT_INTERP"
            case PT.note: "PT_NOTE"
            case PT.phdr: "PT_PHDR"
            case PT.tls: "PT_TLS"
            case PT.gnuEHFrame: "PT_GNU_EH_FRAME"
            case PT.gnuRelro: "PT_GNU_RELRO"
            case PT.gnuProperty: "PT_GNU_PROPERTY"
            default: "type 0x\(String(type, radix: 16))"
            }
        }
    }

    /// Segment types (`p_type`).
    enum PT {
        static let load: UInt32 = 1
        static let dynamic: UInt32 = 2
        static let interp: UInt32 = 3
        static let note: UInt32 = 4
        static let phdr: UInt32 = 6
        static let tls: UInt32 = 7
        static let gnuEHFrame: UInt32 = 0x6474_e550
        static let gnuRelro: UInt32 = 0x6474_e552
        static let gnuProperty: UInt32 = 0x6474_e553
        /// The types whose file bytes a loader (or the unwinder, or the TLS setup) reads.
        static let read: Set<UInt32> = [load, dynamic, interp, note, phdr, tls, gnuEHFrame, gnuRelro, gnuProperty]
    }

    static let headerSize = 64
    static let programHeaderSize: UInt64 = 56
    static let sectionHeaderSize: UInt64 = 64
    static let dynamicEntrySize: UInt64 = 16
    static let machineX86_64: UInt16 = 62
    static let machineAArch64: UInt16 = 183

    /// The file's bytes.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Reads the whole file at `path`.
    public init(contentsOf path: String) throws(Problem) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        var all: [UInt8] = []
        if fstat(fd, &info) == 0, info.st_size > 0 { all.reserveCapacity(Int(info.st_size)) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(String(cString: strerror(errno)))
            }
            all.append(contentsOf: buffer[0..<n])
        }
        bytes = all
    }

    /// Reads and checks the file at `path`.
    public static func check(_ path: String) throws(Problem) {
        try PluginImageCheck(contentsOf: path).validate()
    }

    /// Throws the first problem that would make `dlopen` refuse the file or crash on it.
    public func validate() throws(Problem) {
        let size = bytes.count
        let fileSize = UInt64(size)

        // The ELF identification and header.
        guard size >= 4, bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else {
            throw .notELF(firstBytes: Array(bytes.prefix(4)))
        }
        guard size >= Self.headerSize else { throw .headerCutShort(fileSize: size) }
        guard bytes[4] == 2 else { throw .unsupportedClass(bytes[4]) }
        guard bytes[5] == 1 else { throw .unsupportedByteOrder(bytes[5]) }
        guard bytes[6] == 1 else { throw .unsupportedVersion(UInt32(bytes[6])) }
        let type: UInt16 = load(16)
        guard type == 3 else { throw .notSharedObject(type: type) }
        let machine: UInt16 = load(18)
        guard machine == Self.machineX86_64 || machine == Self.machineAArch64 else { throw .unsupportedMachine(machine) }
        let version: UInt32 = load(20)
        guard version == 1 else { throw .unsupportedVersion(version) }
        let phoff: UInt64 = load(32)
        let shoff: UInt64 = load(40)
        let phentsize: UInt16 = load(54)
        let phnum: UInt16 = load(56)
        let shentsize: UInt16 = load(58)
        let shnum: UInt16 = load(60)

        // The program header table.
        guard phnum > 0 else { throw .noProgramHeaders }
        guard UInt64(phentsize) == Self.programHeaderSize else { throw .programHeaderEntrySize(phentsize) }
        let phend = try end(phoff, UInt64(phnum) * Self.programHeaderSize, "the program header table (e_phoff \(phoff))")
        guard phend <= fileSize else { throw .tableOutsideFile(.programHeaders, end: phend, fileSize: size) }

        // The segments.
        var loads: [Segment] = []
        var dynamics: [Segment] = []
        for index in 0..<Int(phnum) {
            let at = Int(phoff) + index * Int(Self.programHeaderSize)
            let s = Segment(index: index, type: load(at), offset: load(at + 8), address: load(at + 16),
                            fileSize: load(at + 32), memorySize: load(at + 40))
            guard PT.read.contains(s.type) else { continue }
            let name = "\(Problem.segmentName(s.type)) segment \(index)"
            let fileEnd = try end(s.offset, s.fileSize, "\(name): p_offset \(s.offset) + p_filesz \(s.fileSize)")
            if s.fileSize > 0, fileEnd > fileSize {
                throw .segmentOutsideFile(index: index, type: s.type, end: fileEnd, fileSize: size)
            }
            _ = try end(s.address, s.memorySize, "\(name): p_vaddr 0x\(String(s.address, radix: 16)) + p_memsz \(s.memorySize)")
            if s.type == PT.load {
                guard s.fileSize <= s.memorySize else {
                    throw .segmentLargerInFileThanInMemory(index: index, fileSize: s.fileSize, memorySize: s.memorySize)
                }
                if let previous = loads.last, s.address < previous.address { throw .loadSegmentsOutOfOrder(index: index) }
                loads.append(s)
            } else if s.type == PT.dynamic {
                dynamics.append(s)
            }
        }
        guard !loads.isEmpty else { throw .noLoadSegment }
        guard !dynamics.isEmpty else { throw .noDynamicSegment }

        // The dynamic section: read here at its file offset and by the loader at its address, so
        // both must be where one load maps it.
        for dynamic in dynamics {
            let inLoad = loads.contains { l in
                dynamic.offset >= l.offset && dynamic.offset + dynamic.fileSize <= l.offset + l.fileSize
                    && dynamic.address >= l.address && dynamic.address - l.address == dynamic.offset - l.offset
            }
            guard inLoad else { throw .dynamicOutsideLoadSegments(index: dynamic.index) }
            try checkDynamic(dynamic, loads)
        }

        // The section header table (the loader does not need it, but a cut file loses it first).
        if shoff != 0 {
            guard UInt64(shentsize) == Self.sectionHeaderSize else { throw .sectionHeaderEntrySize(shentsize) }
            var count = UInt64(shnum)
            if count == 0 {
                // More sections than e_shnum holds: the count is in section header 0's sh_size.
                let first = try end(shoff, Self.sectionHeaderSize, "the section header table (e_shoff \(shoff))")
                guard first <= fileSize else { throw .tableOutsideFile(.sectionHeaders, end: first, fileSize: size) }
                count = max(load(Int(shoff) + 32) as UInt64, 1)
            }
            let (length, overflowed) = count.multipliedReportingOverflow(by: Self.sectionHeaderSize)
            if overflowed { throw .overflow("the section header table's size (\(count) entries)") }
            let shend = try end(shoff, length, "the section header table (e_shoff \(shoff))")
            guard shend <= fileSize else { throw .tableOutsideFile(.sectionHeaders, end: shend, fileSize: size) }
        }
    }

    /// A program header's fields the check uses.
    struct Segment {
        var index: Int
        var type: UInt32
        var offset: UInt64
        var address: UInt64
        var fileSize: UInt64
        var memorySize: UInt64
    }

    /// Dynamic tags whose value is the address of a table the loader reads, with the tag of the
    /// table's size in bytes (nil: a size the loader finds elsewhere; one byte is checked).
    static let dynamicTables: [(tag: UInt64, name: String, sizeTag: UInt64?)] = [
        (4, "DT_HASH", nil), (5, "DT_STRTAB", 10), (6, "DT_SYMTAB", nil), (7, "DT_RELA", 8),
        (17, "DT_REL", 18), (23, "DT_JMPREL", 2), (25, "DT_INIT_ARRAY", 27), (26, "DT_FINI_ARRAY", 28),
        (36, "DT_RELR", 35), (0x6fff_fef5, "DT_GNU_HASH", nil), (0x6fff_fff0, "DT_VERSYM", nil),
        (0x6fff_fffc, "DT_VERDEF", nil), (0x6fff_fffe, "DT_VERNEED", nil),
    ]

    /// The dynamic section ends with DT_NULL, and the tables it names lie in loaded memory.
    private func checkDynamic(_ dynamic: Segment, _ loads: [Segment]) throws(Problem) {
        var values: [UInt64: UInt64] = [:]
        var terminated = false
        let count = Int(dynamic.fileSize / Self.dynamicEntrySize)
        for i in 0..<count {
            let at = Int(dynamic.offset) + i * Int(Self.dynamicEntrySize)
            let tag: UInt64 = load(at)
            if tag == 0 { terminated = true; break }
            if values[tag] == nil { values[tag] = load(at + 8) }
        }
        guard terminated else { throw .dynamicNotTerminated(index: dynamic.index) }
        for table in Self.dynamicTables {
            guard let start = values[table.tag] else { continue }
            let length = table.sizeTag.flatMap { values[$0] } ?? 1
            guard length > 0 else { continue }
            let tableEnd = try end(start, length, "the dynamic entry \(table.name) (0x\(String(start, radix: 16)) + \(length))")
            let inside = loads.contains { start >= $0.address && tableEnd <= $0.address + $0.memorySize }
            guard inside else { throw .dynamicTableOutsideSegments(tag: table.name, start: start, end: tableEnd) }
        }
    }

    /// `start + length`, or the overflow named by `what`.
    private func end(_ start: UInt64, _ length: UInt64, _ what: @autoclosure () -> String) throws(Problem) -> UInt64 {
        let (sum, overflowed) = start.addingReportingOverflow(length)
        if overflowed { throw .overflow(what()) }
        return sum
    }

    /// A little-endian integer at `offset`; the caller has checked that it lies in the file.
    private func load<T: FixedWidthInteger>(_ offset: Int) -> T {
        precondition(offset >= 0 && offset <= bytes.count - MemoryLayout<T>.size, "ELF read outside the checked range")
        return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }
}
