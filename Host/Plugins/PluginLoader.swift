import ArbModel
import ArbSDK
import Foundation
import Synchronization

/// Finds plugin files and loads them safely.
///
/// Each file is first copied to a unique private path and that copy is dlopen'ed with
/// `RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE`, then unlinked: glibc returns the old image when the
/// same path is opened twice, overwriting a mapped file crashes the process, and a Swift library
/// must never be unmapped. The copy's ELF layout is checked before dlopen (``PluginImageCheck``),
/// and the ABI version before any other call into the plugin.
public final class PluginLoader: Sendable {
    private let scratch: String
    private let counter = Atomic<Int>(0)

    /// The longest plugin id, name and version a descriptor may give, in bytes.
    public static let maximumIdLength = 128
    public static let maximumNameLength = 128
    public static let maximumVersionLength = 64
    static let idCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_".utf8)

    public init() {
        Self.removeAbandonedCopies(in: ProcessInfoLite.temporaryDirectory)
        // The folder names its process, so a later host can tell a killed run's leftovers.
        var template = Array("\(ProcessInfoLite.temporaryDirectory)/arbhost-plugins-\(getpid())-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        scratch = made.map { String(cString: $0) } ?? ProcessInfoLite.temporaryDirectory
    }

    deinit { rmdir(scratch) }

    /// Removes the copy folders of hosts that are gone (killed before they could clean up):
    /// `arbhost-plugins-<pid>-*` whose process no longer exists, and the unnamed ones of builds
    /// before the folder named its process. A live process's folder is left alone.
    public static func removeAbandonedCopies(in temporaryDirectory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporaryDirectory) else { return }
        for name in names where name.hasPrefix("arbhost-plugins-") {
            let parts = name.dropFirst("arbhost-plugins-".count).split(separator: "-", maxSplits: 1)
            if parts.count == 2, let pid = pid_t(parts[0]), kill(pid, 0) == 0 || errno == EPERM { continue }
            let folder = temporaryDirectory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue,
                  let owner = try? FileManager.default.attributesOfItem(atPath: folder)[.ownerAccountID] as? NSNumber,
                  owner.uint32Value == getuid() else { continue }
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// The `.so` files in `directories`, folder by folder in the order given; missing folders
    /// are skipped.
    public static func discover(in directories: [String]) -> [String] {
        var found: [String] = []
        var seenFolders: Set<String> = []
        for directory in directories.map(normalize) where seenFolders.insert(directory).inserted {
            guard let dir = opendir(directory) else { continue }
            defer { closedir(dir) }
            var names: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
                }
                guard name.hasSuffix(".so"), !name.hasPrefix(".") else { continue }
                names.append(name)
            }
            // Folder by folder, in the order given (the first folder's copy of a plugin id
            // wins); each folder's files by name.
            found += names.sorted().map { directory == "/" ? "/" + $0 : directory + "/" + $0 }
        }
        return found
    }

