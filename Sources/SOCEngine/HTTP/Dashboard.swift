import HTTPTypes
import Hummingbird
import NIOCore

/// The analyst dashboard (SPEC section 7): one HTML page with its scripts, styles and icon,
/// compiled into the binary from `DataFiles/dashboard` by `scripts/embed-engine-data.py`, so
/// an engine on a host without internet serves it whole.
///
/// Every file goes out with a strict Content-Security-Policy: scripts, styles and connections
/// only to the engine itself, no inline script or style, no framing. Threat data comes from
/// outside (any client may POST a signal), so the scripts put it into the page only as text
/// (`textContent`, never `innerHTML`); the policy is the second wall if a script ever slipped.
enum Dashboard {
    /// One file, ready to send: bytes, type and a validator for `If-None-Match`.
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
        let etag: String
    }

    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
        "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    /// The page served at `/` to browsers.
    static let page = "index.html"

    /// Every embedded file by name, as served under `/dashboard/{name}`.
    static let assets: [String: Asset] = EmbeddedData.dashboard.reduce(into: [:]) { assets, file in
        assets[file.key] = Asset(body: ByteBuffer(string: file.value), contentType: contentType(of: file.key), etag: etag(of: file.value))
    }

    /// The file's response (304 when the client's copy is current), or nil for an unknown name.
    static func response(_ name: String, request: Request) -> Response? {
        guard let asset = assets[name] else { return nil }
        var headers: HTTPFields = [
            .contentType: asset.contentType,
            .eTag: asset.etag,
            // Revalidate every time: a blue-green switch may bring new files under the same names.
            .cacheControl: "no-cache",
            .contentSecurityPolicy: contentSecurityPolicy,
            .xContentTypeOptions: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
        if name == page { headers[.vary] = "Accept" }
        if request.headers[.ifNoneMatch] == asset.etag {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.body))
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        default: "application/octet-stream"
        }
    }

    /// A strong validator: FNV-1a over the bytes, which only change with a new binary.
    static func etag(of text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "\"" + String(hash, radix: 16) + "\""
    }
}
