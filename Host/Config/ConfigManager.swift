import ArbModel
import ArbPlugins
import ArbSDK
import Foundation
import Logging

/// What applies a configuration to the running host (HostRuntime).
public protocol ConfigApplier: AnyObject {
    /// The plugins that configurations may name.
    var loadedPlugins: [LoadedPlugin] { get }
    /// Plugin files found but refused (named in errors about a missing plugin id).
    var refusedPlugins: [PluginLoadError] { get }
    /// Applies `diff` (from the running configuration to `config`) between two events;
    /// returns the configuration now in effect (a refused change keeps its old part) and one
    /// summary line per change.
    func apply(_ config: SystemConfig, diff: ConfigDiff) -> (effective: SystemConfig, summary: [String])
    func configRejected(_ errors: [ConfigError])
    func configApplied(_ version: ConfigVersion)
}

/// strategies.yaml as the source of truth (the seed's ConfigManager).
///
/// The file is read and validated whole; an invalid file changes nothing. A change made
/// through `updateConfig` is validated, written atomically (the previous file kept as
/// `<file>.previous`) and then applied like any edit. Each applied change gets a version.
public final class ConfigManager: @unchecked Sendable {
    public enum ReloadOutcome: Sendable, Equatable {
        case applied(ConfigVersion)
        case unchanged
        case rejected([ConfigError])
    }

    public let path: String
    public private(set) var config: SystemConfig?
    public private(set) var versions: [ConfigVersion] = []
    public var environment: [String: String]
    package weak var applier: (any ConfigApplier)?
    private var lastHash: UInt64?
    private let lock = NSLock()
    private let logger = Logger(label: "config")

    public init(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.path = path
        self.environment = environment
    }

    // MARK: The seed's operations

    /// Reads and checks the file (load_config): structure, types and ranges, references, and,
    /// when plugins are given, each plugin's own checks. Every problem is reported.
    public func loadConfig(plugins: [LoadedPlugin]? = nil, refused: [PluginLoadError] = []) -> Result<SystemConfig, ConfigErrors> {
        switch ConfigDecoder.read(path: path) {
        case .failure(let error): return .failure(ConfigErrors(error))
        case .success(let bytes): return check(Data(bytes), plugins: plugins, refused: refused)
        }
    }

    /// Checks a whole configuration text (validate_config).
    public func validateConfig(_ text: Data, plugins: [LoadedPlugin]? = nil) -> [ConfigError] {
        switch check(text, plugins: plugins) {
        case .success: []
        case .failure(let errors): errors.errors
        }
    }

    private func check(_ text: Data, plugins: [LoadedPlugin]?, refused: [PluginLoadError] = []) -> Result<SystemConfig, ConfigErrors> {
        switch ConfigDecoder.decode(text, file: path, environment: environment) {
        case .failure(let errors): return .failure(errors)
        case .success(let config):
            guard let plugins else { return .success(config) }
            let errors = ConfigValidator.validate(config, plugins: plugins, refused: refused)
            return errors.isEmpty ? .success(config) : .failure(ConfigErrors(errors))
        }
    }

    /// The configuration of one venue (get_exchange_config).
    public func exchangeConfig(named name: String) -> ExchangeConfig? {
        lock.withLock { config?.exchanges.first { $0.name == name } }
    }

    /// The configuration of one strategy (get_strategy_config).
    public func strategyConfig(named name: String) -> StrategyConfig? {
        lock.withLock { config?.strategies.first { $0.name == name } }
    }

    /// Re-reads the file and applies what changed (reload_config). A file whose bytes did not
    /// change since the last reload is not applied again, so each edit is applied exactly once.
    @discardableResult
    public func reloadConfig() -> ReloadOutcome {
        lock.lock()
        defer { lock.unlock() }
        guard let applier else { return .unchanged }
        let text: Data
        switch ConfigDecoder.read(path: path) {
        case .success(let bytes): text = Data(bytes)
        case .failure(let error):
            // A missing or unreadable file (an editor between delete and write, a permission
            // change) is a rejection like any other: logged, announced, nothing applied.
            logger.error("\(error.description)")
            logger.error("configuration rejected: the file could not be read; still running on version \(versions.last?.number ?? 0)")
            applier.configRejected([error])
            return .rejected([error])
        }
        let hash = Self.hash(text)
        if hash == lastHash { return .unchanged }
        lastHash = hash
        switch check(text, plugins: applier.loadedPlugins, refused: applier.refusedPlugins) {
        case .failure(let errors):
            for e in errors.errors { logger.error("\(e.description)") }
            logger.error("configuration rejected: \(errors.errors.count) problem(s); still running on version \(versions.last?.number ?? 0)")
            applier.configRejected(errors.errors)
            return .rejected(errors.errors)
        case .success(let new):
            let diff = ConfigDiff(from: config ?? SystemConfig(), to: new)
            if diff.isEmpty && config != nil {
                config = new  // comments or positions moved: nothing to apply
                return .unchanged
            }
            let (effective, summary) = applier.apply(new, diff: diff)
            if let previous = config, ConfigDiff(from: previous, to: effective).isEmpty {
                // Nothing of the edit took effect (a strategy that could not start, a refused
                // change): no new version; the edit is reported as rejected, with why.
                let errors = summary.map { ConfigError(file: path, line: 0, column: 0, keyPath: "", message: $0) }
                for e in errors { logger.error("\(e.description)") }
                logger.error("configuration rejected: none of the edit could be applied; still running on version \(versions.last?.number ?? 0)")
                applier.configRejected(errors)
                return .rejected(errors)
            }
            config = effective
            let version = ConfigVersion(number: (versions.last?.number ?? 0) + 1, appliedAt: Self.now(), summary: summary,
                                        contentHash: hash)
            versions.append(version)
            for line in summary { logger.info("v\(version.number): \(line)") }
            applier.configApplied(version)
            return .applied(version)
        }
    }

