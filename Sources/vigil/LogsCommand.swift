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

/// Reads the end of a log file and then what is appended, across rotations.
///
/// The file stays open between reads, so when it is rotated (renamed aside, a new one created)
/// the rest of the old file is read to its end before the new one is read from its start: a
/// follower that checks every 0.2 s loses nothing unless several rotations happen in between. A
/// file truncated in place (`keep: 0`) is read again from its start.
struct LogTail {
    let path: String
    private var handle: FileHandle?
    private var inode: UInt64?

    init(path: String) { self.path = path }

    mutating func lastLines(_ count: Int) -> Data {
        reopen()
        guard let data = try? handle?.readToEnd() else { return Data() }
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

    /// What was written since the last call.
    mutating func readNew() -> Data {
        var data = (try? handle?.readToEnd()) ?? Data()
        if let current = Self.inode(of: path), current != inode {
            reopen()
            data += (try? handle?.readToEnd()) ?? Data()
        } else if let handle, let position = try? handle.offset(), let size = Self.size(ofDescriptor: handle.fileDescriptor), size < position {
            try? handle.seek(toOffset: 0)
            data += (try? handle.readToEnd()) ?? Data()
        }
        return data
    }

    private mutating func reopen() {
        try? handle?.close()
        handle = FileHandle(forReadingAtPath: path)
        inode = handle.flatMap { Self.inode(ofDescriptor: $0.fileDescriptor) }
    }

    private static func size(ofDescriptor fd: Int32) -> UInt64? {
        var info = stat()
        return fstat(fd, &info) == 0 ? UInt64(info.st_size) : nil
    }

    private static func inode(of path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    private static func inode(ofDescriptor fd: Int32) -> UInt64? {
        var info = stat()
        return fstat(fd, &info) == 0 ? UInt64(info.st_ino) : nil
    }
}
