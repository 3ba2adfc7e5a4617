import Dispatch
import Foundation
import VigilManifest
import VigilSupervisor

/// Runs reclaim passes over the watched filesystems, one at a time, on its own serial queue:
/// never on the Supervisor actor or the cooperative thread pool, so a pass over many files does
/// not delay supervision.
///
/// A pass reads each filesystem (statvfs), scans `/proc/*/fd` once for the files held open for
/// writing (only when something is to be scanned), lists candidates, plans with
/// ``ReclaimPlanner`` and deletes through ``SafeRemover``. It records a `reclaimed` event per
/// deletion, a `reclaim_pass` summary for a pass that found a filesystem above high (or was
/// asked for), and `reclaim_exhausted` once per crossing of the high watermark.
///
/// ```swift
/// let reclaimer = DiskReclaimer(configuration: loaded, events: resources.events, releases: RolloutReleaseUsage(store: store))
/// let report = await reclaimer.run(.now(dryRun: true))
/// ```
public final class DiskReclaimer: @unchecked Sendable {
    private let queue = DispatchQueue(label: "vigil-reclaim")
    /// Guarded by `queue`.
    private var watched: [WatchedFilesystem]
    private var interval: Duration
    private let events: EventLog
    private let releases: any ReleaseUsage
    private let metrics = ReclaimMetrics()

    public init(configuration: LoadedConfiguration, events: EventLog, releases: any ReleaseUsage) {
        self.events = events
        self.releases = releases
        watched = WatchedFilesystem.make(configuration, previous: [])
        interval = configuration.supervisor.reclaim?.interval ?? ReclaimConfig().interval
        metrics.start(paths: watched.map(\.config.path))
    }

    /// Applies a reloaded configuration to the passes after the one running, without waiting for it.
    public func update(_ configuration: LoadedConfiguration) {
        queue.async { [self] in
            let old = watched.map(\.config.path)
            watched = WatchedFilesystem.make(configuration, previous: watched)
            interval = configuration.supervisor.reclaim?.interval ?? ReclaimConfig().interval
            metrics.forget(paths: Set(old).subtracting(watched.map(\.config.path)))
            metrics.start(paths: watched.map(\.config.path))
        }
    }

    /// Time between two watch passes (`reclaim.interval`).
    public func currentInterval() async -> Duration { await onQueue { self.interval } }

    /// The watched filesystems with their last reading, without scanning anything.
    public func watch() async -> ReclaimWatch {
        await onQueue {
            ReclaimWatch(filesystems: self.watched.map { fs in
                let usage = fs.last ?? FilesystemUsage(usedBytes: 0, availableBytes: 0, usedInodes: 0, availableInodes: 0)
                return Self.summary(fs, usage: usage, aboveHigh: fs.planner.isAboveHigh(usage), exhausted: fs.exhaustedReported, candidates: [])
            })
        }
    }

