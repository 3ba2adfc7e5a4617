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
    /// Every service's `releases` section, for the prune after a promotion.
    private var releaseDirs: [ReclaimTargets.Releases]
    private var interval: Duration
    private let events: EventLog
    private let releases: any ReleaseUsage
    private let metrics = ReclaimMetrics()

    public init(configuration: LoadedConfiguration, events: EventLog, releases: any ReleaseUsage) {
        self.events = events
        self.releases = releases
        watched = WatchedFilesystem.make(configuration, previous: [])
        releaseDirs = Self.releaseDirs(configuration)
        interval = configuration.supervisor.reclaim?.interval ?? ReclaimConfig().interval
        metrics.start(paths: watched.map(\.config.path))
    }

    /// Applies a reloaded configuration to the passes after the one running, without waiting for it.
    public func update(_ configuration: LoadedConfiguration) {
        queue.async { [self] in
            let old = watched.map(\.config.path)
            watched = WatchedFilesystem.make(configuration, previous: watched)
            releaseDirs = Self.releaseDirs(configuration)
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
        if case .pruneReleases(let service) = mode { return prune(service) }
        let now = DirectoryListing.nanoseconds(Self.realtime())
        var readings: [(usage: FilesystemUsage, device: UInt64)?] = []
        var failures: [Int: String] = [:]
        for index in watched.indices {
            let path = watched[index].config.path
            var info = stat()
            guard let usage = FilesystemUsage.read(path), stat(path, &info) == 0 else {
                failures[index] = "cannot read the filesystem of \(path): \(String(cString: strerror(errno)))"
                readings.append(nil)
                continue
            }
            watched[index].last = usage
            metrics.record(path: path, usage: usage)
            readings.append((usage, UInt64(info.st_dev)))
        }
        let scanned = watched.indices.filter { index in
            guard let reading = readings[index] else { return false }
            return mode != .tick || watched[index].planner.isAboveHigh(reading.usage)
        }
        let open = OpenFileScan.writers(on: Set(scanned.compactMap { readings[$0]?.device }))
        var filesystems: [ReclaimReport.Filesystem] = []
        for index in watched.indices {
            let fs = watched[index]
            guard let reading = readings[index] else {
                let error = failures[index]
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
        let scanner = CandidateScanner(root: fs.config.path, device: device, now: now, openForWriting: open)
        let inUse = Dictionary(fs.targets.guarded.map { ($0.service, releases.releasesInUse(service: $0.service)) }) { first, _ in first }
        let plan = fs.planner.plan(usage: usage, candidates: scanner.candidates(fs.targets, inUse: inUse), openForWriting: open)
        let (candidates, freed) = execute(plan, remover: SafeRemover(root: fs.config.path, device: device), dryRun: mode.dryRun)
        let after = mode.dryRun ? plan.projected : (FilesystemUsage.read(fs.config.path) ?? plan.projected)
        let exhausted = fs.planner.isAboveHigh(after) && plan.aboveHigh
        let result = plan.aboveHigh ? (exhausted ? "exhausted" : "reclaimed") : "below_high"
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

    /// `releases.keep` for one service after its promotion, whatever the watermarks: its
    /// releases beyond the newest `keep`, except those in use, go. The root is `releases.dir`
    /// itself, so this acts with or without a `reclaim` section.
    private func prune(_ service: String) -> ReclaimReport {
        guard let target = releaseDirs.first(where: { $0.service == service }) else { return ReclaimReport(dryRun: false, filesystems: []) }
        var info = stat()
        guard stat(target.dir, &info) == 0, let usage = FilesystemUsage.read(target.dir) else { return ReclaimReport(dryRun: false, filesystems: []) }
        let device = UInt64(info.st_dev)
        let open = OpenFileScan.writers(on: [device])
        let scanner = CandidateScanner(root: target.dir, device: device, now: DirectoryListing.nanoseconds(Self.realtime()), openForWriting: open)
        let listed = scanner.releases(target, inUse: releases.releasesInUse(service: service)).sorted { $0.modified < $1.modified }
        let plan = ReclaimPlanner.prune(listed, openForWriting: open, usage: usage)
        let (candidates, freed) = execute(plan, remover: SafeRemover(root: target.dir, device: device), dryRun: false)
        if candidates.contains(where: { $0.outcome == .deleted }) {
            metrics.run(result: "pruned")
            events.record(SupervisorEvent(service: service, kind: .reclaimPass, message: "releases.keep \(target.keep): pruned \(candidates.filter { $0.outcome == .deleted }.count) release(s) of \(target.dir), \(freed) bytes"))
        }
        let after = FilesystemUsage.read(target.dir) ?? plan.projected
        return ReclaimReport(dryRun: false, filesystems: [
            .init(path: target.dir, usedRatio: after.usedRatio, inodesUsedRatio: after.inodesUsedRatio, highWatermark: 1, lowWatermark: 1,
                  aboveHigh: false, exhausted: false, error: nil, candidates: candidates),
        ])
    }

    /// Deletes what `plan` says (nothing on a dry run), recording each deletion.
    private func execute(_ plan: ReclaimPlan, remover: SafeRemover, dryRun: Bool) -> (candidates: [ReclaimReport.Candidate], freed: UInt64) {
        var freed: UInt64 = 0
        let candidates = plan.decisions.map { decision -> ReclaimReport.Candidate in
            let file = decision.candidate
            var outcome = ReclaimReport.Candidate.Outcome.kept
            var reason: KeepReason?
            switch decision.action {
            case .keep(let why):
                reason = why
            case .delete where dryRun:
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
        return (candidates, freed)
    }

    private static func releaseDirs(_ configuration: LoadedConfiguration) -> [ReclaimTargets.Releases] {
        ReclaimTargets.Releases.all(of: configuration.services.map(\.spec))
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
