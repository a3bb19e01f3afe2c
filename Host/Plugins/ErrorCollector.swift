import ArbModel
import ArbSDK

/// The `arb_errors_t` sink the host hands to a plugin call, collecting what it reports.
package final class ErrorCollector {
    private(set) var errors: [ParameterError] = []
    private let prefix: String

    /// - Parameter prefix: prepended to every key path ("parameters").
    package init(prefix: String = "") { self.prefix = prefix }

    /// Calls `body` with a sink valid for the duration of the call.
    package func withSink<R>(_ body: (UnsafePointer<arb_errors_t>) -> R) -> R {
        var sink = arb_errors_t(host_data: Unmanaged.passUnretained(self).toOpaque()) { sink, key, message in
            guard let sink, let data = sink.pointee.host_data else { return }
            let collector = Unmanaged<ErrorCollector>.fromOpaque(data).takeUnretainedValue()
            let path = String(key)
            let full = collector.prefix.isEmpty ? path : (path.isEmpty ? collector.prefix : "\(collector.prefix).\(path)")
            collector.errors.append(ParameterError(keyPath: full, message: String(message)))
        }
        return withUnsafePointer(to: &sink, body)
    }

    /// The collected errors, or a single generic one if the plugin failed without saying why.
    package func errors(orDefault message: String) -> [ParameterError] {
        errors.isEmpty ? [ParameterError(keyPath: prefix, message: message)] : errors
    }
}
