import Glibc

/// Walks and removes directory trees through directory file descriptors, never following a
/// symlink and never leaving the device it started on.
///
/// Every directory is opened with `openat(..., O_DIRECTORY | O_NOFOLLOW)` relative to its parent,
/// so a symlink swapped in anywhere in the tree fails the open instead of leading elsewhere; a
/// directory on another device (a mount point inside the tree) is not entered.
enum DirectoryTree {
    struct Usage {
        var bytes: UInt64 = 0
        var inodes: UInt64 = 0
        /// A mount point is somewhere inside: the tree cannot be removed whole.
        var crossesDevice = false
        /// A file inside is in the `openForWriting` set.
        var holdsOpenFile = false
    }

    /// Allocated bytes and entries of the directory open at `fd` (itself not counted).
    static func usage(of fd: Int32, device: UInt64, openForWriting: Set<FileIdentity>) -> Usage {
        var total = Usage()
        forEachEntry(of: fd) { name, info in
            total.inodes += 1
            total.bytes += DirectoryListing.freedBytes(info)
            if openForWriting.contains(FileIdentity(info)) { total.holdsOpenFile = true }
            guard (info.st_mode & S_IFMT) == S_IFDIR else { return true }
            guard UInt64(info.st_dev) == device, let child = openDirectory(at: fd, name, device: device) else {
                total.crossesDevice = true
                return true
            }
            defer { close(child) }
            let inner = usage(of: child, device: device, openForWriting: openForWriting)
            total.bytes += inner.bytes
            total.inodes += inner.inodes
            total.crossesDevice = total.crossesDevice || inner.crossesDevice
            total.holdsOpenFile = total.holdsOpenFile || inner.holdsOpenFile
            return true
        }
        return total
    }

    /// Removes everything inside the directory open at `fd`; stops at the first failure with its errno.
    static func removeContents(of fd: Int32, device: UInt64) -> Int32? {
        var failure: Int32?
        forEachEntry(of: fd) { name, info in
            if (info.st_mode & S_IFMT) == S_IFDIR {
                guard UInt64(info.st_dev) == device, let child = openDirectory(at: fd, name, device: device) else {
                    failure = EXDEV
                    return false
                }
                failure = removeContents(of: child, device: device)
                close(child)
                if failure == nil, unlinkat(fd, name, AT_REMOVEDIR) != 0 { failure = errno }
            } else if unlinkat(fd, name, 0) != 0 {
                failure = errno
            }
            return failure == nil
        }
        return failure
    }

    /// Opens `name` below `parent` as a directory without following a symlink; with `device`,
    /// only when what was opened is on that device (checked on the open descriptor, so a mount
    /// made between an earlier `fstatat` and this open is caught).
    static func openDirectory(at parent: Int32, _ name: String, device: UInt64? = nil) -> Int32? {
        let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var info = stat()
        if let device, fstat(fd, &info) != 0 || UInt64(info.st_dev) != device {
            close(fd)
            return nil
        }
        return fd
    }

    /// Calls `body` with each entry's name and `lstat` until it returns false. Entries are read
    /// first and visited after, so removing them does not disturb the listing.
    private static func forEachEntry(of fd: Int32, _ body: (String, stat) -> Bool) {
        let listing = dup(fd)
        guard listing >= 0, let dir = fdopendir(listing) else { return }
        let names = DirectoryListing.names(of: dir)
        closedir(dir)
        for name in names {
            var info = stat()
            guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if !body(name, info) { return }
        }
    }
}
