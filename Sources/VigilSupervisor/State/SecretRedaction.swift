import Foundation

/// Hides the values of secret environment variables wherever Vigil shows or records env:
/// status, events, history, its own logs and the audit log.
///
/// A variable is secret when its name contains TOKEN, SECRET, PASSWORD, KEY or CREDENTIAL
/// (any case): `API_TOKEN`, `db_password`, `AWS_SECRET_ACCESS_KEY`. Its value is shown as `***`;
/// the name stays, so an operator still sees that it is set.
///
/// ```swift
/// SecretRedaction.redact(["API_TOKEN": "abc", "LOG": "debug"])   // ["API_TOKEN": "***", "LOG": "debug"]
/// SecretRedaction.redactAssignment("DB_PASSWORD=hunter2")         // "DB_PASSWORD=***"
/// ```
public enum SecretRedaction {
    public static let mask = "***"
    static let markers = ["TOKEN", "SECRET", "PASSWORD", "KEY", "CREDENTIAL"]

    /// Whether a variable named `name` holds a secret.
    public static func isSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return markers.contains { upper.contains($0) }
    }

    /// `env` with every secret value replaced by `***`.
    public static func redact(_ env: [String: String]) -> [String: String] {
        env.reduce(into: [:]) { result, entry in result[entry.key] = isSecret(entry.key) ? mask : entry.value }
    }

    /// `NAME=VALUE` with the value replaced by `***` when `NAME` is secret.
    public static func redactAssignment(_ assignment: String) -> String {
        guard let equals = assignment.firstIndex(of: "="), isSecret(String(assignment[..<equals])) else { return assignment }
        return assignment[...equals] + mask
    }

    /// A JSON request body with secrets hidden: the value of every object key that is secret,
    /// and every `"NAME=VALUE"` string whose NAME is. Bodies that are not JSON are not shown:
    /// "<N bytes, not JSON>". Nil for an empty body.
    public static func redactJSON(_ data: Data) -> String? {
        guard !data.isEmpty else { return nil }
        guard let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            return "<\(data.count) bytes, not JSON>"
        }
        let redacted = redactValue(value)
        guard let out = try? JSONSerialization.data(withJSONObject: redacted, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]) else {
            return "<\(data.count) bytes>"
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func redactValue(_ value: Any) -> Any {
        switch value {
        case let object as [String: Any]:
            return object.reduce(into: [String: Any]()) { result, entry in
                result[entry.key] = isSecret(entry.key) && !(entry.value is [Any]) && !(entry.value is [String: Any]) ? mask : redactValue(entry.value)
            }
        case let array as [Any]:
            return array.map(redactValue)
        case let text as String:
            return redactAssignment(text)
        default:
            return value
        }
    }
}
