import Foundation
@testable import VigilSupervisor
import VigilTestKit
import XCTest

/// The cgroup layer without a kernel: discovery from mountinfo text, and the v2 file handling
/// against a directory laid out like cgroupfs (this machine's kernel gives a v1 memory
/// hierarchy only, which the integration tests use for real).
final class CgroupTests: XCTestCase {
    private let v2Mountinfo = """
        25 30 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        30 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw
        """
    private let hybridMountinfo = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """

    func testV2IsChosenWhenItsCgroupOffersTheMemoryController() {
        let located = CgroupLayout.locate(mountinfo: v2Mountinfo, selfCgroup: "0::/system.slice/vigil.service\n") { path in
            path == "/sys/fs/cgroup/system.slice/vigil.service" ? "cpuset cpu io memory pids\n" : nil
        }
        XCTAssertEqual(located?.0, .v2)
        XCTAssertEqual(located?.1, "/sys/fs/cgroup/system.slice/vigil.service")
    }

    func testAHybridHostUsesTheV1MemoryHierarchy() {
        let selfCgroup = "9:name=systemd:/\n4:memory:/process_api/c935\n0::/\n"
        let located = CgroupLayout.locate(mountinfo: hybridMountinfo, selfCgroup: selfCgroup) { _ in "hugetlb\n" }
        XCTAssertEqual(located?.0, .v1)
        XCTAssertEqual(located?.1, "/sys/fs/cgroup/memory/process_api/c935")
    }

    func testAMountedSubtreeIsJoinedRelativeToItsRoot() {
        // A container that sees its own cgroup mounted as the hierarchy's root.
        let mountinfo = "35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory"
        let located = CgroupLayout.locate(mountinfo: mountinfo, selfCgroup: "4:memory:/docker/abc/vigil\n") { _ in nil }
        XCTAssertEqual(located?.1, "/sys/fs/cgroup/memory/vigil")
    }

    func testNoMemoryControllerAnywhereMeansNone() {
        XCTAssertNil(CgroupLayout.locate(mountinfo: v2Mountinfo, selfCgroup: "0::/user.slice\n") { _ in "cpu io pids\n" })
        XCTAssertNil(CgroupLayout.locate(mountinfo: "30 1 259:2 / / rw - ext4 /dev/sda rw", selfCgroup: "0::/\n") { _ in nil })
    }

    func testBaseNamesAreStablePerStateDirectory() {
        XCTAssertEqual(CgroupSetup.baseName(stateDir: "/var/lib/vigil"), CgroupSetup.baseName(stateDir: "/var/lib/vigil/"))
        XCTAssertNotEqual(CgroupSetup.baseName(stateDir: "/var/lib/vigil"), CgroupSetup.baseName(stateDir: "/srv/vigil"))
        XCTAssertEqual(CgroupSetup.baseName(stateDir: "/x").count, 8)
    }

    /// A v2 instance cgroup: `memory.max` written, `memory.current` and `memory.events` read,
    /// `cgroup.kill` used to kill.
    func testV2FilesAreTheOnesReadAndWritten() throws {
        let base = try TemporaryDirectory(prefix: "cg")
        defer { base.remove() }
        let instance = base.appending("web.blue.0000000000000001")
        try FileManager.default.createDirectory(atPath: instance, withIntermediateDirectories: true)
        for file in ["memory.max", "memory.current", "memory.events", "cgroup.kill", "cgroup.procs"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: instance + "/" + file, contents: nil))
        }
        try "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n".write(toFile: instance + "/memory.events", atomically: false, encoding: .utf8)

        let cgroup = try InstanceCgroup(layout: CgroupLayout(version: .v2, base: base.path), name: "web.blue.0000000000000001", max: 64 << 20)
        XCTAssertEqual(try String(contentsOfFile: instance + "/memory.max", encoding: .utf8), String(64 << 20))
        XCTAssertFalse(cgroup.wasOOMKilled, "kills before the spawn do not count")
        try "73400320\n".write(toFile: instance + "/memory.current", atomically: false, encoding: .utf8)
        XCTAssertEqual(cgroup.memoryBytes, 73_400_320)
        try "low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\n".write(toFile: instance + "/memory.events", atomically: false, encoding: .utf8)
        XCTAssertTrue(cgroup.wasOOMKilled)
        cgroup.killAll()
        XCTAssertEqual(try String(contentsOfFile: instance + "/cgroup.kill", encoding: .utf8), "1")
    }

    /// The sampler reports a crossing of `high` once per spawn, from the cgroup's own counter.
    func testTheGuardReportsEachCrossingOnce() throws {
        let base = try TemporaryDirectory(prefix: "cg")
        defer { base.remove() }
        let instance = base.appending("web.default.0000000000000002")
        try FileManager.default.createDirectory(atPath: instance, withIntermediateDirectories: true)
        try "1048576\n".write(toFile: instance + "/memory.current", atomically: false, encoding: .utf8)
        let cgroup = try InstanceCgroup(layout: CgroupLayout(version: .v2, base: base.path), name: "web.default.0000000000000002", max: nil)
        let guardian = MemoryGuard(period: .milliseconds(20))
        let breaches = LockedBox<[MemoryGuard.Breach]>([])
        let token = guardian.watch(cgroup: cgroup, processGroup: 1, limits: .init(high: 64 << 20, max: nil)) { breach in
            breaches.mutate { $0.append(breach) }
        }
        defer { guardian.unwatch(token) }
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(breaches.value, [], "under high: nothing")
        try "73400320\n".write(toFile: instance + "/memory.current", atomically: false, encoding: .utf8)
        XCTAssertTrue(poll(timeout: .seconds(10)) { !breaches.value.isEmpty })
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(breaches.value, [.high(bytes: 73_400_320, limit: 64 << 20)], "reported once")
    }
}

extension CgroupTests {
    func testHostUseIsOneMinusAvailableOverTotal() {
        let meminfo = "MemTotal:       25165824 kB\nMemFree:         1000000 kB\nMemAvailable:    6291456 kB\n"
        XCTAssertEqual(MemoryGuard.hostUsedRatio(meminfo: meminfo) ?? 0, 0.75, accuracy: 1e-9)
        XCTAssertNil(MemoryGuard.hostUsedRatio(meminfo: "MemTotal: 100 kB\n"), "no MemAvailable: unknown, not full")
    }

    /// Over the host watermark, the largest instance with a `high` limit is replaced first, and
    /// only one until the spacing has passed.
    func testHostPressureReplacesTheLargestLimitedInstanceOneAtATime() throws {
        let base = try TemporaryDirectory(prefix: "cg")
        defer { base.remove() }
        func cgroup(_ name: String, bytes: Int) throws -> InstanceCgroup {
            try FileManager.default.createDirectory(atPath: base.appending(name), withIntermediateDirectories: true)
            try "\(bytes)\n".write(toFile: base.appending(name) + "/memory.current", atomically: false, encoding: .utf8)
            return try InstanceCgroup(layout: CgroupLayout(version: .v2, base: base.path), name: name, max: nil)
        }
        let guardian = MemoryGuard(period: .milliseconds(20), hostActionSpacing: .seconds(3600)) {
            "MemTotal: 1000 kB\nMemAvailable: 50 kB\n"
        }
        guardian.setHostHighWatermark(0.9)
        let breaches = LockedBox<[String: MemoryGuard.Breach]>([:])
        let limits = MemoryGuard.Limits(high: 1 << 30, max: nil)
        var tokens: [Int] = []
        for (name, bytes) in [("small.default.1", 10 << 20), ("large.default.1", 300 << 20), ("unlimited.default.1", 900 << 20)] {
            let watched = try cgroup(name, bytes: bytes)
            let limitsOf = name.hasPrefix("unlimited") ? MemoryGuard.Limits(high: nil, max: 2 << 30) : limits
            tokens.append(guardian.watch(cgroup: watched, processGroup: 1, limits: limitsOf) { breach in breaches.mutate { $0[name] = breach } })
        }
        defer { tokens.forEach(guardian.unwatch) }
        XCTAssertTrue(poll(timeout: .seconds(10)) { !breaches.value.isEmpty })
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(Array(breaches.value.keys), ["large.default.1"], "the largest limited one, and only one")
        guard case .hostPressure(let bytes, let used, let watermark)? = breaches.value["large.default.1"] else {
            return XCTFail("a host-pressure breach: \(breaches.value)")
        }
        XCTAssertEqual(bytes, 300 << 20)
        XCTAssertEqual(used, 0.95, accuracy: 1e-9)
        XCTAssertEqual(watermark, 0.9)
    }
}

/// A value shared with a callback on another thread.
private final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
