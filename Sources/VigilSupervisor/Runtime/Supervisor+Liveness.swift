import Dispatch

extension Supervisor {
    /// Returns at once. Awaiting it from outside proves that the actor's executor still takes
    /// work: the systemd watchdog pings only after this round trip (and the exit watcher's)
    /// came back in time.
    ///
    /// It must touch actor state: an empty isolated method is inlined across modules in release
    /// builds and the hop to the executor, now doing nothing, is optimised away, so a hung actor
    /// would still seem to answer (seen under systemd with a release build).
    @discardableResult
    public func heartbeat() -> UInt64 {
        heartbeatsAnswered &+= 1
        return heartbeatsAnswered
    }

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
