import Glibc

/// A system call that failed while setting up Vigil's own machinery (epoll, eventfd, a log file):
/// `open /var/lib/vigil/logs/api.log: Permission denied`.
public struct SystemCallError: Error, CustomStringConvertible, Equatable {
    /// The call and its object, e.g. `epoll_create1` or `open /var/lib/vigil/logs/api.log`.
    public let operation: String
    public let code: Int32

    public init(_ operation: String, code: Int32 = errno) {
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation): \(String(cString: strerror(code)))" }
}
