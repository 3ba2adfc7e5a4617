import Foundation
import VigilTestKit
import XCTest

@testable import VigilSupervisor

/// A real `vigil up` capturing `/usr/bin/yes`: the log stays within its bound at every 100 ms
/// sample, `vigil logs -f` keeps up across rotations, and supervision of another service goes on.
///
/// The floods last 15 s here (the issue's 60 s flood is `Benchmarks/logs/run.sh`).
final class LogFloodIntegrationTests: XCTestCase {
    private static let floodSeconds = 15.0
    private static let maxSize: UInt64 = 10 << 20
    private static let keep = 3

    private func floodManifest(compress: Bool) -> String {
        """
        apiVersion: vigil/v1
        kind: Service
        name: flood
        command: [/usr/bin/yes, "a log line of the flood test, as long as a real one with a request id and a path"]
        logs: {maxSize: 10Mi, keep: \(Self.keep), compress: \(compress)}

        """
    }

    /// Exits at once, forever: its restarts show that supervision keeps its pace.
    private let crasherManifest = """
        apiVersion: vigil/v1
        kind: Service
        name: crasher
        command: [/bin/sh, -c, "exit 3"]
        restart: {policy: always, backoff: {initial: 100ms, max: 200ms}}
        logs: {compress: false}

        """

    func testAFloodWithCompressionStaysWithinTheBound() throws {
        // The live file, `keep` rotated files, and the file being compressed; its partial .gz
        // of `yes` text is a few KiB, 1 MiB is room to spare.
        try flood(compress: true, bound: Self.maxSize * UInt64(Self.keep + 2) + (1 << 20))
    }

    func testAFloodWithoutCompressionStaysWithinTheBound() throws {
        try flood(compress: false, bound: Self.maxSize * UInt64(Self.keep + 1))
    }

    private func flood(compress: Bool, bound: UInt64) throws {
        let metricsPort = try freeTCPPort()
        let vigil = try VigilProcess(extraConfigYAML: "metrics: {listen: 127.0.0.1:\(metricsPort)}")
        try vigil.writeManifest("flood", floodManifest(compress: compress))
        try vigil.writeManifest("crasher", crasherManifest)
        let logsDir = vigil.stateDir + "/logs"
        let sampler = LogFootprintSampler(log: "flood.log", in: logsDir, bound: bound)
        try vigil.start()
        let spawnedBefore = try vigil.events(service: "crasher").filter { $0.kind == .spawned }.count

        // A follower that reads six files' worth proves `logs -f` crosses rotations mid-flood.
        let followBytes = 6 * Self.maxSize
        let follower = try ProcessHandle(executable: "/bin/sh", arguments: [
            "-c", "\"$0\" logs flood -f -n 0 --config \"$1\" | head -c \(followBytes) > /dev/null && echo followed-all",
            try BuiltProducts.vigil, vigil.configPath,
        ])
        Thread.sleep(forTimeInterval: Self.floodSeconds)
        let vigilRSS = residentBytes(of: try XCTUnwrap(vigil.process).pid)
        let crasherEvents = try vigil.events(service: "crasher")
        let floodEvents = try vigil.events(service: "flood")
        let dropped = droppedRotations(metricsPort: metricsPort)
        let duringFlood = LogFootprint(of: "flood.log", in: logsDir)

        vigil.process?.terminate(signal: SIGTERM)
        XCTAssertEqual(vigil.process?.waitForExit(timeout: .seconds(60)), 0, vigil.output.suffix(2000).description)
        let seen = sampler.stop()
        let afterStop = LogFootprint(of: "flood.log", in: logsDir)

        XCTAssertGreaterThan(seen.samples, Int(Self.floodSeconds * 3), "sampled through the flood")
        XCTAssertEqual(seen.overBound.count, 0, "over \(bound) bytes: \(seen.overBound)")
        XCTAssertGreaterThan(seen.largest, 2 * Self.maxSize, "the flood rotated the log: largest footprint \(seen.largest)")
        XCTAssertEqual(afterStop.unfinished, [], "nothing left aside after a stop: \(afterStop.names)")
        XCTAssertTrue(follower.waitForOutput("followed-all", timeout: .seconds(60)), "vigil logs -f stopped following: \(follower.output)")
        XCTAssertLessThan(vigilRSS ?? 0, 256 << 20, "Vigil buffers nothing: back-pressure goes through the pipe")

        // The manifest's logs settings reached the capture: the names and count of rotated files.
        let rotated = afterStop.names.filter { $0 != "flood.log" }
        let expected = (1...Self.keep).map { "flood.log.\($0)" + (compress ? ".gz" : "") }
        XCTAssertEqual(rotated, expected)
        XCTAssertLessThanOrEqual(duringFlood.largestFile, Self.maxSize, "no file passes maxSize")

        // Drops are counted per file but reported once per episode.
        let dropEvents = floodEvents.filter { $0.kind == .logsDropped }.count
        if compress {
            XCTAssertEqual(dropped > 0, dropEvents > 0, "a drop episode is reported: \(dropped) dropped, \(dropEvents) events")
            XCTAssertLessThanOrEqual(dropEvents, 3, "\(dropped) files dropped in \(dropEvents) episodes")
        } else {
            XCTAssertEqual(dropped, 0)
            XCTAssertEqual(dropEvents, 0)
        }

        // Supervision went on: the crasher kept being restarted all through the flood.
        let spawned = crasherEvents.filter { $0.kind == .spawned }
        XCTAssertGreaterThanOrEqual(spawned.count - spawnedBefore, 10, "crasher respawns during the flood")
        let gaps = respawnGaps(crasherEvents)
        print("flood compress=\(compress): largest footprint \(seen.largest) bytes over \(seen.samples) samples (bound \(bound)); " +
            "\(dropped) rotations dropped in \(dropEvents) episodes; crasher respawns \(gaps.count), p99 gap \(percentile(gaps, 0.99)) ms; Vigil RSS \(vigilRSS ?? 0)")
    }

