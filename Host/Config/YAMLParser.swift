import ArbModel
import ArbPlugins
import ArbSDK
import CLibYAML

/// Hard limits on what ``YAMLParser`` reads; anything past them is refused at once.
public struct YAMLLimits: Sendable, Equatable {
    /// Largest file, in bytes (4 MiB).
    public var maxBytes = 4 << 20
    /// Longest scalar, in bytes of UTF-8 (64 KiB).
    public var maxScalarBytes = 64 << 10
    /// Deepest nesting of mappings and sequences.
    public var maxDepth = 64
    /// Most nodes (scalars, mappings and sequences, keys included).
    public var maxNodes = 100_000

    /// The default limits.
    public init() {}
}

/// A parsed document, with the problems that did not stop the parse (duplicate keys, whose
/// second occurrence is left out of the tree).
public struct YAMLDocument: Sendable, Equatable {
    /// The document's top node; never null (an empty document is refused).
    public var root: YAMLNode
    /// Problems found that did not stop the parse, in file order.
    public var problems: [ConfigError]
}

/// Reads YAML with the system libyaml, event by event, into a ``YAMLNode`` tree.
///
/// Built for untrusted files: the size, the UTF-8 encoding and NUL bytes are checked before
/// libyaml sees a byte; anchors and aliases are refused outright (no alias-expansion bombs);
/// scalar length, nesting depth and node count are capped while parsing, so every hostile
/// input fails fast with one clear ``ConfigError``.
public enum YAMLParser {
    /// Parses exactly one document from `bytes`; `file` names it in errors.
    ///
    /// Throws every problem found so far when a problem stops the parse (a syntax error, a
    /// limit, an anchor, a second document, an empty file).
    public static func parse(_ bytes: [UInt8], file: String, limits: YAMLLimits = YAMLLimits()) throws(ConfigErrors) -> YAMLDocument {
        func fail(_ line: Int, _ column: Int, _ message: String) -> ConfigErrors {
            ConfigErrors(ConfigError(file: file, line: line, column: column, message: message))
        }
        if bytes.count > limits.maxBytes {
            throw fail(0, 0, "the file is \(bytes.count) bytes, larger than the \(limits.maxBytes / (1 << 20)) MiB limit for strategies.yaml")
        }
        if let bad = firstEncodingProblem(in: bytes) {
            let at = position(ofByte: bad.offset, in: bytes)
            throw fail(at.line, at.column, bad.message)
        }
        var builder = TreeBuilder(file: file, limits: limits)
        let finished: Bool = bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                builder.fatal(at: YAMLMark(line: 0, column: 0), path: "", "out of memory while starting the YAML parser")
                return false
            }
            defer { yaml_parser_delete(&parser) }
            if let base = buffer.baseAddress { yaml_parser_set_input_string(&parser, base, buffer.count) }
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    builder.syntaxError(parser, bytes: bytes)
                    return false
                }
                let more = builder.consume(event)
                yaml_event_delete(&event)
                if !more { return builder.fatalError == nil }
            }
        }
        guard finished, let root = builder.root, !root.isNull else {
            if builder.fatalError == nil { throw fail(1, 1, "the configuration is empty") }
            throw ConfigErrors(builder.problems)
        }
        return YAMLDocument(root: root, problems: builder.problems)
    }

    /// The offset of the first byte that is a NUL or not valid UTF-8, with a message.
    static func firstEncodingProblem(in bytes: [UInt8]) -> (offset: Int, message: String)? {
        let n = bytes.count
        var i = 0
        while i < n {
            let b = bytes[i]
            if b == 0 { return (i, "the file contains a NUL byte; strategies.yaml must be text") }
            if b < 0x80 {
                i += 1
                continue
            }
            // Unicode 15, table 3-7: the well-formed UTF-8 byte sequences.
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return (i, invalidUTF8(b))
            }
            guard i + length <= n else { return (i, invalidUTF8(b)) }
            for k in 1..<length {
                let c = bytes[i + k]
                let (lo, hi) = k == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
                if c < lo || c > hi { return (i, invalidUTF8(b)) }
            }
            i += length
        }
        return nil
    }

    private static func invalidUTF8(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "the file is not valid UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex) starts no valid character); save it as UTF-8"
    }

    /// The 1-based line and column (in characters) of byte `offset`, counting line breaks as
    /// libyaml does (LF, CR, CR LF, NEL, LS, PS) and a leading byte-order mark as nothing.
    /// The bytes before `offset` must be valid UTF-8.
    static func position(ofByte offset: Int, in bytes: [UInt8]) -> YAMLMark {
        var line = 1, column = 1
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            var breakLength = 0
            if b == 0x0A {
                breakLength = 1
            } else if b == 0x0D {
                breakLength = i + 1 < bytes.count && bytes[i + 1] == 0x0A ? 2 : 1
            } else if b == 0xC2, i + 1 < bytes.count, bytes[i + 1] == 0x85 {
                breakLength = 2
            } else if b == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                breakLength = 3
            }
            if breakLength > 0 {
                line += 1
                column = 1
                i += breakLength
                continue
            }
            if b & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return YAMLMark(line: line, column: column)
    }
}