    /// A folder as one absolute, canonical path (symbolic links resolved when it exists), so
    /// the paths of loaded plugins and the paths the file watcher reports are the same strings
    /// however the folder was given (`plugins`, `./plugins/`, a link).
    public static func normalize(_ directory: String) -> String {
        var path = directory
        if !path.hasPrefix("/") {
            let cwd = FileManager.default.currentDirectoryPath
            path = cwd.hasSuffix("/") ? cwd + path : cwd + "/" + path
        }
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Loads one plugin file and checks its ABI and interface.
    public func load(_ path: String) throws(PluginLoadError) -> LoadedPlugin {
        func refuse(_ reason: PluginLoadError.Reason) -> PluginLoadError { PluginLoadError(file: path, reason: reason) }

        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let base = path.split(separator: "/").last.map(String.init) ?? "plugin.so"
        let mapped = "\(scratch)/\(getpid())-\(n)-\(base)"
        if let failure = Self.copy(path, to: mapped) { throw refuse(.unreadable(failure)) }
        defer { unlink(mapped) }

        // dlopen trusts the file's layout: a segment past the end of a cut-short file is mapped
        // anyway and the first touch is a SIGBUS. Check the copy it will map, which cannot change.
        do {
            try PluginImageCheck.check(mapped)
        } catch {
            switch error {
            case .unreadable(let detail): throw refuse(.unreadable(detail))
            case .notELF, .unsupportedClass, .unsupportedByteOrder, .unsupportedVersion, .notSharedObject,
                 .unsupportedMachine:
                throw refuse(.notASharedLibrary(error.description))
            default: throw refuse(.damagedImage(error))
            }
        }

        guard let handle = dlopen(mapped, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let detail = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            throw refuse(.notASharedLibrary(detail.replacingOccurrences(of: mapped, with: path)))
        }
        guard let symbol = dlsym(handle, ARB_PLUGIN_ENTRY_SYMBOL) else { throw refuse(.noEntrySymbol) }
        let entry = unsafeBitCast(symbol, to: arb_plugin_entry_t.self)
        guard let descriptor = entry(UInt32(ARB_ABI_MAJOR), UInt32(ARB_ABI_MINOR)) else {
            throw refuse(.entryReturnedNoDescriptor)
        }
        // The version fields come right after struct_size; read them before trusting the rest.
        let d = descriptor.pointee
        guard d.struct_size >= 12 else { throw refuse(.badDescriptor("struct_size \(d.struct_size) is too small")) }
        guard d.abi_major == UInt32(ARB_ABI_MAJOR) else {
            throw refuse(.abiMajorMismatch(host: UInt32(ARB_ABI_MAJOR), plugin: d.abi_major))
        }
        guard d.abi_minor <= UInt32(ARB_ABI_MINOR) else {
            // A newer minor only adds at the ends of structs: its id is where ours is, so the
            // refusal can name the id a configuration will look for.
            var refusal = refuse(.newerMinor(hostMinor: UInt32(ARB_ABI_MINOR), pluginMinor: d.abi_minor))
            let idEnd = MemoryLayout<arb_plugin_descriptor_t>.offset(of: \.id)! + MemoryLayout<UnsafeRawPointer>.size
            if Int(d.struct_size) >= idEnd, let id = d.id, strnlen(id, Self.maximumIdLength + 1) <= Self.maximumIdLength {
                refusal.pluginId = String(cString: id)
            }
            throw refusal
        }
        let needed = MemoryLayout<arb_plugin_descriptor_t>.offset(of: \.get_interface)! + MemoryLayout<UnsafeRawPointer>.size
        guard Int(d.struct_size) >= needed else {
            throw refuse(.badDescriptor("struct_size \(d.struct_size) is smaller than the v1 descriptor (\(needed))"))
        }
        guard let idPointer = d.id, let namePointer = d.name, let versionPointer = d.version else {
            throw refuse(.badDescriptor("id, name and version must be set"))
        }
        // Limits (README, "Names and ids"): an id is what configurations name and logs print.
        guard strnlen(idPointer, Self.maximumIdLength + 1) <= Self.maximumIdLength else {
            throw refuse(.badDescriptor("the id is longer than \(Self.maximumIdLength) bytes"))
        }
        let id = String(cString: idPointer)
        guard !id.isEmpty else { throw refuse(.badDescriptor("empty id")) }
        guard id.utf8.allSatisfy({ Self.idCharacters.contains($0) }) else {
            throw refuse(.badDescriptor("the id '\(id)' may hold only letters, digits, '.', '-' and '_'"))
        }
        guard strnlen(namePointer, Self.maximumNameLength + 1) <= Self.maximumNameLength,
              strnlen(versionPointer, Self.maximumVersionLength + 1) <= Self.maximumVersionLength else {
            throw refuse(.badDescriptor("the name is longer than \(Self.maximumNameLength) bytes or the version than \(Self.maximumVersionLength)"))
        }
        guard let getInterface = d.get_interface else { throw refuse(.badDescriptor("get_interface is NULL")) }

        let kind: PluginInfo.Kind
        var strategy: UnsafePointer<arb_strategy_v1_t>?
        var exchange: UnsafePointer<arb_exchange_v1_t>?
        switch d.kind {
        case ARB_PLUGIN_STRATEGY:
            kind = .strategy
            guard let table = getInterface(ARB_INTERFACE_STRATEGY) else { throw refuse(.missingInterface(ARB_INTERFACE_STRATEGY)) }
            let t = Self.currentLayout(table.assumingMemoryBound(to: arb_strategy_v1_t.self))
            guard t.pointee.create != nil, t.pointee.destroy != nil, t.pointee.start != nil, t.pointee.stop != nil
            else { throw refuse(.badDescriptor("the arb.strategy/1 table lacks create, destroy, start or stop")) }
            strategy = t
        case ARB_PLUGIN_EXCHANGE:
            kind = .exchange
            guard let table = getInterface(ARB_INTERFACE_EXCHANGE) else { throw refuse(.missingInterface(ARB_INTERFACE_EXCHANGE)) }
            let t = Self.currentLayout(table.assumingMemoryBound(to: arb_exchange_v1_t.self))
            guard t.pointee.create != nil, t.pointee.destroy != nil, t.pointee.connect != nil,
                  t.pointee.disconnect != nil, t.pointee.create_order != nil, t.pointee.cancel_order != nil
            else { throw refuse(.badDescriptor("the arb.exchange/1 table lacks create, destroy, connect, disconnect, create_order or cancel_order")) }
            exchange = t
        default:
            throw refuse(.badDescriptor("unknown kind \(d.kind) (1 strategy, 2 exchange)"))
        }
        let info = PluginInfo(kind: kind, id: id, name: String(cString: namePointer),
                              version: String(cString: versionPointer),
                              summary: d.description.map { String(cString: $0) } ?? "",
                              abiMajor: d.abi_major, abiMinor: d.abi_minor)
        return LoadedPlugin(path: path, mappedPath: mapped, info: info, handle: handle,
                            strategy: strategy, exchange: exchange)
    }

    /// A copy of an interface table in this host's layout: slots an older plugin's table does
    /// not have (beyond its struct_size) read as NULL. Kept for the life of the process.
    private static func currentLayout<T>(_ table: UnsafePointer<T>) -> UnsafePointer<T> {
        let declared = Int(UnsafeRawPointer(table).load(as: UInt32.self))
        let copy = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        copy.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.size)
        copy.copyMemory(from: table, byteCount: min(max(declared, 0), MemoryLayout<T>.size))
        return UnsafePointer(copy.assumingMemoryBound(to: T.self))
    }

    /// Copies a file byte for byte; returns why it failed, or nil.
    private static func copy(_ source: String, to destination: String) -> String? {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return String(cString: strerror(errno)) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o700)
        guard output >= 0 else { return "cannot create \(destination): \(String(cString: strerror(errno)))" }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n == 0 { return nil }
            if n < 0 { return String(cString: strerror(errno)) }
            var written = 0
            while written < n {
                let w = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, n - written) }
                if w < 0 { return String(cString: strerror(errno)) }
                written += w
            }
        }
    }
}

/// The few process facts the host needs, without Foundation.
enum ProcessInfoLite {
    static var temporaryDirectory: String {
        if let t = getenv("TMPDIR"), t.pointee != 0 { return String(cString: t) }
        return "/tmp"
    }
}
