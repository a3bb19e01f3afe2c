import ArbSDK

extension ExactDecimal {
    /// The value of a C `arb_decimal_t` (lo = low 64 bits, hi = high 64 bits, two's complement).
    @inlinable
    public init(_ c: arb_decimal_t) {
        let bits = UInt128(UInt64(bitPattern: c.hi)) << 64 | UInt128(c.lo)
        self.init(units: Int128(bitPattern: bits))
    }

    /// The bit-exact C `arb_decimal_t` for this value.
    @inlinable
    public var cValue: arb_decimal_t {
        arb_decimal_t(lo: UInt64(truncatingIfNeeded: units), hi: Int64(truncatingIfNeeded: units >> 64))
    }
}

/// The host's `arb_host_decimal_t`: C entry points backed by the same Swift code the host uses,
/// so C plugins and the host agree to the last digit. No slot ever traps or lets a Swift error
/// escape; every failure is an `arb_status_t`.
public enum HostDecimalTable {
    /// The filled function table, shared by every plugin (immutable; C function pointers are Sendable).
    public static let table: arb_host_decimal_t = makeTable()

    /// Builds a fresh `arb_host_decimal_t` with `struct_size` set and every slot filled.
    public static func makeTable() -> arb_host_decimal_t {
        arb_host_decimal_t(
            struct_size: UInt32(MemoryLayout<arb_host_decimal_t>.size),
            parse: { text, out in HostDecimalTable.parse(text, out) },
            format: { value, buf, cap, written in HostDecimalTable.format(value, buf, cap, written) },
            mul: { a, b, rounding, out in
                HostDecimalTable.run(rounding, out) { mode throws(DecimalError) in
                    try ExactDecimal(a).multiplied(by: ExactDecimal(b), rounding: mode)
                }
            },
            div: { a, b, rounding, out in
                HostDecimalTable.run(rounding, out) { mode throws(DecimalError) in
                    try ExactDecimal(a).divided(by: ExactDecimal(b), rounding: mode)
                }
            },
            round_places: { value, places, rounding, out in
                HostDecimalTable.run(rounding, out) { mode throws(DecimalError) in
                    try ExactDecimal(value).rounded(places: Int(places), rounding: mode)
                }
            },
            round_to_step: { value, step, rounding, out in
                HostDecimalTable.run(rounding, out) { mode throws(DecimalError) in
                    try ExactDecimal(value).rounded(toStep: ExactDecimal(step), rounding: mode)
                }
            }
        )
    }

    /// Validates the rounding and output pointer, runs `body` and stores its result (only on success).
    @inline(__always)
    static func run(_ rounding: arb_rounding_t, _ out: UnsafeMutablePointer<arb_decimal_t>?,
                    _ body: (RoundingMode) throws(DecimalError) -> ExactDecimal) -> arb_status_t {
        guard let out, let mode = RoundingMode(cValue: rounding) else { return ARB_ERR_INVALID_ARGUMENT }
        do {
            out.pointee = try body(mode).cValue
            return ARB_OK
        } catch {
            return error.status
        }
    }

    /// The `parse` slot: validates pointers and lengths, then parses.
    static func parse(_ text: arb_str_t, _ out: UnsafeMutablePointer<arb_decimal_t>?) -> arb_status_t {
        // A size_t above Int.max arrives negative; a non-empty string needs a pointer.
        guard let out, text.len >= 0, text.ptr != nil || text.len == 0 else { return ARB_ERR_INVALID_ARGUMENT }
        do {
            out.pointee = try ExactDecimal(parsingUTF8: UnsafeRawBufferPointer(start: text.ptr, count: text.len)).cValue
            return ARB_OK
        } catch {
            return error.status
        }
    }

    /// The `format` slot: writes digits and a NUL, or reports the needed length.
    static func format(_ value: arb_decimal_t, _ buf: UnsafeMutablePointer<CChar>?, _ cap: Int,
                       _ written: UnsafeMutablePointer<Int>?) -> arb_status_t {
        guard let buf else { return ARB_ERR_INVALID_ARGUMENT }
        // A size_t above Int.max arrives negative: treat it as "large enough".
        let usable = cap < 0 ? 64 : Swift.min(cap, 64)
        let decimal = ExactDecimal(value)
        // Leave room for the NUL; on success the digits go straight into the caller's buffer.
        let dst = UnsafeMutableRawBufferPointer(start: buf, count: Swift.max(usable - 1, 0))
        guard let length = decimal.write(to: dst) else {
            var scratch: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0) // 48 bytes, stack
            written?.pointee = withUnsafeMutableBytes(of: &scratch) { decimal.write(to: $0) ?? 0 }
            return ARB_ERR_BUFFER_TOO_SMALL
        }
        dst.baseAddress?.storeBytes(of: 0, toByteOffset: length, as: UInt8.self)
        written?.pointee = length
        return ARB_OK
    }
}