/// Turns libyaml events into a tree, enforcing the limits as it goes.
private struct TreeBuilder {
    /// An open mapping or sequence.
    struct Frame {
        var isMapping: Bool
        var mark: YAMLMark
        var path: String
        var pairs: [YAMLNode.Pair] = []
        var items: [YAMLNode] = []
        var firstSeen: [String: YAMLMark] = [:]
        /// The key read and waiting for its value; `keep` false for a duplicate.
        var pendingKey: (text: String, mark: YAMLMark, keep: Bool)?
    }

    let file: String
    let limits: YAMLLimits
    var stack: [Frame] = []
    var root: YAMLNode?
    var problems: [ConfigError] = []
    var fatalError: ConfigError?
    var documents = 0
    var nodes = 0

    init(file: String, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    mutating func fatal(at mark: YAMLMark, path: String, _ message: String) {
        let error = ConfigError(file: file, line: mark.line, column: mark.column, keyPath: path, message: message)
        fatalError = error
        problems.append(error)
    }

    /// Handles one event; false when parsing is over (the stream ended or a fatal problem).
    mutating func consume(_ event: yaml_event_t) -> Bool {
        let mark = YAMLMark(line: Int(clamping: event.start_mark.line) + 1, column: Int(clamping: event.start_mark.column) + 1)
        switch event.type {
        case YAML_STREAM_END_EVENT:
            return false
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                fatal(at: mark, path: "", "strategies.yaml must hold exactly one document")
                return false
            }
        case YAML_ALIAS_EVENT:
            return refuseAnchor(at: mark)
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            if s.anchor != nil { return refuseAnchor(at: mark) }
            guard let style = checkTag(s.tag, at: mark), countNode(at: mark) else { return false }
            if s.length > limits.maxScalarBytes {
                fatal(at: mark, path: childPath(), "a value of \(s.length) bytes is longer than the limit of \(limits.maxScalarBytes / 1024) KiB")
                return false
            }
            let text = s.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: s.length), as: UTF8.self) } ?? ""
            if text.utf8.contains(0) {
                fatal(at: mark, path: childPath(), "values may not contain NUL characters")
                return false
            }
            let quoted = style == .quoted || s.style != YAML_PLAIN_SCALAR_STYLE
            return add(YAMLNode(.scalar(text, quoted ? .quoted : .plain), mark: mark))
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
            let tag = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
            if anchor != nil { return refuseAnchor(at: mark) }
            guard checkTag(tag, at: mark) != nil, countNode(at: mark) else { return false }
            if stack.count >= limits.maxDepth {
                fatal(at: mark, path: childPath(), "nesting deeper than \(limits.maxDepth) levels is not allowed")
                return false
            }
            stack.append(Frame(isMapping: isMapping, mark: mark, path: childPath()))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return true }
            let node = frame.isMapping
                ? YAMLNode(.mapping(frame.pairs), mark: frame.mark)
                : YAMLNode(.sequence(frame.items), mark: frame.mark)
            return add(node)
        default:
            break
        }
        return true
    }

    mutating func refuseAnchor(at mark: YAMLMark) -> Bool {
        fatal(at: mark, path: childPath(), "anchors and aliases are not supported in strategies.yaml")
        return false
    }

    mutating func countNode(at mark: YAMLMark) -> Bool {
        nodes += 1
        if nodes > limits.maxNodes {
            fatal(at: mark, path: childPath(), "more than \(limits.maxNodes) values; strategies.yaml is limited to \(limits.maxNodes)")
            return false
        }
        return true
    }

    /// The style a tag imposes (`!!str` makes text), `.plain` for no tag, nil when refused.
    mutating func checkTag(_ tag: UnsafeMutablePointer<yaml_char_t>?, at mark: YAMLMark) -> YAMLNode.ScalarStyle? {
        guard let tag else { return .plain }
        let text = String(cString: tag)
        let standard = "tag:yaml.org,2002:"
        if text.hasPrefix(standard) {
            switch text.dropFirst(standard.count) {
            case "str": return .quoted
            case "int", "float", "bool", "null", "map", "seq": return .plain
            default: break
            }
        }
        fatal(at: mark, path: childPath(), "the tag '\(YAMLNode.shortened(text))' is not supported in strategies.yaml")
        return nil
    }

    /// The key path of the node about to be added.
    func childPath() -> String {
        guard let top = stack.last else { return "" }
        if !top.isMapping { return "\(top.path)[\(top.items.count)]" }
        guard let key = top.pendingKey else { return top.path }
        return top.path.isEmpty ? key.text : "\(top.path).\(key.text)"
    }

    /// Adds a finished node to the open container (or makes it the root).
    mutating func add(_ node: YAMLNode) -> Bool {
        guard var top = stack.popLast() else {
            root = node
            return true
        }
        defer { stack.append(top) }
        if !top.isMapping {
            top.items.append(node)
        } else if let key = top.pendingKey {
            if key.keep { top.pairs.append(YAMLNode.Pair(key: key.text, keyMark: key.mark, value: node)) }
            top.pendingKey = nil
        } else {
            guard case .scalar(let text, _) = node.content else {
                fatal(at: node.mark, path: top.path, "mapping keys must be text, not \(node.summary())")
                return false
            }
            if let first = top.firstSeen[text] {
                let path = top.path
                problems.append(ConfigError(file: file, line: node.mark.line, column: node.mark.column, keyPath: path,
                                            message: "duplicate key '\(YAMLNode.shortened(text))' (first at line \(first.line))"))
                top.pendingKey = (text, node.mark, false)
            } else {
                top.firstSeen[text] = node.mark
                top.pendingKey = (text, node.mark, true)
            }
        }
        return true
    }

    /// Records libyaml's own error: its problem, where, and what it was parsing.
    mutating func syntaxError(_ parser: yaml_parser_t, bytes: [UInt8]) {
        let problem = parser.problem.map { String(cString: $0) } ?? "the YAML could not be parsed"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            fatal(at: YAMLMark(line: 0, column: 0), path: "", "out of memory while parsing")
        case YAML_READER_ERROR:
            let at = YAMLParser.position(ofByte: Int(clamping: parser.problem_offset), in: bytes)
            let hex = String(parser.problem_value, radix: 16, uppercase: true)
            let value = parser.problem_value >= 0 ? " (U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex))" : ""
            fatal(at: at, path: "", "\(problem)\(value)")
        default:
            let at = YAMLMark(line: Int(clamping: parser.problem_mark.line) + 1, column: Int(clamping: parser.problem_mark.column) + 1)
            var message = "syntax error: \(problem)"
            if let context = parser.context.map({ String(cString: $0) }) {
                let line = Int(clamping: parser.context_mark.line) + 1, column = Int(clamping: parser.context_mark.column) + 1
                message += " (\(context) that starts at line \(line), column \(column))"
            }
            fatal(at: at, path: "", message)
        }
    }
}
