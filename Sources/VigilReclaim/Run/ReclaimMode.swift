/// Why a pass runs.
public enum ReclaimMode: Sendable, Equatable {
    /// The periodic watch: filesystems at or below high are only read, not scanned.
    case tick
    /// `vigil reclaim` / `POST /v1/reclaim`: every filesystem is scanned and every candidate listed.
    case now(dryRun: Bool)
    /// After a promotion: `releases.keep` applies to this service's releases, watermark or not.
    case pruneReleases(service: String)

    var dryRun: Bool {
        if case .now(let dryRun) = self { return dryRun }
        return false
    }
}
