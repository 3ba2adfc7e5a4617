import Glibc

/// Turns successive readings of an instance's CPU time into increments of a counter that never
/// goes down, across restarts of the instance.
///
/// A reading belongs to one process group (named by its leader's pid). A new pid is a new
/// process that started from zero, so its whole reading is new time. For the same pid, a reading
/// below the last one (a member exited without being reaped inside the group, taking its time
/// with it) adds nothing, and the counter resumes once the group's time passes the last reading.
struct CPUTotal: Equatable {
    private(set) var pid: pid_t?
    private(set) var lastReading = 0.0

    /// The seconds to add to the counter for `reading` of the group led by `pid`; 0 without a process.
    mutating func advance(pid: pid_t?, reading: Double?) -> Double {
        guard let pid, let reading else { return 0 }
        guard pid == self.pid else {
            self.pid = pid
            lastReading = reading
            return reading
        }
        guard reading > lastReading else { return 0 }
        defer { lastReading = reading }
        return reading - lastReading
    }
}
