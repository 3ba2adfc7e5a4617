import Glibc

/// One `sd_notify(3)` datagram: newline-separated `KEY=VALUE` assignments, sent as one so the
/// service manager applies them together (`READY=1` with the `STATUS=` it should show).
///
/// ```swift
/// NotifyMessage([.ready, .status("3 services: 3 ready")]).text  // "READY=1\nSTATUS=3 services: 3 ready"
/// ```
public struct NotifyMessage: Sendable, Equatable {
    /// The assignments Vigil sends; systemd.service(5) and sd_notify(3) define their meaning.
    public enum Assignment: Sendable, Equatable {
        /// Start-up (or a reload) finished: systemd moves the unit to active (running).
        case ready
        /// The one-line text `systemctl status` shows.
        case status(String)
        /// A reload began. systemd 253+ requires the `CLOCK_MONOTONIC` time beside it
        /// (`MONOTONIC_USEC`) to tell this reload from an earlier one.
        case reloading(monotonicMicroseconds: UInt64)
        /// Shutdown began: systemd stops expecting watchdog pings to mean "serving".
        case stopping
        /// Keep-alive ping for `WatchdogSec=`.
        case watchdog

        var lines: [String] {
            switch self {
            case .ready: ["READY=1"]
            // STATUS is one line by definition; a newline would end the assignment early.
            case .status(let text): ["STATUS=" + text.split(whereSeparator: \.isNewline).joined(separator: " ")]
            case .reloading(let microseconds): ["RELOADING=1", "MONOTONIC_USEC=\(microseconds)"]
            case .stopping: ["STOPPING=1"]
            case .watchdog: ["WATCHDOG=1"]
            }
        }
    }

    public var assignments: [Assignment]

    public init(_ assignments: [Assignment]) {
        self.assignments = assignments
    }

    /// The datagram's text.
    public var text: String {
        assignments.flatMap(\.lines).joined(separator: "\n")
    }

    /// `RELOADING=1` stamped with the current `CLOCK_MONOTONIC` time, as systemd 253+ expects.
    public static func reloadingNow() -> Assignment {
        .reloading(monotonicMicroseconds: monotonicMicroseconds())
    }

    /// `CLOCK_MONOTONIC` in microseconds: the clock systemd compares `MONOTONIC_USEC` against.
    public static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }
}
