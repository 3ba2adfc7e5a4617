import Foundation
import VigilManifest

/// The file `nginx.upstreamFile` that the nginx router owns: one `upstream vigil-SERVICE` block
/// the operator's site `proxy_pass`es to (see deploy/nginx-vigil.conf.example).
///
/// nginx has no weight 0, so a color without traffic is left out of the block, except the
/// table's fallback (a ready warm standby), listed as a `backup` server: nginx sends it only
/// what its `proxy_next_upstream` would retry, or everything while the colors with weight are
/// marked failed (`max_fails`, `fail_timeout`). `backup` needs nginx's default round-robin,
/// which this block uses. When no color has traffic both are listed `down`, so nginx answers
/// 502 instead of failing `-t`.
struct NginxUpstreamFile {
    let path: String
    let service: String
    /// Idle keep-alive connections each nginx worker keeps to the colors.
    var keepalive = 64

    var upstreamName: String { "vigil-\(service)" }

    func render(_ table: RoutingTable) -> String {
        var text = "# Written by Vigil for service \(service); every rollout step rewrites it.\n"
        text += "upstream \(upstreamName) {\n"
        let active = Color.allCases.filter { table.weight($0) > 0 && table.ports[$0] != nil }
        if active.isEmpty {
            for color in Color.allCases {
                if let port = table.ports[color] { text += "    server 127.0.0.1:\(port) down;  # \(color.rawValue)\n" }
            }
        } else {
            for color in active {
                text += "    server 127.0.0.1:\(table.ports[color]!) weight=\(table.weight(color));  # \(color.rawValue)\n"
            }
            if let standby = table.fallback, !active.contains(standby), let port = table.ports[standby] {
                text += "    server 127.0.0.1:\(port) backup;  # \(standby.rawValue)\n"
            }
        }
        text += "    keepalive \(keepalive);\n}\n"
        return text
    }

    /// The file's bytes now, nil when it does not exist.
    func read() -> Data? {
        FileManager.default.contents(atPath: path)
    }

    /// Replaces the file in one step (a temporary file beside it, then rename), so nginx never
    /// reads half of it.
    func write(_ bytes: Data) throws {
        let temporary = path + ".vigil-tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: bytes) else {
            throw RouterError("cannot write \(temporary): \(String(cannot: errno)); is its directory writable by Vigil?")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cannot: errno)
            unlink(temporary)
            throw RouterError("cannot replace \(path): \(reason)")
        }
    }

    /// Puts back what `read()` returned: the old bytes, or no file at all.
    func restore(_ previous: Data?) throws {
        if let previous {
            try write(previous)
        } else if unlink(path) != 0, errno != ENOENT {
            throw RouterError("cannot remove \(path): \(String(cannot: errno))")
        }
    }
}

extension String {
    /// The text of an errno value.
    init(cannot code: Int32) { self = String(cString: strerror(code)) }
}
