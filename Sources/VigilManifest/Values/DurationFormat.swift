import Foundation

/// Reads and writes durations the way manifests spell them: `500ms`, `10s`, `5m`, `1h`,
/// combinations such as `1m30s`, fractions such as `1.5s`, and `0s` (a bare `0` also means zero).
///
/// Units are `h`, `m`, `s`, `ms`, `us` (or `µs`) and `ns`. Negative durations do not exist in a
/// manifest. ``format(_:)`` writes the shortest spelling that ``parse(_:)`` reads back to the
/// same value, so `DurationFormat.parse(DurationFormat.format(d)) == d` for any non-negative `d`.
public enum DurationFormat {
    /// Examples for error messages, so every duration error teaches the same spelling.
    public static let examples = "500ms, 10s, 5m, 1h or 1m30s"

    private static let units: [(suffix: String, nanoseconds: Int64)] = [
        ("h", 3_600_000_000_000), ("ms", 1_000_000), ("m", 60_000_000_000),
        ("s", 1_000_000_000), ("us", 1_000), ("µs", 1_000), ("ns", 1),
    ]

    /// The duration `s` spells, or nil when it is not a valid duration.
    public static func parse(_ s: String) -> Duration? {
        let text = s.trimmingCharacters(in: .whitespaces)
        if text == "0" { return .zero }
        var rest = Substring(text)
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }) else { return nil }
            rest = rest.dropFirst(unit.suffix.count)
            guard let part = nanoseconds(of: number, unit: unit.nanoseconds) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(part)
            guard !overflow else { return nil }
            total = sum
        }
        return .nanoseconds(total)
    }

    /// The shortest spelling of `d`: `1m30s`, `500ms`, `0s`.
    public static func format(_ d: Duration) -> String {
        let (seconds, attoseconds) = d.components
        guard seconds >= 0, attoseconds >= 0 else { return "-" + format(.zero - d) }
        if seconds == 0 && attoseconds == 0 { return "0s" }
        var out = ""
        var wholeSeconds = seconds
        for (suffix, size) in [("h", Int64(3600)), ("m", 60), ("s", 1)] where wholeSeconds >= size {
            out += "\(wholeSeconds / size)\(suffix)"
            wholeSeconds %= size
        }
        var nanos = attoseconds / 1_000_000_000
        for (suffix, size) in [("ms", Int64(1_000_000)), ("us", 1_000), ("ns", 1)] where nanos >= size {
            out += "\(nanos / size)\(suffix)"
            nanos %= size
        }
        return out.isEmpty ? "0s" : out
    }

    /// `number` (digits with at most one `.`) times `unit` nanoseconds, rounded to whole
    /// nanoseconds; nil when malformed or too large.
    private static func nanoseconds(of number: Substring, unit: Int64) -> Int64? {
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0].isEmpty ? "0" : parts[0]) else { return nil }
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        guard parts.count == 2 else { return parts[0].isEmpty ? nil : scaled }
        let digits = parts[1]
        guard !digits.isEmpty || !parts[0].isEmpty else { return nil }
        var fraction: Int64 = 0
        var denominator: Int64 = 1
        for digit in digits.prefix(18) {
            fraction = fraction * 10 + Int64(digit.wholeNumberValue ?? 0)
            denominator *= 10
        }
        let fractionalNanos = Int64((Double(fraction) / Double(denominator) * Double(unit)).rounded())
        let (sum, overflow2) = scaled.addingReportingOverflow(fractionalNanos)
        return overflow2 ? nil : sum
    }
}
