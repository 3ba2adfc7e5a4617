import Foundation
import VigilManifest

/// One deployable version of a service: the manifest's spec plus what `vigil deploy` added
/// (`--version`, `--release`, `--env`), named by a content hash.
///
/// The id is `r-` and the first 8 hex digits of SHA-256 over a canonical JSON encoding (sorted
/// keys) of all four, so the same inputs always give the same id, on any host and after any
/// restart: `vigil deploy api --version v2` twice names the same revision, and `vigil restart`
/// rolls out the revision already running.
///
/// ```swift
/// let revision = try Revision(spec: loaded.spec, request: .init(version: "v2", env: ["LOG": "debug"]))
/// revision.id            // "r-3f2a9c1b"
/// revision.effectiveSpec // env has LOG, VERSION=v2, REVISION=r-3f2a9c1b
/// ```
public struct Revision: Sendable, Equatable {
    public let id: String
    /// The spec as the manifest had it when this revision was made.
    public let spec: ServiceSpec
    public let request: RevisionRequest

    public var service: String { spec.name }
    public var version: String? { request.version }

    /// - Throws: ``RevisionError`` for a bad `--env` name or a `--release` the spec cannot take.
    public init(spec: ServiceSpec, request: RevisionRequest = .init()) throws(RevisionError) {
        for name in request.env.keys { try RevisionRequest.checkName(name) }
        if let release = request.release {
            guard spec.releases != nil else {
                throw RevisionError("--release \(release): service \(spec.name) has no releases section; add `releases: {dir: ...}` to its manifest or drop --release")
            }
            guard !release.isEmpty, release != ".", release != "..", !release.contains("/") else {
                throw RevisionError("--release '\(release)' must name one directory under releases.dir (no '/', not '.' or '..')")
            }
        }
        self.spec = spec
        self.request = request
        self.id = Self.id(spec: spec, request: request)
    }

    /// A revision read back from `vigil.db`: its recorded id stands even if a later Vigil would
    /// hash the same inputs differently.
    init(recordedID id: String, spec: ServiceSpec, request: RevisionRequest) {
        self.id = id
        self.spec = spec
        self.request = request
    }

    /// The id of `spec` + `request`, without validating them.
    static func id(spec: ServiceSpec, request: RevisionRequest) -> String {
        "r-" + SHA256.hex(Array(canonicalJSON(spec: spec, request: request).utf8)).prefix(8)
    }

    /// The bytes that are hashed: a format tag, the spec and the request, keys sorted.
    static func canonicalJSON(spec: ServiceSpec, request: RevisionRequest) -> String {
        struct Content: Encodable {
            let format = "vigil-revision/1"
            let spec: ServiceSpec
            let version: String?
            let release: String?
            let env: [String: String]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let content = Content(spec: spec, version: request.version, release: request.release, env: request.env)
        // Every field is a plain value; encoding cannot fail.
        return String(decoding: (try? encoder.encode(content)) ?? Data(), as: UTF8.self)
    }

    /// `releases.dir/NAME` for `--release NAME`, nil without one.
    public var releaseDir: String? {
        guard let release = request.release, let releases = spec.releases else { return nil }
        return (releases.dir as NSString).appendingPathComponent(release)
    }

    /// The spec the colors run: the manifest's env with the `--env` overrides on top, and
    /// `VERSION`, `RELEASE_DIR` and `REVISION` set for `${...}` expansion and the process.
    public var effectiveSpec: ServiceSpec {
        var effective = spec
        effective.env.merge(request.env) { $1 }
        if let version = request.version { effective.env["VERSION"] = version }
        if let releaseDir { effective.env["RELEASE_DIR"] = releaseDir }
        effective.env["REVISION"] = id
        return effective
    }
}
