import VigilManifest

/// What an operator asks for on top of the manifest: `vigil deploy --version --release --env`.
///
/// JSON body of `POST /v1/services/{name}/deploy`: `{"version": "v2" | null, "release":
/// "2026-11-21" | null, "env": ["K=V", ...]}`; `env` entries are checked by ``parseEnv(_:)``.
public struct RevisionRequest: Sendable, Equatable, Codable {
    /// `--version`: exported as `${VERSION}`.
    public var version: String?
    /// `--release`: a directory under the spec's `releases.dir`, exported as `${RELEASE_DIR}`.
    public var release: String?
    /// `--env K=V` overrides of the manifest's `env`.
    public var env: [String: String]

    public init(version: String? = nil, release: String? = nil, env: [String: String] = [:]) {
        self.version = version
        self.release = release
        self.env = env
    }

    /// Variables Vigil sets itself; an override would be ignored or would break routing.
    static let reservedNames: [String: String] = [
        "PORT": "Vigil sets it per color from deploy.ports",
        "COLOR": "Vigil sets it per color",
        "SERVICE": "it is the service name",
        "STATE_DIR": "Vigil sets it from the supervisor config",
        "VIGIL_BIN": "Vigil sets it to its own binary",
        "REVISION": "it is the revision id Vigil computes",
        "VERSION": "use --version instead",
        "RELEASE_DIR": "use --release instead",
    ]

    /// Parses `--env` arguments (`K=V`; the value may be empty or contain `=`).
    ///
    /// - Throws: ``RevisionError`` naming the bad argument and the expected shape.
    public static func parseEnv(_ arguments: [String]) throws(RevisionError) -> [String: String] {
        var env: [String: String] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw RevisionError("--env '\(argument)' has no '='; write it as NAME=VALUE, e.g. --env LOG_LEVEL=debug")
            }
            let name = String(argument[..<equals])
            try checkName(name)
            env[name] = String(argument[argument.index(after: equals)...])
        }
        return env
    }

    /// Checks that every `--env` name is one the manifest lets a deploy set
    /// (`deploy.overridableEnv`) and none that changes how programs load or run
    /// (``ProtectedEnvironment``), which no manifest may allow.
    ///
    /// - Throws: ``RevisionError`` naming the variable and what is allowed.
    public func checkOverridable(by spec: ServiceSpec) throws(RevisionError) {
        let allowed = spec.deploy?.overridableEnv ?? []
        for name in env.keys.sorted() {
            if ProtectedEnvironment.contains(name) {
                throw RevisionError("--env \(name) is refused: it changes how programs are loaded or run, so no deploy may set it; set it in the manifest's env if \(spec.name) needs it")
            }
            guard allowed.contains(name) else {
                let listed = allowed.isEmpty ? "it lists none" : "it lists \(allowed.joined(separator: ", "))"
                throw RevisionError("--env \(name) is not in deploy.overridableEnv of \(spec.name) (\(listed)); add it there to let deploys set it")
            }
        }
    }

    static func checkName(_ name: String) throws(RevisionError) {
        let isWordCharacter: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        let valid = name.allSatisfy(isWordCharacter) && name.first.map { !$0.isNumber } == true
        guard valid else {
            throw RevisionError("--env name '\(name)' is not a variable name; use letters, digits and '_', not starting with a digit")
        }
        if let why = reservedNames[name] {
            throw RevisionError("--env \(name) cannot be overridden: \(why)")
        }
    }
}

/// A deploy request that cannot become a revision, worded for the operator.
public struct RevisionError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
