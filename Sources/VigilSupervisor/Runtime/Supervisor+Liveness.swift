import Dispatch

extension Supervisor {
    /// Returns at once. Awaiting it from outside proves that the actor's executor still takes
    /// work: the systemd watchdog pings only after this round trip (and the exit watcher's)
    /// came back in time.
    public func heartbeat() {}

    /// Blocks the actor's executor thread until `release` is signalled, so the watchdog sees a
    /// hung supervisor; `onBlocked` runs on the actor right before. A test and chaos aid only
    /// (`VIGIL_DEBUG_HANG_SIGNAL`); nothing else calls it.
    ///
    /// Deliberately synchronous: a suspended actor would go on serving other callers, and the
    /// point is that it does not.
    public func blockExecutorForDebugging(until release: DispatchSemaphore, onBlocked: @Sendable () -> Void = {}) {
        onBlocked()
        release.wait()
    }
}
