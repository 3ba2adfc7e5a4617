import Glibc

// vigil-fixture: the test workload. See `Arguments.usage` (or run with --help) for what it does.

let startedAt = monotonicMs()
let args: Arguments
do {
    args = try Arguments.parse(CommandLine.arguments)
} catch {
    if error.isHelpRequest {
        say(Arguments.usage)
        exit(0)
    }
    complain(error.message)
    exit(64)
}

if args.exitImmediately { _exit(args.exitCode) }

if args.spawnGrandchild {
    Grandchild.spawn(pidfile: args.grandchildPidfile, ignoreSigterm: args.ignoreSigterm)
}
Signals.install(ignoreSigterm: args.ignoreSigterm)
if args.logLines > 0 { Background.printLogLines(args.logLines) }
sleepMs(args.startDelayMs)

let server: HTTPServer
do {
    server = try HTTPServer.bind(host: args.host, port: args.port)
} catch {
    complain(error.message)
    exit(2)
}

let faults = Faults(args, startedAt: startedAt)
let routes = Routes(faults: faults, version: args.version, color: Arguments.environment("COLOR") ?? "default", port: server.port)
Background.start(args, startedAt: startedAt, faults: faults)
let shownHost = args.host.contains(":") ? "[\(args.host)]" : args.host
say("vigil-fixture listening on \(shownHost):\(server.port) pid=\(getpid()) version=\(args.version)")
server.run(routes: routes, faults: faults)
