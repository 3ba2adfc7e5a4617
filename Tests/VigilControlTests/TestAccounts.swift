import Foundation
import VigilTestKit
import XCTest

/// Host users and groups for tests that call the control socket as someone other than root:
/// created when missing (so a rerun after a crash finds them), removed by ``remove()``.
///
/// - `vigiltest-sock`: the group the socket's directory belongs to; every test user is in it,
///   so each may connect and what it may do is its role's.
/// - `vigiltest-ops`: a group `control.roles` maps to operator; `vigiltest-op` is in it.
/// - `vigiltest-view`: a user mapped to viewer. `vigiltest-none`: a user with no role.
enum TestAccounts {
    static let socketGroup = "vigiltest-sock"
    static let operatorGroup = "vigiltest-ops"
    static let operatorUser = "vigiltest-op"
    static let viewerUser = "vigiltest-view"
    static let noRoleUser = "vigiltest-none"

    static func create() throws {
        for group in [socketGroup, operatorGroup] where !exists("group", group) {
            try run("/usr/sbin/groupadd", [group])
        }
        let users = [(operatorUser, [operatorGroup]), (viewerUser, []), (noRoleUser, [])]
        for (user, groups) in users where !exists("passwd", user) {
            try run("/usr/sbin/useradd", ["-M", "-N", "-s", "/usr/sbin/nologin", "-g", socketGroup] + (groups.isEmpty ? [] : ["-G", groups.joined(separator: ",")]) + [user])
        }
    }

    static func remove() {
        for user in [operatorUser, viewerUser, noRoleUser] { _ = try? run("/usr/sbin/userdel", [user]) }
        for group in [operatorGroup, socketGroup] { _ = try? run("/usr/sbin/groupdel", [group]) }
    }

    static func gid(_ group: String) -> gid_t? { getgrnam(group)?.pointee.gr_gid }

    /// Runs `arguments` as `user` (its uid, primary group and supplementary groups, no
    /// capabilities left), as `setpriv --init-groups` does; returns exit code and output.
    static func runAs(_ user: String, _ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)) throws -> (code: Int32?, output: String) {
        let handle = try ProcessHandle(
            executable: "/usr/bin/setpriv",
            arguments: ["--reuid=\(user)", "--regid=\(socketGroup)", "--init-groups", "--", executable] + arguments
        )
        let code = handle.waitForExit(timeout: timeout)
        return (code, handle.output)
    }

    private static func exists(_ database: String, _ name: String) -> Bool {
        (try? run("/usr/bin/getent", [database, name])) != nil
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let handle = try ProcessHandle(executable: executable, arguments: arguments)
        guard handle.waitForExit(timeout: .seconds(30)) == 0 else {
            throw TestKitError("\(executable) \(arguments.joined(separator: " ")) failed: \(handle.output)")
        }
        return handle.output
    }
}
