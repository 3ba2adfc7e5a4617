import Foundation

/// A tiny blocking HTTP/1.1 client for tests: one request per connection (`Connection: close`).
///
/// Every call returns nil instead of throwing when the server cannot be reached, refuses, times
/// out or answers garbage, so it fits straight into ``poll(timeout:interval:_:)``:
/// `XCTAssertTrue(poll { SimpleHTTP.get(port: port, path: "/health")?.status == 200 })`.
public enum SimpleHTTP {
    public static func get(host: String = "127.0.0.1", port: UInt16, path: String, timeout: Duration = .seconds(5)) -> (status: Int, body: String)? {
        request(method: "GET", host: host, port: port, path: path, timeout: timeout).map { ($0.status, $0.body) }
    }

    public static func post(host: String = "127.0.0.1", port: UInt16, path: String, body: String = "", timeout: Duration = .seconds(5)) -> (status: Int, body: String)? {
        request(method: "POST", host: host, port: port, path: path, body: body, timeout: timeout).map { ($0.status, $0.body) }
    }

    /// Any method, extra headers, the full response (headers too).
    public static func request(
        method: String, host: String = "127.0.0.1", port: UInt16, path: String,
        headers: [String: String] = [:], body: String = "", timeout: Duration = .seconds(5)
    ) -> HTTPTestResponse? {
        guard let connection = try? HTTPTestConnection(host: host, port: port, timeout: timeout) else { return nil }
        var headers = headers
        headers["Connection"] = "close"
        return try? connection.request(method: method, path: path, headers: headers, body: body)
    }
}
