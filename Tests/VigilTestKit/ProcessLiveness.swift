import Foundation

/// True when a process with this pid exists and is not a zombie (exited but not yet reaped).
///
/// `kill(pid, 0)` alone would call a zombie alive; `/proc/PID/stat` tells them apart. Works for
/// any process, not only children of the test (e.g. a grandchild a supervisor should have killed).
public func isProcessAlive(pid: pid_t) -> Bool {
    guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
    guard let state = processState(pid: pid) else { return false }
    return state != "Z" && state != "X"
}

/// The one-letter state from `/proc/PID/stat` (`R`, `S`, `D`, `T`, `Z`, ...), nil if there is no
/// such process.
public func processState(pid: pid_t) -> Character? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    // The command name in parentheses may itself contain spaces or ')'; the state follows the last ')'.
    return stat[stat.index(after: close)...].first { $0 != " " }
}

/// The process group of `pid` (`getpgid`), nil if there is no such process.
public func processGroup(pid: pid_t) -> pid_t? {
    let group = getpgid(pid)
    return group >= 0 ? group : nil
}

/// Resident memory of `pid` in bytes (`VmRSS` in `/proc/PID/status`), nil if unknown.
public func residentMemory(pid: pid_t) -> UInt64? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { UInt64($0) }
        return kilobytes.map { $0 * 1024 }
    }
    return nil
}
