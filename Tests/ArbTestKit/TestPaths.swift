import Foundation

/// Where the package and the build live, for tests and benchmarks that load built plugins or
/// run built tools.
public enum TestPaths {
    /// The folder with every built product: the test runner's or benchmark's own build folder.
    public static let build: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The runner may live inside the .xctest bundle folder.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("libSpreadWatch.so").path),
              url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    /// The package's root folder.
    public static let root: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    public static let header = root + "/PluginSDK/include"

    /// The built plugin of a product, e.g. `SimVenue` → `.build/debug/libSimVenue.so`.
    public static func plugin(_ product: String) -> String { build + "/lib\(product).so" }

    /// A `plugins` folder in `parent` holding copies of the package's built plugins
    /// (`products`), and of fixtures under other file names (`renamed`: file name → product).
    public static func pluginFolder(in parent: String, _ products: [String] = ["SimVenue", "CrossQuoter", "SpreadWatch"],
                                    renamed: [String: String] = [:]) throws -> String {
        let folder = parent + "/plugins"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in products {
            try FileManager.default.copyItem(atPath: plugin(name), toPath: folder + "/lib\(name).so")
        }
        for (file, product) in renamed {
            try FileManager.default.copyItem(atPath: plugin(product), toPath: folder + "/" + file)
        }
        return folder
    }

    /// A fresh temporary folder.
    public static func temporaryDirectory(_ prefix: String = "arbhost-test") throws -> String {
        let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
