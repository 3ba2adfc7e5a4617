import Glibc

/// The files running processes hold open for writing, from one walk of `/proc/*/fd`.
///
/// Done once per pass, not per candidate: a pass over 100k files costs one scan. Only regular
/// files on `devices` are looked at further; for those, `/proc/PID/fdinfo/N` tells the open mode
/// (`O_WRONLY` or `O_RDWR`). Processes that exit during the scan are skipped.
public enum OpenFileScan {
    public static func writers(on devices: Set<UInt64>) -> Set<FileIdentity> {
        var found: Set<FileIdentity> = []
        guard !devices.isEmpty else { return found }
        for pid in DirectoryListing.names(in: "/proc") where pid.first?.isNumber == true {
            let fdDir = "/proc/\(pid)/fd"
            for fd in DirectoryListing.names(in: fdDir) {
                var info = stat()
                guard stat("\(fdDir)/\(fd)", &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
                      devices.contains(UInt64(info.st_dev)) else { continue }
                let identity = FileIdentity(info)
                if found.contains(identity) { continue }
                if isOpenForWriting(fdinfo: "/proc/\(pid)/fdinfo/\(fd)") { found.insert(identity) }
            }
        }
        return found
    }

    /// Reads the octal `flags:` line of an fdinfo file.
    static func isOpenForWriting(fdinfo path: String) -> Bool {
        guard let text = DirectoryListing.readSmallFile(path),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags:") }),
              let flags = Int(String(line.dropFirst("flags:".count)).filter { !$0.isWhitespace }, radix: 8) else { return false }
        let mode = Int32(flags) & O_ACCMODE
        return mode == O_WRONLY || mode == O_RDWR
    }
}
