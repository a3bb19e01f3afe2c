import ArbSDK
import Glibc

extension String {
    /// Copies a borrowed ABI string (invalid UTF-8 is repaired with U+FFFD).
    public init(_ s: arb_str_t) {
        guard let p = s.ptr, s.len > 0 else {
            self = ""
            return
        }
        self = String(decoding: UnsafeRawBufferPointer(start: p, count: s.len), as: UTF8.self)
    }

    /// Calls `body` with this string as a borrowed `arb_str_t`.
    public func withArbStr<R>(_ body: (arb_str_t) throws -> R) rethrows -> R {
        var copy = self
        return try copy.withUTF8 { bytes in
            try body(arb_str_t(bytes))
        }
    }
}

extension arb_str_t {
    /// The empty string.
    public static var empty: arb_str_t { arb_str_t(ptr: nil, len: 0) }

    /// A view of UTF-8 bytes (borrowed: valid as long as `bytes` is).
    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.init(ptr: bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                  len: bytes.count)
    }

    /// The bytes, borrowed.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: ptr, count: ptr == nil ? 0 : len)
    }

    /// Byte-wise equality with a Swift string, without allocating.
    public func equals(_ text: StaticString) -> Bool {
        text.withUTF8Buffer { other in
            guard other.count == len else { return false }
            guard len > 0, let ptr, let base = other.baseAddress else { return len == 0 }
            return memcmp(ptr, base, len) == 0
        }
    }
}

/// Rounds `MemoryLayout<T>.size` to the `struct_size` field type.
@inlinable public func structSize<T>(_: T.Type) -> UInt32 { UInt32(MemoryLayout<T>.size) }
