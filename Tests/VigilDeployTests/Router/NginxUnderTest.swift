import Foundation
import VigilManifest
import VigilTestKit
import XCTest

@testable import VigilDeploy

/// A real nginx (the Debian package) on a loopback port, with everything — config, pid, logs,
/// temp paths, the upstream file — inside one temporary directory. It runs in the foreground
/// (`daemon off`) as a child the test stops; the handle kills its process group if not.
final class NginxUnderTest {
    static let binary = "/usr/sbin/nginx"
    let directory: TemporaryDirectory
    let port: UInt16
    let service: String
    private(set) var process: ProcessHandle?

    var configPath: String { directory.appending("nginx.conf") }
    var upstreamPath: String { directory.appending("upstream.conf") }
    var accessLogPath: String { directory.appending("access.log") }
    /// `nginx -p DIR -c DIR/nginx.conf` plus `extra`.
    func command(_ extra: [String]) -> [String] { [Self.binary, "-p", directory.path, "-c", configPath] + extra }

    var spec: NginxSpec {
        NginxSpec(upstreamFile: upstreamPath, reload: command(["-s", "reload"]), test: command(["-t"]), accessLog: accessLogPath)
    }

    /// Writes the config and an upstream file sending everything to `initialPort`, then starts nginx.
    init(service: String = "router-test", initialPort: UInt16) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw XCTSkip("nginx is not installed at \(Self.binary)")
        }
        directory = try TemporaryDirectory(prefix: "vt-nginx")
        port = try freeTCPPort()
        self.service = service
        let dir = directory.path
        let config = """
            daemon off;
            \(geteuid() == 0 ? "user root;" : "")
            worker_processes 1;
            pid \(dir)/nginx.pid;
            error_log \(dir)/error.log;
            events { worker_connections 512; }
            http {
                client_body_temp_path \(dir)/client_temp;
                proxy_temp_path \(dir)/proxy_temp;
                fastcgi_temp_path \(dir)/fastcgi_temp;
                uwsgi_temp_path \(dir)/uwsgi_temp;
                scgi_temp_path \(dir)/scgi_temp;
                log_format vigil '$msec $upstream_addr $status $upstream_response_time';
                include \(dir)/upstream.conf;
                server {
                    listen 127.0.0.1:\(port);
                    access_log \(dir)/access.log vigil;
                    location / {
                        proxy_pass http://vigil-\(service);
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                    }
                }
            }
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let upstream = NginxUpstreamFile(path: upstreamPath, service: service)
        try upstream.write(Data(upstream.render(RoutingTable(weights: [.blue: 100], ports: [.blue: initialPort])).utf8))
        let started = try ProcessHandle(executable: Self.binary, arguments: ["-p", dir, "-c", configPath])
        process = started
        guard poll(timeout: .seconds(20), { SimpleHTTP.get(port: port, path: "/health") != nil || !started.isRunning }), started.isRunning else {
            throw TestKitError("nginx did not start on 127.0.0.1:\(port): \(started.output) \((try? String(contentsOfFile: dir + "/error.log", encoding: .utf8)) ?? "")")
        }
        // nginx writes a request's access-log line after the response has gone out, so the line of
        // the /health probe above can land after a router under test began tailing at the end of
        // the file, and be counted as one of the test's requests. Wait until it is there.
        let accessLog = accessLogPath
        guard poll(timeout: .seconds(20), { ((try? FileManager.default.attributesOfItem(atPath: accessLog)[.size] as? Int) ?? 0) > 0 }) else {
            throw TestKitError("nginx answered /health but wrote no access-log line to \(accessLog) within 20 s")
        }
    }

    func stop() {
        if let process {
            process.terminate(signal: SIGQUIT)
            if process.waitForExit(timeout: .seconds(10)) == nil { process.terminate(signal: SIGKILL, group: true) }
        }
        process = nil
        directory.remove()
    }
}
