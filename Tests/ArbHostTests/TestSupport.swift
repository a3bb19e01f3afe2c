import Foundation
import ArbTestKit
import Testing
@testable import ArbConfig
@testable import ArbEngine
@testable import ArbMarket
@testable import ArbPlugins
@testable import ArbRuntime
@testable import ArbTrading

extension TestPaths {
    static let abi = root + "/Tests/ArbHostTests/ABI"

    /// A replay host with `config` (YAML text) written to a temporary folder, the plugins in
    /// `plugins` loaded and the configuration applied; not started.
    static func replayHost(_ config: String, plugins: String) throws -> HostRuntime {
        let dir = try temporaryDirectory()
        try config.write(toFile: dir + "/strategies.yaml", atomically: true, encoding: .utf8)
        let host = HostRuntime(mode: .replay, pluginDirectories: [plugins], configPath: dir + "/strategies.yaml")
        host.loadPlugins()
        if case .failure(let errors) = host.loadConfiguration() { Issue.record("\(errors)") }
        return host
    }
}

/// Runs a program like ArbTestKit's `runProcess`, and records a timeout as a test issue.
func runProcess(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                timeout: Double = 120) throws -> ProcessOutput {
    let output = try ArbTestKit.runProcess(path, arguments, environment: environment, timeout: timeout)
    if output.timedOut { Issue.record("\(path) \(arguments) timed out after \(timeout) s") }
    return output
}
