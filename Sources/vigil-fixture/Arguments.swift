import Glibc

/// Everything the fixture can be told on its command line, with the defaults it runs with.
///
/// Parsed by hand (no packages, so hundreds of copies start in milliseconds). Durations are
/// `500ms`, `2s`, `1m`, `1h`; sizes are `512Ki`, `10Mi`, `1Gi` or plain bytes.
struct Arguments {
    var host = "127.0.0.1"
    var port: UInt16 = 8080
    var version = "dev"
    var startDelayMs = 0
    var crashAfterMs: Int?
    var exitCode: Int32 = 1
    var crashSignal: Int32?
    var exitImmediately = false
    var failHealth = false
    var failHealthAfterMs: Int?
    var notReady = false
    var readyAfterMs: Int?
    var latencyMs = 0
    var errorRate = 0.0
    var growMemoryBytesPerSecond = 0
    var ignoreSigterm = false
    var spawnGrandchild = false
    var grandchildPidfile: String?
    var logLines = 0
    var logEveryMs: Int?

    /// The text `--help` prints: every flag, every endpoint, the exit codes.
    static let usage = """
        vigil-fixture: a small HTTP/1.1 test workload for Vigil, with faults switched by flags and admin endpoints.

        Usage: vigil-fixture [options]

        Options:
          --port N                 port to listen on (default: env PORT, else 8080)
          --host H                 address to bind (default 127.0.0.1)
          --version LABEL          version reported by GET / (default: env VERSION, else "dev")
          --start-delay DUR        sleep this long before listening (e.g. 500ms, 2s, 1m)
          --crash-after DUR        exit with --exit-code after this long
          --exit-code N            exit code for --crash-after and --exit-immediately (default 1)
          --crash-signal SIG       with --crash-after: raise this signal instead (SEGV, KILL, ABRT, ...)
          --exit-immediately       exit at once with --exit-code (crash-loop tests)
          --fail-health            GET /health answers 500
          --fail-health-after DUR  GET /health answers 500 from this long after start
          --not-ready              GET /ready answers 503
          --ready-after DUR        GET /ready answers 503 until this long after start
          --latency DUR            delay every GET /
          --error-rate R           fraction 0-1 of GET / answered 500, evenly spread (0.2: exactly 20 of 100)
          --grow-memory SIZE       allocate and touch SIZE every second (e.g. 10Mi)
          --ignore-sigterm         ignore SIGTERM (SIGKILL still works)
          --spawn-grandchild       fork a child in the same process group that sleeps forever
          --grandchild-pidfile P   write the grandchild's pid to P
          --log-lines N            print N lines of about 100 bytes at start
          --log-every DUR          print one line every DUR
          --help                   show this text

        Environment: PORT, VERSION (defaults above), FIXTURE_ARGS (more options, space-separated,
        read after the command line's: lets each deployed revision set its own faults).

        Endpoints:
          GET /health              200 {"status":"ok"}, 500 when failing
          GET /ready               200 when ready, else 503
          GET /                    200 {"service","version","color" (env COLOR),"pid","port"}; latency and error rate apply
          /admin/health?fail=1|0   make /health fail or pass (GET or POST, as all admin endpoints)
          /admin/ready?ready=1|0   make /ready pass or fail
          /admin/latency?ms=N      delay GET / by N ms
          /admin/errors?rate=R     answer this fraction of GET / with 500
          /admin/crash?code=N      answer, then exit with code N
          /admin/hang?ms=N         answer, then stop answering anything for N ms
          /admin/memory?bytes=N    allocate and touch N more bytes now
          /admin/inflight          {"inFlight":N}: GET / requests received and not yet answered

        Exit codes: 0 after SIGTERM, 2 when the address cannot be bound, 64 for a bad command line,
        --exit-code for planned crashes.
        """