    func testAVigilKilledMidRotationLeavesNothingUnboundedAfterTheNextStart() throws {
        let vigil = try VigilProcess()
        try vigil.writeManifest("flood", floodManifest(compress: true))
        let logsDir = vigil.stateDir + "/logs"
        try vigil.start()
        XCTAssertTrue(poll(timeout: .seconds(30)) { LogFootprint(of: "flood.log", in: logsDir).names.contains { $0.contains(".rotating-") } })
        let killed = try XCTUnwrap(vigil.process)
        killed.terminate(signal: SIGKILL)
        XCTAssertNotNil(killed.waitForExit(timeout: .seconds(30)))
        // What an older Vigil with an unbounded queue would have left too.
        let chunk = Data(repeating: UInt8(ascii: "y"), count: Int(Self.maxSize))
        for index in 1...6 {
            XCTAssertTrue(FileManager.default.createFile(atPath: "\(logsDir)/flood.log.rotating-1-\(index)", contents: chunk))
        }
        let leftovers = LogFootprint(of: "flood.log", in: logsDir).names.filter { $0.contains(".rotating-") }
        XCTAssertGreaterThanOrEqual(leftovers.count, 7)

        try vigil.start()
        // The log is opened (and its leftovers taken over) before the service is spawned.
        XCTAssertNotNil(vigil.waitFor("flood") { $0.pid != nil })
        let bound = Self.maxSize * UInt64(Self.keep + 2) + (1 << 20)
        let sampler = LogFootprintSampler(log: "flood.log", in: logsDir, bound: bound)
        XCTAssertTrue(poll(timeout: .seconds(60)) {
            Set(LogFootprint(of: "flood.log", in: logsDir).names).isDisjoint(with: leftovers)
        }, "the leftovers are compressed or dropped: \(LogFootprint(of: "flood.log", in: logsDir).names)")
        Thread.sleep(forTimeInterval: 3)
        vigil.process?.terminate(signal: SIGTERM)
        XCTAssertEqual(vigil.process?.waitForExit(timeout: .seconds(60)), 0)
        let seen = sampler.stop()
        XCTAssertEqual(seen.overBound.count, 0, "over \(bound) bytes after the restart: \(seen.overBound)")
        XCTAssertEqual(LogFootprint(of: "flood.log", in: logsDir).unfinished, [])
    }

    /// `vigil_log_rotations_dropped_total{service="flood"}`, 0 when absent.
    private func droppedRotations(metricsPort: UInt16) -> Int {
        guard let body = SimpleHTTP.get(port: metricsPort, path: "/metrics", timeout: .seconds(10))?.body else { return 0 }
        let line = body.split(separator: "\n").first { $0.hasPrefix("vigil_log_rotations_dropped_total{service=\"flood\"}") }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }.map { Int($0) } ?? 0
    }

    /// Milliseconds from each `exited` event to the next `spawned` one.
    private func respawnGaps(_ events: [SupervisorEvent]) -> [Double] {
        var gaps: [Double] = []
        var exitedAt: Date?
        for event in events {
            if event.kind == .exited { exitedAt = event.time }
            if event.kind == .spawned, let exited = exitedAt {
                gaps.append(event.time.timeIntervalSince(exited) * 1000)
                exitedAt = nil
            }
        }
        return gaps.sorted()
    }

    private func percentile(_ sorted: [Double], _ fraction: Double) -> Int {
        sorted.isEmpty ? 0 : Int(sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))])
    }

    private func residentBytes(of pid: pid_t) -> UInt64? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ UInt64($0) }) else { return nil }
        return kilobytes * 1024
    }
}
