import CCurl
import Foundation
import VigilSupervisor

/// Reads Vigil's events from its control API through libcurl: over the Unix socket (the
/// `VIGIL_CONTROL` path) or an `http://` URL.
///
/// Each request runs on a background dispatch queue (never on the event loop) with a short
/// connect and total timeout, so a hung or missing Vigil costs at most `timeout`.
public struct CurlEventSource: EventSource {
    /// A Unix socket path, or an http(s) base URL.
    public let control: String
    public let timeout: TimeInterval

    public init(control: String, timeout: TimeInterval = 1) {
        self.control = control
        self.timeout = timeout
    }

    public var location: String { control.hasPrefix("http") ? control : "unix:\(control)" }

    private struct Reply: Decodable { var events: [SupervisorEvent] }

    public func events(since: Date) async throws -> [SupervisorEvent] {
        let query = "/v1/events?since=\(ISO8601.format(since))&limit=200"
        let url: String
        let socket: String?
        if control.hasPrefix("http://") || control.hasPrefix("https://") {
            url = control.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + query
            socket = nil
        } else {
            url = "http://localhost" + query
            socket = control
        }
        let body = try await CurlRequest(url: url, unixSocket: socket, timeout: timeout).perform()
        do {
            return try EngineJSON.decoder.decode(Reply.self, from: body).events
        } catch {
            throw CurlError(message: "\(location) answered /v1/events with JSON the engine cannot read: \(error)")
        }
    }
}
