import ArbSDK

/// JSON text appended to bytes that keep their capacity (the engine's outbox, a journal line):
/// literals, integers, exact decimals and escaped strings, without building Strings on the hot
/// path. The one JSON writer of the project, with `JSONObject` for control-path messages.
extension ContiguousArray<UInt8> {
    @inline(__always)
    public mutating func append(_ text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    public mutating func append(integer value: Int64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: 19 digits and a sign fit
        Swift.withUnsafeMutableBytes(of: &digits) { buffer in
            var n = value.magnitude
            var i = buffer.count
            repeat {
                i -= 1
                buffer[i] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
            } while n > 0
            if value < 0 {
                i -= 1
                buffer[i] = UInt8(ascii: "-")
            }
            append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[i...]))
        }
    }

    public mutating func append(decimal value: arb_decimal_t) {
        var text: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)  // 48 bytes; 44 always do
        Swift.withUnsafeMutableBytes(of: &text) { buffer in
            let count = ExactDecimal(value).write(to: buffer) ?? 0
            append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Appends `text` as a JSON string literal (quotes included), escaped as `jsonString` does.
    public mutating func append(jsonString text: String) {
        append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case ..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                    hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: append(byte)
            }
        }
        append(UInt8(ascii: "\""))
    }
}

/// A JSON object written field by field, strings always escaped: what the host's system events
/// and the example strategies publish.
///
/// ```swift
/// var json = JSONObject()
/// json.field("venue", name)
/// json.field("version", 3)
/// json.text   // {"venue":"sim-a","version":3}
/// ```
public struct JSONObject: Sendable {
    private var bytes: ContiguousArray<UInt8> = [UInt8(ascii: "{")]
    private var empty = true

    public init() {}

    private mutating func key(_ name: String) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        bytes.append(jsonString: name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// A string field (escaped).
    public mutating func field(_ name: String, _ value: String) {
        key(name)
        bytes.append(jsonString: value)
    }

    /// An integer field.
    public mutating func field(_ name: String, _ value: Int) {
        key(name)
        bytes.append(integer: Int64(value))
    }

    public mutating func field(_ name: String, _ value: Int64) {
        key(name)
        bytes.append(integer: value)
    }

    public mutating func field(_ name: String, _ value: UInt64) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    /// An exact decimal, as a string (JSON numbers would lose digits in most readers); `null`
    /// when absent.
    public mutating func field(_ name: String, _ value: ExactDecimal?) {
        key(name)
        guard let value else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(decimal: value.cValue)
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A nested object.
    public mutating func field(_ name: String, _ value: JSONObject) {
        key(name)
        bytes.append(contentsOf: value.text.utf8)
    }

    /// An array of strings (escaped).
    public mutating func field(_ name: String, _ values: [String]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(jsonString: v)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An array of objects.
    public mutating func field(_ name: String, _ values: [JSONObject]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: v.text.utf8)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// The object's text.
    public var text: String {
        var closed = bytes
        closed.append(UInt8(ascii: "}"))
        return String(decoding: closed, as: UTF8.self)
    }
}

/// `text` as a JSON string literal: quotes, backslashes and control characters escaped, the
/// rest as UTF-8.
public func jsonString(_ text: String) -> String {
    var bytes = ContiguousArray<UInt8>()
    bytes.reserveCapacity(text.utf8.count + 2)
    bytes.append(jsonString: text)
    return String(decoding: bytes, as: UTF8.self)
}