    /// Reads the command line and the environment (`PORT`, `VERSION`).
    ///
    /// Throws a ``UsageError`` whose message names the flag and what it expects.
    static func parse(_ argv: [String], environment: (String) -> String? = Arguments.environment) throws(UsageError) -> Arguments {
        var args = Arguments()
        if let port = environment("PORT") {
            guard let value = UInt16(port) else { throw UsageError("env PORT=\(port) is not a port number (1-65535)") }
            args.port = value
        }
        if let version = environment("VERSION"), !version.isEmpty { args.version = version }

        // Flags from the environment come after the command line's, so a deployed revision
        // (`vigil deploy --env FIXTURE_ARGS="--error-rate 0.2"`) can change faults the manifest's argv cannot.
        let fromEnvironment = (environment("FIXTURE_ARGS") ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var rest = (argv.dropFirst() + fromEnvironment)[...]
        func value(_ flag: String) throws(UsageError) -> String {
            guard let next = rest.popFirst() else { throw UsageError("\(flag) needs a value") }
            return next
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--help", "-h": throw UsageError.help
            case "--port":
                let text = try value(flag)
                guard let port = UInt16(text) else { throw UsageError("--port \(text): expected a port number (0-65535)") }
                args.port = port
            case "--host": args.host = try value(flag)
            case "--version": args.version = try value(flag)
            case "--start-delay": args.startDelayMs = try duration(flag, value(flag))
            case "--crash-after": args.crashAfterMs = try duration(flag, value(flag))
            case "--exit-code":
                let text = try value(flag)
                guard let code = Int32(text), (0...255).contains(code) else { throw UsageError("--exit-code \(text): expected 0-255") }
                args.exitCode = code
            case "--crash-signal": args.crashSignal = try signalNumber(value(flag))
            case "--exit-immediately": args.exitImmediately = true
            case "--fail-health": args.failHealth = true
            case "--fail-health-after": args.failHealthAfterMs = try duration(flag, value(flag))
            case "--not-ready": args.notReady = true
            case "--ready-after": args.readyAfterMs = try duration(flag, value(flag))
            case "--latency": args.latencyMs = try duration(flag, value(flag))
            case "--error-rate":
                let text = try value(flag)
                guard let rate = Double(text), (0...1).contains(rate) else { throw UsageError("--error-rate \(text): expected a fraction 0-1 such as 0.2") }
                args.errorRate = rate
            case "--grow-memory": args.growMemoryBytesPerSecond = try size(flag, value(flag))
            case "--ignore-sigterm": args.ignoreSigterm = true
            case "--spawn-grandchild": args.spawnGrandchild = true
            case "--grandchild-pidfile": args.grandchildPidfile = try value(flag)
            case "--log-lines":
                let text = try value(flag)
                guard let count = Int(text), count >= 0 else { throw UsageError("--log-lines \(text): expected a count >= 0") }
                args.logLines = count
            case "--log-every": args.logEveryMs = try duration(flag, value(flag))
            default: throw UsageError("unknown option '\(flag)'; see --help")
            }
        }
        if args.crashSignal != nil && args.crashAfterMs == nil {
            throw UsageError("--crash-signal needs --crash-after DUR to say when to raise it")
        }
        if args.grandchildPidfile != nil && !args.spawnGrandchild {
            throw UsageError("--grandchild-pidfile needs --spawn-grandchild")
        }
        return args
    }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// `500ms`, `2s`, `1m`, `1h` (or a bare number of seconds) as milliseconds.
    static func duration(_ flag: String, _ text: String) throws(UsageError) -> Int {
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)), number >= 0 { return Int(number * scale) }
        }
        if let seconds = Double(text), seconds >= 0 { return Int(seconds * 1000) }
        throw UsageError("\(flag) \(text): expected a duration such as 500ms, 2s or 1m")
    }

    /// `512Ki`, `10Mi`, `1Gi` or plain bytes.
    static func size(_ flag: String, _ text: String) throws(UsageError) -> Int {
        let units: [(String, Int)] = [("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Int(text.dropLast(suffix.count)), number >= 0 { return number * scale }
        }
        if let bytes = Int(text), bytes >= 0 { return bytes }
        throw UsageError("\(flag) \(text): expected a size such as 512Ki, 10Mi or plain bytes")
    }

    /// `SEGV`, `SIGSEGV` or a number.
    static func signalNumber(_ text: String) throws(UsageError) -> Int32 {
        let names: [String: Int32] = [
            "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "ILL": SIGILL, "ABRT": SIGABRT, "BUS": SIGBUS,
            "FPE": SIGFPE, "KILL": SIGKILL, "USR1": SIGUSR1, "SEGV": SIGSEGV, "USR2": SIGUSR2,
            "PIPE": SIGPIPE, "ALRM": SIGALRM, "TERM": SIGTERM,
        ]
        let upper = text.uppercased()
        let bare = upper.hasPrefix("SIG") ? String(upper.dropFirst(3)) : upper
        if let number = names[bare] ?? Int32(text), number > 0, number < 65 { return number }
        throw UsageError("--crash-signal \(text): expected a signal name such as SEGV, KILL or ABRT")
    }
}

/// A bad command line: the message says which flag and what it expects.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
    /// `--help` was asked for: print the usage and exit 0.
    static let help = UsageError("")
    var isHelpRequest: Bool { message.isEmpty }
}
