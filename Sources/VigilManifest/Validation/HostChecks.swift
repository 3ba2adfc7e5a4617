import Foundation
import Glibc
import Yams

/// Checks a service against the host it will run on and against its own variables: the
/// program exists and is executable, `${NAME}` references resolve, the working directory and
/// the user exist. Problems found here would otherwise only show up when the service starts.
struct HostChecks {
    let reader: NodeReader
    let builtins: [String: String]

    /// Checks argv[0] and returns the command with a relative program path (`./bin/app`) made
    /// absolute against the working directory, so spawning does not depend on Vigil's own cwd.
    ///
    /// A program that still contains `${...}` after the load-time builtins are expanded (such
    /// as `${RELEASE_DIR}/bin/app`) is only known at deploy time and is not checked.
    func checkCommand(_ spec: ServiceSpec, _ root: MappingReader) -> [String] {
        guard let program = spec.command.first, let node = root["command"]?[0],
              let expanded = try? VariableExpansion.expandKnown(program, variables: builtins.merging(spec.env) { $1 }),
              !expanded.contains("${") else { return spec.command }
        var command = spec.command
        if expanded.contains("/") {
            let base = spec.workingDir ?? reader.directory
            let path = expanded.hasPrefix("/") ? expanded : URL(fileURLWithPath: base + "/" + expanded).standardizedFileURL.path
            if checkExecutable(path, written: program, node) && !program.hasPrefix("/") && !program.contains("$") {
                command[0] = path
            }
        } else {
            let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            let found = searchPath.split(separator: ":").contains { Self.isExecutableFile("\($0)/\(expanded)") }
            if !found {
                reader.error(node, "command '\(expanded)' not found in PATH (\(searchPath)); install it, or write its full path")
            }
        }
        return command
    }

    private func checkExecutable(_ path: String, written: String, _ node: Node) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else {
            reader.error(node, "command '\(written)' does not exist (looked for \(path)); fix the path, or set workingDir when it is relative")
            return false
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            reader.error(node, "command '\(written)' is not a regular file (\(path)); name the program itself")
            return false
        }
        guard access(path, X_OK) == 0 else {
            reader.error(node, "command '\(written)' is not executable (chmod +x \(path))")
            return false
        }
        return true
    }

    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }

    /// Every `${NAME}` in `command`, `env` values and exec probes must be a builtin or an env key.
    func checkVariables(_ spec: ServiceSpec, _ root: MappingReader) {
        let known = Set(spec.env.keys).union(VariableExpansion.builtinNames)
        var places: [(Node, String)] = []
        if case .sequence(let items)? = root["command"] {
            places += items.enumerated().map { ($1, "command[\($0)]") }
        }
        if case .mapping(let env)? = root["env"] {
            places += env.compactMap { key, value in key.string.map { (value, "env.\($0)") } }
        }
        for kind in ProbeKind.allCases {
            if case .sequence(let items)? = root["probes"]?[kind.rawValue]?["exec"]?["command"] {
                places += items.enumerated().map { ($1, "probes.\(kind.rawValue).exec.command[\($0)]") }
            }
        }
        for (node, field) in places {
            guard case .scalar(let scalar) = node else { continue }
            check(scalar.string, node, field, known: known)
        }
    }

    private func check(_ text: String, _ node: Node, _ field: String, known: Set<String>) {
        do {
            _ = try VariableExpansion.expand(text, variables: Dictionary(uniqueKeysWithValues: known.map { ($0, "") }))
        } catch VariableExpansion.Error.unknownVariable(let name) {
            let suggestion = NearestName.suggestion(for: name, among: known.sorted()).map { "did you mean '${\($0)}'? " } ?? ""
            reader.error(node, "unknown variable '${\(name)}' in \(field); \(suggestion)use a key of env or one of \(VariableExpansion.builtinNames.sorted().joined(separator: ", ")) (write $$ for a literal '$')")
        } catch {
            reader.error(node, "\(field): \(error)")
        }
    }

    func checkWorkingDir(_ root: MappingReader) {
        guard let node = root["workingDir"], let text = node.string, !text.isEmpty else { return }
        let path = reader.absolutePath(text)
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            reader.error(node, "workingDir '\(text)' does not exist (\(path)); create it or fix the path")
        } else if !isDirectory.boolValue {
            reader.error(node, "workingDir '\(text)' is not a directory (\(path)); name the directory the service runs in")
        }
    }

    func checkUser(_ root: MappingReader) {
        guard let node = root["user"], let name = node.string, !name.isEmpty, getpwnam(name) == nil else { return }
        reader.error(node, "user '\(name)' does not exist on this host; create it (useradd --system \(name)) or remove 'user'")
    }
}
