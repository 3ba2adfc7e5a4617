import Foundation
import VigilSupervisor

/// `vigil history SERVICE --json` and `GET /v1/services/{name}/history`: what is active, the
/// rollouts newest first (with results and reasons), and the revisions ever deployed. Absent
/// values are written as `null`, as in every control API answer.
public struct HistoryReport: Codable, Sendable, Equatable {
    public struct Active: Codable, Sendable, Equatable {
        public var color: String
        public var revision: String
        @ExplicitNull public var version: String?
    }

    public var service: String
    @ExplicitNull public var active: Active?
    public var rollouts: [RolloutRecord]
    public var revisions: [StoredRevision]
}

/// The answer to `POST /v1/services/{name}/deploy|rollback`: the rollout that started.
public struct RolloutStarted: Codable, Sendable, Equatable {
    public var rollout: RolloutRecord
    @ExplicitNull public var version: String?
}
