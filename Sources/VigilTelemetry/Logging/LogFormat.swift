import Foundation

/// How `vigil up` writes its own log lines (`--log-format`).
public enum LogFormat: String, CaseIterable, Sendable {
    /// `journal` when stderr is the journal stream systemd connected (`JOURNAL_STREAM`), else `text`.
    case auto
    /// One human-readable line per message: local time, level, logger, message, metadata.
    case text
    /// One JSON object per line, for log shippers.
    case json
    /// Structured journal entries through libsystemd (`PRIORITY=`, `SERVICE=`, `EVENT_KIND=`, ...).
    case journal

    /// The concrete format `auto` stands for in this process (other formats stay as they are).
    public func resolved(environment: [String: String] = ProcessInfo.processInfo.environment, standardError: Int32 = STDERR_FILENO) -> LogFormat {
        guard self == .auto else { return self }
        return JournalStream.isConnected(environment: environment, descriptor: standardError) ? .journal : .text
    }
}

/// systemd's `JOURNAL_STREAM` check (systemd.exec(5)): the variable holds the `st_dev:st_ino` of
/// the stream it connected to stdout/stderr. Only when stderr still is that stream (not a
/// redirection made by a wrapper script) does writing to the journal keep the unit's log whole.
public enum JournalStream {
    public static func isConnected(environment: [String: String], descriptor: Int32) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
