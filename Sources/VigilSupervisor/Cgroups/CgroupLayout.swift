import Foundation

/// Which cgroup interface holds the memory controller Vigil uses.
public enum CgroupVersion: String, Sendable, Codable {
    /// The unified hierarchy (Debian 12, RHEL 9, Ubuntu 22.04+ under systemd).
    case v2 = "cgroup v2"
    /// A v1 `memory` hierarchy (hybrid hosts and many container sandboxes).
    case v1 = "cgroup v1"
}

/// Where Vigil makes one cgroup per instance: a directory of its own under its own cgroup,
/// named after the state directory, so two Vigils on one host never share one.
public struct CgroupLayout: Sendable, Equatable {
    public let version: CgroupVersion
    /// `<Vigil's cgroup>/vigil-<8 hex of the state directory>`; instance cgroups are its children.
    public let base: String

    public init(version: CgroupVersion, base: String) {
        self.version = version
        self.base = base
    }

    /// The directory of Vigil's own cgroup that holds the memory controller, from the text of
    /// `/proc/self/mountinfo` and `/proc/self/cgroup`: v2 when its mount has the `memory`
    /// controller available, else a v1 `memory` hierarchy, else nil.
    static func locate(mountinfo: String, selfCgroup: String, v2Controllers: (String) -> String?) -> (CgroupVersion, String)? {
        var v2Mount: (root: String, point: String)?
        var v1Mount: (root: String, point: String)?
        for line in mountinfo.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2 else { continue }
            let fields = halves[0].split(separator: " ").map(String.init)
            let tail = halves[1].split(separator: " ").map(String.init)
            guard fields.count >= 5, tail.count >= 3 else { continue }
            let mount = (root: Self.unescape(fields[3]), point: Self.unescape(fields[4]))
            if tail[0] == "cgroup2" { v2Mount = v2Mount ?? mount }
            if tail[0] == "cgroup", tail[2].split(separator: ",").contains("memory") { v1Mount = v1Mount ?? mount }
        }
        var v2Path: String?
        var v1Path: String?
        for line in selfCgroup.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { continue }
            if parts[0] == "0", parts[1].isEmpty { v2Path = parts[2] }
            if parts[1].split(separator: ",").contains("memory") { v1Path = parts[2] }
        }
        if let mount = v2Mount, let path = v2Path {
            let directory = Self.join(mount, path)
            if v2Controllers(directory)?.split(separator: " ").contains(where: { $0 == "memory" || $0 == "memory\n" }) == true {
                return (.v2, directory)
            }
        }
        if let mount = v1Mount, let path = v1Path { return (.v1, Self.join(mount, path)) }
        return nil
    }

    /// The directory of cgroup `path` under a mount of hierarchy root `root` at `point`.
    private static func join(_ mount: (root: String, point: String), _ path: String) -> String {
        var relative = path
        if mount.root != "/", relative.hasPrefix(mount.root) { relative = String(relative.dropFirst(mount.root.count)) }
        if relative == "/" || relative.isEmpty { return mount.point }
        return mount.point + (relative.hasPrefix("/") ? relative : "/" + relative)
    }

    /// mountinfo escapes space, tab, newline and backslash as octal (`\040`).
    private static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3, let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
