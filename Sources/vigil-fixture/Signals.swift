import Glibc

/// How the fixture reacts to signals, and how it dies on purpose.
enum Signals {
    /// SIGPIPE is ignored (a peer that hangs up must not kill the server). SIGTERM prints
    /// "shutting down" and exits 0 at once, or is ignored with `--ignore-sigterm` (SIGKILL
    /// still works, as it always does).
    static func install(ignoreSigterm: Bool) {
        signal(SIGPIPE, SIG_IGN)
        if ignoreSigterm {
            signal(SIGTERM, SIG_IGN)
        } else {
            // Only async-signal-safe calls here: write(2) and _exit(2).
            signal(SIGTERM) { _ in
                let message: StaticString = "shutting down\n"
                _ = write(STDOUT_FILENO, message.utf8Start, message.utf8CodeUnitCount)
                _exit(0)
            }
        }
    }

    /// Dies by `signal` with its default action (the Swift runtime's crash handler, which
    /// would print a backtrace first, is removed so the death is immediate).
    static func die(by signal: Int32) -> Never {
        say("raising signal \(signal) (--crash-signal)")
        Glibc.signal(signal, SIG_DFL)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, signal)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        raise(signal)
        // Signals whose default action does not terminate (none of the --crash-signal names)
        // end up here.
        _exit(128 + signal)
    }
}
