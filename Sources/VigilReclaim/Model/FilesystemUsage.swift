import Glibc

/// One statvfs reading of a watched filesystem, bytes and inodes.
///
/// Used fractions are computed as `df` shows them: used / (used + available to unprivileged
/// users), so 100% means ordinary services can no longer write.
public struct FilesystemUsage: Sendable, Equatable {
    public var usedBytes: UInt64
    public var availableBytes: UInt64
    public var usedInodes: UInt64
    public var availableInodes: UInt64

    public init(usedBytes: UInt64, availableBytes: UInt64, usedInodes: UInt64, availableInodes: UInt64) {
        self.usedBytes = usedBytes
        self.availableBytes = availableBytes
        self.usedInodes = usedInodes
        self.availableInodes = availableInodes
    }

    /// Reads the filesystem holding `path`; nil (with errno set) when it cannot be read.
    public static func read(_ path: String) -> FilesystemUsage? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let block = UInt64(info.f_frsize)
        let totalInodes = UInt64(info.f_files)
        let freeInodes = UInt64(info.f_ffree)
        return FilesystemUsage(
            usedBytes: (UInt64(info.f_blocks) - UInt64(info.f_bfree)) * block, availableBytes: UInt64(info.f_bavail) * block,
            usedInodes: totalInodes - freeInodes, availableInodes: UInt64(info.f_favail)
        )
    }

    public var usedRatio: Double { Self.ratio(usedBytes, availableBytes) }
    /// 0 on filesystems without an inode limit (they report no inodes at all).
    public var inodesUsedRatio: Double { Self.ratio(usedInodes, availableInodes) }

    /// This reading once `bytes` and `inodes` more are free.
    public func freeing(bytes: UInt64, inodes: UInt64) -> FilesystemUsage {
        let freedBytes = min(bytes, usedBytes)
        let freedInodes = min(inodes, usedInodes)
        return FilesystemUsage(usedBytes: usedBytes - freedBytes, availableBytes: availableBytes + freedBytes,
                               usedInodes: usedInodes - freedInodes, availableInodes: availableInodes + freedInodes)
    }

    private static func ratio(_ used: UInt64, _ available: UInt64) -> Double {
        used + available == 0 ? 0 : Double(used) / Double(used + available)
    }
}
