import Foundation

/// ISO 8601 timestamps as the engine writes and reads them: UTC, millisecond precision,
/// `2026-11-21T17:03:00.123Z`.
///
/// Formatting is hand-rolled over `gmtime_r` because it runs several times per analysis and the
/// Foundation formatters cost more than the agents themselves.
public enum ISO8601 {
    public static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var millis = Int(((interval - Double(seconds)) * 1000).rounded())
        if millis == 1000 {
            seconds += 1
            millis = 0
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var v = value
            for i in stride(from: at + width - 1, through: at, by: -1) {
                bytes[i] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, 0, 4)
        bytes[4] = 45
        put(Int(parts.tm_mon) + 1, 5, 2)
        bytes[7] = 45
        put(Int(parts.tm_mday), 8, 2)
        bytes[10] = 84
        put(Int(parts.tm_hour), 11, 2)
        bytes[13] = 58
        put(Int(parts.tm_min), 14, 2)
        bytes[16] = 58
        put(Int(parts.tm_sec), 17, 2)
        bytes[19] = 46
        put(millis, 20, 3)
        bytes[23] = 90
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a date-time with or without fractional seconds, with `Z` or a numeric offset.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date
        }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }
}
