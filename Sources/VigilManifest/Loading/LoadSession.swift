import Foundation
import Yams

/// One run of the loader: reads files, decodes their documents, and collects every service,
/// the supervisor config and every problem, in the order the files were read.
///
/// ``ManifestLoader`` drives it; ``CrossChecks`` then compares what was read across files.
final class LoadSession {
    /// What a file is expected to hold.
    enum FileRole {
        /// `vigil.yaml`: one Supervisor document.
        case config
        /// A manifests-directory file: Service documents.
        case manifest
        /// Given to `vigil check`: a config when it holds a Supervisor document, else a manifest.
        case either
    }

    let diagnostics = Diagnostics()
    let builtins: [String: String]
    let cwd: String
    private(set) var files: [String] = []
    /// Every service document whose name could be read, valid or not.
    private(set) var decodedServices: [DecodedService] = []
    /// The services that validated, in reading order.
    var services: [DecodedService] { decodedServices.filter(\.isValid) }
    private(set) var supervisor: DecodedSupervisor?

    init(builtins: [String: String], cwd: String = FileManager.default.currentDirectoryPath) {
        self.builtins = builtins
        self.cwd = cwd
    }

    /// `path` made absolute against the current directory.
    func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path.hasPrefix("/") ? path : cwd + "/" + path).standardizedFileURL.path
    }

    /// Reads one file; returns true when it held a Supervisor document.
    @discardableResult
    func readFile(_ path: String, role: FileRole) -> Bool {
        files.append(path)
        let directory = (absolute(path) as NSString).deletingLastPathComponent
        let reader = NodeReader(file: path, directory: directory, diagnostics: diagnostics)
        let contents = YAMLDocuments.read(reader)
        let documents = contents.documents
        defer { diagnostics.remove { contents.renamedKeys.contains($0.location) && !$0.message.hasPrefix("duplicate key") } }
        let kinds = documents.map { DocumentKind.read($0, reader) }
        let isConfig = role == .config || (role == .either && kinds.contains(.supervisor))
        var supervisorDocuments = 0
        for (document, kind) in zip(documents, kinds) {
            switch kind {
            case nil:
                continue
            case .chaos?:
                reader.error(document, "kind Chaos is a chaos scenario, not a manifest; keep it in chaos/ and run it with: vigil chaos run FILE")
            case .supervisor? where !isConfig:
                reader.error(document, "kind Supervisor belongs in vigil.yaml (the file given with --config), not in a manifests directory; move it there")
            case .service? where isConfig:
                reader.error(document, "kind Service belongs in a manifests directory (listed under 'manifests:' in this file), not in the config file; move it to manifests/NAME.yaml")
            case .supervisor?:
                supervisorDocuments += 1
                guard supervisorDocuments == 1, supervisor == nil else {
                    reader.error(document, "a second kind: Supervisor document; Vigil takes its settings from exactly one, so merge them")
                    continue
                }
                supervisor = SupervisorDecoder(reader: reader).decode(document, file: absolute(path))
            case .service?:
                var known = builtins
                if known["STATE_DIR"] == nil, let stateDir = supervisor?.config.stateDir { known["STATE_DIR"] = stateDir }
                if let decoded = ServiceDecoder(reader: reader, builtins: known).decode(document) {
                    decodedServices.append(decoded)
                }
            }
        }
        if role == .config, supervisorDocuments == 0, diagnostics.errors.allSatisfy({ $0.location.file != path }) {
            diagnostics.error(SourceLocation(file: path, line: 1, column: 1), "this config file has no kind: Supervisor document; start it with apiVersion: vigil/v1 and kind: Supervisor")
        }
        return kinds.contains(.supervisor)
    }

    /// Reads every `*.yaml` and `*.yml` file of a directory, sorted by name. A missing
    /// directory is an error only when `namedAt` says where it was asked for.
    func readDirectory(_ path: String, role: FileRole, namedAt location: SourceLocation?) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute(path), isDirectory: &isDirectory), isDirectory.boolValue else {
            if let location {
                diagnostics.error(location, "manifests directory '\(path)' does not exist or is not a directory; create it or fix the path")
            }
            return
        }
        for name in Self.manifestFileNames(in: absolute(path)) {
            readFile(path.hasSuffix("/") ? path + name : path + "/" + name, role: role)
        }
    }

    /// The YAML files of `directory`, sorted by name; hidden files and subdirectories are skipped.
    static func manifestFileNames(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml"))
                && FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    /// Errors ordered by file (in reading order), then line and column.
    var sortedErrors: [ManifestError] {
        let order = Dictionary(files.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return diagnostics.errors.enumerated().sorted { a, b in
            let fa = order[a.element.location.file] ?? -1, fb = order[b.element.location.file] ?? -1
            if fa != fb { return fa < fb }
            if a.element.location.line != b.element.location.line { return a.element.location.line < b.element.location.line }
            if a.element.location.column != b.element.location.column { return a.element.location.column < b.element.location.column }
            return a.offset < b.offset
        }.map(\.element)
    }
}
