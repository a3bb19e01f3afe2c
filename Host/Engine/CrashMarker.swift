import CHostSupport
import Glibc

/// The plugin callback this thread is in, for the crash report (`arb_install_crash_reporter`).
///
/// A label is a C string naming a plugin instance ("strategy 'quoter' (plugin …, file …)"),
/// owned by that instance; a callback name is a literal. Marking costs two thread-local stores.
public enum CrashMarker {
    /// Runs `body` (a call into a plugin) marked as `callback` of the instance `label`.
    @inline(__always)
    public static func calling<R>(_ label: UnsafePointer<CChar>, _ callback: StaticString, _ body: () -> R) -> R {
        arb_crash_marker_set(label, UnsafeRawPointer(callback.utf8Start).assumingMemoryBound(to: CChar.self))
        defer { arb_crash_marker_clear() }
        return body()
    }

    /// A label for the crash report: a C copy of `text`, freed with `release`.
    public static func label(_ text: String) -> UnsafeMutablePointer<CChar> { strdup(text)! }

    public static func release(_ label: UnsafeMutablePointer<CChar>) { free(label) }

    /// Installs the crash reporter (once per process).
    public static func installReporter() { arb_install_crash_reporter() }
}
