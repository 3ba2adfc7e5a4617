import Glibc

/// The faults that run on their own clock rather than per request: planned crashes, memory
/// growth and periodic log lines. Each runs on a small thread of its own.
enum Background {
    static func start(_ args: Arguments, startedAt: Int, faults: Faults) {
        if let crashAfter = args.crashAfterMs {
            startThread {
                sleepMs(startedAt + crashAfter - monotonicMs())
                if let signal = args.crashSignal { Signals.die(by: signal) }
                say("exiting with code \(args.exitCode) (--crash-after)")
                _exit(args.exitCode)
            }
        }
        if args.growMemoryBytesPerSecond > 0 {
            startThread {
                while true {
                    sleepMs(1000)
                    faults.allocate(bytes: args.growMemoryBytesPerSecond)
                }
            }
        }
        if let interval = args.logEveryMs {
            startThread {
                var tick = 0
                while true {
                    sleepMs(max(interval, 1))
                    tick += 1
                    say("vigil-fixture tick \(tick) pid=\(getpid()) version=\(args.version)")
                }
            }
        }
    }

    /// `--log-lines N`: N numbered lines of 100 bytes each (newline included), written in
    /// 64 KiB chunks so even a million lines take well under a second.
    static func printLogLines(_ count: Int) {
        guard count > 0 else { return }
        var chunk = ""
        for number in 1...count {
            let prefix = "vigil-fixture log line \(number) "
            chunk += prefix + String(repeating: "x", count: max(0, 99 - prefix.utf8.count)) + "\n"
            if chunk.utf8.count >= 64 * 1024 || number == count {
                chunk.removeLast()
                say(chunk)
                chunk = ""
            }
        }
    }
}
