import Foundation

/// The human-readable line (`--log-format text`, and `auto` on a terminal):
///
/// ```
/// 2026-11-21 17:03:00.123 warning vigil.event: demo-web exited [exit]: exited with status 1 (pid=4242)
/// ```
///
/// Local time with milliseconds, the level, the logger's label, the message, then metadata as
/// `key=value` in parentheses. Event lines spell their service, color, kind and reason in the
/// message already, so those keys (``keysSpelledInEventMessages``) are left out here; the JSON
/// and journal formats keep them as fields.
public enum TextLogFormat {
    public static let keysSpelledInEventMessages: Set<String> = ["service", "color", "event_kind", "reason"]

    public static func format(_ line: LogLine) -> String {
        var text = "\(timestamp(line.time)) \(line.level) \(line.label): \(line.message)"
        let isEvent = line.metadata["event_kind"] != nil
        let shown = line.sortedMetadata.filter { !isEvent || !keysSpelledInEventMessages.contains($0.key) }
        if !shown.isEmpty {
            text += " (" + shown.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + ")"
        }
        return text
    }

    private static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        localtime_r(&seconds, &parts)
        let milliseconds = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%03d",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), min(milliseconds, 999)
        )
    }
}
