// vigil-router-bench: the builtin router outside XCTest, for Benchmarks/router/run.sh.
//
//     vigil-router-bench --listen 127.0.0.1:18800 --blue 18801 --green 18802 [--threads N] [--tcp] [--no-prewarm]
//
// Starts with all traffic on blue, prints "listening on HOST:PORT", then reads commands from
// stdin, one a line: `blue` or `green` (all traffic there), `split N` (N% to green), `stats`
// (per-color requests, 5xx, connect failures, p99 over the last 5 minutes). EOF shuts it down.
import Foundation
import VigilDeploy
import VigilManifest

func value(_ flag: String) -> String? {
    guard let index = CommandLine.arguments.firstIndex(of: flag), index + 1 < CommandLine.arguments.count else { return nil }
    return CommandLine.arguments[index + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("vigil-router-bench: \(message)\n".utf8))
    exit(64)
}

guard let listenText = value("--listen"), let colon = listenText.lastIndex(of: ":"), let listenPort = UInt16(listenText[listenText.index(after: colon)...]),
      let blue = value("--blue").flatMap(UInt16.init), let green = value("--green").flatMap(UInt16.init) else {
    fail("usage: vigil-router-bench --listen HOST:PORT --blue PORT --green PORT [--threads N] [--tcp] [--no-prewarm]")
}
let ports: [Color: UInt16] = [.blue: blue, .green: green]
let configuration = BuiltinRouter.Configuration(
    service: "bench", listen: HostPort(host: String(listenText[..<colon]), port: listenPort),
    mode: CommandLine.arguments.contains("--tcp") ? .tcp : .http, drainTimeout: .seconds(5),
    threads: value("--threads").flatMap(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount,
    prewarm: !CommandLine.arguments.contains("--no-prewarm")
)
let router = BuiltinRouter(configuration: configuration)

let done = DispatchSemaphore(value: 0)
Task {
    do {
        try await router.start()
        try await router.apply(.all(to: .blue, ports: ports))
    } catch {
        fail("\(error)")
    }
    print("listening on \(listenText) (\(configuration.threads) threads)")
    fflush(stdout)
    while let line = readLine()?.trimmingCharacters(in: .whitespaces) {
        let words = line.split(separator: " ")
        switch words.first {
        case "blue": try? await router.apply(.all(to: .blue, ports: ports))
        case "green": try? await router.apply(.all(to: .green, ports: ports))
        case "split":
            let share = words.dropFirst().first.flatMap { Int($0) } ?? 50
            try? await router.apply(RoutingTable(weights: [.green: share, .blue: 100 - share], ports: ports))
        case "stats":
            for color in Color.allCases {
                let stats = await router.stats(for: color, over: .seconds(300))
                print("\(color.rawValue): requests \(stats.requests) 5xx \(stats.serverErrors) connectFailures \(stats.connectFailures) p99 \(stats.latencyP99.map { "\($0)" } ?? "-")")
            }
        default: print("unknown command '\(line)'")
        }
        print("ok \(line)")
        fflush(stdout)
    }
    await router.shutdown()
    done.signal()
}
done.wait()
