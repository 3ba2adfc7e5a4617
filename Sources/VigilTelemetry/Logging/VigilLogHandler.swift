import Foundation
import Logging

/// The swift-log handler `vigil up` bootstraps: every `Logger` in the process (Vigil's own and
/// its libraries') hands its messages to one shared ``LogSink``.
///
/// A value type, as swift-log requires: changing one logger's level or metadata leaves the others alone.
public struct VigilLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let sink: any LogSink

    public init(label: String, sink: any LogSink, logLevel: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.sink = sink
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Later sources win: the handler's metadata, then the provider's, then the call's own.
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        if let error = event.error { merged["error"] = .string("\(error)") }
        sink.write(LogLine(
            level: event.level, label: label, message: event.message.description, metadata: merged,
            file: event.file, function: event.function, line: event.line
        ))
    }
}

/// Sets up logging for `vigil up`; call once, before anything logs.
public enum VigilLogging {
    /// Bootstraps swift-log with ``VigilLogHandler`` writing `format` (``LogFormat/auto`` resolved
    /// here) to stderr or the journal, at `level` and above. Returns the format in effect.
    @discardableResult
    public static func bootstrap(format: LogFormat, level: Logger.Level = .info) -> LogFormat {
        let resolved = format.resolved()
        let sink = makeSink(resolved)
        LoggingSystem.bootstrap { label in VigilLogHandler(label: label, sink: sink, logLevel: level) }
        return resolved
    }

    /// The sink for a resolved format (`auto` counts as text).
    public static func makeSink(_ format: LogFormat, descriptor: Int32 = STDERR_FILENO) -> any LogSink {
        switch format {
        case .json: StreamLogSink(style: .json, descriptor: descriptor)
        case .journal: JournalLogSink(fallbackDescriptor: descriptor)
        case .auto, .text: StreamLogSink(style: .text, descriptor: descriptor)
        }
    }
}
