import Foundation
import VigilSupervisor

/// Runs one nginx command (`nginx -t`, `nginx -s reload`) to completion and collects what it
/// printed, through Vigil's own process launcher (own process group, clean signal mask).
///
/// Blocks the calling thread; the nginx router calls it from its serial queue.
enum NginxCommand {
    struct Outcome {
        /// The exit code, or 128 + the signal number.
        var code: Int32
        /// stdout and stderr together (nginx writes everything to stderr).
        var output: String
        var succeeded: Bool { code == 0 }
    }

    static func run(_ arguments: [String], timeout: Duration = .seconds(60)) throws -> Outcome {
        let spec = LaunchSpec(arguments: arguments, environment: ["PATH": searchPath], stdout: .pipe, stderr: .pipe)
        let child: LaunchedProcess
        do {
            child = try ProcessLauncher.launch(spec)
        } catch {
            throw RouterError("cannot run \(arguments.joined(separator: " ")): \(error)")
        }
        var open = [child.stdoutPipe, child.stderrPipe].compactMap { $0 }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + timeout
        while !open.isEmpty {
            var descriptors = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if Glibc.poll(&descriptors, nfds_t(descriptors.count), 200) < 0, errno != EINTR { break }
            for descriptor in descriptors where descriptor.revents != 0 {
                let count = read(descriptor.fd, &buffer, buffer.count)
                if count > 0 {
                    output.append(contentsOf: buffer[..<count])
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    close(descriptor.fd)
                    open.removeAll { $0 == descriptor.fd }
                }
            }
            if ContinuousClock.now > deadline {
                kill(-child.pid, SIGKILL)
                output.append(contentsOf: Array("\n(killed after \(timeout))".utf8))
                open.forEach { close($0) }
                open.removeAll()
            }
        }
        // Our own child, reaped by pid: never waitpid(-1), which would steal the supervisor's.
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0, errno == EINTR {}
        close(child.pidfd)
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return Outcome(code: code, output: String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Vigil's PATH plus the sbin directories where distributions put nginx.
    static var searchPath: String {
        let inherited = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return inherited + ":/usr/local/sbin:/usr/sbin:/sbin"
    }
}
