// The journal's JSON-lines reader: flat objects whose values are strings, 64-bit integers or
// booleans (exactly what the journal writes with ArbModel's JSONObject; anything else is
// refused). No Foundation, no Double: numbers that are money travel as decimal strings.
import ArbSDK
import ArbBook
import ArbModel

enum JSONFieldError: Error, Equatable {
    case missing(String)
    case bad(String)
}

/// The fields of one parsed line.
struct JSONFields {
    enum Value: Equatable {
        case string(String), int(Int64), bool(Bool)
    }

    var values: [String: Value] = [:]

    func string(_ key: String) throws(JSONFieldError) -> String {
        guard let value = values[key] else { throw .missing(key) }
        guard case .string(let s) = value else { throw .bad(key) }
        return s
    }

    func int(_ key: String) throws(JSONFieldError) -> Int64 {
        guard let value = values[key] else { throw .missing(key) }
        guard case .int(let i) = value else { throw .bad(key) }
        return i
    }

    func bool(_ key: String) throws(JSONFieldError) -> Bool {
        guard let value = values[key] else { throw .missing(key) }
        guard case .bool(let b) = value else { throw .bad(key) }
        return b
    }

    /// Parses one flat JSON object (surrounding spaces allowed); nil if it is not one.
    static func parse(_ bytes: ArraySlice<UInt8>) -> JSONFields? {
        var p = JSONParser(bytes: bytes)
        return p.object()
    }
}

/// Recursive-descent parser over the bytes of one line.
private struct JSONParser {
    let bytes: ArraySlice<UInt8>
    var i: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        i = bytes.startIndex
    }

    mutating func object() -> JSONFields? {
        var fields = JSONFields()
        skipSpace()
        guard eat(UInt8(ascii: "{")) else { return nil }
        skipSpace()
        if !eat(UInt8(ascii: "}")) {
            repeat {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard eat(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                guard let value = value(), fields.values[key] == nil else { return nil }
                fields.values[key] = value
                skipSpace()
            } while eat(UInt8(ascii: ","))
            guard eat(UInt8(ascii: "}")) else { return nil }
        }
        skipSpace()
        return i == bytes.endIndex ? fields : nil
    }

    private mutating func value() -> JSONFields.Value? {
        guard i < bytes.endIndex else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "\""): return string().map { .string($0) }
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        default: return integer().map { .int($0) }
        }
    }

    private mutating func integer() -> Int64? {
        let negative = eat(UInt8(ascii: "-"))
        var magnitude: UInt64 = 0
        let start = i
        while i < bytes.endIndex, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(bytes[i] - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            magnitude = s
            i += 1
        }
        guard i > start else { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return Int64(exactly: magnitude)
    }

    private mutating func string() -> String? {
        guard eat(UInt8(ascii: "\"")) else { return nil }
        var out: [UInt8] = []
        while i < bytes.endIndex {
            let b = bytes[i]
            i += 1
            switch b {
            case UInt8(ascii: "\""): return String(validating: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.endIndex else { return nil }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    UTF8.encode(scalar) { out.append($0) }
                default: return nil
                }
            case 0..<0x20: return nil // raw control characters are not valid JSON
            default: out.append(b)
            }
        }
        return nil
    }

    /// The scalar of a \uXXXX escape (the "\u" already read), joining surrogate pairs.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hex4() else { return nil }
        if (0xD800...0xDBFF).contains(high) {
            guard eat(UInt8(ascii: "\\")), eat(UInt8(ascii: "u")), let low = hex4(), (0xDC00...0xDFFF).contains(low) else {
                return nil
            }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(high)
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.endIndex - i >= 4 else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard bytes.endIndex - i >= n else { return false }
        for k in 0..<n where bytes[i + k] != word.utf8Start[k] { return false }
        i += n
        return true
    }

    private mutating func eat(_ byte: UInt8) -> Bool {
        guard i < bytes.endIndex, bytes[i] == byte else { return false }
        i += 1
        return true
    }

    private mutating func skipSpace() {
        while i < bytes.endIndex, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 }
    }
}
