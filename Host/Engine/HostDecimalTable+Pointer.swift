import ArbModel
import ArbSDK

extension HostDecimalTable {
    /// One copy of the decimal table for every host table to point at; lives for the process.
    package nonisolated(unsafe) static let pointer: UnsafePointer<arb_host_decimal_t> = {
        let p = UnsafeMutablePointer<arb_host_decimal_t>.allocate(capacity: 1)
        p.initialize(to: table)
        return UnsafePointer(p)
    }()
}
