import Glibc

/// Small directory and file reads with libc only, for the scanner's hot loops.
enum DirectoryListing {
    /// Entry names of `path` without `.` and `..`; empty when it cannot be opened.
    static func names(in path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        return names(of: dir)
    }

    /// Entry names left in an open directory stream, without `.` and `..`.
    static func names(of dir: OpaquePointer) -> [String] {
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// A small text file (proc files), nil when it cannot be read.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// `lstat` of `path`: never follows a symlink.
    static func lstat(_ path: String) -> stat? {
        var info = stat()
        return Glibc.lstat(path, &info) == 0 ? info : nil
    }

    static func nanoseconds(_ time: timespec) -> Int64 {
        Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// Allocated bytes of one entry; a hard-linked file frees nothing until its last name goes.
    static func freedBytes(_ info: stat) -> UInt64 {
        (info.st_mode & S_IFMT) != S_IFDIR && info.st_nlink > 1 ? 0 : UInt64(info.st_blocks) * 512
    }
}
