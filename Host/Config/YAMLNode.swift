import ArbModel
import ArbPlugins
import ArbSDK

/// A position in a YAML file as an editor shows it: 1-based line and column (in characters).
public struct YAMLMark: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column, in Unicode scalars (a tab or an "é" is one column).
    public var column: Int

    /// The position `line`:`column`, both 1-based.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// "12:7"
    public var description: String { "\(line):\(column)" }
}

/// One node of a parsed YAML document: a scalar, a mapping or a sequence, with where it starts.
///
/// Anchors, aliases and tags never reach this tree (``YAMLParser`` refuses them), so the tree
/// is exactly as large as the text that describes it.
public struct YAMLNode: Sendable, Equatable {
    /// How a scalar was written. Quoted and block (`|`, `>`) scalars are always text; plain
    /// scalars may be a number, a bool or nothing (`key:` with no value, `~`, `null`).
    public enum ScalarStyle: Sendable, Equatable {
        /// Written bare: `10`, `true`, `seeded-a`.
        case plain
        /// Written in quotes, as a block (`|`, `>`) or tagged `!!str`.
        case quoted
    }

    /// One entry of a mapping. Keys are scalars; the parser refuses any other key.
    public struct Pair: Sendable, Equatable {
        /// The key's text.
        public var key: String
        /// Where the key starts.
        public var keyMark: YAMLMark
        /// The value (a null scalar when the key has none).
        public var value: YAMLNode

        /// An entry `key`: `value`, the key starting at `keyMark`.
        public init(key: String, keyMark: YAMLMark, value: YAMLNode) {
            self.key = key
            self.keyMark = keyMark
            self.value = value
        }
    }

    /// What the node holds.
    public enum Content: Sendable, Equatable {
        /// A value's text and how it was written.
        case scalar(String, ScalarStyle)
        /// Entries in file order, without duplicate keys.
        case mapping([Pair])
        /// Items in file order.
        case sequence([YAMLNode])
    }

    /// What the node holds.
    public var content: Content
    /// Where the node starts: its first character, or its opening quote, `[`, `{` or `-`.
    public var mark: YAMLMark

    /// A node holding `content`, starting at `mark`.
    public init(_ content: Content, mark: YAMLMark) {
        self.content = content
        self.mark = mark
    }

    /// The text of a scalar, nil for a mapping or a sequence.
    public var scalarText: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    /// The entries of a mapping, nil otherwise.
    public var pairs: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The items of a sequence, nil otherwise.
    public var items: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// A plain scalar that YAML reads as null: no value at all, `~` or `null`.
    public var isNull: Bool {
        guard case .scalar(let text, .plain) = content else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// The value of `key` in a mapping, nil when absent or when this is not a mapping.
    public subscript(key: String) -> YAMLNode? {
        pairs?.first { $0.key == key }?.value
    }

    /// What the node is, for messages: "a mapping", "a sequence", "nothing" or the scalar
    /// quoted and shortened ("'abc'"). With `redacted`, a scalar is only "a text value", for
    /// places where the text could be a secret.
    public func summary(redacted: Bool = false) -> String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        case .scalar(let text, _):
            if isNull { return "nothing" }
            if redacted { return "a text value (not shown)" }
            return "'\(YAMLNode.shortened(text))'"
        }
    }

    /// `text` cut to 40 characters with control characters escaped, for messages.
    public static func shortened(_ text: String) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == 40 {
                out += "…"
                break
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            count += 1
        }
        return out
    }
}
