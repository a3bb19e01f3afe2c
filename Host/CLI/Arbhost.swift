import ArbConfig
import ArbEngine
import ArbMarket
import ArbModel
import ArbPlugins
import ArbRuntime
import ArbSDK
import ArbTrading
import ArgumentParser

import Foundation
import Logging

// `run`'s signals are blocked before main (CEarlySignals), so a SIGTERM or SIGHUP a few ms after
// start waits for the signal service instead of ending the process. The main stays synchronous:
// an async one parks the main thread in libdispatch's sigsuspend, which takes blocked signals
// away from the signal service.
@main
struct Arbhost: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arbhost",
        abstract: "A plugin-hosted platform for crypto arbitrage.",
        subcommands: [Run.self, Replay.self, Check.self, Reload.self, Plugins.self])
}

/// Options every command that looks for plugins shares.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin-dir"), help: ArgumentHelp("A folder with plugin .so files (repeatable).", valueName: "DIR"))
    var pluginDirectories: [String] = []

    @Flag(name: .customLong("no-build-plugins"), help: "Do not search the build's own plugin folder.")
    var noBuildPlugins = false

    var directories: [String] {
        (noBuildPlugins ? [] : [HostRuntime.buildPluginDirectory]) + pluginDirectories
    }

    /// A folder the user names must be there: a typo would otherwise load nothing from it,
    /// silently. Exit 1, as for any other input the host cannot use.
    func validate() throws {
        var stderr = FileHandle.standardError
        var missing = false
        for dir in pluginDirectories {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) || !isDirectory.boolValue
                || !FileManager.default.isReadableFile(atPath: dir) {
                print("error: cannot read plugin folder \(dir) (--plugin-dir): no such readable folder", to: &stderr)
                missing = true
            }
        }
        if missing { throw ExitCode(1) }
    }
}

struct LogOptions: ParsableArguments {
    @Option(name: .customLong("log-format"), help: "text or json (default: system.log_format of the config, else text).")
    var format: String?

    @Option(name: .customLong("log-level"),
            help: "trace, debug, info, warning or error (default: the configuration's system.log_level, else info; plugin lines included).")
    var level: String?

    func bootstrap(_ settings: SystemSettings? = nil) throws {
        let formatText = format ?? settings?.logFormat ?? "text"
        let levelText = level ?? settings?.logLevel ?? "info"
        guard let format = LogFormat(rawValue: formatText) else {
            throw ValidationError("--log-format must be text or json, not '\(formatText)'")
        }
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        LogFormat.bootstrap(format, level: level)
    }
}

struct ConfigOption: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("The configuration file.", valueName: "FILE"))
    var path: String = "strategies.yaml"
}

