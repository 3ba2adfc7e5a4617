import CCurl
import Foundation

/// An HTTP failure from libcurl or from the server, with a message fit for a finding.
public struct CurlError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// One blocking libcurl request run on a background queue: GET, or POST with a JSON body.
///
/// Used for outbound calls the engine makes (Vigil's control API, the LLM endpoint) so they
/// never block a SwiftNIO event loop or the cooperative thread pool.
struct CurlRequest: Sendable {
    var url: String
    var unixSocket: String?
    var timeout: TimeInterval
    var headers: [String] = []
    var postBody: Data?

    private static let queue = DispatchQueue(label: "soc.curl", attributes: .concurrent)
    private static let initialised: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        return true
    }()

    private final class Sink {
        var data = Data()
    }

    /// Performs the request; returns the body of a 2xx response, throws otherwise.
    func perform() async throws -> Data {
        _ = Self.initialised
        return try await withCheckedThrowingContinuation { continuation in
            Self.queue.async {
                continuation.resume(with: Result { try self.performBlocking() })
            }
        }
    }

    private func performBlocking() throws -> Data {
        guard let handle = curl_easy_init() else { throw CurlError(message: "libcurl could not create a handle") }
        defer { curl_easy_cleanup(handle) }
        let sink = Sink()
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }
        var list: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(list) }
        for header in headers + (postBody == nil ? [] : ["Content-Type: application/json"]) {
            list = curl_slist_append(list, header)
        }
        let millis = max(1, Int(timeout * 1000))
        _ = vigil_curl_easy_setopt_string(handle, CURLOPT_URL, url)
        if let unixSocket { _ = vigil_curl_easy_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, unixSocket) }
        _ = vigil_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, millis)
        _ = vigil_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, millis)
        _ = vigil_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = vigil_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        _ = vigil_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer.toOpaque())
        _ = vigil_curl_easy_setopt_write_function(handle, CURLOPT_WRITEFUNCTION) { pointer, size, count, userdata in
            guard let pointer, let userdata else { return 0 }
            let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
            sink.data.append(UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: size * count)
            return size * count
        }
        let code: CURLcode
        if let postBody {
            code = postBody.withUnsafeBytes { raw in
                _ = vigil_curl_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, raw.count)
                _ = vigil_curl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
                return curl_easy_perform(handle)
            }
        } else {
            code = curl_easy_perform(handle)
        }
        guard code == CURLE_OK else {
            throw CurlError(message: "\(unixSocket.map { "unix:\($0)" } ?? url): \(String(cString: curl_easy_strerror(code)))")
        }
        var status = 0
        _ = vigil_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        guard (200..<300).contains(status) else {
            throw CurlError(message: "\(unixSocket.map { "unix:\($0)" } ?? url) answered HTTP \(status)")
        }
        return sink.data
    }
}
