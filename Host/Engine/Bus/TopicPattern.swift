import ArbModel
import ArbSDK

/// A subscription pattern over dotted topics: `*` matches one segment, a final `>` the rest.
///
/// `data.book.*.BTCUSDT` matches `data.book.binance.BTCUSDT`; `custom.>` matches every custom
/// topic. Topics and patterns are different types so one is never passed for the other.
public struct TopicPattern: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    private let segments: [Segment]

    private enum Segment: Hashable, Sendable {
        case literal([UInt8])
        case any
        case rest
    }

    public enum Invalid: Error, Equatable, CustomStringConvertible {
        case empty
        case emptySegment(String)
        case restNotLast(String)

        public var description: String {
            switch self {
            case .empty: "a topic pattern may not be empty"
            case .emptySegment(let p): "topic pattern '\(p)' has an empty segment"
            case .restNotLast(let p): "in topic pattern '\(p)', '>' may only be the last segment"
            }
        }
    }

    public init(_ text: String) throws(Invalid) {
        guard !text.isEmpty else { throw .empty }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var segments: [Segment] = []
        for (i, part) in parts.enumerated() {
            guard !part.isEmpty else { throw .emptySegment(text) }
            switch part {
            case "*": segments.append(.any)
            case ">":
                guard i == parts.count - 1 else { throw .restNotLast(text) }
                segments.append(.rest)
            default: segments.append(.literal(Array(part.utf8)))
            }
        }
        self.text = text
        self.segments = segments
    }

    public var description: String { text }

    /// Whether `topic` (UTF-8 bytes) matches.
    public func matches(_ topic: UnsafeRawBufferPointer) -> Bool {
        var position = 0
        for (i, segment) in segments.enumerated() {
            if position > topic.count { return false }
            var end = position
            while end < topic.count && topic[end] != UInt8(ascii: ".") { end += 1 }
            switch segment {
            case .rest:
                return position < topic.count
            case .any:
                if end == position { return false }
            case .literal(let bytes):
                if end - position != bytes.count { return false }
                for j in 0..<bytes.count where topic[position + j] != bytes[j] { return false }
            }
            position = end + 1
            if i == segments.count - 1 { return end == topic.count }
        }
        return false
    }

    public func matches(_ topic: String) -> Bool {
        var copy = topic
        return copy.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }
}
