import ArbModel
import ArbPlugins
import ArbSDK
import Foundation

/// Reads strategies.yaml into a ``SystemConfig``, reporting every problem it finds.
///
/// Each problem carries the file, the 1-based line and column of the offending key or value
/// and its key path (`strategies[1].parameters.entry_threshold`). Values are read from their
/// text: decimals exactly (never through a binary float), bools only as `true`/`false`.
/// Secrets never appear in the file: credentials name environment variables, which must be set.
public enum ConfigDecoder {
    /// Decodes configuration text; `file` names it in errors.
    public static func decode(_ text: String, file: String,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<SystemConfig, ConfigErrors> {
        decode(Array(text.utf8), file: file, environment: environment)
    }

    /// Decodes configuration bytes (UTF-8: `[UInt8]`, `Data` …); `file` names them in errors.
    public static func decode(_ bytes: some Collection<UInt8>, file: String,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<SystemConfig, ConfigErrors> {
        let document: YAMLDocument
        do throws(ConfigErrors) {
            document = try YAMLParser.parse(Array(bytes), file: file)
        } catch {
            return .failure(error)
        }
        var reader = SchemaReader(file: file, environment: environment)
        reader.errors = document.problems
        let config = reader.system(document.root)
        return reader.errors.isEmpty ? .success(config) : .failure(ConfigErrors(reader.errors))
    }

    /// Reads and decodes the file at `path`; errors name the file as `path`. A file that cannot
    /// be read is one error at line 0, column 0; a file over the size limit is refused unread.
    public static func load(path: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<SystemConfig, ConfigErrors> {
        switch read(path: path) {
        case .failure(let error): .failure(ConfigErrors(error))
        case .success(let bytes): decode(bytes, file: path, environment: environment)
        }
    }

    /// The bytes of the configuration file at `path`, read with the size limit: at most one byte
    /// past it is read, so a huge (or endless) file is refused quickly. Every reader of
    /// strategies.yaml goes through here.
    public static func read(path: String) -> Result<[UInt8], ConfigError> {
        let limit = YAMLLimits().maxBytes
        func failure(_ message: String) -> Result<[UInt8], ConfigError> {
            .failure(ConfigError(file: path, line: 0, column: 0, message: message))
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return failure("cannot open the configuration file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: limit + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress.map { $0 + count }, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                return failure("cannot read the configuration file: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            count += n
        }
        if count > limit {
            return failure("the file is larger than the \(limit / (1 << 20)) MiB limit for strategies.yaml")
        }
        bytes.removeSubrange(count...)
        return .success(bytes)
    }
}

/// Walks the YAML tree along the schema, collecting every problem.
private struct SchemaReader {
    let file: String
    let environment: [String: String]
    var errors: [ConfigError] = []

    /// A mapping's entries, looked up by key.
    struct Fields {
        var pairs: [YAMLNode.Pair]
        subscript(key: String) -> YAMLNode.Pair? { pairs.first { $0.key == key } }
    }

    static let exchangeKeys = ["name", "plugin", "credentials", "sandbox", "rate_limit", "timeout", "settings"]
    static let credentialKeys = ["api_key_env", "secret_env", "passphrase_env"]
    static let strategyKeys = ["name", "plugin", "enabled", "symbols", "parameters", "risk_limits",
                               "position_size", "max_positions", "on_remove"]
    static let riskKeys = ["max_position_size", "max_daily_loss", "max_drawdown", "var_limit", "var_confidence",
                           "correlation_limit", "stop_loss", "take_profit", "leverage_limit"]
    static let systemKeys = ["database", "log_level", "log_format", "monitoring", "api_listen", "plugin_dirs"]
    static let secretMessage = "secrets are never written in strategies.yaml; name an environment variable with api_key_env / secret_env / passphrase_env"

    init(file: String, environment: [String: String]) {
        self.file = file
        self.environment = environment
    }

    // MARK: Sections

    mutating func system(_ root: YAMLNode) -> SystemConfig {
        var config = SystemConfig()
        guard let top = fields(root, "", known: ["exchanges", "strategies", "risk", "system"]) else { return config }
        if let pair = top["exchanges"] { config.exchanges = exchanges(pair.value) }
        if let pair = top["strategies"] {
            var venues: [String] = []
            for name in config.exchanges.map(\.name) where !name.isEmpty && !venues.contains(name) { venues.append(name) }
            config.strategies = strategies(pair.value, venues: venues)
        }
        if let pair = top["risk"] { config.risk = risk(pair.value) }
        if let pair = top["system"] { config.system = settings(pair.value) }
        return config
    }

    mutating func exchanges(_ node: YAMLNode) -> [ExchangeConfig] {
        var result: [ExchangeConfig] = []
        var firstLine: [String: Int] = [:]
        for (i, item) in (sequence(node, "exchanges") ?? []).enumerated() {
            let path = "exchanges[\(i)]"
            reportSecretKeys(in: item, path)
            guard let f = fields(item, path, known: Self.exchangeKeys, skippingSecrets: true) else { continue }
            let name = uniqueName(f, path, at: item.mark, seen: &firstLine, what: "exchange")
            var exchange = ExchangeConfig(name: name ?? "", plugin: requiredText(f, "plugin", path, at: item.mark) ?? "",
                                          location: location(item.mark, path))
            if let c = f["credentials"] {
                let cpath = path + ".credentials"
                if let cf = fields(c.value, cpath, known: Self.credentialKeys, redacted: true, skippingSecrets: true) {
                    exchange.credentials.apiKeyEnv = environmentName(cf["api_key_env"], cpath + ".api_key_env")
                    exchange.credentials.secretEnv = environmentName(cf["secret_env"], cpath + ".secret_env")
                    exchange.credentials.passphraseEnv = environmentName(cf["passphrase_env"], cpath + ".passphrase_env")
                }
            }
            if let v = f["sandbox"]?.value, let b = bool(v, path + ".sandbox") { exchange.sandbox = b }
            if let v = f["rate_limit"]?.value { exchange.rateLimit = int(v, path + ".rate_limit", atLeast: 1) }
            if let v = f["timeout"]?.value { exchange.timeoutNanoseconds = duration(v, path + ".timeout") }
            if let v = f["settings"]?.value { exchange.settings = flatten(v, path + ".settings", skippingSecrets: true) }
            result.append(exchange)
        }
        return result
    }

    mutating func strategies(_ node: YAMLNode, venues: [String]) -> [StrategyConfig] {
        var result: [StrategyConfig] = []
        var firstLine: [String: Int] = [:]
        for (i, item) in (sequence(node, "strategies") ?? []).enumerated() {
            let path = "strategies[\(i)]"
            guard let f = fields(item, path, known: Self.strategyKeys) else { continue }
            let name = uniqueName(f, path, at: item.mark, seen: &firstLine, what: "strategy")
            var strategy = StrategyConfig(name: name ?? "", plugin: requiredText(f, "plugin", path, at: item.mark) ?? "",
                                          location: location(item.mark, path))
            if let v = f["enabled"]?.value, let b = bool(v, path + ".enabled") { strategy.enabled = b }
            if let v = f["symbols"]?.value {
                for (k, symbol) in (sequence(v, path + ".symbols") ?? []).enumerated() {
                    if let ref = instrument(symbol, "\(path).symbols[\(k)]", venues: venues) { strategy.symbols.append(ref) }
                }
            }
            if let v = f["parameters"]?.value { strategy.parameters = flatten(v, path + ".parameters", skippingSecrets: false) }
            if let v = f["risk_limits"]?.value {
                let rpath = path + ".risk_limits"
                if let rf = fields(v, rpath, known: ["max_position", "max_notional", "max_daily_loss"]) {
                    strategy.riskLimits.maxPosition = decimal(rf["max_position"]?.value, rpath + ".max_position", .nonNegative)
                    strategy.riskLimits.maxNotional = decimal(rf["max_notional"]?.value, rpath + ".max_notional", .nonNegative)
                    strategy.riskLimits.maxDailyLoss = decimal(rf["max_daily_loss"]?.value, rpath + ".max_daily_loss", .nonNegative)
                }
            }
            strategy.positionSize = decimal(f["position_size"]?.value, path + ".position_size", .positive)
            if let v = f["max_positions"]?.value { strategy.maxPositions = int(v, path + ".max_positions", atLeast: 1) }
            if let v = f["on_remove"]?.value,
               let text = choice(v, path + ".on_remove", RemovalPolicy.allCases.map(\.rawValue)),
               let policy = RemovalPolicy(rawValue: text) {
                strategy.onRemove = policy
            }
            result.append(strategy)
        }
        return result
    }

    mutating func risk(_ node: YAMLNode) -> RiskConfig {
        var risk = RiskConfig()
        guard let f = fields(node, "risk", known: Self.riskKeys) else { return risk }
        if let v = f["max_position_size"]?.value, let sizes = fields(v, "risk.max_position_size", known: nil) {
            for pair in sizes.pairs {
                if let d = decimal(pair.value, "risk.max_position_size.\(pair.key)", .nonNegative) { risk.maxPositionSize[pair.key] = d }
            }
        }
        risk.maxDailyLoss = decimal(f["max_daily_loss"]?.value, "risk.max_daily_loss", .nonNegative)
        risk.maxDrawdown = decimal(f["max_drawdown"]?.value, "risk.max_drawdown", .fraction)
        risk.varLimit = decimal(f["var_limit"]?.value, "risk.var_limit", .nonNegative)
        risk.varConfidence = decimal(f["var_confidence"]?.value, "risk.var_confidence", .openFraction)
        risk.correlationLimit = decimal(f["correlation_limit"]?.value, "risk.correlation_limit", .fraction)
        risk.stopLoss = decimal(f["stop_loss"]?.value, "risk.stop_loss", .fraction)
        risk.takeProfit = decimal(f["take_profit"]?.value, "risk.take_profit", .nonNegative)
        risk.leverageLimit = decimal(f["leverage_limit"]?.value, "risk.leverage_limit", .atLeastOne)
        return risk
    }

    mutating func settings(_ node: YAMLNode) -> SystemSettings {
        var system = SystemSettings()
        guard let f = fields(node, "system", known: Self.systemKeys) else { return system }
        if let v = f["database"]?.value, let text = scalar(v, "system.database", "a file path") {
            if text.isEmpty { error(v.mark, "system.database", "expected a file path, found an empty text") } else { system.databasePath = text }
        }
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        if let v = f["log_level"]?.value, let level = choice(v, "system.log_level", levels) { system.logLevel = level }
        if let v = f["log_format"]?.value, let format = choice(v, "system.log_format", ["text", "json"]) { system.logFormat = format }
        if let v = f["monitoring"]?.value, let b = bool(v, "system.monitoring") { system.monitoring = b }
        if let v = f["api_listen"]?.value, let text = scalar(v, "system.api_listen", "host:port") {
            if ConfigValues.isHostPort(text) { system.apiListen = text } else {
                error(v.mark, "system.api_listen", "expected host:port with a port from 1 to 65535 (IPv6 in brackets: [::1]:8080), found '\(YAMLNode.shortened(text))'")
            }
        }
        if let v = f["plugin_dirs"]?.value {
            for (i, item) in (sequence(v, "system.plugin_dirs") ?? []).enumerated() {
                if item.isNull { error(item.mark, "system.plugin_dirs[\(i)]", "expected a folder path, found nothing") }
                if let text = scalar(item, "system.plugin_dirs[\(i)]", "a folder path") { system.pluginDirectories.append(text) }
            }
        }
        return system
    }

    // MARK: Structure

    mutating func error(_ mark: YAMLMark, _ path: String, _ message: String) {
        errors.append(ConfigError(file: file, line: mark.line, column: mark.column, keyPath: path, message: message))
    }

    func location(_ mark: YAMLMark, _ path: String) -> SourceLocation {
        SourceLocation(file: file, line: mark.line, column: mark.column, keyPath: path)
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// A mapping's entries, reporting keys not in `known` (nil: any key); nothing for a null.
    mutating func fields(_ node: YAMLNode, _ path: String, known: [String]?, redacted: Bool = false,
                         skippingSecrets: Bool = false) -> Fields? {
        if node.isNull { return Fields(pairs: []) }
        guard let pairs = node.pairs else {
            error(node.mark, path, "expected a mapping, found \(node.summary(redacted: redacted))")
            return nil
        }
        if let known {
            for pair in pairs where !known.contains(pair.key) && !(skippingSecrets && ConfigValues.isSecretKey(pair.key)) {
                error(pair.keyMark, path, ConfigValues.unknownKey(pair.key, known: known))
            }
        }
        return Fields(pairs: pairs)
    }

    /// A sequence's items; none for a null.
    mutating func sequence(_ node: YAMLNode, _ path: String) -> [YAMLNode]? {
        if node.isNull { return [] }
        guard let items = node.items else {
            error(node.mark, path, "expected a sequence, found \(node.summary())")
            return nil
        }
        return items
    }

    /// A scalar's text; nil for a null or (reported) a mapping or sequence.
    mutating func scalar(_ node: YAMLNode, _ path: String, _ expected: String) -> String? {
        guard let text = node.scalarText else {
            error(node.mark, path, "expected \(expected), found \(node.summary())")
            return nil
        }
        return node.isNull ? nil : text
    }

    /// A required, non-empty text value.
    mutating func requiredText(_ f: Fields, _ key: String, _ path: String, at mark: YAMLMark) -> String? {
        guard let pair = f[key] else {
            error(mark, path, "missing required key '\(key)'")
            return nil
        }
        guard let text = scalar(pair.value, Self.join(path, key), "a text value") else {
            if pair.value.isNull { error(pair.keyMark, Self.join(path, key), "'\(key)' needs a value") }
            return nil
        }
        if text.isEmpty { error(pair.value.mark, Self.join(path, key), "'\(key)' may not be empty") }
        return text.isEmpty ? nil : text
    }

    /// A required `name`, unique among its siblings and usable in instrument ids.
    mutating func uniqueName(_ f: Fields, _ path: String, at mark: YAMLMark, seen: inout [String: Int], what: String) -> String? {
        guard let name = requiredText(f, "name", path, at: mark), let node = f["name"]?.value else { return nil }
        if name.contains(":") || name.contains(where: \.isWhitespace) {
            error(node.mark, path + ".name", "\(what) names may not contain ':' or spaces, found '\(YAMLNode.shortened(name))'")
        }
        if name.utf8.count > SystemConfig.maximumNameLength {
            error(node.mark, path + ".name",
                  "\(what) names are at most \(SystemConfig.maximumNameLength) bytes, found \(name.utf8.count): '\(YAMLNode.shortened(name))'")
        }
        if let first = seen[name] {
            error(node.mark, path + ".name", "duplicate \(what) name '\(YAMLNode.shortened(name))' (first at line \(first))")
        } else {
            seen[name] = node.mark.line
        }
        return name
    }

    /// Reports every secret-looking key anywhere under an exchange.
    mutating func reportSecretKeys(in node: YAMLNode, _ path: String) {
        switch node.content {
        case .scalar: break
        case .sequence(let items):
            for (i, item) in items.enumerated() { reportSecretKeys(in: item, "\(path)[\(i)]") }
        case .mapping(let pairs):
            for pair in pairs {
                if ConfigValues.isSecretKey(pair.key) {
                    error(pair.keyMark, Self.join(path, pair.key), Self.secretMessage)
                } else {
                    reportSecretKeys(in: pair.value, Self.join(path, pair.key))
                }
            }
        }
    }

    /// Free-form settings or parameters as dotted keys (`a.b`, `list[0]`), each with the
    /// location of its value. Secret-looking keys (already reported) are left out.
    mutating func flatten(_ node: YAMLNode, _ path: String, skippingSecrets: Bool) -> Parameters {
        guard fields(node, path, known: nil) != nil else { return Parameters() }
        var entries: [Parameters.Entry] = []
        var firstLine: [String: Int] = [:]
        flatten(node, key: "", base: path, skippingSecrets: skippingSecrets, into: &entries, firstLine: &firstLine)
        return Parameters(entries)
    }

    mutating func flatten(_ node: YAMLNode, key: String, base: String, skippingSecrets: Bool,
                          into entries: inout [Parameters.Entry], firstLine: inout [String: Int]) {
        switch node.content {
        case .mapping(let pairs):
            for pair in pairs where !(skippingSecrets && ConfigValues.isSecretKey(pair.key)) {
                flatten(pair.value, key: Self.join(key, pair.key), base: base, skippingSecrets: skippingSecrets,
                        into: &entries, firstLine: &firstLine)
            }
        case .sequence(let items):
            for (i, item) in items.enumerated() {
                flatten(item, key: "\(key)[\(i)]", base: base, skippingSecrets: skippingSecrets, into: &entries, firstLine: &firstLine)
            }
        case .scalar(let text, _):
            if let first = firstLine[key] {
                error(node.mark, Self.join(base, key), "duplicate key '\(YAMLNode.shortened(key))' (first at line \(first))")
                return
            }
            firstLine[key] = node.mark.line
            entries.append(Parameters.Entry(key: key, text: text, location: "\(file):\(node.mark.line):\(node.mark.column)"))
        }
    }

    // MARK: Values

    mutating func bool(_ node: YAMLNode, _ path: String) -> Bool? {
        guard let text = scalar(node, path, "true or false") else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            error(node.mark, path, "expected true or false, found '\(YAMLNode.shortened(text))'")
            return nil
        }
    }

    mutating func int(_ node: YAMLNode, _ path: String, atLeast minimum: Int) -> Int? {
        guard let text = scalar(node, path, "an integer") else { return nil }
        guard let value = Int(text) else {
            error(node.mark, path, "expected an integer, found '\(YAMLNode.shortened(text))'")
            return nil
        }
        if value < minimum {
            error(node.mark, path, "must be at least \(minimum), found '\(text)'")
            return nil
        }
        return value
    }

    mutating func decimal(_ node: YAMLNode?, _ path: String, _ rule: DecimalRule) -> ExactDecimal? {
        guard let node, let text = scalar(node, path, "a decimal number") else { return nil }
        let value: ExactDecimal
        do throws(DecimalError) {
            value = try ExactDecimal(parsing: text)
        } catch {
            var message = "expected a decimal number, found '\(YAMLNode.shortened(text))'"
            switch error {
            case .overflow: message += " (too large)"
            case .tooManyFractionDigits: message += " (more than 18 fraction digits)"
            default: if text.contains(where: { $0 == "e" || $0 == "E" }) { message += " (write the digits out; exponents are not accepted)" }
            }
            self.error(node.mark, path, message)
            return nil
        }
        if let problem = rule.problem(with: value) {
            error(node.mark, path, "\(problem), found '\(text)'")
            return nil
        }
        return value
    }

    mutating func duration(_ node: YAMLNode, _ path: String) -> Int64? {
        guard let text = scalar(node, path, "a duration") else { return nil }
        switch ConfigValues.duration(text) {
        case .some(let ns) where ns > 0: return ns
        case .some: error(node.mark, path, "must be greater than 0, found '\(text)'")
        case .none: error(node.mark, path, "expected a duration such as 250ms, 10s or 1m (units ns, us, ms, s, m, h, d), found '\(YAMLNode.shortened(text))'")
        }
        return nil
    }

    mutating func choice(_ node: YAMLNode, _ path: String, _ options: [String]) -> String? {
        let expected = "one of \(options.joined(separator: ", "))"
        guard let text = scalar(node, path, expected) else { return nil }
        if options.contains(text) { return text }
        var message = "expected \(expected), found '\(YAMLNode.shortened(text))'"
        if let guess = ConfigValues.suggestion(for: text, among: options) { message += "; did you mean '\(guess)'?" }
        error(node.mark, path, message)
        return nil
    }

    /// An environment variable's name, which must be set; its value is never read into the
    /// configuration, and nothing under credentials is ever echoed in a message.
    mutating func environmentName(_ pair: YAMLNode.Pair?, _ path: String) -> String? {
        guard let node = pair?.value, !node.isNull else { return nil }
        guard let name = node.scalarText, ConfigValues.isEnvironmentName(name) else {
            error(node.mark, path, "expected the name of an environment variable ([A-Z_][A-Z0-9_]*), found \(node.summary(redacted: true))")
            return nil
        }
        switch environment[name] {
        case .none: error(node.mark, path, "environment variable \(name) is not set")
        case .some(let value) where value.isEmpty: error(node.mark, path, "environment variable \(name) is empty")
        default: break
        }
        return name
    }

    /// `venue:symbol[:kind[:expiry]]`, the venue a configured exchange.
    mutating func instrument(_ node: YAMLNode, _ path: String, venues: [String]) -> InstrumentRef? {
        let form = "an instrument id venue:symbol[:kind[:expiry]]"
        guard let text = scalar(node, path, form) else {
            if node.isNull { error(node.mark, path, "expected \(form), found nothing") }
            return nil
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (2...4).contains(parts.count), !parts[0].isEmpty, !parts[1].isEmpty else {
            error(node.mark, path, "expected \(form), found '\(YAMLNode.shortened(text))'")
            return nil
        }
        var ok = true
        if !venues.contains(parts[0]) {
            let known = venues.isEmpty ? "none" : venues.joined(separator: ", ")
            error(node.mark, path, "no exchange named '\(YAMLNode.shortened(parts[0]))' is configured (known: \(known))")
            ok = false
        }
        var ref = InstrumentRef(venue: parts[0], symbol: parts[1])
        if parts.count >= 3 {
            guard let kind = InstrumentKind.allCases.first(where: { $0.name == parts[2] }) else {
                var message = "unknown instrument kind '\(YAMLNode.shortened(parts[2]))'; expected spot, perpetual or dated_future"
                if let guess = ConfigValues.suggestion(for: parts[2], among: InstrumentKind.allCases.map(\.name)) { message += "; did you mean '\(guess)'?" }
                error(node.mark, path, message)
                return nil
            }
            ref.kind = kind
        }
        if ref.kind == .datedFuture {
            guard parts.count == 4 else {
                error(node.mark, path, "a dated_future needs an expiry: \(parts[0]):\(parts[1]):dated_future:yyyy-mm-dd")
                return nil
            }
            guard let expiry = DeliveryTime.nanoseconds(forDate: parts[3]) else {
                error(node.mark, path, "expected an expiry date yyyy-mm-dd between 1970-01-01 and 2261-12-31, found '\(YAMLNode.shortened(parts[3]))'")
                return nil
            }
            ref.expiryNanoseconds = expiry
        } else if parts.count == 4 {
            error(node.mark, path, "only a dated_future has an expiry; \(ref.kind.name) instruments take none")
            return nil
        }
        return ok ? ref : nil
    }
}

/// A range a decimal setting must lie in.
private enum DecimalRule {
    case nonNegative, positive, atLeastOne
    /// [0, 1]
    case fraction
    /// (0, 1)
    case openFraction

    /// What is wrong with `value`, nil when it is in range.
    func problem(with value: ExactDecimal) -> String? {
        switch self {
        case .nonNegative: value < .zero ? "must be at least 0" : nil
        case .positive: value > .zero ? nil : "must be greater than 0"
        case .atLeastOne: value < .one ? "must be at least 1" : nil
        case .fraction: value < .zero || value > .one ? "must be between 0 and 1" : nil
        case .openFraction: value > .zero && value < .one ? nil : "must be greater than 0 and less than 1"
        }
    }
}

/// Pure checks and conversions of configuration text.
enum ConfigValues {
    /// Keys that would hold a secret itself (compared without case, `_` or `-`).
    static func isSecretKey(_ key: String) -> Bool {
        let folded = String(key.lowercased().filter { $0 != "_" && $0 != "-" })
        return ["apikey", "secret", "apisecret", "secretkey", "passphrase", "password", "privatekey"].contains(folded)
    }

    /// `[A-Z_][A-Z0-9_]*`
    static func isEnvironmentName(_ text: String) -> Bool {
        guard let first = text.utf8.first, first == UInt8(ascii: "_") || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) else { return false }
        return text.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// "host:port" with a non-empty host (IPv6 in brackets) and a port in 1...65535.
    static func isHostPort(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":") else { return false }
        let host = text[..<colon], port = text[text.index(after: colon)...]
        guard !host.isEmpty, !host.contains(where: \.isWhitespace), port.allSatisfy(\.isASCII), let number = Int(port),
              (1...65535).contains(number), !port.hasPrefix("+") else { return false }
        return !host.contains(":") || (host.hasPrefix("[") && host.hasSuffix("]"))
    }

    /// A count and a unit (ns, us, ms, s, m, h, d) in ns: "250ms" → 250_000_000; nil when
    /// malformed or beyond Int64.
    static func duration(_ text: String) -> Int64? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let units: [Substring: Int64] = ["ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
                                         "m": 60_000_000_000, "h": 3_600_000_000_000, "d": 86_400_000_000_000]
        guard !digits.isEmpty, let count = Int64(digits), let unit = units[text.dropFirst(digits.count)] else { return nil }
        let (ns, overflow) = count.multipliedReportingOverflow(by: unit)
        return overflow ? nil : ns
    }

    /// "unknown key 'x'; did you mean 'y'?" or, with no close match, the known keys.
    static func unknownKey(_ key: String, known: [String]) -> String {
        let shown = YAMLNode.shortened(key)
        if let guess = suggestion(for: key, among: known) { return "unknown key '\(shown)'; did you mean '\(guess)'?" }
        return "unknown key '\(shown)'; known keys: \(known.joined(separator: ", "))"
    }

    /// The candidate closest to `text` by edit distance, if within 2 edits or a third of its length.
    static func suggestion(for text: String, among candidates: [String]) -> String? {
        let a = Array(text.lowercased().unicodeScalars)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let b = Array(candidate.unicodeScalars)
            let limit = max(2, b.count / 3)
            guard abs(a.count - b.count) <= limit else { continue }
            // Levenshtein, one row at a time; both sides are short (the guard above bounds `a`).
            var row = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var diagonal = row[0]
                row[0] = i + 1
                for (j, y) in b.enumerated() {
                    let substitution = diagonal + (x == y ? 0 : 1)
                    diagonal = row[j + 1]
                    row[j + 1] = min(substitution, row[j + 1] + 1, row[j] + 1)
                }
            }
            let distance = row[b.count]
            if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.candidate
    }
}
