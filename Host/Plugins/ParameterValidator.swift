import ArbModel
import ArbSDK

/// Checks configured parameters against a plugin's declarations: types, ranges, required and
/// unknown keys (with a "did you mean" for a close name). Every problem is reported, not only
/// the first.
public enum ParameterValidator {
    public static func validate(_ parameters: Parameters, against declarations: [ParameterDeclaration]?)
        -> Result<TypedParameters, ParameterErrors>
    {
        // A plugin that declares nothing receives every value as a string.
        guard let declarations else {
            return .success(TypedParameters(values: parameters.entries.map { ($0.key, $0.text, .string($0.text)) }))
        }
        var errors: [ParameterError] = []
        var typed: [(key: String, text: String, value: ParameterValue)] = []
        var seen = Set<String>()
        // A declared scalar given as a list or a mapping arrives flattened (`venue[0]`,
        // `venue.x`): one type error at its first value, not "required" plus "unknown key".
        var misshapen: [String: (shape: String, location: String)] = [:]
        for entry in parameters.entries {
            for declaration in declarations where misshapen[declaration.key] == nil {
                if entry.key.hasPrefix(declaration.key + "[") {
                    misshapen[declaration.key] = ("a list", entry.location)
                } else if entry.key.hasPrefix(declaration.key + ".") {
                    misshapen[declaration.key] = ("a mapping", entry.location)
                }
            }
        }
        for (key, found) in misshapen.sorted(by: { $0.key < $1.key }) {
            guard let declaration = declarations.first(where: { $0.key == key }),
                  !parameters.entries.contains(where: { $0.key == key }) else { continue }
            errors.append(ParameterError(keyPath: key, message: "expected \(declaration.type.name == "int" ? "an" : "a") \(declaration.type.name), found \(found.shape)",
                                         location: found.location))
        }
        for entry in parameters.entries {
            if !seen.insert(entry.key).inserted {
                errors.append(ParameterError(keyPath: entry.key, message: "is given twice", location: entry.location))
            }
            if misshapen.keys.contains(where: { entry.key.hasPrefix($0 + "[") || entry.key.hasPrefix($0 + ".") }) { continue }
            if !declarations.contains(where: { $0.key == entry.key }) {
                var message = "is not a parameter of this plugin"
                if let close = closest(entry.key, among: declarations.map(\.key)) { message += "; did you mean '\(close)'?" }
                message += declarations.isEmpty ? " (it declares none)" : " (known: \(declarations.map(\.key).joined(separator: ", ")))"
                errors.append(ParameterError(keyPath: entry.key, message: message, location: entry.location))
            }
        }
        for declaration in declarations {
            let entry = parameters.entries.first { $0.key == declaration.key }
            guard let text = entry?.text ?? declaration.defaultText else {
                if declaration.required && misshapen[declaration.key] == nil {
                    errors.append(ParameterError(keyPath: declaration.key,
                                                 message: "is required (\(declaration.type.name): \(declaration.summary))"))
                }
                continue
            }
            switch parse(text, as: declaration) {
            case .success(let value): typed.append((declaration.key, text, value))
            case .failure(let message):
                errors.append(ParameterError(keyPath: declaration.key, message: message.text, location: entry?.location ?? ""))
            }
        }
        return errors.isEmpty ? .success(TypedParameters(values: typed)) : .failure(ParameterErrors(errors: errors))
    }

    static func parse(_ text: String, as declaration: ParameterDeclaration) -> Result<ParameterValue, ParameterErrorMessage> {
        let value: ParameterValue
        let magnitude: ExactDecimal?
        switch declaration.type {
        case .bool:
            switch text {
            case "true": value = .bool(true)
            case "false": value = .bool(false)
            default: return .failure(ParameterErrorMessage("expected true or false, found '\(text)'"))
            }
            magnitude = nil
        case .int:
            guard let n = Int64(text) else { return .failure(ParameterErrorMessage("expected an integer, found '\(text)'")) }
            value = .int(n)
            magnitude = ExactDecimal(Int(n))
        case .decimal:
            guard let d = try? ExactDecimal(parsing: text) else {
                return .failure(ParameterErrorMessage("expected a decimal number, found '\(text)'"))
            }
            value = .decimal(d)
            magnitude = d
        case .string:
            value = .string(text)
            magnitude = nil
        case .duration:
            guard let ns = Duration.nanoseconds(parsing: text) else {
                return .failure(ParameterErrorMessage("expected a duration such as 250ms, 5s, 1m, 8h, found '\(text)'"))
            }
            value = .duration(ns)
            magnitude = ExactDecimal(units: Int128(ns) * 1_000_000_000)  // seconds, exactly
        }
        if let magnitude {
            if let min = declaration.minimum, magnitude < min {
                return .failure(ParameterErrorMessage("\(text) is below the minimum \(min)"))
            }
            if let max = declaration.maximum, magnitude > max {
                return .failure(ParameterErrorMessage("\(text) is above the maximum \(max)"))
            }
        }
        return .success(value)
    }

    /// The known key closest to `key` by edit distance, if close enough to be a typo.
    package static func closest(_ key: String, among keys: [String]) -> String? {
        let scored = keys.map { ($0, editDistance(key, $0)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, key.count / 3) else { return nil }
        return best
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}

/// A validation message without its key path.
public struct ParameterErrorMessage: Error, Equatable {
    public let text: String
    init(_ text: String) { self.text = text }
}

/// All problems found in one parameter set.
public struct ParameterErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [ParameterError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

extension Duration {
    /// Parses "250ms", "5s", "1m", "8h", "1d", "100us", "10ns" into nanoseconds.
    static func nanoseconds(parsing text: String) -> Int64? {
        let units: [(String, Int64)] = [("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
                                        ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", 86_400_000_000_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            // "ms" also ends in "s": only accept when what is left is a number.
            guard let n = Int64(number), n >= 0 else { continue }
            let (product, overflow) = n.multipliedReportingOverflow(by: scale)
            return overflow ? nil : product
        }
        return nil
    }
}
