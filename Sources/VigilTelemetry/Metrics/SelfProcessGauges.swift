import Glibc
import Prometheus
import VigilSupervisor

/// The standard `process_*` families for Vigil itself (the set every Prometheus client library
/// exports), read from /proc/self at scrape time.
final class SelfProcessGauges {
    /// The series handles, made once; a scrape only stores values.
    private let residentMemory: Gauge
    private let virtualMemory: Gauge
    private let cpu: Counter
    private let openFDs: Gauge
    private let maxFDs: Gauge
    /// CPU seconds already added to the counter, which can only move up by deltas.
    private var reportedCPU = 0.0

    init(registry: MetricsRegistry) {
        residentMemory = registry.gauge(MetricCatalogue.processResidentMemory, [])
        virtualMemory = registry.gauge(MetricCatalogue.processVirtualMemory, [])
        cpu = registry.counter(MetricCatalogue.processCPU, [])
        openFDs = registry.gauge(MetricCatalogue.processOpenFDs, [])
        maxFDs = registry.gauge(MetricCatalogue.processMaxFDs, [])
        if let started = Self.startTimeSeconds() {
            registry.gauge(MetricCatalogue.processStartTime, []).set(to: started)
        }
        update()
    }

    func update() {
        if let stat = ProcStat.read("self") {
            residentMemory.set(to: Double(stat.residentBytes))
            virtualMemory.set(to: Double(stat.virtualBytes))
            let seconds = stat.cpuSeconds
            if seconds > reportedCPU {
                cpu.increment(by: seconds - reportedCPU)
                reportedCPU = seconds
            }
        }
        if let open = Self.openDescriptors() {
            openFDs.set(to: Double(open))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            maxFDs.set(to: Double(limit.rlim_cur))
        }
    }

    /// Entries of /proc/self/fd, not counting the descriptor that lists them.
    static func openDescriptors() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != CChar(bitPattern: UInt8(ascii: ".")) { count += 1 }
        }
        return max(0, count - 1)
    }

    /// Boot time (`btime` in /proc/stat) plus the process's start, in seconds since the epoch.
    static func startTimeSeconds() -> Double? {
        guard let stat = ProcStat.read("self"), let text = ProcFile.read("/proc/stat"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
              let boot = line.split(separator: " ").last.flatMap({ Double($0) })
        else { return nil }
        return boot + Double(stat.startTicks) / ProcStat.clockTicksPerSecond
    }
}
