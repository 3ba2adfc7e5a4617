import Foundation
import VigilTestKit
import XCTest

/// A service with `user:` runs, and is probed, as that user and with that user's login
/// environment, not root's: a real `vigil up` running a shell as `nobody`.
final class ServiceUserIntegrationTests: XCTestCase {
    func testAServiceAndItsExecProbeRunAsItsUserWithThatUsersHomeAndName() throws {
        let out = try TemporaryDirectory(prefix: "vu")
        defer { out.remove() }
        chmod(out.path, 0o777)
        let nobody = try XCTUnwrap(getpwnam("nobody")?.pointee)
        let home = String(cString: nobody.pw_dir)
        let shell = String(cString: nobody.pw_shell)
        let service = #"echo "$(id -u) $HOME $USER $LOGNAME $SHELL" > "# + out.path + "/service.tmp && mv " + out.path + "/service.tmp " + out.path + "/service; exec sleep 600"
        let probe = #"echo "$(id -u) $(id -g) $HOME $USER" > "# + out.path + "/probe.tmp && mv " + out.path + "/probe.tmp " + out.path + "/probe"
        let vigil = try VigilProcess()
        try vigil.writeManifest("asnobody", """
            apiVersion: vigil/v1
            kind: Service
            name: asnobody
            user: nobody
            workingDir: /
            command: [/bin/sh, -c, \(yamlQuoted(service))]
            probes:
              readiness: {exec: {command: [/bin/sh, -c, \(yamlQuoted(probe))]}, period: 200ms}
            """)
        try vigil.start()
        XCTAssertNotNil(vigil.waitFor("asnobody") { $0.ready }, vigil.output)
        let seenByService = try String(contentsOfFile: out.appending("service"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(seenByService, "\(nobody.pw_uid) \(home) nobody nobody \(shell)")
        let seenByProbe = try String(contentsOfFile: out.appending("probe"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(seenByProbe, "\(nobody.pw_uid) \(nobody.pw_gid) \(home) nobody", "the exec probe runs as the service's user, not as root")
    }
}
