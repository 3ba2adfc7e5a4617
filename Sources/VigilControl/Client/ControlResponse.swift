import Foundation
import VigilSupervisor

/// A successful (status below 400) answer from the control API.
public struct ControlResponse: Sendable {
    public let status: Int
    public let body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    /// The body decoded as JSON with the control API's conventions (``VigilJSON``).
    ///
    /// - Throws: ``ControlClientError`` of kind `badResponse` saying what did not match.
    public func decode<T: Decodable>(_: T.Type) throws -> T {
        do {
            return try VigilJSON.decoder().decode(T.self, from: Data(body))
        } catch {
            throw ControlClientError(kind: .badResponse,
                                     message: "unexpected answer from Vigil (HTTP \(status)): \(error); is the CLI the same version as the running Vigil?")
        }
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
