/// The result of `vigil check`: every problem, and what was read.
public struct CheckReport: Sendable {
    /// Every problem, ordered by file, line and column; empty when everything is valid.
    public var errors: [ManifestError]
    /// The files read, in reading order, as they appear in error locations.
    public var files: [String]
    /// The names of the services that validated, in manifest order.
    public var services: [String]

    public init(errors: [ManifestError], files: [String], services: [String]) {
        self.errors = errors
        self.files = files
        self.services = services
    }
}
