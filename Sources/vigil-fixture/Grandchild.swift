import Glibc

/// `--spawn-grandchild`: a forked child that stays in the fixture's process group and sleeps
/// forever, to prove that a supervisor stops whole groups and leaves no orphans.
enum Grandchild {
    /// Forks the child (call before any thread starts) and writes its pid to `pidfile`
    /// (atomically: written beside it, then renamed). The child dies to SIGTERM unless the
    /// fixture ignores SIGTERM, in which case it ignores it too.
    static func spawn(pidfile: String?, ignoreSigterm: Bool) {
        let child = fork()
        if child == 0 {
            signal(SIGTERM, ignoreSigterm ? SIG_IGN : SIG_DFL)
            while true { pause() }
        }
        guard child > 0 else {
            complain("cannot fork the grandchild: \(systemError())")
            exit(1)
        }
        say("spawned grandchild pid=\(child)")
        guard let pidfile else { return }
        let temporary = pidfile + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            complain("cannot write --grandchild-pidfile \(pidfile): \(systemError())")
            exit(1)
        }
        let text = "\(child)\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        guard rename(temporary, pidfile) == 0 else {
            complain("cannot write --grandchild-pidfile \(pidfile): \(systemError())")
            exit(1)
        }
    }
}
