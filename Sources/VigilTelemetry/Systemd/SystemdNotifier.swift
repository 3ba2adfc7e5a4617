import CSystemd
import Foundation

/// Sends ``NotifyMessage``s to the service manager through libsystemd's `sd_notify`.
///
/// systemd passes the socket in `NOTIFY_SOCKET` to a `Type=notify` unit's main process; without
/// it (a terminal, a test, another init) every send is a no-op, so callers never check first.
/// The variable stays in Vigil's environment for libsystemd to read; supervised services do not
/// inherit it (their environment drops it).
public struct SystemdNotifier: Sendable {
    /// True when `NOTIFY_SOCKET` was set when Vigil started.
    public let isEnabled: Bool

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        isEnabled = !(environment["NOTIFY_SOCKET"] ?? "").isEmpty
    }

    /// Sends `message` as one datagram. Returns false when disabled or when the send failed (the
    /// manager went away); neither is worth failing over, so callers may ignore it.
    @discardableResult
    public func send(_ message: NotifyMessage) -> Bool {
        guard isEnabled else { return false }
        return message.text.withCString { sd_notify(0, $0) } > 0
    }

    /// Sends the assignments as one datagram.
    @discardableResult
    public func send(_ assignments: NotifyMessage.Assignment...) -> Bool {
        send(NotifyMessage(assignments))
    }
}
