import ArbModel
import ArbSDK

/// Parameters (or adapter settings) as configured: dotted key paths with the text of each value.
///
/// Values stay text until they meet the plugin's declarations, which decide their type; where
/// they came from (file, line, column) travels along for error messages.
public struct Parameters: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var text: String
        /// "strategies.yaml:12:5", or empty when the value did not come from a file.
        public var location: String

        public init(key: String, text: String, location: String = "") {
            self.key = key
            self.text = text
            self.location = location
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry] = []) { self.entries = entries }

    /// Convenience for code and tests: `["entry_threshold": "2.0"]`, in key order.
    public init(_ values: KeyValuePairs<String, String>) {
        entries = values.map { Entry(key: $0.key, text: $0.value) }
    }

    public subscript(key: String) -> String? { entries.first { $0.key == key }?.text }
}

/// The type of a declared parameter.
public enum ParameterType: Int32, Sendable {
    case bool = 1, int, decimal, string, duration

    public var name: String {
        switch self {
        case .bool: "bool"
        case .int: "integer"
        case .decimal: "decimal"
        case .string: "string"
        case .duration: "duration"
        }
    }
}

/// A parameter a plugin declares (its `param_decls`).
public struct ParameterDeclaration: Sendable, Equatable {
    public var key: String
    public var type: ParameterType
    public var required: Bool
    public var defaultText: String?
    public var minimum: ExactDecimal?
    public var maximum: ExactDecimal?
    public var summary: String

    init?(_ c: arb_param_decl_t) {
        guard let key = c.key, let type = ParameterType(rawValue: c.type) else { return nil }
        self.key = String(cString: key)
        self.type = type
        required = c.required != 0
        defaultText = c.default_text.map { String(cString: $0) }
        minimum = c.has_min != 0 ? ExactDecimal(c.min) : nil
        maximum = c.has_max != 0 ? ExactDecimal(c.max) : nil
        summary = c.description.map { String(cString: $0) } ?? ""
    }
}

/// One problem with a parameter, by key path.
public struct ParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var keyPath: String
    public var message: String
    public var location: String

    public init(keyPath: String, message: String, location: String = "") {
        self.keyPath = keyPath
        self.message = message
        self.location = location
    }

    public var description: String {
        let prefix = location.isEmpty ? "" : "\(location): "
        return keyPath.isEmpty ? "\(prefix)\(message)" : "\(prefix)\(keyPath): \(message)"
    }
}

/// A parameter value after validation, typed by its declaration.
public enum ParameterValue: Sendable, Equatable {
    case bool(Bool)
    case int(Int64)
    case decimal(ExactDecimal)
    case string(String)
    /// Nanoseconds.
    case duration(Int64)
}

/// Validated parameters, in declaration order, ready to cross the ABI.
public struct TypedParameters: Sendable, Equatable {
    public var values: [(key: String, text: String, value: ParameterValue)]

    public static func == (a: TypedParameters, b: TypedParameters) -> Bool {
        a.values.count == b.values.count
            && zip(a.values, b.values).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public subscript(key: String) -> ParameterValue? { values.first { $0.key == key }?.value }
}
