/// Canonical and display formatting, without Foundation and without Double.
extension ExactDecimal: CustomStringConvertible {
    /// The canonical form: no exponent, no trailing fraction zeros or '.', "0" for zero, '-' for negatives.
    public var description: String {
        String(unsafeUninitializedCapacity: 44) { buf in write(to: UnsafeMutableRawBufferPointer(buf)) ?? 0 }
    }

    /// Writes the canonical form (no NUL) into `buffer`; the byte count, or nil if it does not fit (44 always do).
    public func write(to buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let (integer, fraction) = DecimalMath.divMod(units.magnitude, DecimalMath.one)
        var digits = 0
        var f = fraction
        if f != 0 {
            // Strip trailing zeros: the canonical form has exactly one spelling per value.
            digits = ExactDecimal.scale
            while f % 10_000 == 0 { f /= 10_000; digits -= 4 } // at most 17 zeros: few steps
            while f % 10 == 0 { f /= 10; digits -= 1 }
        }
        return Self.render(negative: units < 0, integer: integer, fraction: f, fractionDigits: digits, into: buffer)
    }

    /// The value rounded half-even to `places` fraction digits and padded to exactly that many
    /// (for display, e.g. fees to 8 places). `places` below 0 counts as 0; above 18 pads with zeros.
    /// A negative value that rounds to zero is shown without a '-'.
    public func formatted(places: Int) -> String {
        let p = Swift.min(Swift.max(places, 0), ExactDecimal.scale)
        // Round the magnitude (half-even is symmetric), in UInt128 where it cannot overflow.
        let (q, r) = DecimalMath.divMod(units.magnitude, DecimalMath.pow10(ExactDecimal.scale - p))
        var m = q
        if r != 0 {
            switch DecimalMath.classify(UInt128(r), UInt128(DecimalMath.pow10(ExactDecimal.scale - p))) {
            case .aboveHalf: m &+= 1 // m <= 2^127 / 10^k: far from UInt128.max, cannot wrap
            case .half where m & 1 == 1: m &+= 1
            default: break
            }
        }
        let (integer, fraction) = DecimalMath.divMod(m, DecimalMath.pow10(p))
        var text = String(unsafeUninitializedCapacity: 48) { buf in
            Self.render(negative: units < 0 && m != 0, integer: integer, fraction: fraction,
                        fractionDigits: p, into: UnsafeMutableRawBufferPointer(buf)) ?? 0
        }
        if places > ExactDecimal.scale {
            text += String(repeating: "0", count: places - ExactDecimal.scale)
        }
        return text
    }

    /// Writes [-]integer[.fraction zero-padded to fractionDigits] into buffer, or nil if too small.
    static func render(negative: Bool, integer: UInt128, fraction: UInt64, fractionDigits: Int,
                       into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        // Split the integer part into base-10^19 limbs so the digit loops stay 64-bit.
        let (upper, lower) = DecimalMath.divMod(integer, DecimalMath.pow10(19))
        let (top, middle) = DecimalMath.divMod(upper, DecimalMath.pow10(19))
        let topDigits = UInt64(truncatingIfNeeded: top) // integer < 2^128 < 10^57
        let intLen: Int
        if topDigits != 0 {
            intLen = 38 + digitCount(topDigits)
        } else if middle != 0 {
            intLen = 19 + digitCount(middle)
        } else {
            intLen = digitCount(lower)
        }
        let sign = negative ? 1 : 0
        let length = sign + intLen + (fractionDigits > 0 ? 1 + fractionDigits : 0)
        guard buffer.count >= length else { return nil }
        var end = length
        if fractionDigits > 0 {
            writeDigits(fraction, count: fractionDigits, endingAt: &end, buffer)
            end -= 1
            buffer[end] = UInt8(ascii: ".")
        }
        if topDigits != 0 {
            writeDigits(lower, count: 19, endingAt: &end, buffer)
            writeDigits(middle, count: 19, endingAt: &end, buffer)
            writeDigits(topDigits, count: end - sign, endingAt: &end, buffer)
        } else if middle != 0 {
            writeDigits(lower, count: 19, endingAt: &end, buffer)
            writeDigits(middle, count: end - sign, endingAt: &end, buffer)
        } else {
            writeDigits(lower, count: end - sign, endingAt: &end, buffer)
        }
        if negative { buffer[0] = UInt8(ascii: "-") }
        return length
    }

    /// The number of decimal digits of v, at least 1.
    @inline(__always)
    static func digitCount(_ v: UInt64) -> Int {
        var n = 1
        while n < 20 && v >= DecimalMath.pow10(n) { n += 1 }
        return n
    }

    /// Writes exactly `count` digits of v (zero-padded) so that they end before `end`, moving `end` back.
    @inline(__always)
    static func writeDigits(_ v: UInt64, count: Int, endingAt end: inout Int, _ buffer: UnsafeMutableRawBufferPointer) {
        var v = v
        for _ in 0..<count {
            end -= 1
            buffer[end] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
            v /= 10
        }
    }
}
