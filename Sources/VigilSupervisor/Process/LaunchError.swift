import Glibc

/// Why a child could not be started, worded for the operator:
/// `cannot start 'foo': No such file or directory`,
/// `cannot start 'api': cannot change directory to '/srv/api': Permission denied`.
public struct LaunchError: Error, CustomStringConvertible, Equatable {
    /// The command as written (`arguments[0]`).
    public let command: String
    /// What went wrong, without the command.
    public let reason: String
    /// The errno behind it, when a system call failed (ENOENT for a missing command).
    public let code: Int32?

    public init(command: String, reason: String, code: Int32? = nil) {
        self.command = command
        self.reason = reason
        self.code = code
    }

    /// A failed system call: `reason` is prefixed to strerror(code) when given.
    init(command: String, code: Int32, context: String? = nil) {
        let message = String(cString: strerror(code))
        self.init(command: command, reason: context.map { "\($0): \(message)" } ?? message, code: code)
    }

    public var description: String { "cannot start '\(command)': \(reason)" }
}
