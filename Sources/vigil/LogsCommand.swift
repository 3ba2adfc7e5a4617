import ArgumentParser
import Foundation

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Show a service's captured stdout and stderr.",
        discussion: "Reads stateDir/logs/SERVICE[-COLOR].log directly, so it works while Vigil is down too. With -f it follows the file across rotations."
    )

    @OptionGroup var client: ClientOptions
    @Argument(help: "Service name.") var service: String
    @Option(name: .long, help: "blue or green, for a blue-green service.") var color: String?
    @Option(name: .short, help: "Lines to show from the end.") var n = 100
    @Flag(name: .short, help: "Keep printing new output as it arrives.") var follow = false

    func run() throws {
        let logsDir = client.supervisorSettings().logsDir
        let candidates = color.map { ["\(service)-\($0).log"] } ?? ["\(service).log", "\(service)-blue.log", "\(service)-green.log"]
        guard let name = candidates.first(where: { FileManager.default.fileExists(atPath: "\(logsDir)/\($0)") }) else {
            printError("no log for '\(service)' in \(logsDir) (looked for \(candidates.joined(separator: ", "))); has it run yet?")
            throw ExitCode(1)
        }
        let path = "\(logsDir)/\(name)"
        var tail = LogTail(path: path)
        FileHandle.standardOutput.write(tail.lastLines(n))
        guard follow else { return }
        while true {
            let chunk = tail.readNew()
            if !chunk.isEmpty { FileHandle.standardOutput.write(chunk) }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}

/// Reads the end of a log file and then what is appended, reopening it when it is rotated.
struct LogTail {
    let path: String
    private var offset: UInt64 = 0
    private var inode: UInt64 = 0

    init(path: String) { self.path = path }

    mutating func lastLines(_ count: Int) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else { return Data() }
        offset = UInt64(data.count)
        inode = currentInode() ?? 0
        guard count > 0 else { return Data() }
        let newline = UInt8(ascii: "\n")
        var cursor = data.endIndex
        if cursor > data.startIndex, data[cursor - 1] == newline { cursor -= 1 }
        var remaining = count
        while cursor > data.startIndex {
            cursor -= 1
            if data[cursor] == newline {
                remaining -= 1
                if remaining == 0 { return data[(cursor + 1)...] }
            }
        }
        return data
    }

    mutating func readNew() -> Data {
        if let current = currentInode(), current != inode {
            inode = current
            offset = 0
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { return Data() }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        if size < offset { offset = 0 }
        try? handle.seek(toOffset: offset)
        let data = handle.readDataToEndOfFile()
        offset += UInt64(data.count)
        return data
    }

    private func currentInode() -> UInt64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.uint64Value
    }
}
