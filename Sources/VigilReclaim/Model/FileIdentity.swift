import Glibc

/// A file as the kernel knows it: device and inode. Two paths with the same identity are the
/// same file; a path whose identity changed between listing and deleting was replaced.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    init(_ info: stat) {
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