    /// Validates `text` as the new configuration, writes it atomically (keeping the previous
    /// file as `<file>.previous`) and applies it (update_config). Invalid text changes nothing.
    @discardableResult
    public func updateConfig(_ text: String) throws(ConfigErrors) -> ReloadOutcome {
        let data = Data(text.utf8)
        let errors = validateConfig(data, plugins: applier?.loadedPlugins)
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        do { try saveConfig(data) } catch {
            throw ConfigErrors([ConfigError(file: path, line: 0, column: 0, keyPath: "", message: "cannot write: \(error)")])
        }
        return reloadConfig()
    }

    /// Changes one strategy parameter in the file, keeping everything else (comments included),
    /// then validates, writes and applies like `updateConfig`.
    @discardableResult
    public func updateParameter(strategy: String, key: String, to value: String) throws(ConfigErrors) -> ReloadOutcome {
        func failure(_ message: String) -> ConfigErrors {
            ConfigErrors([ConfigError(file: path, line: 0, column: 0, keyPath: "strategies.\(strategy).parameters.\(key)",
                                              message: message)])
        }
        guard case .success(let bytes) = ConfigDecoder.read(path: path) else { throw failure("cannot read the configuration file") }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let entry = strategyConfig(named: strategy)?.parameters.entries.first(where: { $0.key == key }) else {
            throw failure("not in the file: add it by editing strategies.yaml")
        }
        guard let edited = Self.replaceScalar(in: text, at: entry.location, old: entry.text, new: value) else {
            throw failure("the file changed under us; edit it by hand")
        }
        return try updateConfig(edited)
    }

    /// Writes the file atomically: a temporary file, flushed, renamed over; the previous file
    /// is kept as `<file>.previous` (save_config).
    public func saveConfig(_ data: Data) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            let previous = path + ".previous"
            try? fm.removeItem(atPath: previous)
            try fm.copyItem(atPath: path, toPath: previous)
        }
        let temporary = path + ".writing-\(getpid())"
        guard fm.createFile(atPath: temporary, contents: data) else { throw CocoaError(.fileWriteUnknown) }
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Marks the configuration the host started from as version 1.
    package func started(with config: SystemConfig, text: Data, summary: [String]) {
        lock.withLock {
            self.config = config
            lastHash = Self.hash(text)
            versions = [ConfigVersion(number: 1, appliedAt: Self.now(), summary: summary, contentHash: Self.hash(text))]
        }
    }

    // MARK: Helpers

    static func hash(_ data: Data) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Replaces the scalar `old` that starts at `location` ("file:line:column", 1-based) with
    /// `new`, quoting it when YAML needs it; nil if the text there is not `old`.
    static func replaceScalar(in text: String, at location: String, old: String, new: String) -> String? {
        let parts = location.split(separator: ":")
        guard parts.count >= 3, let line = Int(parts[parts.count - 2]), let column = Int(parts[parts.count - 1]) else { return nil }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard line >= 1, line <= lines.count else { return nil }
        let current = Array(lines[line - 1])
        guard column >= 1, column - 1 <= current.count else { return nil }
        let rest = String(current[(column - 1)...])
        let quotedNew = new.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) } ? new : "\"\(new)\""
        for form in [old, "\"\(old)\"", "'\(old)'"] where rest.hasPrefix(form) {
            lines[line - 1] = String(current[..<(column - 1)]) + quotedNew + rest.dropFirst(form.count)
            return lines.joined(separator: "\n")
        }
        return nil
    }
}
