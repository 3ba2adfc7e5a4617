import Foundation
import VigilSupervisor
import VigilTelemetry
import XCTest

/// The watchdog's question, "are Vigil's loops live?", against a real exit-watcher thread and
/// a probe that can be held up on purpose.
final class LivenessCheckTests: XCTestCase {
    func testExitWatcherRoundTripWaitsWhileItsThreadIsStuckInAHandler() async throws {
        let watcher = try ExitWatcher()
        defer { watcher.shutdown() }
        let check = LivenessCheck { await watcher.roundTrip() }
        let live = await check.confirm(within: .seconds(10))
        XCTAssertTrue(live, "an idle watcher answers")

        // Hold the watcher thread in an exit handler, as a handler that blocks would.
        let stuck = DispatchSemaphore(value: 0)
        let entered = DispatchSemaphore(value: 0)
        let child = try ProcessLauncher.launch(LaunchSpec(arguments: ["/bin/true"]))
        watcher.watch(pid: child.pid, pidfd: child.pidfd) { _ in
            entered.signal()
            stuck.wait()
        }
        XCTAssertEqual(entered.wait(timeout: .now() + 30), .success)
        let hung = await check.confirm(within: .milliseconds(300))
        XCTAssertFalse(hung, "a watcher stuck in a handler is not live")

        stuck.signal()
        let recovered = await check.confirm(within: .seconds(30))
        XCTAssertTrue(recovered, "the same round trip completes once the handler returns")
    }

    func testOnlyOneProbeIsOutWhileTheLoopIsHung() async {
        let counter = ProbeCounter()
        let release = DispatchSemaphore(value: 0)
        let check = LivenessCheck {
            counter.started()
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    release.wait()
                    continuation.resume()
                }
            }
        }
        let first = await check.confirm(within: .milliseconds(100))
        XCTAssertFalse(first)
        // On a loaded machine the probe's task may start well after the first check gave up:
        // wait for it, so the count below says whether later checks piled up new ones.
        let deadline = ContinuousClock.now + .seconds(30)
        while counter.count == 0, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(counter.count, 1, "the first check started a probe")
        for _ in 0..<3 {
            let live = await check.confirm(within: .milliseconds(100))
            XCTAssertFalse(live)
        }
        XCTAssertEqual(counter.count, 1, "checks wait on the outstanding probe instead of piling up new ones")
        release.signal()
        let live = await check.confirm(within: .seconds(30))
        XCTAssertTrue(live)
    }

    func testStoppedWatcherCountsAsLive() async throws {
        let watcher = try ExitWatcher()
        watcher.shutdown()
        let live = await LivenessCheck { await watcher.roundTrip() }.confirm(within: .seconds(10))
        XCTAssertTrue(live, "nothing left to serve, so nothing is hung")
    }
}

private final class ProbeCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var count: Int { lock.withLock { value } }
    func started() { lock.withLock { value += 1 } }
}
