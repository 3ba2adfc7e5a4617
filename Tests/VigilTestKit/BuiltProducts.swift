import Foundation

/// Absolute paths of the executables `swift build` put next to the running test bundle
/// (`.build/debug/`), so tests run the real `vigil` and `vigil-fixture`.
///
/// Each property throws, with "run swift build first", when the executable is missing:
/// `let fixture = try BuiltProducts.fixture`.
public enum BuiltProducts {
    /// The `vigil` executable.
    public static var vigil: String { get throws { try product("vigil") } }
    /// The `vigil-fixture` test workload.
    public static var fixture: String { get throws { try product("vigil-fixture") } }

    /// The directory holding the test bundle: `/proc/self/exe`'s directory (the bundle is an
    /// executable on Linux), else `CommandLine.arguments[0]`'s, else `.build/debug` under the
    /// current directory.
    public static let directory: String = {
        let candidates = [
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
            CommandLine.arguments.first.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
        ]
        for case let executable? in candidates {
            let dir = (executable as NSString).deletingLastPathComponent
            if FileManager.default.isExecutableFile(atPath: dir + "/vigil-fixture") { return dir }
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug"
    }()

    private static func product(_ name: String) throws -> String {
        let path = directory + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestKitError("\(name) not found at \(path); run `swift build --build-tests` first")
        }
        return path
    }
}
