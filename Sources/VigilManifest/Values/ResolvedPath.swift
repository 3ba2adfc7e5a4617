import Foundation

/// Paths of the `reclaim` section as the reclaim pass compares them: absolute, with symlinks in
/// their existing part resolved once, at config load.
///
/// A path that does not exist yet (a state dir before the first `vigil up`) keeps its missing
/// tail as written, below the resolved part that exists.
public enum ResolvedPath {
    /// `path` (absolute, `.` and `..` folded) with the symlinks of its longest existing prefix resolved.
    public static func resolve(_ path: String) -> String {
        var existing = path
        var tail: [String] = []
        while existing != "/" {
            if let real = realpath(existing) { return join(real, tail) }
            tail.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        return join("/", tail)
    }

    /// A glob with the symlinks of its literal leading directories resolved; the components from
    /// the first one with `*`, `?` or `[` on are kept as written.
    public static func resolveGlob(_ pattern: String) -> String {
        let components = pattern.split(separator: "/").map(String.init)
        let firstWild = components.firstIndex(where: isWild) ?? components.count
        let literal = "/" + components[..<firstWild].joined(separator: "/")
        return join(resolve(literal), Array(components[firstWild...]))
    }

    /// Why `pattern` may not be cleaned under `watched`, or nil when it stays strictly inside.
    public static func globProblem(_ pattern: String, watched: String) -> String? {
        if matches(pattern, "/") { return "matches / itself" }
        if matches(pattern, watched) { return "matches the watched path \(watched) itself" }
        let components = pattern.split(separator: "/").map(String.init)
        let literal = "/" + components.prefix { !isWild($0) }.joined(separator: "/")
        guard isInside(literal, watched) else {
            return "can match paths outside the watched path \(watched) (reclaim only deletes under the path of its own disk entry)"
        }
        return nil
    }

    /// True when `path` is `directory` or below it.
    public static func isInside(_ path: String, _ directory: String) -> Bool {
        directory == "/" ? path.hasPrefix("/") : (path == directory || path.hasPrefix(directory + "/"))
    }

    static func isWild(_ component: String) -> Bool {
        component.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    static func matches(_ pattern: String, _ path: String) -> Bool {
        fnmatch(pattern, path, FNM_PATHNAME) == 0
    }

    private static func realpath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func join(_ base: String, _ tail: [String]) -> String {
        tail.isEmpty ? base : (base == "/" ? "" : base) + "/" + tail.joined(separator: "/")
    }
}
