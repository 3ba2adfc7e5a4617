import Glibc
import VigilManifest

/// Deletes listed candidates with the safety SPEC section 5 promises.
///
/// The parent directory is reached from the watched root one component at a time with
/// `openat(O_DIRECTORY | O_NOFOLLOW)`, each checked to be on the watched device: a symlink or a
/// mount point anywhere on the way fails the walk. Just before `unlinkat`, the entry is
/// `fstatat`-ed again without following links and must still be the same inode, type and
/// modification time as when it was listed; a file replaced or rewritten in between is kept.
public struct SafeRemover: Sendable {
    /// The watched path, resolved at config load.
    public let root: String
    public let device: UInt64

    public init(root: String, device: UInt64) {
        self.root = root
        self.device = device
    }

    /// Deletes `candidate`; nil on success, else why it stayed.
    public func remove(_ candidate: ReclaimCandidate) -> KeepReason? {
        guard ResolvedPath.isInside(candidate.path, root), candidate.path != root else { return .failed("outside \(root)") }
        let relative = candidate.path.dropFirst(root == "/" ? 1 : root.count + 1).split(separator: "/").map(String.init)
        guard let name = relative.last, !relative.contains(".."), !relative.contains(".") else { return .failed("not a plain path") }
        guard var parent = Self.openRoot(root) else { return .failed("cannot open \(root): \(Self.errorText(errno))") }
        defer { close(parent) }
        var rootInfo = stat()
        guard fstat(parent, &rootInfo) == 0, UInt64(rootInfo.st_dev) == device else { return .otherFilesystem }
        for component in relative.dropLast() {
            let next = openat(parent, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else {
                return errno == ELOOP || errno == ENOTDIR ? .changed : .failed("cannot open \(component): \(Self.errorText(errno))")
            }
            close(parent)
            parent = next
            var info = stat()
            guard fstat(parent, &info) == 0, UInt64(info.st_dev) == device else { return .otherFilesystem }
        }
        var info = stat()
        guard fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return .changed }
        let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
        guard FileIdentity(info) == candidate.identity, isDirectory == candidate.isDirectory,
              DirectoryListing.nanoseconds(info.st_mtim) == candidate.modified else { return .changed }
        guard UInt64(info.st_dev) == device else { return .otherFilesystem }
        if isDirectory {
            guard let fd = DirectoryTree.openDirectory(at: parent, name, device: device) else { return .changed }
            let failure = DirectoryTree.removeContents(of: fd, device: device)
            close(fd)
            if let failure { return failure == EXDEV ? .otherFilesystem : .failed(Self.errorText(failure)) }
            if unlinkat(parent, name, AT_REMOVEDIR) != 0 { return .failed(Self.errorText(errno)) }
        } else if unlinkat(parent, name, 0) != 0 {
            return .failed(Self.errorText(errno))
        }
        return nil
    }

    static func openRoot(_ root: String) -> Int32? {
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        return fd >= 0 ? fd : nil
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}
