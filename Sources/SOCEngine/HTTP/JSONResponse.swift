import Foundation
import Hummingbird

/// Building JSON responses from bytes the engine already has, without re-encoding.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ data: Data) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func make(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func encode(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        make(status, try EngineJSON.encode(value))
    }

    /// `{"detail": message}`, the error shape of every 4xx/5xx the engine returns.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        make(status, "{\"detail\":\(EngineJSON.quoted(message))}")
    }
}
