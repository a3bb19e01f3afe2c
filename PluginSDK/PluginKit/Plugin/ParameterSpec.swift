import ArbSDK

/// A parameter a plugin declares: the host checks type, range and presence before the plugin
/// sees a value, and reports problems with the key path.
public struct ParameterSpec: Sendable {
    public enum Kind: Int32, Sendable { case bool = 1, int, decimal, string, duration }

    public var key: String
    public var kind: Kind
    public var defaultText: String?
    public var minimum: ExactDecimal?
    public var maximum: ExactDecimal?
    public var summary: String

    /// - Parameters:
    ///   - defaultText: the YAML text used when the key is absent; nil makes the key required.
    public init(_ key: String, _ kind: Kind, default defaultText: String? = nil, min: ExactDecimal? = nil,
                max: ExactDecimal? = nil, _ summary: String) {
        self.key = key
        self.kind = kind
        self.defaultText = defaultText
        minimum = min
        maximum = max
        self.summary = summary
    }

    /// Declarations as the static C array the ABI wants; allocated once per plugin image.
    static func makeC(_ specs: [ParameterSpec]) -> UnsafeBufferPointer<arb_param_decl_t> {
        let decls = UnsafeMutableBufferPointer<arb_param_decl_t>.allocate(capacity: max(specs.count, 1))
        for (i, s) in specs.enumerated() {
            decls[i] = arb_param_decl_t(
                struct_size: structSize(arb_param_decl_t.self), key: PluginDescriptor.permanent(s.key),
                type: s.kind.rawValue, required: s.defaultText == nil ? 1 : 0,
                default_text: s.defaultText.map(PluginDescriptor.permanent), has_min: s.minimum == nil ? 0 : 1,
                min: (s.minimum ?? .zero).cValue, has_max: s.maximum == nil ? 0 : 1, max: (s.maximum ?? .zero).cValue,
                description: PluginDescriptor.permanent(s.summary))
        }
        return UnsafeBufferPointer(start: decls.baseAddress, count: specs.count)
    }
}

/// Parameter values as the host validated them, copied into Swift.
public struct ParameterValues: Sendable {
    public enum Value: Sendable, Equatable {
        case bool(Bool)
        case int(Int64)
        case decimal(ExactDecimal)
        case string(String)
        /// Nanoseconds.
        case duration(Int64)
    }

    public private(set) var values: [String: Value] = [:]
    /// The YAML text of each value.
    public private(set) var texts: [String: String] = [:]

    public init(_ values: [String: Value] = [:]) { self.values = values }

    public init(_ params: UnsafePointer<arb_params_t>?) {
        guard let params, let items = params.pointee.items else { return }
        for i in 0..<params.pointee.count {
            let p = items[i]
            let key = String(p.key)
            texts[key] = String(p.string_value)
            switch p.type {
            case ARB_PARAM_BOOL: values[key] = .bool(p.bool_value != 0)
            case ARB_PARAM_INT: values[key] = .int(p.int_value)
            case ARB_PARAM_DECIMAL: values[key] = .decimal(ExactDecimal(p.decimal_value))
            case ARB_PARAM_DURATION: values[key] = .duration(p.int_value)
            default: values[key] = .string(String(p.string_value))
            }
        }
    }

    public func bool(_ key: String) throws(ParameterProblem) -> Bool {
        guard case .bool(let v)? = values[key] else { throw ParameterProblem(key, "expected a bool") }
        return v
    }

    public func int(_ key: String) throws(ParameterProblem) -> Int64 {
        guard case .int(let v)? = values[key] else { throw ParameterProblem(key, "expected an integer") }
        return v
    }

    public func decimal(_ key: String) throws(ParameterProblem) -> ExactDecimal {
        switch values[key] {
        case .decimal(let v)?: return v
        case .int(let v)?: return ExactDecimal(Int(v))
        default: throw ParameterProblem(key, "expected a decimal")
        }
    }

    public func string(_ key: String) throws(ParameterProblem) -> String {
        guard case .string(let v)? = values[key] else { throw ParameterProblem(key, "expected a string") }
        return v
    }

    /// Nanoseconds.
    public func duration(_ key: String) throws(ParameterProblem) -> Int64 {
        guard case .duration(let v)? = values[key] else { throw ParameterProblem(key, "expected a duration") }
        return v
    }
}
