import VigilManifest

/// Builds the router a service's `deploy` section names.
public enum RouterFactory {
    /// - Throws: ``RouterError`` when `router: nginx` has no `nginx` section.
    public static func make(service: String, deploy: DeploySpec) throws -> any TrafficRouter {
        switch deploy.router {
        case .builtin: BuiltinRouter(service: service, deploy: deploy)
        case .nginx: try NginxRouter(service: service, deploy: deploy)
        }
    }
}
