import Foundation

/// A `kind: Service` manifest that runs the built `vigil-fixture` (absolute path) with
/// `--port ${PORT}` and `extraArgs`.
///
/// `port` becomes the manifest's `port:` (leave it nil when `extraYAML` has a deploy section,
/// which names its own ports). `extraYAML` is appended as written, top-level keys at column 0:
///
/// ```swift
/// let yaml = try fixtureManifest(name: "web", port: port, extraArgs: ["--fail-health"], extraYAML: """
///     restart: {policy: on-failure}
///     probes:
///       liveness: {http: {path: /health}, period: 1s}
///     """)
/// ```
public func fixtureManifest(name: String, port: UInt16?, extraArgs: [String] = [], extraYAML: String = "") throws -> String {
    let command = [try BuiltProducts.fixture, "--port", "${PORT}"] + extraArgs
    var yaml = """
        apiVersion: vigil/v1
        kind: Service
        name: \(name)
        command: [\(command.map(yamlQuoted).joined(separator: ", "))]

        """
    if let port { yaml += "port: \(port)\n" }
    if !extraYAML.isEmpty { yaml += extraYAML.hasSuffix("\n") ? extraYAML : extraYAML + "\n" }
    return yaml
}

/// `text` as a double-quoted YAML scalar: a JSON string literal is one (every JSON escape is
/// also a YAML escape), so Foundation's encoder does the escaping.
public func yamlQuoted(_ text: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .withoutEscapingSlashes
    // Encoding a String cannot fail.
    return String(decoding: try! encoder.encode(text), as: UTF8.self)
}
