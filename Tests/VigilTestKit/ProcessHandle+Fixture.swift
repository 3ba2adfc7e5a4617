import Foundation

extension ProcessHandle {
    /// Starts the built `vigil-fixture` on 127.0.0.1:`port` and, with `waitUntilListening`,
    /// returns once it has printed its "listening on" line.
    ///
    /// Throws with the fixture's own output when it exits or stays silent for `timeout`
    /// (a port already in use shows up here as "cannot listen on ...").
    public static func fixture(
        port: UInt16, arguments: [String] = [], environment: [String: String] = [:],
        waitUntilListening: Bool = true, timeout: Duration = .seconds(20)
    ) throws -> ProcessHandle {
        let handle = try ProcessHandle(executable: BuiltProducts.fixture, arguments: ["--port", "\(port)"] + arguments, environment: environment)
        guard waitUntilListening else { return handle }
        let listening = "listening on 127.0.0.1:\(port)"
        let settled = poll(timeout: timeout) { handle.output.contains(listening) || !handle.isRunning }
        guard settled, handle.output.contains(listening) else {
            throw TestKitError("vigil-fixture did not start listening on port \(port) within \(timeout); its output:\n\(handle.output)")
        }
        return handle
    }
}
