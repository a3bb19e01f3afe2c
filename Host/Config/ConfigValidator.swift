import ArbModel
import ArbPlugins
import ArbSDK

/// The checks that need the plugins: each named plugin exists and has the right kind, and each
/// strategy's parameters and each venue's settings pass the plugin's declarations and its own
/// `validate_params`. Structural checks (types, ranges, names, references) are the decoder's.
public enum ConfigValidator {
    /// - Parameter refused: the plugin files that were found but refused; when a configured id
    ///   is missing, the message says which files were refused and why.
    public static func validate(_ config: SystemConfig, plugins: [LoadedPlugin], refused: [PluginLoadError] = []) -> [ConfigError] {
        var errors: [ConfigError] = []
        for (i, exchange) in config.exchanges.enumerated() {
            let path = "exchanges[\(i)]"
            guard let plugin = find(exchange.plugin, .exchange, in: plugins, refused: refused, at: exchange.location,
                                    keyPath: path + ".plugin", errors: &errors) else { continue }
            errors += check(exchange.settings, of: plugin, at: exchange.location, keyPath: path + ".settings")
        }
        for (i, strategy) in config.strategies.enumerated() {
            let path = "strategies[\(i)]"
            guard let plugin = find(strategy.plugin, .strategy, in: plugins, refused: refused, at: strategy.location,
                                    keyPath: path + ".plugin", errors: &errors) else { continue }
            errors += check(strategy.parameters, of: plugin, at: strategy.location, keyPath: path + ".parameters")
        }
        return errors.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    private static func find(_ id: String, _ kind: PluginInfo.Kind, in plugins: [LoadedPlugin], refused: [PluginLoadError],
                             at location: SourceLocation, keyPath: String, errors: inout [ConfigError]) -> LoadedPlugin? {
        guard let plugin = plugins.first(where: { $0.info.id == id }) else {
            let known = plugins.filter { $0.info.kind == kind }.map(\.info.id).sorted()
            var message = "no \(kind.rawValue) plugin has the id '\(id)'"
            if let file = refused.first(where: { $0.pluginId == id }) {
                message += ": \(file.file) has it but was refused: it \(file.explanation)"
            } else {
                if let close = ParameterValidator.closest(id, among: known) { message += "; did you mean '\(close)'?" }
                message += known.isEmpty ? " (no \(kind.rawValue) plugins are loaded)" : " (loaded: \(known.joined(separator: ", ")))"
                if !refused.isEmpty {
                    message += "; refused plugin files, one may be it: "
                        + refused.map { "\($0.file) (it \($0.explanation))" }.joined(separator: "; ")
                }
            }
            errors.append(ConfigError(at: location, keyPath: keyPath, message: message))
            return nil
        }
        guard plugin.info.kind == kind else {
            errors.append(ConfigError(at: location, keyPath: keyPath,
                                      message: "'\(id)' is a \(plugin.info.kind.rawValue) plugin, not a \(kind.rawValue) plugin"))
            return nil
        }
        return plugin
    }

    /// Declarations first (types, ranges, required, unknown keys), then the plugin's own check;
    /// each problem at its value's position when the file has that key, else at the entry.
    static func check(_ parameters: Parameters, of plugin: LoadedPlugin, at location: SourceLocation, keyPath: String)
        -> [ConfigError]
    {
        guard case .failure(let problems) = plugin.checkedParameters(parameters) else { return [] }
        return problems.errors.map { problem in
            var problem = problem
            if problem.location.isEmpty, let entry = parameters.entries.first(where: { $0.key == problem.keyPath }) {
                problem.location = entry.location
            }
            return ConfigError(parameterError: problem, fallback: location, prefix: keyPath)
        }
    }
}

extension ConfigError {
    init(at location: SourceLocation, keyPath: String, message: String) {
        self.init(file: location.file, line: location.line, column: location.column, keyPath: keyPath, message: message)
    }

    /// From a parameter problem: its own "file:line:column" when it has one, else `fallback`.
    init(parameterError e: ParameterError, fallback: SourceLocation, prefix: String) {
        let parts = e.location.split(separator: ":")
        let keyPath = e.keyPath.isEmpty ? prefix : prefix + "." + e.keyPath
        if parts.count >= 3, let line = Int(parts[parts.count - 2]), let column = Int(parts[parts.count - 1]) {
            let file = parts.dropLast(2).joined(separator: ":")
            self.init(file: file, line: line, column: column, keyPath: keyPath, message: e.message)
        } else {
            self.init(file: fallback.file, line: fallback.line, column: fallback.column, keyPath: keyPath, message: e.message)
        }
    }
}
