import VigilManifest

/// One `reclaim.disk` entry at run time: its config, what it may clean, and what the watch
/// remembers between passes (the last reading, and whether this crossing of the high watermark
/// was already reported as exhausted).
struct WatchedFilesystem: Sendable {
    var config: DiskReclaimConfig
    var targets: ReclaimTargets
    var last: FilesystemUsage?
    var exhaustedReported = false

    var planner: ReclaimPlanner { ReclaimPlanner(high: config.highWatermark.value, low: config.lowWatermark.value) }

    /// The watched filesystems of `configuration`, keeping the memory of entries whose path stays.
    static func make(_ configuration: LoadedConfiguration, previous: [WatchedFilesystem]) -> [WatchedFilesystem] {
        let supervisor = configuration.supervisor
        let specs = configuration.services.map(\.spec)
        return (supervisor.reclaim?.disk ?? []).map { disk in
            var watched = WatchedFilesystem(config: disk, targets: ReclaimTargets(disk, logsDir: supervisor.logsDir, services: specs))
            if let old = previous.first(where: { $0.config.path == disk.path }) {
                watched.last = old.last
                watched.exhaustedReported = old.exhaustedReported
            }
            return watched
        }
    }
}
