import CVigilSys

/// How a child process ended.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// It called exit with this status.
    case exited(Int32)
    /// A signal killed it.
    case signaled(Int32, coreDumped: Bool)

    /// Exit status 0.
    public var isSuccess: Bool { self == .exited(0) }

    /// `SIGKILL` for a child killed by SIGKILL; nil when it exited.
    public var signalName: String? {
        guard case .signaled(let signal, _) = self else { return nil }
        return Self.name(ofSignal: signal)
    }

    /// `exit status 1`, `killed by SIGKILL`, `killed by SIGSEGV (core dumped)`.
    public var description: String {
        switch self {
        case .exited(let status):
            return "exit status \(status)"
        case .signaled(let signal, let coreDumped):
            return "killed by \(Self.name(ofSignal: signal))" + (coreDumped ? " (core dumped)" : "")
        }
    }

    /// `SIGTERM` for 15, `SIGRTMIN+2` for real-time signals, `signal 99` when unnamed.
    public static func name(ofSignal signal: Int32) -> String {
        if let abbreviation = cvigil_signal_abbreviation(signal) {
            return "SIG" + String(cString: abbreviation)
        }
        return "signal \(signal)"
    }
}
