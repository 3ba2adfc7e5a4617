import Glibc

/// Puts the control socket at its path only once it has its final mode (0660) and group, so no
/// peer ever finds it with looser permissions, not even for a moment.
///
/// The HTTP server binds and listens in one step, and a Unix socket file takes its mode from
/// the umask when it is bound; a chmod after listening leaves a window in which anyone may
/// connect. So the server binds inside a private directory (`.NAME.bind/`, mode 0700, beside
/// the socket's path: only root can reach what is in it), the file gets mode 0660 and the group
/// of the directory the socket lives in (under systemd `/run/vigil`, group `vigil`; members of
/// that group may connect, what they may do is their role's), and is then renamed into place,
/// which is atomic.
///
/// ```swift
/// let file = try ControlSocketFile(path: "/run/vigil/control.sock")
/// // bind the server to file.bindPath, then, once it listens:
/// try file.publish()
/// ```
struct ControlSocketFile: Sendable {
    /// Where the socket must end up.
    let path: String
    /// Where the server binds: inside ``privateDirectory``.
    let bindPath: String
    let privateDirectory: String

    /// Creates the private directory (removing one a killed Vigil left) and the socket's stale file.
    init(path: String) throws(ControlSocketError) {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        privateDirectory = (directory.isEmpty ? "" : directory) + "/." + name + ".bind"
        bindPath = privateDirectory + "/s"
        unlink(path)
        unlink(bindPath)
        rmdir(privateDirectory)
        guard mkdir(privateDirectory, 0o700) == 0 else {
            throw ControlSocketError("cannot create \(privateDirectory) to bind the control socket in", errno: errno)
        }
        var info = stat()
        guard lstat(privateDirectory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid(), info.st_mode & 0o077 == 0 else {
            throw ControlSocketError("\(privateDirectory) is not a private directory of Vigil's; remove it and start again", errno: EPERM)
        }
    }

    /// The group that owns the socket: the group of the directory it lives in.
    var group: gid_t? {
        var info = stat()
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        return stat(directory.isEmpty ? "/" : directory, &info) == 0 ? info.st_gid : nil
    }

    /// Gives the bound socket mode 0660 and its group, then renames it to ``path``.
    func publish() throws(ControlSocketError) {
        if let group, chown(bindPath, uid_t.max, group) != 0 {
            throw ControlSocketError("cannot give the control socket group \(group)", errno: errno)
        }
        guard chmod(bindPath, 0o660) == 0 else { throw ControlSocketError("cannot set mode 0660 on the control socket", errno: errno) }
        guard rename(bindPath, path) == 0 else { throw ControlSocketError("cannot move the control socket to \(path)", errno: errno) }
        rmdir(privateDirectory)
    }
}

/// Why the control socket could not be put in place.
struct ControlSocketError: Error, CustomStringConvertible {
    let description: String

    init(_ message: String, errno code: Int32) {
        description = "\(message): \(String(cString: strerror(code)))"
    }
}
