/// One parsed HTTP/1.x request head; the body has already been read and discarded.
struct Request {
    var method: String
    /// The path without the query string, e.g. `/admin/health`.
    var path: String
    /// Query parameters, e.g. `["fail": "1"]` for `?fail=1`.
    var query: [String: String]
    /// False after `Connection: close`, or for HTTP/1.0 without `Connection: keep-alive`.
    var keepAlive: Bool

    /// Parses the request line and the headers that matter here (everything up to the blank line).
    ///
    /// Returns the request and its body length, or a ready-made error response for a head this
    /// server will not serve.
    static func parse(head: String) -> ParsedHead {
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: true)[...]
        guard let requestLine = lines.popFirst() else { return .reject(.badRequest("empty request")) }
        let parts = requestLine.split(separator: " ")
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
            return .reject(.badRequest("malformed request line; expected 'METHOD /path HTTP/1.1'"))
        }
        var keepAlive = parts[2] != "HTTP/1.0"
        var bodyLength = 0
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return .reject(.badRequest("malformed header line")) }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            switch name {
            case "content-length":
                guard let length = Int(value), length >= 0 else { return .reject(.badRequest("Content-Length is not a number")) }
                bodyLength = length
            case "transfer-encoding":
                return .reject(Response(status: 501, json: #"{"error":"chunked request bodies are not supported; send Content-Length"}"#, close: true))
            case "connection":
                let tokens = value.lowercased().split(separator: ",").map { $0.trimmingSpaces() }
                if tokens.contains("close") { keepAlive = false }
                if tokens.contains("keep-alive") { keepAlive = true }
            default:
                break
            }
        }
        let target = parts[1]
        let path: Substring
        var query: [String: String] = [:]
        if let mark = target.firstIndex(of: "?") {
            path = target[..<mark]
            for pair in target[target.index(after: mark)...].split(separator: "&") {
                let field = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query[String(field[0])] = field.count > 1 ? String(field[1]) : ""
            }
        } else {
            path = target
        }
        let request = Request(method: String(parts[0]), path: String(path), query: query, keepAlive: keepAlive)
        return .request(request, bodyLength: bodyLength)
    }
}

/// What a request head turned out to be.
enum ParsedHead {
    case request(Request, bodyLength: Int)
    /// Not servable: send this response and close the connection.
    case reject(Response)
}

/// An HTTP response with a JSON body, and what the server does once it has been sent.
struct Response {
    var status: Int
    var json: String
    /// Close the connection after this response.
    var close = false
    /// Runs after the response is written (e.g. `/admin/crash` exits here).
    var afterSend: (() -> Void)?

    static func badRequest(_ message: String) -> Response {
        Response(status: 400, json: #"{"error":"\#(jsonEscaped(message))"}"#, close: true)
    }

    /// The bytes on the wire. A HEAD response carries the headers of the GET answer, no body.
    func serialized(keepAlive: Bool, includeBody: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(Response.reason(status))\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n"
        if !keepAlive || close { text += "Connection: close\r\n" }
        text += "\r\n"
        if includeBody { text += json }
        return Array(text.utf8)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// `text` with JSON string escapes applied (quotes, backslashes, control characters).
func jsonEscaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
