import ServiceLifecycle
import VigilDeploy
import VigilSupervisor

/// The disk watch as a swift-service-lifecycle service beside the supervisor: a pass every
/// `reclaim.interval` until graceful shutdown, and the `releases.keep` prune after each rollout
/// completes (seen as its `rollout_phase` event for phase `completed` on the event log: only
/// then is the promoted revision recorded as active and the one before it as previous).
public struct ReclaimService: Service {
    let reclaimer: DiskReclaimer
    let events: EventLog

    public init(reclaimer: DiskReclaimer, events: EventLog) {
        self.reclaimer = reclaimer
        self.events = events
    }

    public func run() async throws {
        let reclaimer = self.reclaimer
        let subscription = events.subscribe { event in
            guard event.kind == .rolloutPhase, event.reason == RolloutPhase.completed.rawValue else { return }
            Task { _ = await reclaimer.run(.pruneReleases(service: event.service)) }
        }
        defer { events.unsubscribe(subscription) }
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    _ = await reclaimer.run(.tick)
                    try await Task.sleep(for: await reclaimer.currentInterval())
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
