/// A forward-only scanner over one JSON message in memory, for venue messages on the hot path.
///
/// It allocates nothing: strings and numbers come back as byte ranges of the message, which
/// callers parse in place (`ExactDecimal(parsingUTF8:)`, `integer(_:)`). It understands all of
/// JSON's syntax to skip what it does not need, but never builds a tree. Malformed input makes
/// it stop (`failed`), never trap.
public struct JSONScanner {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var position: Int
    public private(set) var failed = false

    public init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    @inline(__always) var atEnd: Bool { position >= bytes.count }
    @inline(__always) var current: UInt8 { position < bytes.count ? bytes[position] : 0 }

    @inline(__always)
    public mutating func skipSpace() {
        while position < bytes.count {
            let c = bytes[position]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            position += 1
        }
    }

    /// Consumes `c` (after white space); false (and `failed`) if it is not there.
    @inline(__always) @discardableResult
    public mutating func expect(_ c: UInt8) -> Bool {
        skipSpace()
        guard current == c else {
            failed = true
            return false
        }
        position += 1
        return true
    }

    /// Consumes `c` if it is next.
    @inline(__always)
    public mutating func take(_ c: UInt8) -> Bool {
        skipSpace()
        guard current == c else { return false }
        position += 1
        return true
    }

    /// A string's bytes, without the quotes (escapes left as they are).
    @inline(__always)
    public mutating func string() -> Range<Int>? {
        guard expect(UInt8(ascii: "\"")) else { return nil }
        let start = position
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                position += 1
                return start..<(position - 1)
            }
            position += c == UInt8(ascii: "\\") ? 2 : 1
        }
        failed = true
        return nil
    }

    /// A number's or literal's bytes (true, false, null).
    @inline(__always)
    public mutating func scalar() -> Range<Int>? {
        skipSpace()
        let start = position
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x0A
                || c == 0x0D || c == 0x09 { break }
            position += 1
        }
        if position == start { failed = true }
        return position > start ? start..<position : nil
    }

    /// A string or a bare scalar, whichever is next.
    @inline(__always)
    public mutating func value() -> Range<Int>? {
        skipSpace()
        return current == UInt8(ascii: "\"") ? string() : scalar()
    }

    /// Skips one value of any kind.
    public mutating func skipValue() {
        skipSpace()
        switch current {
        case UInt8(ascii: "\""): _ = string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while position < bytes.count {
                let c = bytes[position]
                if c == UInt8(ascii: "\"") {
                    _ = string()
                    continue
                }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 {
                        position += 1
                        return
                    }
                }
                position += 1
            }
            failed = true
        default: _ = scalar()
        }
    }

    /// The next key of an object (after `{` or `,`), or nil at its end.
    @inline(__always)
    public mutating func nextKey(first: inout Bool) -> Range<Int>? {
        if first {
            guard expect(UInt8(ascii: "{")) else { return nil }
            first = false
            if take(UInt8(ascii: "}")) { return nil }
        } else {
            if take(UInt8(ascii: "}")) { return nil }
            guard expect(UInt8(ascii: ",")) else { return nil }
        }
        guard let key = string(), expect(UInt8(ascii: ":")) else { return nil }
        return key
    }

    /// Whether `range` holds exactly `text`.
    @inline(__always)
    public func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        let p = text.utf8Start
        for i in 0..<range.count where bytes[range.lowerBound + i] != p[i] { return false }
        return true
    }

    /// The bytes of `range`.
    @inline(__always)
    public func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    /// A non-negative decimal integer, or nil.
    @inline(__always)
    public func integer(_ range: Range<Int>) -> Int64? {
        guard !range.isEmpty, range.count <= 19 else { return nil }
        var n: Int64 = 0
        for i in range {
            let d = bytes[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            // 19 digits can exceed Int64 (nanosecond timestamps do not, until 2262).
            let (times10, o1) = n.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(d))
            guard !o1 && !o2 else { return nil }
            n = sum
        }
        return n
    }

    /// An exact decimal from a string or number value.
    @inline(__always)
    public func decimal(_ range: Range<Int>) -> ExactDecimal? {
        try? ExactDecimal(parsingUTF8: slice(range))
    }
}
