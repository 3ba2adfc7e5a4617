import Foundation
import Logging

/// The supervisor's event sink: buffers events so the respawn path never waits on SQLite.
///
/// ``record(_:)`` only appends to an in-memory queue under a lock. A background thread writes the
/// queue to the ``StateStore`` in one transaction every ``Configuration/flushInterval`` or as soon
/// as ``Configuration/flushThreshold`` events are pending; ``flush()`` does the same synchronously.
/// After each write the events, now carrying their database ids, are kept in a ring of the last
/// ``Configuration/memoryCapacity`` (``recent(service:limit:)``) and handed to every subscriber in
/// the order they were recorded.
///
/// If a write fails (disk full) the error is logged, the batch is dropped from disk but still
/// delivered to subscribers without ids: the supervisor keeps running.
public final class EventLog: @unchecked Sendable {
    /// Tunables with defaults; the oldest events beyond ``retainedEvents`` are pruned from disk.
    public struct Configuration: Sendable {
        public var flushInterval: Duration
        public var flushThreshold: Int
        public var memoryCapacity: Int
        public var retainedEvents: Int

        public init(flushInterval: Duration = .milliseconds(50), flushThreshold: Int = 256, memoryCapacity: Int = 1000, retainedEvents: Int = 100_000) {
            self.flushInterval = flushInterval
            self.flushThreshold = flushThreshold
            self.memoryCapacity = memoryCapacity
            self.retainedEvents = retainedEvents
        }
    }

    public let store: StateStore
    public let configuration: Configuration
    private let logger = Logger(label: "vigil.events")

    /// Guards `pending` and `closed`; the flusher thread waits on it.
    private let queue = NSCondition()
    private var pending: [SupervisorEvent] = []
    private var closed = false
    private let flusherDone = DispatchSemaphore(value: 0)

    /// Serialises writes so batches reach disk, the ring and subscribers in record order.
    /// Recursive so a subscriber may call `flush()`.
    private let writeLock = NSRecursiveLock()
    private var writtenSincePrune = 0

    /// Guards `ring` and `subscribers`.
    private let stateLock = NSLock()
    private var ring: [SupervisorEvent] = []
    private var subscribers: [Int: @Sendable (SupervisorEvent) -> Void] = [:]
    private var nextSubscriber = 0

    /// Starts the flusher thread; call ``close()`` to flush and stop it.
    public init(store: StateStore, configuration: Configuration = .init()) {
        self.store = store
        self.configuration = configuration
        let thread = Thread { [self] in runFlusher() }
        thread.name = "vigil-eventlog"
        thread.start()
    }

    /// Queues `event` for the database and subscribers; never blocks on I/O.
    ///
    /// After ``close()`` the event is written synchronously instead, so none is lost at shutdown.
    public func record(_ event: SupervisorEvent) {
        queue.lock()
        pending.append(event)
        let isClosed = closed
        if pending.count == 1 || pending.count >= configuration.flushThreshold { queue.signal() }
        queue.unlock()
        if isClosed { flush() }
    }

    /// Writes everything recorded so far and delivers it to subscribers before returning.
    public func flush() {
        writeLock.lock()
        defer { writeLock.unlock() }
        queue.lock()
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        queue.unlock()
        if batch.isEmpty { return }

        var stored = batch
        do {
            stored = try store.append(batch)
        } catch {
            logger.error("lost \(batch.count) event(s) from the event log: \(error)")
        }
        do {
            try pruneIfDue(batch.count)
        } catch {
            logger.warning("event log retention skipped: \(error)")
        }
        stateLock.lock()
        ring.append(contentsOf: stored)
        if ring.count > configuration.memoryCapacity { ring.removeFirst(ring.count - configuration.memoryCapacity) }
        let handlers = subscribers.sorted { $0.key < $1.key }.map(\.value)
        stateLock.unlock()
        for event in stored {
            for handler in handlers { handler(event) }
        }
    }

    /// Flushes and stops the background thread. Idempotent.
    public func close() {
        queue.lock()
        let first = !closed
        closed = true
        queue.signal()
        queue.unlock()
        if first { flusherDone.wait() }
        flush()
    }

    /// The last written events (of one `service`, or all), oldest first, at most `limit`.
    public func recent(service: String? = nil, limit: Int = .max) -> [SupervisorEvent] {
        stateLock.lock()
        defer { stateLock.unlock() }
        let matching = service.map { name in ring.filter { $0.service == name } } ?? ring
        return Array(matching.suffix(max(0, limit)))
    }

    /// Calls `handler` with every event written from now on, on the writing thread, in order.
    ///
    /// Handlers must be quick (count a metric, enqueue a message); slow work belongs on their own queue.
    public func subscribe(_ handler: @escaping @Sendable (SupervisorEvent) -> Void) -> SubscriptionToken {
        stateLock.lock()
        defer { stateLock.unlock() }
        nextSubscriber += 1
        subscribers[nextSubscriber] = handler
        return SubscriptionToken(id: nextSubscriber)
    }

    /// Stops deliveries to the subscriber `token` names.
    public func unsubscribe(_ token: SubscriptionToken) {
        stateLock.lock()
        subscribers[token.id] = nil
        stateLock.unlock()
    }

    private func runFlusher() {
        while true {
            queue.lock()
            while pending.isEmpty && !closed { queue.wait() }
            if !closed && pending.count < configuration.flushThreshold {
                let interval = configuration.flushInterval.components
                let seconds = Double(interval.seconds) + Double(interval.attoseconds) / 1e18
                _ = queue.wait(until: Date(timeIntervalSinceNow: seconds))
            }
            let isClosed = closed
            queue.unlock()
            flush()
            if isClosed { break }
        }
        flusherDone.signal()
    }

    private func pruneIfDue(_ written: Int) throws {
        writtenSincePrune += written
        let every = max(1000, configuration.retainedEvents / 10)
        guard writtenSincePrune >= every else { return }
        writtenSincePrune = 0
        try store.pruneEvents(keepingLast: configuration.retainedEvents)
    }
}

/// Names one ``EventLog`` subscription, for ``EventLog/unsubscribe(_:)``.
public struct SubscriptionToken: Hashable, Sendable {
    let id: Int
}
