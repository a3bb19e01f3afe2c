import ArbModel
import ArbSDK

/// Why a strategy or venue instance could not be created, started or changed.
public struct InstanceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configured name of the strategy or venue.
    public var name: String
    /// The plugin file.
    public var plugin: String
    public var problems: [ParameterError]

    public init(strategy name: String, plugin: String, problems: [ParameterError]) {
        self.name = name
        self.plugin = plugin
        self.problems = problems
    }

    public var description: String {
        let head = "'\(name)'" + (plugin.isEmpty ? "" : " (plugin \(plugin))")
        if problems.count == 1 { return "\(head): \(problems[0])" }
        return ([head + ":"] + problems.map { "  - \($0)" }).joined(separator: "\n")
    }
}
