import Foundation
import Glibc

/// Vigil's whole cgroup subtree at start-up and at shutdown.
///
/// At start-up, an instance cgroup left under the base directory is a leftover of a Vigil that
/// was killed: whatever still runs in it was started by Vigil (the kernel put it there; no
/// stranger can be), so it is killed without the checks a pid needs — this is what catches a
/// daemonising grandchild that left its process group. At shutdown the empty cgroups go.
enum CgroupSweeper {
    /// Kills what is left in each instance cgroup under `layout.base` and removes the cgroups;
    /// returns `(cgroup name, processes killed)` for those that still held processes.
    static func sweepLeftovers(_ layout: CgroupLayout) async -> [(name: String, killed: Int)] {
        var swept: [(String, Int)] = []
        for name in instanceDirectories(layout) {
            let cgroup = InstanceCgroup(existing: layout.base + "/" + name, version: layout.version)
            let members = cgroup.members
            if !members.isEmpty {
                cgroup.killAll()
                swept.append((name, members.count))
            }
            await InstanceCgroup.remove(cgroup.path, within: .seconds(5))
        }
        return swept
    }

    /// Removes the instance cgroups and the base directory once every service has stopped,
    /// waiting up to 5 s for the last killed processes to be reaped.
    static func removeAll(_ layout: CgroupLayout) async {
        for name in instanceDirectories(layout) { await InstanceCgroup.remove(layout.base + "/" + name, within: .seconds(5)) }
        _ = rmdir(layout.base)
    }

    /// Child directories of the base: instance cgroups (`<service>.<color>.<spawn id>`).
    private static func instanceDirectories(_ layout: CgroupLayout) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: layout.base)) ?? []).filter { name in
            var info = stat()
            return name.split(separator: ".").count == 3 && !name.hasPrefix("memory.") && !name.hasPrefix("cgroup.")
                && stat(layout.base + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
        }
    }
}
