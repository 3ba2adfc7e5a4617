import Foundation
import Logging

/// One log message with everything a format needs: the event swift-log hands a handler, plus
/// the logger's label, the merged metadata and the time it was logged.
public struct LogLine: Sendable {
    public var time: Date
    public var level: Logger.Level
    /// The `Logger`'s label, e.g. `vigil.event` or `vigil.systemd`.
    public var label: String
    public var message: String
    public var metadata: Logger.Metadata
    public var file: String
    public var function: String
    public var line: UInt

    public init(
        time: Date = Date(), level: Logger.Level, label: String, message: String, metadata: Logger.Metadata = [:],
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        self.time = time
        self.level = level
        self.label = label
        self.message = message
        self.metadata = metadata
        self.file = file
        self.function = function
        self.line = line
    }

    /// Metadata as plain strings, sorted by key (stable output for people and tests).
    var sortedMetadata: [(key: String, value: String)] {
        metadata.map { ($0.key, Self.text($0.value)) }.sorted { $0.key < $1.key }
    }

    static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array, .dictionary: value.description
        }
    }
}
