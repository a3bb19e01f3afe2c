/// Parsing of the plain decimal strings exchanges send.
///
/// Grammar: `[+-]? digit+ ('.' digit+)?`. ".5" and "1." are refused (venues never send them,
/// and accepting them would hide a truncated field). Exponents, spaces and any other byte are
/// refused with the offset of the first offending byte; a missing digit is reported at the
/// offset where it was expected (the text length for "-" or "1.").
/// Fraction digits beyond 18 are accepted only if they are all zero.
/// Syntax errors win over `.overflow` and `.tooManyFractionDigits`, which are only reported once
/// the whole text is known to be well formed.
extension ExactDecimal {
    /// Parses an exchange string such as "61800.30" or "-0.000049895833333333" exactly.
    @inlinable
    public init(parsing text: some StringProtocol) throws(DecimalError) {
        let parsed: Result<ExactDecimal, DecimalError>? = text.utf8.withContiguousStorageIfAvailable { buf in
            Result { () throws(DecimalError) in try ExactDecimal(parsingUTF8: UnsafeRawBufferPointer(buf)) }
        }
        if let parsed {
            self = try parsed.get()
        } else {
            // Only non-contiguous (bridged) strings get here; copying makes them contiguous.
            var copy = String(text)
            self = try copy.withUTF8 { buf in
                Result { () throws(DecimalError) in try ExactDecimal(parsingUTF8: UnsafeRawBufferPointer(buf)) }
            }.get()
        }
    }

    /// Parses UTF-8 bytes (e.g. a slice of a JSON buffer) in one pass, without allocating.
    public init(parsingUTF8 bytes: UnsafeRawBufferPointer) throws(DecimalError) {
        if let units = Self.shortUnsigned(bytes) {
            self.init(units: units)
            return
        }
        try self.init(parsingAnyUTF8: bytes)
    }

    /// What venues send almost always: no sign, at most 19 bytes (so at most 18 digits, which
    /// fit 64 bits, and at most 18 fraction digits), one optional dot between digits. One pass,
    /// one 64-bit accumulator, one widening multiply; nil sends anything else (signs, long or
    /// malformed text) to the general parser, which also reports errors.
    @inline(__always)
    static func shortUnsigned(_ bytes: UnsafeRawBufferPointer) -> Int128? {
        let n = bytes.count
        guard n > 0 && n <= 19 else { return nil }
        var value: UInt64 = 0
        var dot = -1
        for i in 0..<n {
            let c = bytes[i]
            let digit = c &- UInt8(ascii: "0")
            if digit <= 9 {
                value = value &* 10 &+ UInt64(digit)
            } else if c == UInt8(ascii: ".") && dot < 0 {
                dot = i
            } else {
                return nil
            }
        }
        let fractionDigits: Int
        if dot < 0 {
            fractionDigits = 0
        } else {
            guard dot > 0 && dot < n - 1 else { return nil }
            fractionDigits = n - 1 - dot
        }
        // < 10^18 · 10^18 < 2^127: no overflow.
        let (high, low) = value.multipliedFullWidth(by: DecimalMath.pow10(ExactDecimal.scale - fractionDigits))
        return Int128(bitPattern: UInt128(high) << 64 | UInt128(low))
    }

    /// The general parser: signs, any length, every error with its offset.
    init(parsingAnyUTF8 bytes: UnsafeRawBufferPointer) throws(DecimalError) {
        let n = bytes.count
        guard n > 0 else { throw .empty }
        var i = 0
        var negative = false
        switch bytes[0] {
        case UInt8(ascii: "-"): negative = true; i = 1
        case UInt8(ascii: "+"): i = 1
        default: break
        }
        var acc = DigitAccumulator()
        let intStart = i
        while i < n {
            let d = bytes[i] &- UInt8(ascii: "0")
            if d > 9 { break }
            acc.push(d)
            i += 1
        }
        if i == intStart { throw .invalidCharacter(offset: i) }
        var fractionDigits = 0
        var droppedNonZero = false
        if i < n {
            guard bytes[i] == UInt8(ascii: ".") else { throw .invalidCharacter(offset: i) }
            i += 1
            let fracStart = i
            while i < n {
                let d = bytes[i] &- UInt8(ascii: "0")
                if d > 9 { throw .invalidCharacter(offset: i) }
                if fractionDigits < ExactDecimal.scale {
                    acc.push(d)
                    fractionDigits += 1
                } else if d != 0 {
                    droppedNonZero = true
                }
                i += 1
            }
            if i == fracStart { throw .invalidCharacter(offset: i) }
        }
        if droppedNonZero { throw .tooManyFractionDigits }
        let magnitude = try acc.value(scaledBy: ExactDecimal.scale - fractionDigits)
        units = try DecimalMath.signed(magnitude, negative: negative)
    }
}

/// Collects decimal digits in a 64-bit chunk and folds 19 digits at a time into 128 bits, so
/// typical prices never touch 128-bit multiplication until the end.
struct DigitAccumulator {
    var total: UInt128 = 0
    var chunk: UInt64 = 0
    var chunkDigits = 0
    var overflowed = false

    init() {}

    @inline(__always)
    mutating func push(_ digit: UInt8) {
        if chunkDigits == 19 { fold() }
        chunk = chunk &* 10 &+ UInt64(digit) // < 10^19 < 2^64: cannot wrap
        chunkDigits += 1
    }

    /// total = total * 10^chunkDigits + chunk, remembering overflow instead of throwing so the
    /// rest of the text is still checked for syntax.
    mutating func fold() {
        if !overflowed {
            let (m, o1) = total.multipliedReportingOverflow(by: UInt128(DecimalMath.pow10(chunkDigits)))
            let (s, o2) = m.addingReportingOverflow(UInt128(chunk))
            total = s
            overflowed = o1 || o2
        }
        chunk = 0
        chunkDigits = 0
    }

    /// The accumulated integer times 10^shift (shift in 0...18).
    mutating func value(scaledBy shift: Int) throws(DecimalError) -> UInt128 {
        if total == 0 && !overflowed {
            // Fast path: everything fitted in one chunk.
            let (r, o) = UInt128(chunk).multipliedReportingOverflow(by: UInt128(DecimalMath.pow10(shift)))
            if o { throw .overflow }
            return r
        }
        fold()
        if overflowed { throw .overflow }
        let (r, o) = total.multipliedReportingOverflow(by: UInt128(DecimalMath.pow10(shift)))
        if o { throw .overflow }
        return r
    }
}
