import Foundation

/// Checks `condition` every `interval` until it holds or `timeout` passes; true if it held.
///
/// For "eventually" assertions on a loaded machine, instead of sleeps and wall-clock asserts:
/// `XCTAssertTrue(poll { isProcessAlive(pid: pid) == false }, "the fixture should exit")`.
public func poll(
    timeout: Duration = .seconds(20), interval: Duration = .milliseconds(50), _ condition: () throws -> Bool
) rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try condition() { return true }
        if clock.now >= deadline { return false }
        Thread.sleep(forTimeInterval: interval.seconds)
    }
}

/// The async form of ``poll(timeout:interval:_:)``: sleeps with `Task.sleep` between checks.
public func poll(
    timeout: Duration = .seconds(20), interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try await condition() { return true }
        if clock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
