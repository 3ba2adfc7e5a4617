import ArgumentParser
import VigilManifest

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate config and manifests without running anything.",
        discussion: "Each problem is printed as FILE:LINE:COL: error: MESSAGE. Exit 0 when valid, 1 when not."
    )

    @Argument(help: "Config files, manifest files or directories (default: ./vigil.yaml and its manifests).")
    var paths: [String] = []

    func run() throws {
        let report = ManifestLoader.check(paths: paths, builtins: Builtins.current())
        for error in report.errors { print(error) }
        if report.errors.isEmpty {
            print("ok: \(report.files.count) file(s), \(report.services.count) service(s): \(report.services.joined(separator: ", "))")
        } else {
            print("\(report.errors.count) error(s) in \(report.files.count) file(s)")
            throw ExitCode(1)
        }
    }
}

/// `${VAR}` values known before any service starts.
enum Builtins {
    static func current() -> [String: String] {
        ["VIGIL_BIN": executablePath()]
    }

    /// The running binary, resolved through /proc so `${VIGIL_BIN}` works from any directory.
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        buffer[count] = 0
        return String(cString: buffer)
    }
}

#if canImport(Glibc)
import Glibc
#endif
