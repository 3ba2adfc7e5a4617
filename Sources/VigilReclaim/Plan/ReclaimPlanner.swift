/// Decides what one reclaim pass deletes on one filesystem, without any I/O.
///
/// Above `high` (bytes or inodes) it walks the candidates in the order given (the scanner lists
/// them in SPEC order: rotated logs, releases, globs, oldest first within each) and deletes until
/// both used fractions, as projected from the candidates' sizes, are below `low`; every other
/// candidate is kept with its reason. Candidates the scanner already marked, and files some
/// process holds open for writing, are never deleted. At or below `high` nothing is deleted.
///
/// ```swift
/// let plan = ReclaimPlanner(high: 0.9, low: 0.8).plan(usage: reading, candidates: listed, openForWriting: open)
/// for file in plan.deletions { ... }
/// ```
public struct ReclaimPlanner: Sendable {
    public var high: Double
    public var low: Double

    public init(high: Double, low: Double) {
        self.high = high
        self.low = low
    }

    public func isAboveHigh(_ usage: FilesystemUsage) -> Bool {
        usage.usedRatio > high || usage.inodesUsedRatio > high
    }

    public func isBelowLow(_ usage: FilesystemUsage) -> Bool {
        usage.usedRatio < low && usage.inodesUsedRatio < low
    }

    public func plan(usage: FilesystemUsage, candidates: [ReclaimCandidate], openForWriting: Set<FileIdentity>) -> ReclaimPlan {
        let aboveHigh = isAboveHigh(usage)
        var projected = usage
        var decisions: [ReclaimPlan.Decision] = []
        decisions.reserveCapacity(candidates.count)
        for candidate in candidates {
            let action: ReclaimPlan.Action
            if let reason = candidate.keptBecause {
                action = .keep(reason)
            } else if openForWriting.contains(candidate.identity) {
                action = .keep(.openForWriting)
            } else if !aboveHigh {
                action = .keep(.belowHighWatermark)
            } else if isBelowLow(projected) {
                action = .keep(.lowWatermarkReached)
            } else {
                action = .delete
                projected = projected.freeing(bytes: candidate.bytes, inodes: candidate.inodes)
            }
            decisions.append(.init(candidate: candidate, action: action))
        }
        return ReclaimPlan(decisions: decisions, aboveHigh: aboveHigh, projected: projected, exhausted: aboveHigh && isAboveHigh(projected))
    }

    /// `releases.keep` after a promotion: every release candidate not marked to stay goes,
    /// whatever the watermarks say; open files still stay.
    public static func prune(_ candidates: [ReclaimCandidate], openForWriting: Set<FileIdentity>, usage: FilesystemUsage) -> ReclaimPlan {
        var projected = usage
        let decisions = candidates.map { candidate -> ReclaimPlan.Decision in
            if let reason = candidate.keptBecause { return .init(candidate: candidate, action: .keep(reason)) }
            if openForWriting.contains(candidate.identity) { return .init(candidate: candidate, action: .keep(.openForWriting)) }
            projected = projected.freeing(bytes: candidate.bytes, inodes: candidate.inodes)
            return .init(candidate: candidate, action: .delete)
        }
        return ReclaimPlan(decisions: decisions, aboveHigh: false, projected: projected, exhausted: false)
    }
}