    /// Runs one pass off the caller's thread and returns what it did.
    public func run(_ mode: ReclaimMode) async -> ReclaimReport {
        await onQueue { self.pass(mode) }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    // MARK: - The pass, on `queue`

    private func pass(_ mode: ReclaimMode) -> ReclaimReport {
        let now = DirectoryListing.nanoseconds(Self.realtime())
        var readings: [(usage: FilesystemUsage, device: UInt64)?] = []
        for index in watched.indices {
            let path = watched[index].config.path
            var info = stat()
            guard let usage = FilesystemUsage.read(path), stat(path, &info) == 0 else {
                readings.append(nil)
                continue
            }
            watched[index].last = usage
            metrics.record(path: path, usage: usage)
            readings.append((usage, UInt64(info.st_dev)))
        }
        let scanned = watched.indices.filter { index in
            guard let reading = readings[index] else { return false }
            switch mode {
            case .tick: return watched[index].planner.isAboveHigh(reading.usage)
            case .now: return true
            case .pruneReleases(let service): return watched[index].targets.releases.contains { $0.service == service }
            }
        }
        let open = OpenFileScan.writers(on: Set(scanned.compactMap { readings[$0]?.device }))
        var filesystems: [ReclaimReport.Filesystem] = []
        for index in watched.indices {
            let fs = watched[index]
            guard let reading = readings[index] else {
                let error = "cannot read the filesystem of \(fs.config.path): \(String(cString: strerror(errno)))"
                metrics.run(result: "error")
                filesystems.append(.init(path: fs.config.path, usedRatio: 0, inodesUsedRatio: 0, highWatermark: fs.config.highWatermark.value,
                                         lowWatermark: fs.config.lowWatermark.value, aboveHigh: false, exhausted: false, error: error, candidates: []))
                continue
            }
            guard scanned.contains(index) else {
                if case .tick = mode {
                    metrics.run(result: "below_high")
                    watched[index].exhaustedReported = false
                }
                continue
            }
            filesystems.append(reclaim(index, usage: reading.usage, device: reading.device, open: open, now: now, mode: mode))
        }
        return ReclaimReport(dryRun: mode.dryRun, filesystems: filesystems)
    }

    private func reclaim(_ index: Int, usage: FilesystemUsage, device: UInt64, open: Set<FileIdentity>, now: Int64, mode: ReclaimMode) -> ReclaimReport.Filesystem {
        let fs = watched[index]
        let scanner = CandidateScanner(root: fs.config.path, device: device, now: now)
        let plan: ReclaimPlan
        if case .pruneReleases(let service) = mode {
            let targets = fs.targets.releases.filter { $0.service == service }
            let candidates = targets.flatMap { scanner.releases($0, inUse: releases.releasesInUse(service: $0.service)) }
            plan = ReclaimPlanner.prune(candidates.sorted { $0.modified < $1.modified }, openForWriting: open, usage: usage)
        } else {
            let inUse = Dictionary(uniqueKeysWithValues: fs.targets.releases.map { ($0.service, releases.releasesInUse(service: $0.service)) })
            plan = fs.planner.plan(usage: usage, candidates: scanner.candidates(fs.targets, inUse: inUse), openForWriting: open)
        }
        let remover = SafeRemover(root: fs.config.path, device: device)
        var freed: UInt64 = 0
        let candidates = plan.decisions.map { decision -> ReclaimReport.Candidate in
            let file = decision.candidate
            var outcome = ReclaimReport.Candidate.Outcome.kept
            var reason: KeepReason?
            switch decision.action {
            case .keep(let why):
                reason = why
            case .delete where mode.dryRun:
                outcome = .wouldDelete
            case .delete:
                reason = remover.remove(file)
                if reason == nil {
                    outcome = .deleted
                    freed += file.bytes
                    deleted(file)
                }
            }
            return .init(path: file.path, bytes: file.bytes, kind: file.kind, outcome: outcome, reason: reason?.description)
        }
        let after = mode.dryRun ? plan.projected : (FilesystemUsage.read(fs.config.path) ?? plan.projected)
        let exhausted = fs.planner.isAboveHigh(after) && plan.aboveHigh
        let result = plan.aboveHigh ? (exhausted ? "exhausted" : "reclaimed") : (freed > 0 ? "pruned" : "below_high")
        if !mode.dryRun {
            metrics.run(result: result)
            watched[index].last = after
            metrics.record(path: fs.config.path, usage: after)
            summarise(fs, before: usage, after: after, freed: freed, mode: mode, aboveHigh: plan.aboveHigh)
            if exhausted && !fs.exhaustedReported {
                events.record(SupervisorEvent(service: "vigil", kind: .reclaimExhausted, message: "\(fs.config.path) is still above its high watermark (\(Self.percent(after))) with nothing left that reclaim may delete"))
            }
            watched[index].exhaustedReported = exhausted || (fs.exhaustedReported && fs.planner.isAboveHigh(after))
        }
        return Self.summary(fs, usage: usage, aboveHigh: plan.aboveHigh, exhausted: exhausted, candidates: candidates)
    }

    private func deleted(_ file: ReclaimCandidate) {
        metrics.reclaimed(bytes: file.bytes, kind: file.kind)
        events.record(SupervisorEvent(service: "vigil", kind: .reclaimed, reason: file.kind.rawValue, message: "deleted \(file.path) (\(file.bytes) bytes, \(file.kind.rawValue))"))
    }

    /// One `reclaim_pass` event for a pass that had something to do or was asked for.
    private func summarise(_ fs: WatchedFilesystem, before: FilesystemUsage, after: FilesystemUsage, freed: UInt64, mode: ReclaimMode, aboveHigh: Bool) {
        guard aboveHigh || freed > 0 || mode != .tick else { return }
        let message = "\(fs.config.path): freed \(freed) bytes, \(Self.percent(before)) -> \(Self.percent(after)) used"
        events.record(SupervisorEvent(service: "vigil", kind: .reclaimPass, message: message))
    }

    private static func summary(_ fs: WatchedFilesystem, usage: FilesystemUsage, aboveHigh: Bool, exhausted: Bool, candidates: [ReclaimReport.Candidate]) -> ReclaimReport.Filesystem {
        .init(path: fs.config.path, usedRatio: usage.usedRatio, inodesUsedRatio: usage.inodesUsedRatio, highWatermark: fs.config.highWatermark.value,
              lowWatermark: fs.config.lowWatermark.value, aboveHigh: aboveHigh, exhausted: exhausted, error: nil, candidates: candidates)
    }

    static func percent(_ usage: FilesystemUsage) -> String {
        "\(Int((usage.usedRatio * 100).rounded()))% of bytes, \(Int((usage.inodesUsedRatio * 100).rounded()))% of inodes"
    }

    private static func realtime() -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return now
    }
}
