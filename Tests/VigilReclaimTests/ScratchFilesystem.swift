import Foundation
import VigilTestKit
import XCTest

/// A small filesystem a test mounts for itself (tests run as root): a tmpfs of a few MiB, or an
/// ext4 image with very few inodes on a loop device. Unmounted (and the loop device freed) by
/// ``unmount()``, which tests call in their teardown.
final class ScratchFilesystem {
    let directory: TemporaryDirectory
    /// The mount point.
    let path: String

    private init(directory: TemporaryDirectory, path: String) {
        self.directory = directory
        self.path = path
    }

    /// A tmpfs of `megabytes` MiB, or an XCTSkip saying why it cannot be mounted here.
    static func tmpfs(megabytes: Int) throws -> ScratchFilesystem {
        let directory = try TemporaryDirectory(prefix: "reclaim")
        let path = directory.appending("mnt")
        mkdir(path, 0o755)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(megabytes)m,mode=755") == 0 else {
            let reason = String(cString: strerror(errno))
            directory.remove()
            throw XCTSkip("cannot mount a tmpfs (\(reason)); these tests need root and CAP_SYS_ADMIN")
        }
        return ScratchFilesystem(directory: directory, path: path)
    }

    /// An ext4 image of `megabytes` MiB with only about `inodes` inodes, loop-mounted.
    static func ext4(megabytes: Int, inodes: Int) throws -> ScratchFilesystem {
        let directory = try TemporaryDirectory(prefix: "reclaim")
        let image = directory.appending("fs.img")
        let path = directory.appending("mnt")
        mkdir(path, 0o755)
        let fd = open(image, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        defer { close(fd) }
        guard fd >= 0, ftruncate(fd, off_t(megabytes) << 20) == 0 else { throw TestKitError("cannot make the image \(image): \(String(cString: strerror(errno)))") }
        for (tool, arguments) in [("/usr/sbin/mkfs.ext4", ["-q", "-F", "-N", "\(inodes)", "-m", "0", image]), ("/usr/bin/mount", ["-o", "loop", image, path])] {
            guard FileManager.default.isExecutableFile(atPath: tool) else {
                directory.remove()
                throw XCTSkip("\(tool) is missing; install e2fsprogs and mount to run the inode test")
            }
            let process = try ProcessHandle(executable: tool, arguments: arguments)
            let code = process.waitForExit(timeout: .seconds(60))
            guard code == 0 else {
                let output = process.output
                directory.remove()
                throw XCTSkip("\(tool) \(arguments.joined(separator: " ")) failed (\(code.map(String.init) ?? "timeout")): \(output)")
            }
        }
        return ScratchFilesystem(directory: directory, path: path)
    }

    /// `path/name`.
    func appending(_ name: String) -> String { path + "/" + name }

    /// Unmounts (lazily if still busy) and removes the scratch directory. A loop mount made by
    /// `mount -o loop` frees its loop device on unmount.
    func unmount() {
        if umount2(path, 0) != 0 { umount2(path, Int32(MNT_DETACH)) }
        directory.remove()
    }

    /// Writes `bytes` bytes of zeros to `name` (directories made as needed), modified `age` ago.
    @discardableResult
    func write(_ name: String, bytes: Int, age: Duration = .zero) throws -> String {
        let file = appending(name)
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: file, contents: Data(count: bytes)) else { throw TestKitError("cannot write \(file)") }
        if age > .zero { try Self.age(file, by: age) }
        return file
    }

    /// Sets the modification time of `file` to `age` ago, without following a symlink.
    static func age(_ file: String, by age: Duration) throws {
        let then = time(nil) - Int(age.components.seconds)
        var times = [timespec(tv_sec: then, tv_nsec: 0), timespec(tv_sec: then, tv_nsec: 0)]
        guard utimensat(AT_FDCWD, file, &times, AT_SYMLINK_NOFOLLOW) == 0 else { throw TestKitError("cannot set the time of \(file)") }
    }

    /// The used fraction of bytes and of inodes, as `df` shows them.
    var usage: (bytes: Double, inodes: Double) {
        var info = statvfs()
        statvfs(path, &info)
        let used = Double(info.f_blocks - info.f_bfree)
        let usedInodes = Double(info.f_files - info.f_ffree)
        return (used / (used + Double(info.f_bavail)), usedInodes / (usedInodes + Double(info.f_favail)))
    }
}
