import ArbModel
import ArbSDK

extension LoadedPlugin {
    /// Checks parameters (or settings) against the plugin's declarations (types, ranges, required
    /// and unknown keys), then against its own `validate_params` if it has one; on success, the
    /// typed list ready to cross the ABI. Every problem is reported, keyed by parameter.
    package func checkedParameters(_ parameters: Parameters) -> Result<CParameterList, ParameterErrors> {
        let typed: TypedParameters
        switch ParameterValidator.validate(parameters, against: parameterDeclarations) {
        case .success(let value): typed = value
        case .failure(let errors): return .failure(errors)
        }
        let list = CParameterList(typed)
        if let validate = strategy?.pointee.validate_params ?? exchange?.pointee.validate_params {
            let collector = ErrorCollector()
            let status = list.withCParams { params in collector.withSink { validate(params, $0) } }
            if status != ARB_OK {
                return .failure(ParameterErrors(errors: collector.errors(orDefault: "rejected by \(info.id) (status \(status))")))
            }
        }
        return .success(list)
    }

    /// Calls one of the plugin's `create` functions with an instance name and parameters; the
    /// new instance, or the problems the plugin reported (prefixed with `prefix`).
    package static func createInstance(
        name: String, parameters list: CParameterList, prefix: String = "",
        _ create: (arb_str_t, UnsafePointer<arb_params_t>, UnsafePointer<arb_errors_t>,
                   UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> arb_status_t
    ) -> Result<UnsafeMutableRawPointer, ParameterErrors> {
        let collector = ErrorCollector(prefix: prefix)
        var created: UnsafeMutableRawPointer?
        let status = name.withArbStr { n in
            list.withCParams { params in collector.withSink { create(n, params, $0, &created) } }
        }
        guard status == ARB_OK, let created else {
            return .failure(ParameterErrors(errors: collector.errors(orDefault: "create failed with status \(status)")))
        }
        return .success(created)
    }
}
