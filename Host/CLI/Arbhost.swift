import ArbHost
import ArgumentParser
import Foundation
import Logging

@main
struct Arbhost: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arbhost",
        abstract: "A plugin-hosted platform for crypto arbitrage.",
        subcommands: [Run.self, Plugins.self])
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
}

struct LogOptions: ParsableArguments {
    @Option(name: .customLong("log-format"), help: "text or json.")
    var format: String = "text"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, warning or error.")
    var level: String = "info"

    func bootstrap() throws {
        guard let format = LogFormat(rawValue: format) else {
            throw ValidationError("--log-format must be text or json, not '\(format)'")
        }
        guard let level = Logger.Level(rawValue: level) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        LogFormat.bootstrap(format, level: level)
    }
}

extension Arbhost {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the host with its venues and strategies until Ctrl-C (SIGINT) or SIGTERM.",
            discussion: """
                Until strategies.yaml is read (the configuration issue), this runs the built-in demo: \
                two seeded simulated venues, the Swift strategy spread-watch and the C strategy quoter.
                """)

        @OptionGroup var plugins: PluginOptions
        @OptionGroup var log: LogOptions

        @Option(help: "Stop by itself after this many seconds (for scripts and tests).")
        var duration: Double?

        func run() throws {
            try log.bootstrap()
            let logger = Logger(label: "arbhost")
            // Block the stop signals in every thread; this thread waits for them below.
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGINT)
            sigaddset(&signals, SIGTERM)
            pthread_sigmask(SIG_BLOCK, &signals, nil)

            let host = HostRuntime(mode: .live, pluginDirectories: plugins.directories)
            let (loaded, _) = host.loadPlugins()
            if loaded.isEmpty {
                logger.error("no plugins found in \(plugins.directories.joined(separator: ", ")); build them with `make` or pass --plugin-dir")
                throw ExitCode(1)
            }
            let failures = host.apply(.demo)
            let startFailures = host.start()
            if !failures.isEmpty || !startFailures.isEmpty {
                logger.warning("running with \(failures.count + startFailures.count) instance(s) that failed to start; see above")
            }
            logger.info("running; Ctrl-C to stop")
            var received: Int32 = 0
            if let duration {
                var timeout = timespec(tv_sec: Int(duration), tv_nsec: Int((duration - duration.rounded(.down)) * 1e9))
                received = sigtimedwait(&signals, nil, &timeout)
            } else {
                sigwait(&signals, &received)
            }
            logger.info(received > 0 ? "signal \(received): shutting down" : "duration elapsed: shutting down")
            host.shutdown()
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
            for path in paths {
                do {
                    let p = try loader.load(path)
                    print("\(path)\n  kind: \(p.info.kind.rawValue)  id: \(p.info.id)  version: \(p.info.version)  ABI: \(p.info.abiMajor).\(p.info.abiMinor)\n  \(p.info.name): \(p.info.summary)")
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
