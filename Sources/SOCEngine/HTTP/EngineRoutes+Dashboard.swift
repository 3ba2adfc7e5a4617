import Hummingbird

extension EngineRoutes {
    /// `GET /dashboard/{file}`: the dashboard's scripts, styles and icon (see ``Dashboard``).
    /// The page itself is `GET /` with `Accept: text/html`.
    static func addDashboard(to router: Router<EngineRequestContext>) {
        router.get("/dashboard/:file") { request, context in
            let name = context.parameters.get("file") ?? ""
            return Dashboard.response(name, request: request)
                ?? JSONResponse.error(.notFound, "dashboard file '\(name)' not found; open the dashboard at /")
        }
    }

    /// `GET /`: the dashboard for a browser, the service description for an API client.
    static func addRoot(to router: Router<EngineRequestContext>) {
        router.get("/") { request, _ in
            if RootRepresentation(accept: request.headers[.accept]) == .html, let page = Dashboard.response(Dashboard.page, request: request) {
                return page
            }
            var response = try JSONResponse.encode(.ok, [
                "service": JSONValue.string("vigil SOC threat analysis engine"), "version": .string(version),
                "status": .string("running"), "endpoints": .array(endpoints.map { .string($0) }),
            ])
            response.headers[.vary] = "Accept"
            return response
        }
    }
}
