import Glibc

/// Maps each request to its answer: the service endpoints (`/`, `/health`, `/ready`) with the
/// current faults applied, and the `/admin/...` endpoints that change those faults.
struct Routes: Sendable {
    let faults: Faults
    /// The body of `GET /`; everything in it is fixed for the life of the process.
    let identity: String

    init(faults: Faults, version: String, color: String, port: UInt16) {
        self.faults = faults
        identity = #"{"service":"vigil-fixture","version":"\#(jsonEscaped(version))","color":"\#(jsonEscaped(color))","pid":\#(getpid()),"port":\#(port)}"#
    }

    func respond(to request: Request) -> Response {
        let isAdmin = request.path.hasPrefix("/admin/")
        let allowed = isAdmin ? ["GET", "POST"] : ["GET", "HEAD"]
        switch request.path {
        case "/", "/health", "/ready", "/admin/health", "/admin/ready", "/admin/latency", "/admin/errors",
             "/admin/crash", "/admin/hang", "/admin/memory", "/admin/inflight":
            guard allowed.contains(request.method) else {
                return Response(status: 405, json: #"{"error":"use \#(allowed.joined(separator: " or ")) for \#(request.path)"}"#)
            }
        default:
            return Response(status: 404, json: #"{"error":"no such endpoint; see vigil-fixture --help"}"#)
        }
        switch request.path {
        case "/":
            return faults.answeringRootRequest {
                let (delayMs, fail) = faults.nextRootRequest()
                sleepMs(delayMs)
                return fail ? Response(status: 500, json: #"{"error":"injected error (--error-rate)"}"#) : Response(status: 200, json: identity)
            }
        case "/health":
            return faults.isHealthy ? Response(status: 200, json: #"{"status":"ok"}"#) : Response(status: 500, json: #"{"status":"failing"}"#)
        case "/ready":
            return faults.isReady ? Response(status: 200, json: #"{"status":"ready"}"#) : Response(status: 503, json: #"{"status":"not ready"}"#)
        default:
            return admin(request)
        }
    }

    private func admin(_ request: Request) -> Response {
        let query = request.query
        switch request.path {
        case "/admin/health":
            guard let fail = flag(query["fail"]) else { return .badRequest("expected ?fail=1 or ?fail=0") }
            faults.setHealth(failing: fail)
            return Response(status: 200, json: #"{"health":"\#(fail ? "failing" : "ok")"}"#)
        case "/admin/ready":
            guard let ready = flag(query["ready"]) else { return .badRequest("expected ?ready=1 or ?ready=0") }
            faults.setReady(ready)
            return Response(status: 200, json: #"{"ready":\#(ready)}"#)
        case "/admin/latency":
            guard let ms = query["ms"].flatMap({ Int($0) }), ms >= 0 else { return .badRequest("expected ?ms=N with N >= 0") }
            faults.setLatency(ms: ms)
            return Response(status: 200, json: #"{"latencyMs":\#(ms)}"#)
        case "/admin/errors":
            guard let rate = query["rate"].flatMap({ Double($0) }), (0...1).contains(rate) else {
                return .badRequest("expected ?rate=R with R a fraction 0-1")
            }
            faults.setErrorRate(rate)
            return Response(status: 200, json: #"{"errorRate":\#(rate)}"#)
        case "/admin/crash":
            guard let code = Int32(query["code"] ?? "1"), (0...255).contains(code) else { return .badRequest("expected ?code=N with N 0-255") }
            var response = Response(status: 200, json: #"{"exiting":\#(code)}"#, close: true)
            response.afterSend = {
                say("exiting with code \(code) (/admin/crash)")
                _exit(code)
            }
            return response
        case "/admin/hang":
            guard let ms = query["ms"].flatMap({ Int($0) }), ms >= 0 else { return .badRequest("expected ?ms=N with N >= 0") }
            faults.hang(ms: ms)
            return Response(status: 200, json: #"{"hangMs":\#(ms)}"#)
        case "/admin/inflight":
            return Response(status: 200, json: #"{"inFlight":\#(faults.rootRequestsInFlight)}"#)
        case "/admin/memory":
            guard let bytes = query["bytes"].flatMap({ Int($0) }), bytes >= 0 else { return .badRequest("expected ?bytes=N with N >= 0") }
            let total = faults.allocate(bytes: bytes)
            return Response(status: 200, json: #"{"ballastBytes":\#(total)}"#)
        default:
            return Response(status: 404, json: #"{"error":"no such endpoint; see vigil-fixture --help"}"#)
        }
    }

    /// `1`/`true` or `0`/`false`.
    private func flag(_ value: String?) -> Bool? {
        switch value {
        case "1", "true": true
        case "0", "false": false
        default: nil
        }
    }
}
