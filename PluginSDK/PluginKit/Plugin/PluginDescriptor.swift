import ArbSDK

/// What a plugin says about itself in its descriptor.
public struct PluginDescriptor: Sendable {
    /// Stable reverse-DNS id: "org.arbhost.strategy.spread-watch".
    public var id: String
    public var name: String
    public var version: String
    public var summary: String

    public init(id: String, name: String, version: String, summary: String) {
        self.id = id
        self.name = name
        self.version = version
        self.summary = summary
    }

    /// A NUL-terminated copy that lives for the life of the plugin image.
    static func permanent(_ text: String) -> UnsafePointer<CChar> {
        let bytes = Array(text.utf8CString)
        let memory = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        memory.initialize(from: bytes, count: bytes.count)
        return UnsafePointer(memory)
    }

    /// The C descriptor, allocated once per plugin image.
    func makeC(kind: arb_plugin_kind_t,
               getInterface: @convention(c) (UnsafePointer<CChar>?) -> UnsafeRawPointer?) -> UnsafePointer<arb_plugin_descriptor_t> {
        let d = UnsafeMutablePointer<arb_plugin_descriptor_t>.allocate(capacity: 1)
        d.initialize(to: arb_plugin_descriptor_t(
            struct_size: structSize(arb_plugin_descriptor_t.self), abi_major: UInt32(ARB_ABI_MAJOR),
            abi_minor: UInt32(ARB_ABI_MINOR), kind: kind, id: Self.permanent(id), name: Self.permanent(name),
            version: Self.permanent(version), description: Self.permanent(summary), get_interface: getInterface))
        return UnsafePointer(d)
    }
}

/// A failing ABI status, as a Swift error.
public struct HostError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: arb_status_t
    public init(_ status: arb_status_t) { self.status = status }

    public static let invalidArgument = HostError(ARB_ERR_INVALID_ARGUMENT)
    public static let notAvailable = HostError(ARB_ERR_NOT_AVAILABLE)
    public static let unsupported = HostError(ARB_ERR_UNSUPPORTED)
    public static let notFound = HostError(ARB_ERR_NOT_FOUND)
    public static let rejected = HostError(ARB_ERR_REJECTED)
    public static let wrongState = HostError(ARB_ERR_WRONG_STATE)

    public var description: String {
        let names: [arb_status_t: String] = [
            ARB_ERR_INVALID_ARGUMENT: "invalid argument", ARB_ERR_OVERFLOW: "overflow",
            ARB_ERR_DIVISION_BY_ZERO: "division by zero", ARB_ERR_PARSE: "parse error",
            ARB_ERR_NOT_AVAILABLE: "not available in this host yet", ARB_ERR_UNSUPPORTED: "unsupported",
            ARB_ERR_NOT_FOUND: "not found", ARB_ERR_WRONG_THREAD: "wrong thread", ARB_ERR_WRONG_STATE: "wrong state",
            ARB_ERR_REJECTED: "rejected", ARB_ERR_BUFFER_TOO_SMALL: "buffer too small", ARB_ERR_QUEUE_FULL: "queue full",
            ARB_ERR_INTERNAL: "internal error",
        ]
        return "\(names[status] ?? "status") (\(status))"
    }

    /// Throws unless `status` is ARB_OK.
    @inline(__always)
    static func check(_ status: arb_status_t) throws(HostError) {
        if status != ARB_OK { throw HostError(status) }
    }
}

/// A problem with one parameter, by key path; thrown from a plugin's init, validate or
/// reconfigure, it reaches the host as a keyed error message.
public struct ParameterProblem: Error, Sendable, CustomStringConvertible {
    public var keyPath: String
    public var message: String
    public init(_ keyPath: String, _ message: String) {
        self.keyPath = keyPath
        self.message = message
    }
    public var description: String { keyPath.isEmpty ? message : "\(keyPath): \(message)" }
}

/// Several parameter problems at once.
public struct ParameterProblems: Error, Sendable {
    public var problems: [ParameterProblem]
    public init(_ problems: [ParameterProblem]) { self.problems = problems }
}

extension UnsafePointer where Pointee == arb_errors_t {
    /// Reports a Swift error through the sink, keyed when it says which parameter it is about.
    func report(_ error: any Error) {
        func add(_ key: String, _ message: String) {
            key.withArbStr { k in message.withArbStr { m in pointee.add?(self, k, m) } }
        }
        switch error {
        case let p as ParameterProblem: add(p.keyPath, p.message)
        case let ps as ParameterProblems: for p in ps.problems { add(p.keyPath, p.message) }
        default: add("", "\(error)")
        }
    }
}
