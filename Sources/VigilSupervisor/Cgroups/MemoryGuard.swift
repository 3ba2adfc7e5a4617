import CVigilSys
import Foundation
import Glibc

/// Watches the memory of every instance that has a limit and tells its runner when it crosses
/// one: one sampling thread and one epoll thread for all instances, whatever their number.
///
/// - cgroup v1: the kernel signals an eventfd the moment usage crosses `high`
///   (`cgroup.event_control` on `memory.usage_in_bytes`) and when it OOM-kills (`memory.oom_control`),
///   so the reaction does not wait for a sample.
/// - Every interface, v2 and the /proc fallback included, is also sampled every `period` (1 s):
///   one file read per instance with a cgroup; for instances without one, one pass over /proc
///   for all of them together, summing resident memory by process group.
///
/// Each crossing is reported once per spawn: `high` once, `max` once (without a cgroup Vigil
/// enforces `max` itself), an OOM kill once.
public final class MemoryGuard: @unchecked Sendable {
    /// What an instance crossed.
    public enum Breach: Sendable, Equatable {
        case high(bytes: UInt64, limit: UInt64)
        case max(bytes: UInt64, limit: UInt64)
        /// The kernel killed a process of the instance for exceeding `max` (cgroup only).
        case oomKilled(limit: UInt64)
        /// The host's memory is over `reclaim.memory.hostHighWatermark` and this instance is the
        /// largest one with a `high` limit: replaced first.
        case hostPressure(bytes: UInt64, hostUsed: Double, watermark: Double)
    }

    public struct Limits: Sendable, Equatable {
        public var high: UInt64?
        public var max: UInt64?
        public init(high: UInt64?, max: UInt64?) {
            self.high = high
            self.max = max
        }
        public var isEmpty: Bool { high == nil && max == nil }
    }

    private final class Watch {
        let cgroup: InstanceCgroup?
        let processGroup: pid_t
        let limits: Limits
        let onBreach: @Sendable (Breach) -> Void
        var reportedHigh = false
        var reportedMax = false
        var reportedOOM = false
        var eventFDs: [Int32] = []
        init(cgroup: InstanceCgroup?, processGroup: pid_t, limits: Limits, onBreach: @escaping @Sendable (Breach) -> Void) {
            self.cgroup = cgroup
            self.processGroup = processGroup
            self.limits = limits
            self.onBreach = onBreach
        }
    }

    private let lock = NSLock()
    private var watches: [Int: Watch] = [:]
    private var byEventFD: [Int32: Int] = [:]
    private var nextToken = 0
    private let period: Duration
    private var sampler: Task<Void, Never>?
    /// `reclaim.memory.hostHighWatermark` (0-1), nil when unset.
    private var hostHighWatermark: Double?
    /// No second host-pressure replacement before this: one at a time, each given time to free memory.
    private var hostActionAllowedAfter = ContinuousClock.now
    private let hostActionSpacing: Duration
    private let readMeminfo: @Sendable () -> String?
    private let events: EpollLoop?

    public init(
        period: Duration = .seconds(1), hostActionSpacing: Duration = .seconds(30),
        readMeminfo: @escaping @Sendable () -> String? = { ProcFile.read("/proc/meminfo") }
    ) {
        self.period = period
        self.hostActionSpacing = hostActionSpacing
        self.readMeminfo = readMeminfo
        events = try? EpollLoop()
        events?.start(name: "vigil-memory", onReady: { [unowned self] in self.eventFired($0) }, onStop: {})
    }

    deinit {
        sampler?.cancel()
        events?.stop()
    }

    /// Sets (or clears, with nil) the host watermark; applies from the next sample.
    public func setHostHighWatermark(_ ratio: Double?) {
        lock.withLock { hostHighWatermark = ratio }
    }

    /// Starts watching one spawn; `onBreach` is called on a watcher thread (hand off, keep short).
    /// Returns the token for ``unwatch(_:)``.
    public func watch(cgroup: InstanceCgroup?, processGroup: pid_t, limits: Limits, onBreach: @escaping @Sendable (Breach) -> Void) -> Int {
        let watch = Watch(cgroup: cgroup, processGroup: processGroup, limits: limits, onBreach: onBreach)
        let token = lock.withLock {
            nextToken += 1
            watches[nextToken] = watch
            if sampler == nil { sampler = Task.detached { [weak self, period] in await self?.sampleForever(period: period) } }
            return nextToken
        }
        if let cgroup, cgroup.version == .v1 { armV1Notifications(watch, cgroup: cgroup, token: token) }
        return token
    }

