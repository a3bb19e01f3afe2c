import Foundation
import ArbTestKit
import Testing
@testable import ArbPlugins
@testable import ArbRuntime

/// Plugin files cut short are refused by name before dlopen, which would die on them with SIGBUS.
@Suite("PluginImageCheck")
struct PluginImageCheckTests {
    let loader = PluginLoader()

    /// Writes the first `bytes` bytes of a built plugin to `dir/name`.
    func cutCopy(of product: String, bytes: Int, in dir: String, as name: String? = nil) throws -> String {
        let whole = try Data(contentsOf: URL(fileURLWithPath: TestPaths.plugin(product)))
        #expect(whole.count > bytes, "lib\(product).so has only \(whole.count) bytes")
        let path = dir + "/" + (name ?? "lib\(product).so")
        try whole.prefix(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func refusal(_ path: String) throws -> PluginLoadError {
        do {
            _ = try loader.load(path)
        } catch {
            return error
        }
        Issue.record("\(path) loaded but should have been refused")
        throw PluginLoadError(file: path, reason: .noEntrySymbol)
    }

    // MARK: Built plugins, whole and cut

    @Test("the built plugins pass the check and still load")
    func intactPluginsPass() throws {
        for product in ["SpreadWatch", "CrossQuoter", "SimVenue", "FixtureNoEntry", "FixtureSwapV1", "MallocCounter"] {
            #expect(throws: Never.self, "lib\(product).so") { try PluginImageCheck.check(TestPaths.plugin(product)) }
        }
        #expect(try loader.load(TestPaths.plugin("CrossQuoter")).info.id == "org.arbhost.strategy.cross-quoter")
        #expect(try loader.load(TestPaths.plugin("SpreadWatch")).info.id == "org.arbhost.strategy.spread-watch")
    }

    @Test("the first 4 KiB of libCrossQuoter.so are refused, naming the file and the segment past the end")
    func cutCrossQuoter() throws {
        let dir = try TestPaths.temporaryDirectory()
        let path = try cutCopy(of: "CrossQuoter", bytes: 4096, in: dir)
        let error = try refusal(path)
        guard case .damagedImage(.segmentOutsideFile(_, let type, let end, let fileSize)) = error.reason else {
            Issue.record("wrong reason \(error.reason)")
            return
        }
        #expect(type == 1 && end > 4096 && fileSize == 4096)
        #expect(error.description.hasPrefix("plugin \(path) is a damaged shared library"))
        #expect(error.description.contains("PT_LOAD segment "))
        #expect(error.description.hasSuffix(" ends at byte \(end) but the file has 4096 bytes"))
    }

    @Test("libSpreadWatch.so cut to 1–16 KiB is refused, naming the file", arguments: [1, 2, 4, 8, 16])
    func cutSpreadWatch(kib: Int) throws {
        let dir = try TestPaths.temporaryDirectory()
        let path = try cutCopy(of: "SpreadWatch", bytes: kib * 1024, in: dir)
        let error = try refusal(path)
        guard case .damagedImage = error.reason else { Issue.record("wrong reason \(error.reason)"); return }
        #expect(error.file == path)
        #expect(error.description.hasPrefix("plugin \(path) is a damaged shared library"))
        #expect(error.description.contains("but the file has \(kib * 1024) bytes"), "\(error)")
    }

    @Test("a built plugin cut anywhere fails the check")
    func cutAnywhere() throws {
        for product in ["CrossQuoter", "FixtureSwapV1"] {
            let whole = Array(try Data(contentsOf: URL(fileURLWithPath: TestPaths.plugin(product))))
            for length in Array(stride(from: 0, to: whole.count, by: 97)) + [whole.count - 1] {
                #expect(throws: PluginImageCheck.Problem.self, "lib\(product).so cut to \(length) bytes") {
                    try PluginImageCheck(bytes: Array(whole[..<length])).validate()
                }
            }
        }
    }

    @Test("arbhost plugins lists a cut libCrossQuoter.so as refused and exits 0")
    func cliRefusesCutPlugin() throws {
        let dir = try TestPaths.temporaryDirectory()
        let path = try cutCopy(of: "CrossQuoter", bytes: 4096, in: dir)
        try FileManager.default.copyItem(atPath: TestPaths.plugin("SpreadWatch"), toPath: dir + "/libSpreadWatch.so")
        let result = try runProcess(TestPaths.build + "/arbhost", ["plugins", "--no-build-plugins", "--plugin-dir", dir])
        #expect(result.status == 0, "\(result.output)")
        #expect(!result.timedOut)
        #expect(result.output.contains("\(path)\n  refused: plugin \(path) is a damaged shared library"), "\(result.output)")
        #expect(result.output.contains("id: org.arbhost.strategy.spread-watch"), "\(result.output)")
    }

    @Test("a cut build renamed over a loaded plugin in a watched folder is refused; the old build keeps running")
    func hotSwapRefusesCutBuild() throws {
        let f = try ReloadFixture(config: counterConfig(step: 1, quoter: true))
        defer { f.shutdown() }
        let temporary = f.pluginDir + "/.libCrossQuoter.so.new"
        _ = try cutCopy(of: "CrossQuoter", bytes: 4096, in: f.pluginDir, as: ".libCrossQuoter.so.new")
        #expect(rename(temporary, f.pluginDir + "/libCrossQuoter.so") == 0)
        #expect(waitUntil { f.system("system.plugin_swap_failed").count == 1 })
        let refusal = f.system("system.plugin_swap_failed").first ?? ""
        #expect(refusal.contains("is a damaged shared library"), "\(refusal)")
        #expect(f.host.strategies.strategy(named: "quoter")?.state == .running)
        #expect(f.host.strategies.strategy(named: "quoter")?.plugin.info.id == "org.arbhost.strategy.cross-quoter")
    }

    // MARK: Hand-made headers

    /// A minimal ELF64 x86_64 shared object: the header, a PT_LOAD over the whole file and a
    /// PT_DYNAMIC at 176 holding DT_STRTAB (0) and DT_NULL; 208 bytes, no section headers.
    struct Image {
        var bytes = [UInt8](repeating: 0, count: 208)
        static let load = 64, dynamic = 64 + 56

        init() {
            bytes.replaceSubrange(0..<7, with: [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1])
            set(16, UInt16(3)); set(18, UInt16(62)); set(20, UInt32(1))
            set(32, UInt64(64)); set(52, UInt16(64)); set(54, UInt16(56)); set(56, UInt16(2)); set(58, UInt16(64))
            segment(Self.load, type: 1, offset: 0, filesz: 208, memsz: 208)
            segment(Self.dynamic, type: 2, offset: 176, filesz: 32, memsz: 32)
            set(176, UInt64(5)); set(184, UInt64(0))  // DT_STRTAB 0
        }

        mutating func set<T: FixedWidthInteger>(_ offset: Int, _ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + MemoryLayout<T>.size, with: $0) }
        }

