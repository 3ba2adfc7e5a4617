/// Reads `vigil.yaml` and `manifests/*.yaml` into a validated ``LoadedConfiguration``.
public enum ManifestLoader {
    /// Placeholder until the parser lands.
    public static func load(configPath: String?, manifestDirs: [String]?, builtins: [String: String]) throws -> LoadedConfiguration {
        throw ManifestErrors([])
    }
}