    /// Stops watching (the instance exited or is being stopped).
    public func unwatch(_ token: Int) {
        guard let watch = lock.withLock({ watches.removeValue(forKey: token) }) else { return }
        for fd in watch.eventFDs {
            events?.remove(fd)
            lock.withLock { _ = byEventFD.removeValue(forKey: fd) }
            close(fd)
        }
    }

    /// v1 notifications: an eventfd per threshold, registered through `cgroup.event_control`.
    private func armV1Notifications(_ watch: Watch, cgroup: InstanceCgroup, token: Int) {
        func register(_ file: String, _ argument: String) {
            let efd = cvigil_eventfd()
            let target = open(cgroup.path + "/" + file, O_RDONLY | O_CLOEXEC)
            defer { if target >= 0 { close(target) } }
            guard efd >= 0, target >= 0,
                  (try? CgroupFile.write("\(efd) \(target)\(argument)", to: cgroup.path + "/cgroup.event_control")) != nil,
                  events?.add(efd) == nil
            else {
                if efd >= 0 { close(efd) }
                return
            }
            lock.withLock { byEventFD[efd] = token }
            watch.eventFDs.append(efd)
        }
        if let high = watch.limits.high { register("memory.usage_in_bytes", " \(high)") }
        if watch.limits.max != nil { register("memory.oom_control", "") }
    }

    private func eventFired(_ fd: Int32) {
        cvigil_eventfd_drain(fd)
        guard let token = lock.withLock({ byEventFD[fd] }), let watch = lock.withLock({ watches[token] }) else { return }
        check(watch, usage: watch.cgroup?.memoryBytes)
    }

    private func sampleForever(period: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            let current = lock.withLock { Array(watches.values) }
            if current.isEmpty { continue }
            let sampled = current.filter { $0.cgroup == nil }
            var byGroup: [pid_t: UInt64] = [:]
            if !sampled.isEmpty {
                let groups = Set(sampled.map(\.processGroup))
                ProcStat.forEachProcess { _, stat in
                    if groups.contains(stat.processGroup) { byGroup[stat.processGroup, default: 0] += stat.residentBytes }
                }
            }
            var usages: [(Watch, UInt64)] = []
            for watch in current {
                let usage = watch.cgroup.map { $0.memoryBytes } ?? byGroup[watch.processGroup]
                check(watch, usage: usage)
                if let usage { usages.append((watch, usage)) }
            }
            relieveHost(usages)
        }
    }

    /// Over the host watermark: the largest instance with a `high` limit (not already being
    /// replaced) is replaced, one every `hostActionSpacing`.
    private func relieveHost(_ usages: [(Watch, UInt64)]) {
        guard let watermark = lock.withLock({ hostHighWatermark }), ContinuousClock.now >= lock.withLock({ hostActionAllowedAfter }),
              let used = readMeminfo().flatMap(Self.hostUsedRatio(meminfo:)), used > watermark
        else { return }
        let victim: (Watch, UInt64)? = lock.withLock {
            guard let largest = usages.filter({ $0.0.limits.high != nil && !$0.0.reportedHigh }).max(by: { $0.1 < $1.1 }) else { return nil }
            largest.0.reportedHigh = true
            hostActionAllowedAfter = ContinuousClock.now + hostActionSpacing
            return largest
        }
        if let (watch, bytes) = victim { watch.onBreach(.hostPressure(bytes: bytes, hostUsed: used, watermark: watermark)) }
    }

    /// Host memory in use, `1 - MemAvailable / MemTotal`, from the text of `/proc/meminfo`.
    static func hostUsedRatio(meminfo: String) -> Double? {
        var total: Double?
        var available: Double?
        for line in meminfo.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2 else { continue }
            if parts[0] == "MemTotal:" { total = Double(parts[1]) }
            if parts[0] == "MemAvailable:" { available = Double(parts[1]) }
        }
        guard let total, let available, total > 0 else { return nil }
        return 1 - available / total
    }

    /// Reports what `watch` crossed, each crossing once per spawn.
    private func check(_ watch: Watch, usage: UInt64?) {
        var breaches: [Breach] = []
        lock.withLock {
            if let cgroup = watch.cgroup, let max = watch.limits.max, !watch.reportedOOM, cgroup.wasOOMKilled {
                watch.reportedOOM = true
                breaches.append(.oomKilled(limit: max))
            }
            guard let usage else { return }
            // With a cgroup the kernel enforces max; without one, Vigil does.
            if watch.cgroup == nil, let max = watch.limits.max, usage > max, !watch.reportedMax {
                watch.reportedMax = true
                breaches.append(.max(bytes: usage, limit: max))
            } else if let high = watch.limits.high, usage > high, !watch.reportedHigh {
                watch.reportedHigh = true
                breaches.append(.high(bytes: usage, limit: high))
            }
        }
        breaches.forEach(watch.onBreach)
    }
}
