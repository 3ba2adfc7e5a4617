import Glibc

/// The mark every instance Vigil starts carries in its environment, `VIGIL_INSTANCE=<service>/<color>/<spawn id>`,
/// so a restarted Vigil can tell its predecessor's leftovers from strangers.
///
/// A pid and its start time identify a process, but not the rest of its process group: once an
/// instance's leader is gone, its pid can be reused by an unrelated process that leads a group of
/// its own (any `setsid` daemon, a login session), and that group would look like the leftover.
/// The environment a process was exec'd with is inherited by everything the instance forks, and
/// no stranger has this value (the spawn id is random), so the orphan reaper signals only the
/// processes that carry it. A process that replaced its environment (`env -i`, or a program that
/// overwrites the environ area for its process title) is not recognised, and is left alone.
public struct InstanceMarker: Sendable, Equatable, CustomStringConvertible {
    /// The environment variable the mark is passed in.
    public static let variable = "VIGIL_INSTANCE"

    /// `<service>/<color>/<spawn id>`.
    public let value: String

    public init(value: String) { self.value = value }

    /// A fresh mark for one spawn of `service`'s `color` instance; the spawn id is 64 random bits.
    public static func fresh(service: String, color: String) -> InstanceMarker {
        var generator = SystemRandomNumberGenerator()
        let spawnID = String(generator.next() as UInt64, radix: 16)
        return InstanceMarker(value: "\(service)/\(color)/\(String(repeating: "0", count: 16 - spawnID.count))\(spawnID)")
    }

    public var description: String { value }

    /// True when `environ` (the NUL-separated bytes of `/proc/PID/environ`) holds exactly this mark.
    public func isCarried(in environ: [UInt8]) -> Bool {
        let wanted = Array("\(Self.variable)=\(value)".utf8)
        return environ.split(separator: 0, omittingEmptySubsequences: true).contains { $0.elementsEqual(wanted) }
    }

    /// Whether process `pid` carries this mark; false when its environment cannot be read (gone,
    /// or not ours to read).
    public func isCarried(byProcess pid: pid_t) -> Bool {
        guard let environ = Self.environment(of: pid) else { return false }
        return isCarried(in: environ)
    }

    /// The raw bytes of `/proc/PID/environ`, nil when the process is gone or unreadable.
    static func environment(of pid: pid_t) -> [UInt8]? {
        let fd = open("/proc/\(pid)/environ", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }
}
