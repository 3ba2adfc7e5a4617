import VigilSupervisor

/// What one reclaim pass did, as `POST /v1/reclaim` answers and `vigil reclaim --json` prints.
///
/// `{"dryRun": false, "filesystems": [{"path", "usedRatio", "inodesUsedRatio", "highWatermark",
/// "lowWatermark", "aboveHigh", "exhausted", "error": null, "candidates": [{"path", "bytes",
/// "kind" (logs, releases, glob), "outcome" (deleted, would_delete, kept), "reason": null or
/// text}]}], "freedBytes"}`. A dry run lists as `would_delete` exactly what a real pass deletes.
public struct ReclaimReport: Codable, Sendable, Equatable {
    public struct Candidate: Codable, Sendable, Equatable {
        public enum Outcome: String, Codable, Sendable {
            case deleted
            case wouldDelete = "would_delete"
            case kept
        }
        public var path: String
        public var bytes: UInt64
        public var kind: ReclaimKind
        public var outcome: Outcome
        @ExplicitNull public var reason: String?
    }

    public struct Filesystem: Codable, Sendable, Equatable {
        public var path: String
        public var usedRatio: Double
        public var inodesUsedRatio: Double
        public var highWatermark: Double
        public var lowWatermark: Double
        /// The reading at the start of the pass was above the high watermark (bytes or inodes).
        public var aboveHigh: Bool
        /// Above high with nothing left that may be deleted.
        public var exhausted: Bool
        /// Why the filesystem could not be read, if it could not.
        @ExplicitNull public var error: String?
        public var candidates: [Candidate]
    }

    public var dryRun: Bool
    public var filesystems: [Filesystem]
    /// Bytes deleted (or that a dry run would delete).
    public var freedBytes: UInt64

    public init(dryRun: Bool, filesystems: [Filesystem]) {
        self.dryRun = dryRun
        self.filesystems = filesystems
        freedBytes = filesystems.flatMap(\.candidates).filter { $0.outcome != .kept }.reduce(0) { $0 + $1.bytes }
    }
}

/// Watched filesystems and their last reading, as `GET /v1/reclaim` answers (for `vigil status`).
public struct ReclaimWatch: Codable, Sendable, Equatable {
    public var filesystems: [ReclaimReport.Filesystem]
}
