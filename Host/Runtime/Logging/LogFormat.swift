import ArbBook
import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbSDK
import ArbTrading
import Foundation
import Logging
import Synchronization

/// How log lines look: readable text by default, one JSON object per line with `--log-format json`.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json

    /// Installs the process-wide log handler (once, at start-up).
    public static func bootstrap(_ format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: format)
            handler.logLevel = level
            return handler
        }
    }
}

/// Writes each record as one line to standard error; plugins' records carry their plugin id
/// and instance name as metadata.
public struct LineLogHandler: LogHandler {
    public let label: String
    public let format: LogFormat
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    private static let output = Mutex<Void>(())

    public init(label: String, format: LogFormat) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let time = Self.timestamp()
        let line: String
        switch format {
        case .text:
            let tags = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let level = event.level.rawValue.uppercased().padding(toLength: 7, withPad: " ", startingAt: 0)
            line = "\(time) \(level) \(label)\(tags.isEmpty ? "" : " [\(tags)]") \(event.message)\n"
        case .json:
            var fields = ["\"time\":\(jsonString(time))", "\"level\":\(jsonString(event.level.rawValue))",
                          "\"logger\":\(jsonString(label))", "\"message\":\(jsonString(event.message.description))"]
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                fields.append("\(jsonString(key)):\(jsonString(value.description))")
            }
            line = "{" + fields.joined(separator: ",") + "}\n"
        }
        Self.output.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    private static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, ts.tv_nsec / 1_000_000)
    }
}
