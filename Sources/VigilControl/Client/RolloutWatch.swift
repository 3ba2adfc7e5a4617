import Foundation
import VigilDeploy
import VigilSupervisor

/// Follows one rollout through the control API until it ends, for `vigil deploy --wait`.
///
/// It reads the rollout's own events (`rollout_phase`, `promoted`, `rolled_back`, whose messages
/// start with `rollout ID:`) as they are written, so even a phase that lasts milliseconds is
/// reported, and reads the final record from the history once a finishing phase appears.
public struct RolloutWatch {
    public let client: ControlClient
    public let service: String
    public let rollout: RolloutRecord
    public var interval: Duration = .milliseconds(200)

    public init(client: ControlClient, service: String, rollout: RolloutRecord) {
        self.client = client
        self.service = service
        self.rollout = rollout
    }

    /// Calls `onEvent` with each event of the rollout, oldest first, and returns the finished
    /// record, or nil when `timeout` passed first (the rollout goes on without the watcher).
    ///
    /// - Throws: ``ControlClientError`` when Vigil stops answering.
    public func wait(timeout: Duration?, onEvent: (SupervisorEvent) -> Void) throws -> RolloutRecord? {
        struct List: Decodable { let events: [SupervisorEvent] }
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        let prefix = "rollout \(rollout.id):"
        let finishing = Set([RolloutPhase.completed, .rolledBack, .aborted].map(\.rawValue))
        var since = Self.isoText(rollout.startedAt.addingTimeInterval(-2))
        var polls = 0
        while true {
            let events = try client.send("GET", "/v1/events?service=\(service)&since=\(since)&limit=5000").decode(List.self).events
            var ended = false
            for event in events {
                if let id = event.id { since = String(id) }
                guard event.message.hasPrefix(prefix) else { continue }
                onEvent(event)
                if event.kind == .rolloutPhase, let phase = event.reason, finishing.contains(phase) { ended = true }
            }
            polls += 1
            // The history is the truth; it is also read now and then in case events were missed.
            if ended || polls % 10 == 0, let record = try current(), record.phase.isFinished { return record }
            if let deadline, clock.now >= deadline { return nil }
            Thread.sleep(forTimeInterval: Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18)
        }
    }

    private func current() throws -> RolloutRecord? {
        let history = try client.send("GET", "/v1/services/\(service)/history?limit=20").decode(HistoryReport.self)
        guard let record = history.rollouts.first(where: { $0.id == rollout.id }) else {
            throw ControlClientError(kind: .badResponse, message: "rollout \(rollout.id) of \(service) is not in its history; was vigil.db replaced?")
        }
        return record
    }

    static func isoText(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
