import Foundation
import VigilSupervisor

/// Puts a short-lived cache in front of an ``EventSource`` so the devops agent does not call
/// Vigil once per analysis at thousands of analyses a second.
///
/// One fetch covers the last `lookback` and is reused for `ttl`; concurrent callers during a
/// fetch wait for that same fetch. Failures are cached too, so an unreachable Vigil costs one
/// connection attempt per `ttl`, not one per signal.
public final class CachedEventSource: EventSource, @unchecked Sendable {
    private let upstream: any EventSource
    private let ttl: TimeInterval
    private let lookback: TimeInterval
    private let lock = NSLock()
    private var cached: (at: Date, result: Result<[SupervisorEvent], any Error>)?
    private var inFlight: Task<Result<[SupervisorEvent], any Error>, Never>?

    public init(_ upstream: any EventSource, ttl: TimeInterval = 2, lookback: TimeInterval = 3600) {
        self.upstream = upstream
        self.ttl = ttl
        self.lookback = lookback
    }

    public var location: String { upstream.location }

    public func events(since: Date) async throws -> [SupervisorEvent] {
        let now = Date()
        enum Step { case ready(Result<[SupervisorEvent], any Error>), wait(Task<Result<[SupervisorEvent], any Error>, Never>) }
        let step: Step = lock.withLock {
            if let cached, now.timeIntervalSince(cached.at) < ttl { return .ready(cached.result) }
            if let inFlight { return .wait(inFlight) }
            let upstream = self.upstream
            let from = now.addingTimeInterval(-lookback)
            let task = Task<Result<[SupervisorEvent], any Error>, Never> {
                do { return .success(try await upstream.events(since: from)) } catch { return .failure(error) }
            }
            inFlight = task
            return .wait(task)
        }
        let result: Result<[SupervisorEvent], any Error>
        switch step {
        case .ready(let cachedResult):
            result = cachedResult
        case .wait(let task):
            result = await task.value
            lock.withLock {
                if inFlight == task {
                    cached = (Date(), result)
                    inFlight = nil
                }
            }
        }
        return try result.get().filter { $0.time >= since }
    }
}
