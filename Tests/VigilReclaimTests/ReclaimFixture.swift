import Foundation
import VigilManifest
import VigilReclaim
import VigilSupervisor
import VigilTestKit
import XCTest

/// Release names a test says are in use, standing in for the rollout store.
struct FixedReleaseUsage: ReleaseUsage {
    var inUse: [String: [String: String]]
    func releasesInUse(service: String) -> [String: String] { inUse[service] ?? [:] }
}

/// A watched scratch filesystem with a real config (loaded by ManifestLoader), a real event log
/// in SQLite beside it, and a ``DiskReclaimer`` over them.
final class ReclaimFixture {
    let fs: ScratchFilesystem
    let store: StateStore
    let events: EventLog
    var configPath: String { fs.directory.appending("vigil.yaml") }

    init(fs: ScratchFilesystem) throws {
        self.fs = fs
        store = try StateStore(path: fs.directory.appending("vigil.db"))
        events = EventLog(store: store)
        try FileManager.default.createDirectory(atPath: fs.directory.appending("manifests"), withIntermediateDirectories: true)
    }

    /// Writes vigil.yaml (state dir on the scratch filesystem) and an `api` service whose
    /// releases live in `mnt/releases`, and loads them.
    func configuration(high: String, low: String, clean: String, keep: Int = 1) throws -> LoadedConfiguration {
        try """
            apiVersion: vigil/v1
            kind: Supervisor
            stateDir: mnt/state
            manifests: [manifests]
            reclaim:
              interval: 1s
              disk:
                - {path: mnt, highWatermark: \(high), lowWatermark: \(low), clean: \(clean)}
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        try """
            apiVersion: vigil/v1
            kind: Service
            name: api
            command: [/bin/sleep, "1000"]
            releases: {dir: \(fs.appending("releases")), keep: \(keep)}
            """.write(toFile: fs.directory.appending("manifests/api.yaml"), atomically: true, encoding: .utf8)
        return try ManifestLoader.load(configPath: configPath, manifestDirs: nil, builtins: [:])
    }

    /// The recorded events of `kind`, oldest first.
    func recorded(_ kind: EventKind) throws -> [SupervisorEvent] {
        events.flush()
        return try store.latestEvents(service: "vigil", limit: 1000).filter { $0.kind == kind }
    }

    func close() {
        events.close()
        fs.unmount()
    }
}

extension ReclaimReport {
    func paths(_ outcome: Candidate.Outcome) -> [String] {
        filesystems.flatMap(\.candidates).filter { $0.outcome == outcome }.map(\.path)
    }

    func reason(of path: String) -> String? {
        filesystems.flatMap(\.candidates).first { $0.path == path }?.reason
    }
}
