import Foundation
import Hummingbird
import VigilSupervisor

/// An error answered as JSON `{"error": ..., "detail": ...}` with a fitting status, so the CLI
/// and scripts can show what went wrong and what to do.
struct ControlAPIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let error: String
    let detail: String?
    /// `Allow` of a 405: the methods the path answers.
    let allow: String?
    /// `WWW-Authenticate` of a 401.
    let authenticate: String?

    init(_ status: HTTPResponse.Status, _ error: String, detail: String? = nil, allow: String? = nil, authenticate: String? = nil) {
        self.status = status
        self.error = error
        self.detail = detail
        self.allow = allow
        self.authenticate = authenticate
    }

    var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let allow { fields[.allow] = allow }
        if let authenticate { fields[.wwwAuthenticate] = authenticate }
        return fields
    }

    func body(allocator: ByteBufferAllocator) -> ByteBuffer? {
        struct Body: Encodable {
            let error: String
            @ExplicitNull var detail: String?
        }
        let data = (try? VigilJSON.encoder().encode(Body(error: error, detail: detail))) ?? Data()
        return allocator.buffer(bytes: data)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        makeResponse()
    }

    func makeResponse() -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: body(allocator: ByteBufferAllocator()) ?? ByteBuffer()))
    }

    static func from(_ error: Supervisor.CommandError) -> ControlAPIError {
        switch error {
        case .unknownService(let name, let known):
            ControlAPIError(.notFound, "no service named '\(name)'", detail: known.isEmpty ? "no services are configured" : "known services: \(known.joined(separator: ", "))")
        }
    }
}

/// Encodes a value as the control API's JSON.
func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
    let data = try VigilJSON.encoder().encode(value)
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
