import Foundation
import Glibc

/// Finds and prepares the cgroup directory Vigil puts its instances in, once at start-up.
///
/// - cgroup v2: Vigil's own cgroup (under systemd, the unit's, delegated by `Delegate=yes`) may
///   not both hold processes and give controllers to children, so Vigil first moves itself into a
///   `supervisor` leaf, then enables `memory` for its children and for its base directory.
/// - cgroup v1: the base directory is made under Vigil's own `memory` cgroup.
/// - Neither (not root, no memory controller, `VIGIL_CGROUPS=off`): nil, with the reason, and
///   memory is sampled from /proc instead.
public enum CgroupSetup {
    /// The environment variable that turns cgroups off (`VIGIL_CGROUPS=off`).
    public static let switchVariable = "VIGIL_CGROUPS"

    public static func prepare(stateDir: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<CgroupLayout, CgroupUnavailable> {
        if environment[switchVariable] == "off" { return .failure(CgroupUnavailable("\(switchVariable)=off")) }
        guard geteuid() == 0 else { return .failure(CgroupUnavailable("not running as root")) }
        guard let mountinfo = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8),
              let selfCgroup = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8),
              let (version, own) = CgroupLayout.locate(mountinfo: mountinfo, selfCgroup: selfCgroup, v2Controllers: { try? String(contentsOfFile: $0 + "/cgroup.controllers", encoding: .utf8) })
        else { return .failure(CgroupUnavailable("no memory controller in /proc/self/mountinfo")) }
        let base = own + "/vigil-" + baseName(stateDir: stateDir)
        do {
            if version == .v2 {
                let leaf = own + "/supervisor"
                try makeDirectory(leaf)
                try CgroupFile.write("\(getpid())", to: leaf + "/cgroup.procs")
                try CgroupFile.write("+memory", to: own + "/cgroup.subtree_control")
            }
            try makeDirectory(base)
            if version == .v2 { try CgroupFile.write("+memory", to: base + "/cgroup.subtree_control") }
        } catch {
            return .failure(CgroupUnavailable("\(error)"))
        }
        return .success(CgroupLayout(version: version, base: base))
    }

    /// 8 hex digits of FNV-1a over the state directory's absolute path: stable across restarts
    /// (a restarted Vigil finds its predecessor's cgroups), distinct between Vigils.
    static func baseName(stateDir: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in URL(fileURLWithPath: stateDir).standardizedFileURL.path.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    private static func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw CgroupUnavailable("mkdir \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// Why Vigil runs without cgroups, said once at start-up and in `vigil status`.
public struct CgroupUnavailable: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Reads and writes of cgroupfs control files: small, one syscall each, errors with the path.
enum CgroupFile {
    static func write(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CgroupUnavailable("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        guard written >= 0 else { throw CgroupUnavailable("write '\(text)' to \(path): \(String(cString: strerror(errno)))") }
    }

    static func read(_ path: String) -> String? {
        ProcFile.read(path)
    }

    /// The first number in the file (`memory.current`, `memory.usage_in_bytes`).
    static func number(_ path: String) -> UInt64? {
        read(path).flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The value of `key` in a flat keyed file (`memory.events`, `memory.oom_control`).
    static func keyed(_ path: String, _ key: String) -> UInt64? {
        guard let text = read(path) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == key { return UInt64(parts[1]) }
        }
        return nil
    }
}
