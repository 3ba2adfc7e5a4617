/// One problem found in a config or manifest file.
///
/// Printed the way compilers print errors, so editors and CI logs can jump to it:
/// `manifests/web.yaml:12:5: error: unknown key 'livenes'; did you mean 'liveness'?`
public struct ManifestError: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): error: \(message)" }
}

/// Every problem found while loading, in file order. Loading reports them all at once so an
/// operator fixes a broken manifest in one pass instead of one error per run.
public struct ManifestErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ManifestError]

    public init(_ errors: [ManifestError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
