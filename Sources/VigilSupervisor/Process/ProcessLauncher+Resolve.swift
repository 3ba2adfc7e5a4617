import Glibc

extension ProcessLauncher {
    /// Where a user's processes run: uid, primary gid and every group the user belongs to.
    struct UserIdentity {
        let uid: uid_t
        let gid: gid_t
        let groups: [gid_t]
        let name: String
        let home: String
        let shell: String
    }

    /// What a login of `user` would have in its environment: `HOME`, `USER`, `LOGNAME` and
    /// `SHELL` from the user database, so a service (and its exec probes) running as that user
    /// does not inherit root's home and name from Vigil.
    ///
    /// - Throws: ``LaunchError`` when the user does not exist.
    public static func loginEnvironment(of user: String) throws(LaunchError) -> [String: String] {
        let identity = try resolveUser(user, command: user)
        return ["HOME": identity.home, "USER": identity.name, "LOGNAME": identity.name, "SHELL": identity.shell]
    }

    /// The path execve needs: `command` itself when it has a `/`, else the first executable
    /// regular file named `command` in the child's PATH (Vigil's when the child has none).
    static func resolveExecutable(_ command: String, environment: [String: String]) throws(LaunchError) -> String {
        if command.contains("/") { return command }
        let searchPath = environment["PATH"] ?? getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(command)"
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        throw LaunchError(command: command, reason: "\(String(cString: strerror(ENOENT))) (searched PATH \(searchPath))", code: ENOENT)
    }

    /// Looks `name` (or a numeric uid) up in the user database, with its supplementary groups.
    static func resolveUser(_ name: String, command: String) throws(LaunchError) -> UserIdentity {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        var status = getpwnam_r(name, &entry, &buffer, buffer.count, &result)
        if result == nil, let uid = uid_t(name) {
            status = getpwuid_r(uid, &entry, &buffer, buffer.count, &result)
        }
        guard status == 0, result != nil else {
            throw LaunchError(command: command, reason: "unknown user '\(name)'", code: status == 0 ? nil : status)
        }
        var count: Int32 = 32
        var groups = [gid_t](repeating: 0, count: Int(count))
        while getgrouplist(entry.pw_name, entry.pw_gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count) * 2)
            count = Int32(groups.count)
        }
        return UserIdentity(
            uid: entry.pw_uid, gid: entry.pw_gid, groups: Array(groups.prefix(Int(count))),
            name: String(cString: entry.pw_name), home: String(cString: entry.pw_dir), shell: String(cString: entry.pw_shell)
        )
    }
}