        mutating func segment(_ at: Int, type: UInt32, offset: UInt64, filesz: UInt64, memsz: UInt64) {
            set(at, type); set(at + 8, offset); set(at + 16, offset); set(at + 32, filesz); set(at + 40, memsz)
        }

        func problem() -> PluginImageCheck.Problem? {
            do { try PluginImageCheck(bytes: bytes).validate() } catch { return error }
            return nil
        }
    }

    @Test("the hand-made image passes, for x86_64 and aarch64")
    func minimalImagePasses() {
        var image = Image()
        #expect(image.problem() == nil)
        image.set(18, UInt16(183))
        #expect(image.problem() == nil)
    }

    @Test("a file without the ELF magic is not ELF, and says what it starts with")
    func badMagic() {
        var image = Image()
        image.bytes[0] = 0x7e
        #expect(image.problem() == .notELF(firstBytes: [0x7e, 0x45, 0x4c, 0x46]))
        #expect(image.problem()?.description == "not an ELF file: it starts with 7e 45 4c 46, not the ELF magic 7f 45 4c 46")
        #expect(PluginImageCheck.Problem.notELF(firstBytes: []).description == "not an ELF file: the file is empty")
        #expect(Image().problem(of: 0) == .notELF(firstBytes: []))
        #expect(Image().problem(of: 3) == .notELF(firstBytes: [0x7f, 0x45, 0x4c]))
        #expect(Image().problem(of: 40) == .headerCutShort(fileSize: 40))
    }

    @Test("the loader still refuses a text file as not a shared library")
    func textFile() throws {
        let dir = try TestPaths.temporaryDirectory()
        let path = dir + "/libnotes.so"
        try "just some text\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try refusal(path)
        #expect(error.reason == .notASharedLibrary("not an ELF file: it starts with 6a 75 73 74, not the ELF magic 7f 45 4c 46"))
        #expect(error.description.hasPrefix("plugin \(path) is not a loadable shared library"))
    }

    @Test("a PT_LOAD segment past the end of the file is named with its end and the file size")
    func loadPastTheEnd() {
        var image = Image()
        image.segment(Image.load, type: 1, offset: 0, filesz: 61440, memsz: 61440)
        #expect(image.problem() == .segmentOutsideFile(index: 0, type: 1, end: 61440, fileSize: 208))
        #expect(image.problem()?.description == "PT_LOAD segment 0 ends at byte 61440 but the file has 208 bytes")
        // Starting past the end too.
        image.segment(Image.load, type: 1, offset: 4096, filesz: 16, memsz: 16)
        #expect(image.problem() == .segmentOutsideFile(index: 0, type: 1, end: 4112, fileSize: 208))
    }

    @Test("e_phoff, p_offset and e_shoff near 2^64 overflow and are refused, not wrapped")
    func overflows() {
        var image = Image()
        image.set(32, UInt64.max - 55)
        guard case .overflow(let what) = image.problem() else { Issue.record("\(String(describing: image.problem()))"); return }
        #expect(what.hasPrefix("the program header table (e_phoff \(UInt64.max - 55))"))
        #expect(image.problem()?.description.hasSuffix("overflows 64 bits") == true)

        image = Image()
        image.segment(Image.load, type: 1, offset: UInt64.max - 10, filesz: 208, memsz: 208)
        guard case .overflow(let load) = image.problem() else { Issue.record("\(String(describing: image.problem()))"); return }
        #expect(load.hasPrefix("PT_LOAD segment 0: p_offset"))

        image = Image()
        image.set(40, UInt64.max - 63); image.set(60, UInt16(2))
        guard case .overflow = image.problem() else { Issue.record("\(String(describing: image.problem()))"); return }

        image = Image()
        image.set(Image.load + 16, UInt64.max - 100)  // p_vaddr + p_memsz
        guard case .overflow = image.problem() else { Issue.record("\(String(describing: image.problem()))"); return }
    }

    @Test("header tables past the end of the file are refused")
    func tablesPastTheEnd() {
        var image = Image()
        image.set(56, UInt16(10))
        #expect(image.problem() == .tableOutsideFile(.programHeaders, end: 64 + 560, fileSize: 208))
        image = Image()
        image.set(40, UInt64(200)); image.set(60, UInt16(3))
        #expect(image.problem() == .tableOutsideFile(.sectionHeaders, end: 392, fileSize: 208))
        #expect(image.problem()?.description == "the section header table ends at byte 392 but the file has 208 bytes")
        // e_shnum 0 with e_shoff set: the count is in section header 0, which must be there.
        image.set(60, UInt16(0))
        #expect(image.problem() == .tableOutsideFile(.sectionHeaders, end: 264, fileSize: 208))
        image = Image()
        image.set(54, UInt16(32))
        #expect(image.problem() == .programHeaderEntrySize(32))
        image = Image()
        image.set(56, UInt16(0))
        #expect(image.problem() == .noProgramHeaders)
    }

    @Test("segment sizes, order and the dynamic section are checked")
    func segments() {
        var image = Image()
        image.segment(Image.load, type: 1, offset: 0, filesz: 208, memsz: 100)
        #expect(image.problem() == .segmentLargerInFileThanInMemory(index: 0, fileSize: 208, memorySize: 100))

        image = Image()
        image.set(56, UInt16(1))
        #expect(image.problem() == .noDynamicSegment)

        image = Image()
        image.set(Image.load, UInt32(4))  // PT_NOTE: no PT_LOAD left
        #expect(image.problem() == .noLoadSegment)

        image = Image()
        image.segment(Image.load, type: 1, offset: 0, filesz: 176, memsz: 176)
        #expect(image.problem() == .dynamicOutsideLoadSegments(index: 1))

        image = Image()
        image.set(192, UInt64(1))  // DT_NEEDED where DT_NULL was
        #expect(image.problem() == .dynamicNotTerminated(index: 1))

        image = Image()
        image.set(184, UInt64(0x10000))
        #expect(image.problem() == .dynamicTableOutsideSegments(tag: "DT_STRTAB", start: 0x10000, end: 0x10001))

        // A second PT_LOAD below the first.
        image = Image()
        image.bytes += [UInt8](repeating: 0, count: 56)
        image.set(56, UInt16(3))
        image.bytes.replaceSubrange(176..<208, with: [UInt8](repeating: 0, count: 32))
        image.bytes.replaceSubrange(232..<264, with: Image().bytes[176..<208])
        image.segment(Image.load, type: 1, offset: 0, filesz: 264, memsz: 264)
        image.segment(Image.load + 112, type: 1, offset: 0, filesz: 0, memsz: 0)
        image.segment(Image.dynamic, type: 2, offset: 232, filesz: 32, memsz: 32)
        #expect(image.problem() == nil)
        image.set(Image.load + 16, UInt64(0x1000)); image.set(Image.dynamic + 16, UInt64(0x1000 + 232))
        image.set(240, UInt64(0x1000))
        #expect(image.problem() == .loadSegmentsOutOfOrder(index: 2))
    }

    @Test("another class, byte order, version, type or machine is not a library for this host")
    func foreign() {
        var image = Image()
        image.bytes[4] = 1
        #expect(image.problem() == .unsupportedClass(1))
        image = Image()
        image.bytes[5] = 2
        #expect(image.problem() == .unsupportedByteOrder(2))
        image = Image()
        image.bytes[6] = 0
        #expect(image.problem() == .unsupportedVersion(0))
        image = Image()
        image.set(16, UInt16(2))
        #expect(image.problem() == .notSharedObject(type: 2))
        #expect(image.problem()?.description == "ELF type 2 (ET_EXEC, an executable); a plugin must be a shared object (ET_DYN, 3)")
        image = Image()
        image.set(18, UInt16(40))
        #expect(image.problem() == .unsupportedMachine(40))
    }
}

extension PluginImageCheckTests.Image {
    /// The problem of the first `length` bytes.
    func problem(of length: Int) -> PluginImageCheck.Problem? {
        do { try PluginImageCheck(bytes: Array(bytes.prefix(length))).validate() } catch { return error }
        return nil
    }
}
