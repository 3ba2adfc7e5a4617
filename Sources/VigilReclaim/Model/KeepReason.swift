/// Why a candidate was not deleted; `description` is what `vigil reclaim` prints.
public enum KeepReason: Sendable, Equatable, CustomStringConvertible {
    /// The filesystem is not above its high watermark.
    case belowHighWatermark
    /// Enough was freed: usage is below the low watermark.
    case lowWatermarkReached
    /// A running process holds it open for writing.
    case openForWriting
    /// The release a service serves, or the one a rollback goes back to, or one a rollout in progress uses.
    case releaseInUse(String)
    /// One of the newest `releases.keep` release directories of its service.
    case withinKeep(Int)
    /// Modified less than `olderThan` ago.
    case tooNew
    /// On another filesystem than the watched path (a mount point, or one inside a directory).
    case otherFilesystem
    /// It changed (replaced, modified or turned into another type) between listing and deleting.
    case changed
    /// Deleting failed; the text says why.
    case failed(String)

    public var description: String {
        switch self {
        case .belowHighWatermark: "filesystem below its high watermark"
        case .lowWatermarkReached: "low watermark reached"
        case .openForWriting: "open for writing by a running process"
        case .releaseInUse(let use): "release in use (\(use))"
        case .withinKeep(let keep): "one of the newest \(keep) releases (releases.keep)"
        case .tooNew: "newer than olderThan"
        case .otherFilesystem: "on another filesystem (mount point)"
        case .changed: "changed since it was listed"
        case .failed(let why): "delete failed: \(why)"
        }
    }
}
