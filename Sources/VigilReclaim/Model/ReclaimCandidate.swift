/// A file or directory reclaim may delete, as listed by ``CandidateScanner``.
///
/// `bytes` and `inodes` are what deleting it gives back to the filesystem: allocated blocks
/// (not apparent size) of every entry, counted once for hard-linked files, and the number of
/// entries. `keptBecause` is set when the listing already knows it must stay (a release in use,
/// a glob match that is too new); the planner keeps those without counting them.
public struct ReclaimCandidate: Sendable, Equatable {
    public var path: String
    public var kind: ReclaimKind
    public var bytes: UInt64
    public var inodes: UInt64
    public var identity: FileIdentity
    /// Modification time in nanoseconds since the epoch, compared again just before deleting.
    public var modified: Int64
    public var isDirectory: Bool
    public var keptBecause: KeepReason?

    public init(path: String, kind: ReclaimKind, bytes: UInt64, inodes: UInt64 = 1, identity: FileIdentity,
                modified: Int64, isDirectory: Bool = false, keptBecause: KeepReason? = nil) {
        self.path = path
        self.kind = kind
        self.bytes = bytes
        self.inodes = inodes
        self.identity = identity
        self.modified = modified
        self.isDirectory = isDirectory
        self.keptBecause = keptBecause
    }
}
