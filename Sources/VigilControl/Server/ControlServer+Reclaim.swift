import Foundation
import Hummingbird
import VigilReclaim

/// `POST /v1/reclaim` (`{"dryRun": bool}`, every key optional): one reclaim pass now, answered
/// with its ``ReclaimReport``; `GET /v1/reclaim`: the watched filesystems and their last reading
/// (``ReclaimWatch``), without scanning, for `vigil status`.
extension ControlServer {
    /// This server with the reclaim routes answered by `reclaimer`.
    public func reclaiming(with reclaimer: DiskReclaimer) -> ControlServer {
        var copy = self
        copy.reclaimer = reclaimer
        return copy
    }

    struct ReclaimBody: Decodable {
        var dryRun: Bool?
    }

    func addReclaimRoutes(to router: Router<ControlRequestContext>) {
        let reclaimer = self.reclaimer
        router.get("/v1/reclaim") { _, _ in
            try jsonResponse(await Self.running(reclaimer).watch())
        }
        router.post("/v1/reclaim") { request, _ in
            let reclaimer = try Self.running(reclaimer)
            let bytes = try await request.body.collect(upTo: 1 << 16)
            var body = ReclaimBody()
            if bytes.readableBytes > 0 {
                do {
                    body = try JSONDecoder().decode(ReclaimBody.self, from: Data(buffer: bytes))
                } catch {
                    throw ControlAPIError(.badRequest, "the reclaim request is not valid JSON", detail: "send {\"dryRun\": true} or {\"dryRun\": false}: \(error)")
                }
            }
            return try jsonResponse(await reclaimer.run(.now(dryRun: body.dryRun ?? false)))
        }
    }

    private static func running(_ reclaimer: DiskReclaimer?) throws -> DiskReclaimer {
        guard let reclaimer else {
            throw ControlAPIError(.serviceUnavailable, "reclaim is not running in this Vigil", detail: "vigil up runs it; this server was built without it")
        }
        return reclaimer
    }
}
