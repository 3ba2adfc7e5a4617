import Foundation

/// A fresh, uniquely named directory under `/tmp` for one test's files.
///
/// The path stays short (`/tmp/vt-XXXXXXXX`) because unix socket paths inside it are limited
/// to 107 bytes. Call ``remove()`` in `tearDown` (or `defer`); it is not removed on its own,
/// so a failing test's files can be inspected.
///
/// ```swift
/// let dir = try TemporaryDirectory()
/// defer { dir.remove() }
/// let socket = dir.path + "/control.sock"
/// ```
public struct TemporaryDirectory: Sendable {
    /// Absolute path, without a trailing slash.
    public let path: String

    public init(prefix: String = "vt") throws {
        var template = Array("/tmp/\(prefix)-XXXXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else {
            throw TestKitError("cannot create a temporary directory under /tmp: \(String(cString: strerror(errno)))")
        }
        path = String(cString: template)
    }

    /// `path` + `/` + `name`.
    public func appending(_ name: String) -> String { path + "/" + name }

    /// Deletes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
