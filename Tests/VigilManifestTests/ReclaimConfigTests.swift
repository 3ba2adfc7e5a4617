import Foundation
import VigilManifest
import XCTest

/// The `reclaim` section: what reclaim may delete is decided here, so every way a glob could
/// reach outside its watched path is a located error, and paths are resolved at load.
final class ReclaimConfigTests: XCTestCase {
    func testGlobsThatCouldLeaveTheWatchedPathAreLocatedErrors() throws {
        let tree = try TempTree()
        let config = try tree.write("vigil.yaml", """
            apiVersion: vigil/v1
            kind: Supervisor
            reclaim:
              disk:
                - path: /srv/data
                  highWatermark: 90%
                  lowWatermark: 95%
                  clean:
                    - {glob: "/*", olderThan: 1h}
                    - {glob: "/srv/dat?", olderThan: 1h}
                    - {glob: "/srv/*/tmp", olderThan: 1h}
                    - {glob: "/srv/data/../other/*", olderThan: 1h}
                    - {glob: "/srv/data/tmp-*", olderThan: 1h}
                - {path: /srv/data/, highWatermark: 0%, lowWatermark: 0%}
              memory: {hostHighWatermark: 0%}
            """)
        let errors = ManifestLoader.check(paths: [config], builtins: [:]).errors
        assertError(errors, at: "7:7", in: config, contains: "'reclaim.disk[0].lowWatermark' must be below 'reclaim.disk[0].highWatermark'")
        assertError(errors, at: "9:18", in: config, contains: "'reclaim.disk[0].clean[0].glob' matches / itself")
        assertError(errors, at: "10:18", in: config, contains: "matches the watched path /srv/data itself")
        assertError(errors, at: "11:18", in: config, contains: "can match paths outside the watched path /srv/data")
        assertError(errors, at: "12:18", in: config, contains: "can match paths outside the watched path /srv/data")
        assertError(errors, at: "14:7", in: config, contains: "watches /srv/data a second time")
        assertError(errors, at: "14:41", in: config, contains: "'reclaim.disk[1].highWatermark' must be above 0%")
        assertError(errors, at: "14:45", in: config, contains: "'reclaim.disk[1].lowWatermark' must be below")
        assertError(errors, at: "15:31", in: config, contains: "'reclaim.memory.hostHighWatermark' must be above 0%")
        XCTAssertEqual(errors.count, 9, errors.map(\.description).joined(separator: "\n"))
    }

    func testPathsAreResolvedThroughSymlinksOnceAtLoad() throws {
        let tree = try TempTree()
        let real = tree.root + "/real"
        try FileManager.default.createDirectory(atPath: real + "/tmp", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: tree.root + "/link", withDestinationPath: real)
        let config = try tree.write("vigil.yaml", """
            apiVersion: vigil/v1
            kind: Supervisor
            reclaim:
              interval: 1s
              disk:
                - {path: link, highWatermark: 90%, lowWatermark: 80%, clean: [logs, {glob: "link/tmp/*.tmp", olderThan: 10m}]}
                - {path: link/not-yet/made, highWatermark: 90%, lowWatermark: 80%}
            """)
        let reclaim = try XCTUnwrap(ManifestLoader.load(configPath: config, manifestDirs: [], builtins: [:]).supervisor.reclaim)
        let root = ResolvedPath.resolve(tree.root)
        XCTAssertEqual(reclaim.interval, .seconds(1))
        XCTAssertEqual(reclaim.disk.map(\.path), [root + "/real", root + "/real/not-yet/made"])
        XCTAssertEqual(reclaim.disk[0].clean, [.logs, .glob(pattern: root + "/real/tmp/*.tmp", olderThan: .seconds(600))])
        XCTAssertEqual(reclaim.disk[1].clean, [.logs, .releases])
    }
}
