import Logging

/// The journal entry for a log line (`--log-format journal`, and `auto` under systemd): the
/// fields `sd_journal_sendv` receives, so `journalctl -u vigil -p warning` and
/// `journalctl -u vigil SERVICE=demo-web EVENT_KIND=crashloop` work.
///
/// Fields: `MESSAGE`, `PRIORITY` (syslog numbers), `SYSLOG_IDENTIFIER=vigil`, `VIGIL_LOGGER`
/// (the logger's label), `CODE_FILE`/`CODE_LINE`/`CODE_FUNC`, and every metadata key as a field
/// of its own, upper-cased (`service` → `SERVICE`, `event_kind` → `EVENT_KIND`).
public enum JournalFields {
    /// syslog priority for a swift-log level: 7 debug (trace too), 6 info, 5 notice, 4 warning,
    /// 3 err, 2 crit.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// `FIELD=value` strings, MESSAGE first.
    public static func fields(_ line: LogLine) -> [String] {
        var fields = [
            "MESSAGE=" + line.message,
            "PRIORITY=\(priority(line.level))",
            "SYSLOG_IDENTIFIER=vigil",
            "VIGIL_LOGGER=" + line.label,
            "CODE_FILE=" + line.file,
            "CODE_LINE=\(line.line)",
            "CODE_FUNC=" + line.function,
        ]
        let taken = Set(fields.map { String($0.prefix { $0 != "=" }) })
        for (key, value) in line.sortedMetadata {
            guard let name = fieldName(key), !taken.contains(name) else { continue }
            fields.append(name + "=" + value)
        }
        return fields
    }

    /// A metadata key as a journal field name: journald accepts only `A-Z`, `0-9` and `_`, not
    /// starting with a digit or `_` (those are trusted fields), at most 64 characters. Other
    /// characters become `_`; nil when nothing usable is left.
    public static func fieldName(_ key: String) -> String? {
        var name = String(key.uppercased().unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "A"..."Z", "0"..."9": Character(scalar)
            default: "_"
            }
        })
        while let first = name.first, first == "_" || first.isNumber { name.removeFirst() }
        name = String(name.prefix(64))
        return name.isEmpty ? nil : name
    }

    /// The fallback when the journal socket refuses the entry: the line on stderr with the
    /// sd-daemon(3) `<N>` priority prefix, which journald strips and honours on a stream.
    public static func prefixedLine(_ line: LogLine) -> String {
        "<\(priority(line.level))>\(line.label): \(line.message)"
    }
}
