import Hummingbird
import VigilSupervisor

/// Every answer of the control API that is not a success is JSON `{error, detail}`: the
/// handlers' own ``ControlAPIError``s as they are, and what they did not catch worded here,
/// from Hummingbird's 404 (a 405 with `Allow` when the path exists with another method) and
/// 413 to a store error no handler expected (500).
enum ControlErrorResponse {
    static func translate(_ error: any Error, method: HTTPRequest.Method, path: String) -> ControlAPIError {
        switch error {
        case let error as ControlAPIError:
            return error
        case let error as HTTPResponseError where error.status == .notFound:
            let allowed = ControlPermission.allowedMethods(path: path)
            if !allowed.isEmpty, !allowed.contains(method) {
                return ControlAPIError(
                    .methodNotAllowed, "\(method) is not allowed on \(path)",
                    detail: "use \(allowed.map(\.rawValue).joined(separator: " or "))", allow: allowed.map(\.rawValue).joined(separator: ", ")
                )
            }
            return ControlAPIError(.notFound, "no such endpoint: \(method) \(path)", detail: "the control API is described in SPEC section 9; e.g. GET /v1/status")
        case let error as HTTPResponseError where error.status == .contentTooLarge:
            return ControlAPIError(.contentTooLarge, "the request body is too large", detail: "the control API takes at most \(ControlGate.bodyLimit) bytes")
        case let error as HTTPResponseError:
            return ControlAPIError(error.status, error.status.reasonPhrase.lowercased(), detail: "\(error)")
        case let error as StateStoreError:
            return ControlAPIError(.internalServerError, "Vigil's state database failed", detail: error.description)
        default:
            return ControlAPIError(.internalServerError, "internal error", detail: "\(error)")
        }
    }
}
