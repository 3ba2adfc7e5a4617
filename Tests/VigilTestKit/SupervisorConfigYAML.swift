/// A `kind: Supervisor` config (`vigil.yaml`) for a test: state in `stateDir` (the control
/// socket defaults to `stateDir/control.sock`), manifests read from `manifestsDir`.
///
/// `extraYAML` is appended as written, top-level keys at column 0, e.g.
/// `"metrics: {listen: 127.0.0.1:\(port)}"` or a `control:` section with a TCP listener.
/// Keep `stateDir` short (a ``TemporaryDirectory``): the socket path must fit in 107 bytes.
public func supervisorConfig(stateDir: String, manifestsDir: String, extraYAML: String = "") -> String {
    var yaml = """
        apiVersion: vigil/v1
        kind: Supervisor
        stateDir: \(yamlQuoted(stateDir))
        manifests: [\(yamlQuoted(manifestsDir))]

        """
    if !extraYAML.isEmpty { yaml += extraYAML.hasSuffix("\n") ? extraYAML : extraYAML + "\n" }
    return yaml
}
