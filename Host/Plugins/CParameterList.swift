import ArbModel
import ArbSDK
import Glibc

/// Typed parameters laid out for the ABI: one `arb_param_t` array and one block of string bytes,
/// both owned here and stable until this object is released.
package final class CParameterList {
    let params: UnsafeMutableBufferPointer<arb_param_t>
    private let bytes: UnsafeMutableRawBufferPointer
    package let typed: TypedParameters

    init(_ typed: TypedParameters) {
        self.typed = typed
        let total = typed.values.reduce(0) { $0 + $1.key.utf8.count + $1.text.utf8.count }
        bytes = .allocate(byteCount: max(total, 1), alignment: 1)
        params = .allocate(capacity: max(typed.values.count, 1))
        var offset = 0
        func place(_ text: String) -> arb_str_t {
            let count = text.utf8.count
            let start = bytes.baseAddress!.advanced(by: offset)
            UnsafeMutableRawBufferPointer(start: start, count: count).copyBytes(from: text.utf8)
            offset += count
            return arb_str_t(ptr: start.assumingMemoryBound(to: CChar.self), len: count)
        }
        for (i, entry) in typed.values.enumerated() {
            var p = arb_param_t()
            p.key = place(entry.key)
            p.string_value = place(entry.text)
            switch entry.value {
            case .bool(let b):
                p.type = ARB_PARAM_BOOL
                p.bool_value = b ? 1 : 0
            case .int(let n):
                p.type = ARB_PARAM_INT
                p.int_value = n
                p.decimal_value = ExactDecimal(Int(n)).cValue
            case .decimal(let d):
                p.type = ARB_PARAM_DECIMAL
                p.decimal_value = d.cValue
            case .string:
                p.type = ARB_PARAM_STRING
            case .duration(let ns):
                p.type = ARB_PARAM_DURATION
                p.int_value = ns
            }
            (params.baseAddress! + i).initialize(to: p)
        }
    }

    deinit {
        params.deallocate()
        bytes.deallocate()
    }

    var count: Int { typed.values.count }

    /// Calls `body` with the list as the ABI's `arb_params_t`.
    package func withCParams<R>(_ body: (UnsafePointer<arb_params_t>) -> R) -> R {
        var list = arb_params_t(items: UnsafePointer(params.baseAddress), count: count)
        return withUnsafePointer(to: &list, body)
    }

    /// The parameter with `key`, by bytes, without allocating.
    package func find(_ key: arb_str_t) -> arb_param_t? {
        for i in 0..<count {
            let p = params[i]
            if p.key.len == key.len && (key.len == 0 || memcmp(p.key.ptr, key.ptr, key.len) == 0) { return p }
        }
        return nil
    }
}
