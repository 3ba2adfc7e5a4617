import Foundation
import NIOConcurrencyHelpers
import VigilManifest

/// `router: nginx`: nginx owns the public address; Vigil owns one upstream file
/// (`nginx.upstreamFile`) and switches traffic by rewriting it, checking it with `nginx.test`
/// and reloading with `nginx.reload`.
///
/// A failed test or reload puts the previous file back byte for byte (or removes a file that
/// did not exist) and throws with nginx's own output, so the rollout rolls back and nginx keeps
/// serving what it served. Per-color stats come from tailing `nginx.accessLog` when it is set
/// (in Vigil's `log_format`, docs/SPEC.md); without it, stats stay empty and analysis is
/// inconclusive. After a reload, a color that lost its weight stays in flight while nginx's
/// old workers (which still proxy to it) finish (``NginxRetiringWorkers``).
///
/// ```swift
/// let router = try NginxRouter(service: "web", deploy: spec.deploy!)
/// try await router.start()
/// try await router.apply(.all(to: .green, ports: spec.deploy!.ports))   // writes, tests, reloads
/// ```
public final class NginxRouter: TrafficRouter {
    public let service: String
    public let nginx: NginxSpec
    private let file: NginxUpstreamFile
    private let traffic: [Color: ColorTraffic]
    private let tailer: NginxAccessLogTailer?
    /// Applies run one at a time, off the caller's thread (they wait on nginx).
    private let queue = DispatchQueue(label: "vigil.nginx-router")
    /// What the last successful apply did; written by applies on `queue`, read by drain watches.
    private struct Applied {
        var table: RoutingTable?
        /// Colors whose weight that apply took to 0, and the nginx workers still serving them.
        var retiredColors: Set<Color> = []
        var retiring = NginxRetiringWorkers()
    }
    private let applied = NIOLockedValueBox(Applied())

    public init(service: String, nginx: NginxSpec, ports: [Color: UInt16]) {
        self.service = service
        self.nginx = nginx
        file = NginxUpstreamFile(path: nginx.upstreamFile, service: service)
        var traffic: [Color: ColorTraffic] = [:]
        for color in Color.allCases { traffic[color] = ColorTraffic(service: service, color: color) }
        self.traffic = traffic
        tailer = nginx.accessLog.map { NginxAccessLogTailer(path: $0, ports: ports, traffic: traffic) }
    }

    /// The router a service's `deploy` section describes; throws when it has no `nginx` section.
    public convenience init(service: String, deploy: DeploySpec) throws {
        guard let nginx = deploy.nginx else {
            throw RouterError("service \(service) uses router: nginx but has no deploy.nginx section")
        }
        self.init(service: service, nginx: nginx, ports: deploy.ports)
    }

    /// The name of the upstream block the site must `proxy_pass` to: `vigil-SERVICE`.
    public var upstreamName: String { file.upstreamName }

    public func start() async throws {
        let directory = (nginx.upstreamFile as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RouterError("nginx.upstreamFile \(nginx.upstreamFile): directory \(directory) does not exist")
        }
        tailer?.start()
    }

    public func apply(_ table: RoutingTable) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            queue.async { [self] in
                continuation.resume(with: Result { try applyNow(table) })
            }
        }
        tailer?.update(ports: table.ports)
        for color in Color.allCases { traffic[color]?.setWeight(table.weight(color)) }
    }

    public func stats(for color: Color, over window: Duration) async -> RouterStats {
        traffic[color]?.ring.stats(over: window) ?? RouterStats()
    }

    public func inFlight(_ color: Color) async -> Int {
        let (retired, workers) = applied.withLockedValue { ($0.retiredColors.contains(color), $0.retiring) }
        return retired ? workers.count() : 0
    }

    public func shutdown() async {
        tailer?.stop()
    }

    /// Write, test, reload; on any failure put the old file back and say what nginx said.
    private func applyNow(_ table: RoutingTable) throws {
        let previous = file.read()
        let next = Data(file.render(table).utf8)
        let before = applied.withLockedValue { $0.table }
        if previous == next {
            applied.withLockedValue { $0.table = table }
            return
        }
        try file.write(next)
        var workers = NginxRetiringWorkers()
        workers.snapshotBeforeReload()
        for (step, command) in [("test", nginx.test), ("reload", nginx.reload)] {
            let outcome: NginxCommand.Outcome
            do {
                outcome = try NginxCommand.run(command)
            } catch {
                try? file.restore(previous)
                throw error
            }
            guard outcome.succeeded else {
                let restored = (try? file.restore(previous)) != nil ? "the previous \(nginx.upstreamFile) is back in place" : "restoring \(nginx.upstreamFile) failed too"
                throw RouterError("nginx \(step) failed (`\(command.joined(separator: " "))` exited with \(outcome.code)); \(restored): \(outcome.output)")
            }
        }
        workers.reloaded()
        // A color counts as retired when it had weight before; after a Vigil restart nothing is
        // known of the file's past, so a color at 0 is treated as just retired (harmless: the
        // count is of old workers, which finish quickly when nothing reached them).
        let retired = Set(Color.allCases.filter { table.weight($0) == 0 && (before?.weight($0) ?? 1) > 0 })
        applied.withLockedValue { $0 = Applied(table: table, retiredColors: retired, retiring: workers) }
    }
}
