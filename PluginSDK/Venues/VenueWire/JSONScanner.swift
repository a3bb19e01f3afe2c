import ArbSDK
import ArbModel
/// A forward-only scanner over one JSON message in memory, for venue messages on the hot path.
///
/// It allocates nothing: strings and numbers come back as byte ranges of the message, which
/// callers parse in place (`ExactDecimal(parsingUTF8:)`, `integer(_:)`). It understands all of
/// JSON's syntax to skip what it does not need, but never builds a tree. Malformed input makes
/// it stop (`failed`), never trap.
public struct JSONScanner {
    public let bytes: UnsafeRawBufferPointer
    public var position: Int
    public var failed = false
    /// `bytes` as a non-optional pointer and its count: the loops below keep the position in a
    /// register and store it once, instead of checking for a nil base and storing every byte.
    @usableFromInline package let base: UnsafePointer<UInt8>
    @usableFromInline package let end: Int

    public init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0) {
        self.bytes = bytes
        self.position = position
        if let start = bytes.baseAddress {
            base = start.assumingMemoryBound(to: UInt8.self)
            end = bytes.count
        } else {
            base = JSONScanner.empty
            end = 0
        }
    }

    /// What an empty message points at (never read: its `end` is 0).
    nonisolated(unsafe) private static let empty = UnsafePointer<UInt8>(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))

    @inlinable @inline(__always) var atEnd: Bool { position >= end }
    @inlinable @inline(__always) package var current: UInt8 { position < end ? base[position] : 0 }

    @inlinable @inline(__always)
    public mutating func skipSpace() {
        var p = position
        while p < end {
            let c = base[p]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { break }
            p &+= 1
        }
        position = p
    }

    /// Consumes `c` (after white space); false (and `failed`) if it is not there.
    @inlinable @inline(__always) @discardableResult
    public mutating func expect(_ c: UInt8) -> Bool {
        skipSpace()
        guard current == c else {
            failed = true
            return false
        }
        position &+= 1
        return true
    }

    /// Consumes `c` if it is next.
    @inlinable @inline(__always)
    public mutating func take(_ c: UInt8) -> Bool {
        skipSpace()
        guard current == c else { return false }
        position &+= 1
        return true
    }

    /// A string's bytes, without the quotes (escapes left as they are).
    @inlinable @inline(__always)
    public mutating func string() -> Range<Int>? {
        guard expect(UInt8(ascii: "\"")) else { return nil }
        let start = position
        var p = start
        while p < end {
            let c = base[p]
            if c == UInt8(ascii: "\"") {
                position = p &+ 1
                return start..<p
            }
            p &+= c == UInt8(ascii: "\\") ? 2 : 1
        }
        position = end
        failed = true
        return nil
    }

    /// A number's or literal's bytes (true, false, null).
    @inlinable @inline(__always)
    public mutating func scalar() -> Range<Int>? {
        skipSpace()
        let start = position
        var p = start
        while p < end {
            let c = base[p]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x0A
                || c == 0x0D || c == 0x09 { break }
            p &+= 1
        }
        position = p
        if p == start { failed = true }
        return p > start ? start..<p : nil
    }

    /// A string or a bare scalar, whichever is next.
    @inlinable @inline(__always)
    public mutating func value() -> Range<Int>? {
        skipSpace()
        return current == UInt8(ascii: "\"") ? string() : scalar()
    }

    /// Skips one value of any kind.
    @inlinable
    public mutating func skipValue() {
        skipSpace()
        switch current {
        case UInt8(ascii: "\""): _ = string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while position < end {
                let c = base[position]
                if c == UInt8(ascii: "\"") {
                    _ = string()
                    continue
                }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 {
                        position &+= 1
                        return
                    }
                }
                position &+= 1
            }
            failed = true
        default: _ = scalar()
        }
    }

    /// The next key of an object (after `{` or `,`), or nil at its end.
    @inlinable @inline(__always)
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
    @inlinable @inline(__always)
    public func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        let p = text.utf8Start
        for i in 0..<range.count where base[range.lowerBound &+ i] != p[i] { return false }
        return true
    }

    /// The bytes of `range`.
    @inlinable @inline(__always)
    public func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    /// A non-negative decimal integer, or nil.
    @inlinable @inline(__always)
    public func integer(_ range: Range<Int>) -> Int64? {
        guard !range.isEmpty, range.count <= 19 else { return nil }
        var n: Int64 = 0
        if range.count <= 18 {
            // Up to 18 digits cannot overflow: no checks but the digits'.
            for i in range {
                let d = base[i] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                n = n &* 10 &+ Int64(d)
            }
            return n
        }
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
    @inlinable @inline(__always)
    public func decimal(_ range: Range<Int>) -> ExactDecimal? {
        try? ExactDecimal(parsingUTF8: slice(range))
    }
}
