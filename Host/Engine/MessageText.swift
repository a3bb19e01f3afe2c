import ArbSDK
import PluginKit

/// Appending a bus message's text to the engine's message bytes (kept capacity): literals,
/// integers and exact decimals, without building Strings on the hot path.
extension ContiguousArray<UInt8> {
    @inline(__always)
    mutating func append(_ text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func append(integer value: Int64) {
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

    mutating func append(decimal value: arb_decimal_t) {
        var text: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)  // 48 bytes; 44 always do
        Swift.withUnsafeMutableBytes(of: &text) { buffer in
            let count = ExactDecimal(value).write(to: buffer) ?? 0
            append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }
}
