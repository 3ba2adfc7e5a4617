import Foundation

/// One JSON object per line (`--log-format json`):
///
/// ```json
/// {"time":"2026-11-21T17:03:00.123Z","level":"warning","logger":"vigil.event","message":"demo-web exited [exit]: exited with status 1","event_kind":"exited","pid":"4242","reason":"exit","service":"demo-web"}
/// ```
///
/// `time` (UTC, milliseconds), `level` (swift-log's names), `logger` and `message` come first;
/// metadata follows as string fields sorted by key. A metadata key that collides with one of the
/// four is written with a `meta_` prefix, so no field is lost or duplicated.
public enum JSONLogFormat {
    static let reservedKeys: Set<String> = ["time", "level", "logger", "message"]

    public static func format(_ line: LogLine) -> String {
        var fields = [
            ("time", timestamp(line.time)), ("level", line.level.rawValue),
            ("logger", line.label), ("message", line.message),
        ]
        for (key, value) in line.sortedMetadata {
            fields.append((reservedKeys.contains(key) ? "meta_" + key : key, value))
        }
        return "{" + fields.map { quoted($0.0) + ":" + quoted($0.1) }.joined(separator: ",") + "}"
    }

    /// `text` as a JSON string literal (RFC 8259 escapes; other characters as UTF-8).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20:
                out += String(format: "\\u%04x", control.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    private static func timestamp(_ date: Date) -> String {
        timeStyle.format(date)
    }
}
