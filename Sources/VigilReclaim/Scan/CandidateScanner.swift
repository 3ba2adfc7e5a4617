import Glibc
import VigilManifest

/// Lists what reclaim may delete on one watched filesystem, in SPEC order, oldest first within
/// each kind, with the ones that must stay already marked (``ReclaimCandidate/keptBecause``).
///
/// Only entries strictly inside `root` (the resolved watched path) are listed: a directory whose
/// real path leaves `root` (through a symlink) lists nothing, entries are read with `lstat`, and
/// a symlink is never a candidate. An entry on another device is listed as kept
/// (``KeepReason/otherFilesystem``), so `vigil reclaim` shows why it stays. A directory holding
/// a file open for writing stays whole (``KeepReason/openForWriting``), and so does a glob match
/// that is, holds or lies inside a release in use.
public struct CandidateScanner: Sendable {
    public let root: String
    public let device: UInt64
    /// Nanoseconds since the epoch, for `olderThan`.
    public let now: Int64
    /// From ``OpenFileScan``: directories that hold one of these are kept.
    public let openForWriting: Set<FileIdentity>

    public init(root: String, device: UInt64, now: Int64, openForWriting: Set<FileIdentity> = []) {
        self.root = root
        self.device = device
        self.now = now
        self.openForWriting = openForWriting
    }

    /// Release names in use, per service, with what uses them (active, previous, rollout).
    public typealias ReleasesInUse = [String: [String: String]]

    public func candidates(_ targets: ReclaimTargets, inUse: ReleasesInUse) -> [ReclaimCandidate] {
        var all: [ReclaimCandidate] = []
        if let logsDir = targets.logsDir { all += rotatedLogs(in: logsDir) }
        all += targets.releases.flatMap { releases($0, inUse: inUse[$0.service] ?? [:]) }.sorted { $0.modified < $1.modified }
        let protected = Self.releasePaths(targets.guarded, inUse: inUse)
        for glob in targets.globs {
            all += matches(glob).map { match in
                var match = match
                if match.keptBecause == nil, let use = protected.first(where: { Self.overlaps(match.path, $0.path) })?.use {
                    match.keptBecause = .releaseInUse(use)
                }
                return match
            }
        }
        return all
    }

    /// The real paths of the releases in use, with what uses each.
    static func releasePaths(_ targets: [ReclaimTargets.Releases], inUse: ReleasesInUse) -> [(path: String, use: String)] {
        targets.flatMap { target in
            (inUse[target.service] ?? [:]).map { name, use in (ResolvedPath.resolve(target.dir + "/" + name), use) }
        }
    }

    /// One path is the other or lies below it.
    static func overlaps(_ a: String, _ b: String) -> Bool {
        ResolvedPath.isInside(a, b) || ResolvedPath.isInside(b, a)
    }

    /// `SERVICE[-COLOR].log.N[.gz]` files, oldest first across every service.
    public func rotatedLogs(in dir: String) -> [ReclaimCandidate] {
        guard let real = realDirectory(dir) else { return [] }
        return DirectoryListing.names(in: real).filter(Self.isRotatedLogName)
            .compactMap { entry(real + "/" + $0, kind: .logs) }
            .filter { !$0.isDirectory }
            .sorted { $0.modified < $1.modified }
    }

    /// The release directories of one service, newest `keep` and those in use marked to stay.
    public func releases(_ target: ReclaimTargets.Releases, inUse: [String: String]) -> [ReclaimCandidate] {
        guard let real = realDirectory(target.dir) else { return [] }
        let listed = DirectoryListing.names(in: real).compactMap { entry(real + "/" + $0, kind: .releases) }
            .filter(\.isDirectory)
            .sorted { $0.modified > $1.modified }
        return listed.enumerated().map { index, candidate in
            var candidate = candidate
            let name = splitPath(candidate.path).name
            if candidate.keptBecause == nil, let use = inUse[name] {
                candidate.keptBecause = .releaseInUse(use)
            } else if candidate.keptBecause == nil, index < target.keep {
                candidate.keptBecause = .withinKeep(target.keep)
            }
            return candidate
        }
    }

    /// Matches of one glob, oldest first; those modified within `olderThan` marked to stay.
    public func matches(_ target: ReclaimTargets.Glob) -> [ReclaimCandidate] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(target.pattern, GLOB_NOSORT, nil, &result) == 0 else { return [] }
        let limit = now - Int64(target.olderThan.components.seconds) * 1_000_000_000 - target.olderThan.components.attoseconds / 1_000_000_000
        var found: [ReclaimCandidate] = []
        // Most matches share a few parent directories: resolve each once, not once per match.
        var realParents: [String: String?] = [:]
        for index in 0..<Int(result.gl_pathc) {
            guard let raw = result.gl_pathv[index] else { continue }
            let path = String(cString: raw)
            let (parent, name) = splitPath(path)
            let realParent = realParents[parent] ?? {
                let real = realDirectory(parent)
                realParents[parent] = real
                return real
            }()
            guard let realParent, var candidate = entry(realParent + "/" + name, kind: .glob) else { continue }
            if candidate.keptBecause == nil, candidate.modified > limit { candidate.keptBecause = .tooNew }
            found.append(candidate)
        }
        return found.sorted { $0.modified < $1.modified }
    }

    static func isRotatedLogName(_ name: String) -> Bool {
        guard let range = name.range(of: ".log.") else { return false }
        let service = name[..<range.lowerBound]
        var number = name[range.upperBound...]
        if number.hasSuffix(".gz") { number = number.dropLast(3) }
        return !service.isEmpty && service.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }
            && !number.isEmpty && number.allSatisfy(\.isNumber)
    }

    /// `dir` with symlinks resolved, when it is `root` or inside it.
    func realDirectory(_ dir: String) -> String? {
        guard let resolved = realpath(dir, nil) else { return nil }
        defer { free(resolved) }
        let real = String(cString: resolved)
        return ResolvedPath.isInside(real, root) ? real : nil
    }

    /// One entry, measured; nil for a symlink, a special file or the root itself.
    func entry(_ path: String, kind: ReclaimKind) -> ReclaimCandidate? {
        guard path != root, let info = DirectoryListing.lstat(path) else { return nil }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG || type == S_IFDIR else { return nil }
        var candidate = ReclaimCandidate(
            path: path, kind: kind, bytes: DirectoryListing.freedBytes(info), inodes: 1, identity: FileIdentity(info),
            modified: DirectoryListing.nanoseconds(info.st_mtim), isDirectory: type == S_IFDIR
        )
        if UInt64(info.st_dev) != device {
            candidate.keptBecause = .otherFilesystem
        } else if candidate.isDirectory {
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            let usage = DirectoryTree.usage(of: fd, device: device, openForWriting: openForWriting)
            candidate.bytes += usage.bytes
            candidate.inodes += usage.inodes
            if usage.crossesDevice {
                candidate.keptBecause = .otherFilesystem
            } else if usage.holdsOpenFile {
                candidate.keptBecause = .openForWriting
            }
        }
        return candidate
    }
}

/// `path` split at its last `/`: the parent directory and the name in it.
func splitPath(_ path: String) -> (parent: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    return (slash == path.startIndex ? "/" : String(path[..<slash]), String(path[path.index(after: slash)...]))
}
