import Foundation

/// The JSON conventions of the control API, shared by its server and clients.
///
/// Dates are ISO-8601 in UTC with milliseconds (`2026-11-21T17:03:00.123Z`); decoding also accepts
/// them without fractional seconds. Keys are sorted so output is stable for scripts and diffs.
public enum VigilJSON {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let withoutFraction = Date.ISO8601FormatStyle()

    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(format(date))
        }
        return encoder
    }

    /// `2026-11-21T17:03:00.123Z`, rounded to the millisecond (the format style would truncate
    /// `.123` stored as `.12299999` to `.122`).
    public static func format(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, fraction) = ms.quotientAndRemainder(dividingBy: 1000)
        let adjusted = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let whole = Date(timeIntervalSince1970: Double(adjusted.0)).formatted(withoutFraction)
        let digits = String(adjusted.1)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = (try? withFraction.parse(text)) ?? (try? withoutFraction.parse(text)) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an ISO-8601 date such as 2026-11-21T17:03:00.123Z, got \(text)")
        }
        return decoder
    }
}