extension Arbhost {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the host from its configuration until Ctrl-C (SIGINT) or SIGTERM; SIGHUP reloads.",
            discussion: """
                Reads the configuration (default strategies.yaml), loads the plugins, connects the venues and \
                starts the strategies. Edits to the file and replaced plugin files are applied while it runs; \
                `arbhost reload` (or SIGHUP) forces a check.
                """)

        @OptionGroup var config: ConfigOption
        @OptionGroup var plugins: PluginOptions
        @OptionGroup var log: LogOptions

        @Option(help: "Stop by itself after this many seconds (for scripts and tests).")
        var duration: Double?

        @Flag(name: .customLong("no-watch"), help: "Do not watch the configuration and plugin files.")
        var noWatch = false

        func run() throws {
            // The file's system section decides logging and extra plugin folders.
            let settings: SystemSettings
            switch ConfigManager(path: config.path).loadConfig() {
            case .success(let parsed): settings = parsed.system
            case .failure(let errors):
                try log.bootstrap()
                printErrors(errors)
                throw ExitCode(1)
            }
            try log.bootstrap(settings)
            let directories = plugins.directories + HostProcess.pluginDirectories(settings, configPath: config.path)
            do {
                try HostProcess.runToCompletion(configPath: config.path, pluginDirectories: directories, duration: duration,
                                                watch: !noWatch)
            } catch HostProcess.StartError.noPlugins(let folders) {
                Logger(label: "arbhost").error("no plugins found in \(folders.joined(separator: ", ")); build them with `make` or pass --plugin-dir")
                throw ExitCode(1)
            } catch HostProcess.StartError.configuration(let errors) {
                printErrors(errors)
                throw ExitCode(1)
            } catch HostProcess.StartError.venues, HostProcess.StartError.strategies {
                // Each venue or strategy and its reason was logged as the host gave up.
                throw ExitCode(1)
            }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay recorded data through the configured strategies on the event clock, and summarise.",
            discussion: """
                Runs the configuration's strategies with the simulated venues stepped on the data's time. \
                Prints events, orders, fills, fees, funding and positions per venue and the rate; the last line \
                is `digest: <hex>`, a hash of every processed event, order and fill in order.
                """)

        @OptionGroup var config: ConfigOption
        @OptionGroup var plugins: PluginOptions
        @OptionGroup var log: LogOptions

        @Option(help: ArgumentHelp("A quotes CSV that feeds every simulated venue (its quotes_venue picks the rows).", valueName: "FILE"))
        var quotes: String?

        @Option(help: "Start of the window (ns since the epoch): earlier data only warms the books up.")
        var from: Int64?

        @Option(help: "End of the window (ns since the epoch).")
        var to: Int64?

        @Option(help: "max (default), or 1x, 10x, …: event time against wall time.")
        var speed: String = "max"

        @Option(help: ArgumentHelp("Also write the summary as JSON.", valueName: "OUT.json"))
        var json: String?

        func run() throws {
            let settings: SystemSettings
            switch ConfigManager(path: config.path).loadConfig() {
            case .success(let parsed): settings = parsed.system
            case .failure(let errors):
                printErrors(errors)
                throw ExitCode(1)
            }
            // The one rule of every command that runs the host: --log-level, else the file's
            // system.log_level, else info. Logs go to standard error, the summary to standard output.
            try log.bootstrap(settings)
            var run = ReplayRun(configPath: config.path,
                                pluginDirectories: plugins.directories + HostProcess.pluginDirectories(settings, configPath: config.path))
            run.quotesPath = quotes
            run.window = (from, to)
            if speed != "max" {
                guard speed.hasSuffix("x"), let n = Int64(speed.dropLast()), n >= 1 else {
                    throw ValidationError("--speed must be max, 1x, 10x, …")
                }
                run.speed = n
            }
            let summary: ReplaySummary, digest: String
            do {
                (summary, digest) = try run.run()
            } catch {
                switch error {
                case .configuration(let errors): printErrors(errors)
                case .venues(let failures): for failure in failures { Logger(label: "arbhost").error("\(failure)") }
                case .strategies(let failures): for failure in failures { Logger(label: "arbhost").error("\(failure.description)") }
                case .noPlugins: break
                }
                throw ExitCode(1)
            }
            print(summary.text)
            if let json { try summary.json.write(toFile: json, atomically: true, encoding: .utf8) }
            print("digest: \(digest)")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file: every error with file, line, column and key path.",
            discussion: "Exits 0 when the file is valid, 1 with every problem listed when it is not.")

        @Argument(help: ArgumentHelp("The configuration file.", valueName: "FILE"))
        var file: String = "strategies.yaml"

        @OptionGroup var plugins: PluginOptions

        func run() throws {
            LogFormat.bootstrap(.text, level: .critical)
            let manager = ConfigManager(path: file)
            let parsed: SystemConfig
            switch manager.loadConfig() {
            case .success(let config): parsed = config
            case .failure(let errors):
                printErrors(errors)
                throw ExitCode(1)
            }
            let host = HostRuntime(pluginDirectories: plugins.directories + HostProcess.pluginDirectories(parsed.system, configPath: file))
            host.loadPlugins()
            let errors = ConfigValidator.validate(parsed, plugins: host.plugins, refused: host.refused)
            guard errors.isEmpty else {
                printErrors(ConfigErrors(errors))
                throw ExitCode(1)
            }
            print("\(file): valid (\(parsed.exchanges.count) exchange(s), \(parsed.strategies.count) strategy(ies))")
        }
    }

    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the host running from a configuration to reload it and look for replaced plugins; print the outcome.",
            discussion: """
                Talks to the host through its control socket (.arbhost.sock beside the file) and prints the \
                outcome: the version applied and what changed, or every problem of a rejected file with \
                file:line:column. Exits 1 when the file is rejected or no host runs from it.
                """)

        @OptionGroup var config: ConfigOption

        func run() throws {
            switch ControlClient.request("reload", socket: HostProcess.controlSocket(forConfig: config.path)) {
            case .success(let lines):
                for line in lines { print(line) }
                if lines.first == "rejected" || lines.first?.hasPrefix("error") == true { throw ExitCode(1) }
            case .failure(let reason):
                print("error: no host is running from \(config.path) (\(reason))")
                throw ExitCode(1)
            }
        }
    }

    struct Plugins: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the plugins found: path, kind, id, version and ABI, or why each was refused.",
            discussion: "Exits 0 whenever it could look, whatever it found; 1 when a --plugin-dir cannot be read.")

        @OptionGroup var plugins: PluginOptions

        func run() throws {
            LogFormat.bootstrap(.text, level: .critical)
            let loader = PluginLoader()
            // A folder the user named that cannot be read means we could not look: exit 1.
            var unreadable: [String] = []
            for dir in plugins.directories {
                var isDirectory: ObjCBool = false
                if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) || !isDirectory.boolValue
                    || !FileManager.default.isReadableFile(atPath: dir) {
                    let isBuildFolder = !plugins.noBuildPlugins && dir == plugins.directories.first
                    print(isBuildFolder ? "note: the build's plugin folder \(dir) does not exist yet (run `make`)"
                                        : "error: cannot read plugin folder \(dir)")
                    if !isBuildFolder { unreadable.append(dir) }
                }
            }
            let paths = PluginLoader.discover(in: plugins.directories)
            print("searched: \(plugins.directories.joined(separator: ", "))")
            if paths.isEmpty { print("no plugin files found") }
            var firstById: [String: String] = [:]
            for path in paths {
                do {
                    let p = try loader.load(path)
                    print("\(path)\n  kind: \(p.info.kind.rawValue)  id: \(p.info.id)  version: \(p.info.version)  ABI: \(p.info.abiMajor).\(p.info.abiMinor)\n  \(p.info.name): \(p.info.summary)")
                    if let first = firstById[p.info.id] {
                        print("  shadowed: \(first) has the same id in a folder given earlier, and is the one the host loads")
                    } else {
                        firstById[p.info.id] = path
                    }
                    if let decls = p.parameterDeclarations, !decls.isEmpty {
                        for d in decls {
                            let def = d.defaultText.map { " = \($0)" } ?? " (required)"
                            print("    \(d.key): \(d.type.name)\(def)  \(d.summary)")
                        }
                    }
                } catch {
                    print("\(path)\n  refused: \(error.description)")
                }
            }
            if !unreadable.isEmpty { throw ExitCode(1) }
        }
    }
}

/// Prints every configuration problem, one per line, to standard error.
func printErrors(_ errors: ConfigErrors) {
    var stderr = FileHandle.standardError
    for e in errors.errors { print(e.description, to: &stderr) }
    print("\(errors.errors.count) problem(s)", to: &stderr)
}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}
