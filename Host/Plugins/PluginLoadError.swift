import ArbModel
import ArbSDK

/// Why a plugin file was refused. The message names the file and the mismatch.
public struct PluginLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case unreadable(String)
        case notASharedLibrary(String)
        case noEntrySymbol
        case entryReturnedNoDescriptor
        case badDescriptor(String)
        case abiMajorMismatch(host: UInt32, plugin: UInt32)
        case newerMinor(hostMinor: UInt32, pluginMinor: UInt32)
        case missingInterface(String)
        case createFailed(String)
        /// An ELF shared object whose layout would crash dlopen (cut short, or partly written),
        /// refused before dlopen. (Boxed: the reason stays as small as the others.)
        indirect case damagedImage(PluginImageCheck.Problem)
    }

    public var file: String
    public var reason: Reason
    /// The id the refused plugin gives, when its descriptor could be read that far (a plugin
    /// built for another ABI version still names itself): `check` says why that id is missing.
    public var pluginId: String?

    public init(file: String, reason: Reason, pluginId: String? = nil) {
        self.file = file
        self.reason = reason
        self.pluginId = pluginId
    }

    public var description: String { "plugin \(file) \(explanation)" }

    /// Why the file was refused, without its name.
    public var explanation: String {
        let what: String
        switch reason {
        case .unreadable(let detail): what = "cannot be read: \(detail)"
        case .notASharedLibrary(let detail): what = "is not a loadable shared library (\(detail))"
        case .noEntrySymbol: what = "has no entry symbol 'arb_plugin_entry'; is it an arbhost plugin?"
        case .entryReturnedNoDescriptor:
            what = "returned no descriptor from arb_plugin_entry: the plugin refused this host's ABI"
        case .badDescriptor(let detail): what = "has a malformed descriptor: \(detail)"
        case .abiMajorMismatch(let host, let plugin):
            what = "was built for ABI \(plugin).x, but this host speaks ABI \(host).x; rebuild it against this host's arb_sdk.h"
        case .newerMinor(let hostMinor, let pluginMinor):
            what = "was built for ABI 1.\(pluginMinor), newer than this host's 1.\(hostMinor); upgrade the host or rebuild the plugin against its arb_sdk.h"
        case .missingInterface(let id): what = "does not offer the interface '\(id)' its kind requires"
        case .createFailed(let detail): what = "failed to create an instance: \(detail)"
        case .damagedImage(let problem):
            what = "is a damaged shared library, not loaded (cut short or still being written?): \(problem)"
        }
        return what
    }
}
