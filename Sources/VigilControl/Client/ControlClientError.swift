import Foundation
import VigilSupervisor

/// Why a control API call failed, worded for the person at the terminal.
///
/// `description` is what the CLI prints: it says what failed, where, and what to try, e.g.
/// ``cannot reach Vigil at .vigil/control.sock: No such file or directory — is `vigil up` running? (or pass --control)``.
public struct ControlClientError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Nothing listens at the endpoint (the CLI exits 1).
        case unreachable
        /// Vigil accepted the connection but did not answer in time.
        case timedOut
        /// Vigil answered with an error status; see ``status``, ``message`` and ``detail``.
        case api
        /// The answer was not what this client understands.
        case badResponse
        /// The connection failed mid-request.
        case transport
    }

    public let kind: Kind
    /// The HTTP status for `.api` errors.
    public let status: Int?
    /// For `.api`, the server's `error`; otherwise the whole explanation.
    public let message: String
    /// For `.api`, the server's `detail`, when it sent one.
    public let detail: String?

    public init(kind: Kind, status: Int? = nil, message: String, detail: String? = nil) {
        self.kind = kind
        self.status = status
        self.message = message
        self.detail = detail
    }

    public var description: String {
        guard kind == .api, let status else { return message }
        return detail.map { "\(message) (HTTP \(status)): \($0)" } ?? "\(message) (HTTP \(status))"
    }

    /// An error status: the server's JSON `{"error": "...", "detail": "..."}`, or its text.
    static func api(status: Int, body: [UInt8]) -> ControlClientError {
        struct Payload: Decodable { var error: String; var detail: String? }
        if let payload = try? JSONDecoder().decode(Payload.self, from: Data(body)) {
            return ControlClientError(kind: .api, status: status, message: payload.error, detail: payload.detail)
        }
        let text = String(decoding: body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return ControlClientError(kind: .api, status: status, message: text.isEmpty ? "request failed" : text)
    }
}
