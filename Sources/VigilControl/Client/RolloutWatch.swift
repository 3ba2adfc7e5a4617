import Foundation
import VigilDeploy

/// Follows one rollout through the control API until it ends, for `vigil deploy --wait`: polls
/// `GET /v1/services/{name}/history` and reports every change of phase or weights as it is seen.
public struct RolloutWatch {
    public let client: ControlClient
    public let service: String
    public let rolloutID: String
    public var interval: Duration = .milliseconds(200)

    public init(client: ControlClient, service: String, rolloutID: String) {
        self.client = client
        self.service = service
        self.rolloutID = rolloutID
    }

    /// Calls `onChange` with each new state of the rollout and returns the finished one, or nil
    /// when `timeout` passed first (the rollout goes on without the watcher).
    ///
    /// - Throws: ``ControlClientError`` when Vigil stops answering.
    public func wait(timeout: Duration?, onChange: (RolloutRecord) -> Void) throws -> RolloutRecord? {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var last: (RolloutPhase, [String: Int])?
        while true {
            let history = try client.send("GET", "/v1/services/\(service)/history?limit=20").decode(HistoryReport.self)
            guard let rollout = history.rollouts.first(where: { $0.id == rolloutID }) else {
                throw ControlClientError(kind: .badResponse, message: "rollout \(rolloutID) of \(service) is not in its history; was vigil.db replaced?")
            }
            let now = (rollout.phase, Dictionary(uniqueKeysWithValues: rollout.weights.map { ($0.key.rawValue, $0.value) }))
            if last.map({ $0.0 != now.0 || $0.1 != now.1 }) ?? true {
                last = now
                onChange(rollout)
            }
            if rollout.phase.isFinished { return rollout }
            if let deadline, clock.now >= deadline { return nil }
            Thread.sleep(forTimeInterval: Double(interval.components.attoseconds) / 1e18 + Double(interval.components.seconds))
        }
    }
}
