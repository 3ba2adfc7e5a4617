import Yams

/// `reclaim` of the supervisor config: watched filesystems and what may be deleted on them.
///
/// Every path is resolved once here (symlinks in the existing part followed, see
/// ``ResolvedPath``), so the reclaim pass compares real paths and a symlink added later cannot
/// move a watched path. A glob must stay strictly inside the path of its own `disk` entry: it
/// may not match `/`, the watched path itself, or anything outside it.
extension SupervisorDecoder {
    func decodeReclaim(_ section: MappingReader) -> ReclaimConfig {
        var config = ReclaimConfig()
        if let interval = section.read("interval", NodeReader.positiveDuration) { config.interval = interval }
        if let node = section["disk"], let items = reader.list(node, section.path("disk"), example: "[{path: /var/lib/vigil, highWatermark: 90%, lowWatermark: 80%}]") {
            for (index, item) in items.enumerated() {
                guard let disk = decodeDisk(item, "\(section.path("disk"))[\(index)]") else { continue }
                if config.disk.contains(where: { $0.path == disk.path }) {
                    reader.error(item, "'\(section.path("disk"))[\(index)]' watches \(disk.path) a second time; merge the two entries into one")
                    continue
                }
                config.disk.append(disk)
            }
        }
        if let memory = section.mapping("memory", keys: ["hostHighWatermark"]),
           let node = memory.requireKey("hostHighWatermark", example: "90%"),
           let ratio = reader.ratio(node, memory.path("hostHighWatermark")) {
            if ratio.value <= 0 {
                reader.error(node, "'\(memory.path("hostHighWatermark"))' must be above 0%: at 0% a service would be replaced every 30 s; e.g. hostHighWatermark: 90%")
            } else {
                config.memory = MemoryReclaimConfig(hostHighWatermark: ratio)
            }
        }
        return config
    }

    /// One watched filesystem. `clean` defaults to `[logs, releases]`: the files Vigil owns.
    private func decodeDisk(_ node: Node, _ field: String) -> DiskReclaimConfig? {
        guard let disk = reader.mapping(node, field, keys: ["path", "highWatermark", "lowWatermark", "clean"]) else { return nil }
        let path = disk.requireKey("path", example: "/var/lib/vigil").flatMap { reader.nonEmptyString($0, disk.path("path")) }
            .map { ResolvedPath.resolve(reader.absolutePath($0)) }
        let high = disk.requireKey("highWatermark", example: "90%").flatMap { reader.ratio($0, disk.path("highWatermark")) }
        let low = disk.requireKey("lowWatermark", example: "80%").flatMap { reader.ratio($0, disk.path("lowWatermark")) }
        if let high, let low, low >= high {
            reader.diagnostics.error(disk.location(of: "lowWatermark"), "'\(disk.path("lowWatermark"))' must be below '\(disk.path("highWatermark"))': reclaim starts above high and stops below low; e.g. highWatermark: 90%, lowWatermark: 80%")
        }
        if let high, high.value <= 0, let node = disk["highWatermark"] {
            reader.error(node, "'\(disk.path("highWatermark"))' must be above 0%: at 0% every pass would delete all it may; e.g. highWatermark: 90%")
        }
        var clean: [DiskReclaimConfig.Target] = [.logs, .releases]
        if let node = disk["clean"], let items = reader.list(node, disk.path("clean"), example: "[logs, releases, {glob: \"/var/tmp/app-*\", olderThan: 1h}]") {
            let targets = items.enumerated().map { index, item in decodeCleanTarget(item, "\(disk.path("clean"))[\(index)]", watched: path) }
            clean = targets.compactMap { $0 }
        }
        guard let path, let high, let low else { return nil }
        return DiskReclaimConfig(path: path, highWatermark: high, lowWatermark: low, clean: clean)
    }

    private func decodeCleanTarget(_ node: Node, _ field: String, watched: String?) -> DiskReclaimConfig.Target? {
        if case .scalar = node {
            guard let word = reader.string(node, field) else { return nil }
            switch word {
            case "logs": return .logs
            case "releases": return .releases
            default:
                reader.error(node, "'\(field)' must be logs, releases or {glob: PATTERN, olderThan: DURATION}, not '\(word)'")
                return nil
            }
        }
        guard let target = reader.mapping(node, field, keys: ["glob", "olderThan"]) else { return nil }
        let globNode = target.requireKey("glob", example: "\"/var/tmp/app-*\"")
        let glob = globNode.flatMap { reader.nonEmptyString($0, target.path("glob")) }
        let olderThan = target.requireKey("olderThan", example: "1h").flatMap { reader.duration($0, target.path("olderThan")) }
        guard let glob, let globNode, let olderThan else { return nil }
        let pattern = ResolvedPath.resolveGlob(reader.absolutePath(glob))
        guard let watched else { return nil }
        if let problem = ResolvedPath.globProblem(pattern, watched: watched) {
            reader.error(globNode, "'\(target.path("glob"))' \(problem); write a pattern for files strictly under \(watched), e.g. \"\(watched == "/" ? "" : watched)/tmp/app-*\"")
            return nil
        }
        return .glob(pattern: pattern, olderThan: olderThan)
    }
}
