import ArbModel
import ArbPlugins
import ArbSDK

/// One problem with the configuration, where a user finds it in an editor.
///
/// `line` and `column` are 1-based; both are 0 when the problem concerns the whole file (it
/// cannot be read, or it is too large to look at).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it ("strategies.yaml", "/etc/arbhost/strategies.yaml").
    public var file: String
    /// 1-based line, 0 when the problem has no position.
    public var line: Int
    /// 1-based column in characters, 0 when the problem has no position.
    public var column: Int
    /// Where in the schema: `strategies[1].parameters.entry_threshold`; empty at the top.
    public var keyPath: String
    /// What is wrong, and where useful, what would be right.
    public var message: String

    /// A problem at `line`:`column` of `file`.
    public init(file: String, line: Int, column: Int, keyPath: String = "", message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    /// "strategies.yaml:12:7: strategies[1].enabled: expected true or false, found 'yes'"
    public var description: String {
        keyPath.isEmpty
            ? "\(file):\(line):\(column): \(message)"
            : "\(file):\(line):\(column): \(keyPath): \(message)"
    }
}

/// Every problem found in one configuration file, sorted by line, then column.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, sorted by position; problems at the same position keep the order found.
    public var errors: [ConfigError]

    /// Sorts `errors` by line, then column.
    public init(_ errors: [ConfigError]) {
        self.errors = errors.enumerated().sorted { a, b in
            (a.element.line, a.element.column, a.offset) < (b.element.line, b.element.column, b.offset)
        }.map(\.element)
    }

    /// One problem.
    public init(_ error: ConfigError) { self.errors = [error] }

    /// One problem per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
