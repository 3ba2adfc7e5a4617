/// The small sections of a service: `releases`, `restart`, `stop`, `resources` and `logs`.
extension ServiceDecoder {
    static let restartKeys = ["policy", "backoff", "resetAfter", "crashLoop"]

    func decodeReleases(_ root: MappingReader) -> ReleasesSpec? {
        guard let section = root.mapping("releases", keys: ["dir", "keep"]) else { return nil }
        let dir = section.requireKey("dir", example: "/opt/app/releases")
            .flatMap { reader.nonEmptyString($0, section.path("dir")) }
            .map(reader.absolutePath)
        let keep = section["keep"].flatMap { reader.int($0, section.path("keep"), atLeast: 1) } ?? ReleasesSpec(dir: "").keep
        return dir.map { ReleasesSpec(dir: $0, keep: keep) }
    }

    func decodeRestart(_ section: MappingReader) -> RestartSpec {
        var spec = RestartSpec()
        if let policy = section["policy"].flatMap({ reader.choice($0, section.path("policy"), RestartPolicy.self, allowed: RestartPolicy.allCases) }) {
            spec.policy = policy
        }
        if let backoff = section.mapping("backoff", keys: ["initial", "max", "multiplier", "jitter"]) {
            spec.backoff = decodeBackoff(backoff)
        }
        if let resetAfter = section.read("resetAfter", NodeReader.positiveDuration) { spec.resetAfter = resetAfter }
        if let crashLoop = section.mapping("crashLoop", keys: ["restarts", "within"]) {
            if let restarts = crashLoop["restarts"].flatMap({ reader.int($0, crashLoop.path("restarts"), atLeast: 1) }) {
                spec.crashLoop.restarts = restarts
            }
            if let within = crashLoop.read("within", NodeReader.positiveDuration) { spec.crashLoop.within = within }
        }
        return spec
    }

    private func decodeBackoff(_ section: MappingReader) -> BackoffSpec {
        var spec = BackoffSpec()
        // 0s is allowed, as systemd's RestartSec=0: restart at once until a crash loop is detected,
        // then every `max`.
        if let initial = section.read("initial", NodeReader.duration) { spec.initial = initial }
        if let max = section.read("max", NodeReader.positiveDuration) { spec.max = max }
        if spec.initial > spec.max {
            let place = section.has("initial") ? section.location(of: "initial") : section.location(of: "max")
            reader.diagnostics.error(place, "\(section.path("initial")) (\(DurationFormat.format(spec.initial))) must not be longer than \(section.path("max")) (\(DurationFormat.format(spec.max))); shorten initial or raise max")
        }
        if let node = section["multiplier"], let multiplier = reader.double(node, section.path("multiplier")) {
            if multiplier < 1 {
                reader.error(node, "'\(section.path("multiplier"))' must be at least 1 (1 keeps the delay constant, 2 doubles it), not \(multiplier)")
            }
            spec.multiplier = multiplier
        }
        if let node = section["jitter"], let jitter = reader.ratio(node, section.path("jitter")) {
            if jitter.value >= 1 {
                reader.error(node, "'\(section.path("jitter"))' must be less than 1 (100%); a jitter of 10% spreads each delay by ±10%")
            }
            spec.jitter = jitter
        }
        return spec
    }

    func decodeStop(_ section: MappingReader) -> StopSpec {
        var spec = StopSpec()
        if let signal = section.read("signal", NodeReader.signal) { spec.signal = signal }
        if let timeout = section.read("timeout", NodeReader.duration) { spec.timeout = timeout }
        return spec
    }

    func decodeResources(_ root: MappingReader) -> ResourcesSpec {
        guard let section = root.mapping("resources", keys: ["memory"]),
              let memory = section.mapping("memory", keys: ["high", "max"]) else { return ResourcesSpec() }
        let spec = ResourcesSpec(memoryHigh: memory.read("high", NodeReader.size), memoryMax: memory.read("max", NodeReader.size))
        if let high = spec.memoryHigh, let max = spec.memoryMax, high > max {
            reader.diagnostics.error(memory.location(of: "high"), "'\(memory.path("high"))' (\(high)) must not be above '\(memory.path("max"))' (\(max)): high triggers a graceful restart before max kills; lower high or raise max")
        }
        return spec
    }

    func decodeLogs(_ section: MappingReader) -> LogSpec {
        var spec = LogSpec()
        if let node = section["maxSize"], let size = reader.size(node, section.path("maxSize")) {
            if size.bytes < 1024 {
                reader.error(node, "'\(section.path("maxSize"))' must be at least 1Ki, not \(size); e.g. maxSize: 10Mi")
            }
            spec.maxSize = size
        }
        if let keep = section["keep"].flatMap({ reader.int($0, section.path("keep"), atLeast: 0) }) { spec.keep = keep }
        if let compress = section.read("compress", NodeReader.bool) { spec.compress = compress }
        spec.rateLimit = section.mapping("rateLimit", keys: ["lines", "bytes", "per"]).flatMap(decodeLogRateLimit)
        return spec
    }

    /// `{lines: N, per: DURATION}` or `{bytes: SIZE, per: DURATION}`; `per` defaults to 30s.
    private func decodeLogRateLimit(_ section: MappingReader) -> LogRateLimit? {
        let per = section.read("per", NodeReader.positiveDuration) ?? LogRateLimit.defaultWindow
        switch (section["lines"], section["bytes"]) {
        case (let lines?, nil):
            return reader.int(lines, section.path("lines"), atLeast: 1).map { LogRateLimit(amount: .lines($0), per: per) }
        case (nil, let bytes?):
            guard let size = reader.size(bytes, section.path("bytes")) else { return nil }
            guard size.bytes > 0 else {
                reader.error(bytes, "'\(section.path("bytes"))' must be above 0; e.g. bytes: 1Mi")
                return nil
            }
            return LogRateLimit(amount: .bytes(size), per: per)
        case (_?, _?):
            reader.diagnostics.error(section.location(of: "bytes"), "'\(section.field)' takes lines or bytes, not both; e.g. rateLimit: {lines: 10000, per: 30s}")
            return nil
        case (nil, nil):
            reader.diagnostics.error(section.location, "'\(section.field)' needs lines or bytes; e.g. rateLimit: {lines: 10000, per: 30s}")
            return nil
        }
    }
}
