/// What one pass over one filesystem decided: each candidate deleted or kept with a reason.
public struct ReclaimPlan: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case delete
        case keep(KeepReason)
    }

    public struct Decision: Sendable, Equatable {
        public var candidate: ReclaimCandidate
        public var action: Action
    }

    /// Every candidate, in the order they were considered (SPEC order, oldest first in each kind).
    public var decisions: [Decision]
    /// The reading the plan started from was above the high watermark (bytes or inodes).
    public var aboveHigh: Bool
    /// Usage as it will be once every planned deletion is done.
    public var projected: FilesystemUsage
    /// Above high and still above high once all that may go is gone.
    public var exhausted: Bool

    public var deletions: [ReclaimCandidate] {
        decisions.compactMap { $0.action == .delete ? $0.candidate : nil }
    }
}
