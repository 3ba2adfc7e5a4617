import VigilManifest
import XCTest

@testable import VigilDeploy

final class RevisionTests: XCTestCase {
    static func spec(env: [String: String] = ["A": "1", "B": "2"], releases: ReleasesSpec? = nil) -> ServiceSpec {
        ServiceSpec(
            name: "api", command: ["/bin/api", "--port", "${PORT}"], env: env, releases: releases,
            deploy: DeploySpec(listen: HostPort(host: "127.0.0.1", port: 8080), ports: [.blue: 18080, .green: 18081])
        )
    }

    func testSHA256MatchesKnownVectors() {
        XCTAssertEqual(SHA256.hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        XCTAssertEqual(SHA256.hex(Array(twoBlocks.utf8)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testSameInputsGiveTheSameIdWhateverTheDictionaryOrder() throws {
        let a = try Revision(spec: Self.spec(env: ["A": "1", "B": "2"]), request: .init(version: "v2", env: ["X": "1", "Y": "2"]))
        let b = try Revision(spec: Self.spec(env: ["B": "2", "A": "1"]), request: .init(version: "v2", env: ["Y": "2", "X": "1"]))
        XCTAssertEqual(a.id, b.id)
        XCTAssertTrue(a.id.hasPrefix("r-"))
        XCTAssertEqual(a.id.count, 10)
    }

    func testEveryInputChangesTheId() throws {
        let base = try Revision(spec: Self.spec(), request: .init(version: "v2")).id
        XCTAssertNotEqual(try Revision(spec: Self.spec(), request: .init(version: "v3")).id, base)
        XCTAssertNotEqual(try Revision(spec: Self.spec(), request: .init(version: "v2", env: ["X": "1"])).id, base)
        XCTAssertNotEqual(try Revision(spec: Self.spec(env: ["A": "9"]), request: .init(version: "v2")).id, base)
        XCTAssertNotEqual(try Revision(spec: Self.spec(), request: .init()).id, base)
    }

    func testCanonicalEncodingIsStableText() {
        let json = Revision.canonicalJSON(spec: Self.spec(), request: .init(version: "v2"))
        XCTAssertTrue(json.hasPrefix("{\"env\":{},\"format\":\"vigil-revision/1\""), json)
        XCTAssertTrue(json.contains("\"ports\":{\"blue\":18080,\"green\":18081}"), "colors are sorted keys: \(json)")
    }

    func testEffectiveSpecLayersOverridesVersionReleaseAndRevision() throws {
        let revision = try Revision(
            spec: Self.spec(releases: ReleasesSpec(dir: "/opt/api/releases")),
            request: .init(version: "v2", release: "2026-11-21", env: ["B": "override", "C": "3"])
        )
        let env = revision.effectiveSpec.env
        XCTAssertEqual(env["A"], "1")
        XCTAssertEqual(env["B"], "override")
        XCTAssertEqual(env["C"], "3")
        XCTAssertEqual(env["VERSION"], "v2")
        XCTAssertEqual(env["RELEASE_DIR"], "/opt/api/releases/2026-11-21")
        XCTAssertEqual(env["REVISION"], revision.id)
        XCTAssertEqual(revision.spec.env, ["A": "1", "B": "2"], "the base spec is kept as the manifest had it")
    }

    func testReleaseNeedsAReleasesSectionAndASingleDirectoryName() {
        XCTAssertThrowsError(try Revision(spec: Self.spec(), request: .init(release: "r1"))) { error in
            XCTAssertTrue("\(error)".contains("has no releases section"), "\(error)")
        }
        let withReleases = Self.spec(releases: ReleasesSpec(dir: "/opt/r"))
        for bad in ["../etc", "a/b", "..", ""] {
            XCTAssertThrowsError(try Revision(spec: withReleases, request: .init(release: bad)), bad)
        }
    }

    func testEnvArgumentsAreParsedAndBadOnesExplained() throws {
        XCTAssertEqual(try RevisionRequest.parseEnv(["A=1", "URL=http://x/?a=b", "EMPTY="]), ["A": "1", "URL": "http://x/?a=b", "EMPTY": ""])
        XCTAssertThrowsError(try RevisionRequest.parseEnv(["NOEQUALS"])) { XCTAssertTrue("\($0)".contains("NAME=VALUE")) }
        XCTAssertThrowsError(try RevisionRequest.parseEnv(["1A=x"])) { XCTAssertTrue("\($0)".contains("not a variable name")) }
        XCTAssertThrowsError(try RevisionRequest.parseEnv(["A B=x"]))
        XCTAssertThrowsError(try RevisionRequest.parseEnv(["PORT=1"])) { XCTAssertTrue("\($0)".contains("per color")) }
        XCTAssertThrowsError(try RevisionRequest.parseEnv(["VERSION=1"])) { XCTAssertTrue("\($0)".contains("--version")) }
    }

    func testSpecRoundTripsThroughJSON() throws {
        var spec = Self.spec()
        spec.probes.readiness = ProbeSpec(action: .http(path: "/ready", port: nil, scheme: "http", headers: ["X": "1"]))
        spec.deploy?.steps = [.setWeight(10), .pause(.seconds(30)), .pause(nil)]
        let data = try JSONEncoder().encode(spec)
        XCTAssertEqual(try JSONDecoder().decode(ServiceSpec.self, from: data), spec)
    }
}
