import ArbModel
import ArbSDK

/// A service's entry for one kind of inbound record: a C function and the service it belongs
/// to, unretained. The engine calls `function(service, payload)` for each record of the kind:
/// one indirect call, no reference counting, and the engine knows nothing of the service.
public struct RecordHandler {
    public let service: UnsafeMutableRawPointer
    public let function: @convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Void

    /// - Parameters:
    ///   - service: the object that handles the records; it must outlive the engine's use of it.
    ///   - function: called with the service (unretained) and the record's payload.
    public init(_ service: AnyObject, _ function: @convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Void) {
        self.service = Unmanaged.passUnretained(service).toOpaque()
        self.function = function
    }
}
