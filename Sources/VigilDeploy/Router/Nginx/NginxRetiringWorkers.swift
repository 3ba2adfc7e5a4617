import Foundation

/// nginx workers that still run the configuration from before the last reload.
///
/// `nginx -s reload` only signals the master: it starts new workers with the new upstream file
/// and tells the old ones to finish their requests and quit ("nginx: worker process is shutting
/// down"). Until they are gone, an old worker keeps proxying to the color the reload took
/// traffic away from — stopping that color earlier turns its requests into 502s. So a color that
/// lost its weight counts as in flight while those workers live (the drain is still capped by
/// `drainTimeout`).
///
/// Workers are found by their process title in /proc (`nginx: worker process`). The snapshot is
/// taken before the reload; afterwards a snapshotted worker counts while it is alive and either
/// says it is shutting down, or is still within `signalGrace` of the reload (the master signals
/// its old workers asynchronously). A worker of another nginx on the host never changes its
/// title, so it stops counting once the grace has passed.
struct NginxRetiringWorkers {
    static let signalGrace: Duration = .seconds(2)

    private var workers: [pid_t] = []
    private var reloadedAt: ContinuousClock.Instant?

    init() {}

    /// Tracks exactly `workers` (tests: the machine may run other nginx instances).
    init(tracking workers: [pid_t]) {
        self.workers = workers
    }

    /// Call just before the reload command runs.
    mutating func snapshotBeforeReload() {
        workers = Self.workerPids()
        reloadedAt = nil
    }

    /// Call once the reload command succeeded.
    mutating func reloaded(at instant: ContinuousClock.Instant = .now) {
        reloadedAt = instant
    }

    /// Old workers still serving the previous configuration.
    func count(now: ContinuousClock.Instant = .now) -> Int {
        guard let reloadedAt else { return 0 }
        let withinGrace = now - reloadedAt < Self.signalGrace
        return workers.filter { pid in
            guard let title = Self.title(of: pid), title.hasPrefix("nginx: worker process") else { return false }
            return title.contains("shutting down") || withinGrace
        }.count
    }

    static func workerPids() -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { pid_t($0) }.filter { title(of: $0)?.hasPrefix("nginx: worker process") == true }
    }

    /// The process title nginx writes over its argv (NUL-separated; empty for a zombie).
    static func title(of pid: pid_t) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
    }
}
