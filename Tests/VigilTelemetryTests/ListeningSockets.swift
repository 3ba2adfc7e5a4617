import Foundation

/// The TCP ports a process listens on: the inodes of its socket descriptors
/// (`/proc/PID/fd/* -> socket:[INODE]`) matched against the LISTEN entries (state `0A`) of
/// `/proc/net/tcp` and `/proc/net/tcp6`.
func listeningTCPPorts(of pid: pid_t) -> Set<UInt16> {
    let fdDirectory = "/proc/\(pid)/fd"
    let inodes = Set(((try? FileManager.default.contentsOfDirectory(atPath: fdDirectory)) ?? []).compactMap { fd -> String? in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fdDirectory)/\(fd)"),
              target.hasPrefix("socket:[") else { return nil }
        return String(target.dropFirst("socket:[".count).dropLast())
    })
    var ports: Set<UInt16> = []
    for table in ["/proc/\(pid)/net/tcp", "/proc/\(pid)/net/tcp6"] {
        guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
        for line in text.split(separator: "\n").dropFirst() {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[3] == "0A", inodes.contains(String(fields[9])),
                  let portHex = fields[1].split(separator: ":").last, let port = UInt16(portHex, radix: 16)
            else { continue }
            ports.insert(port)
        }
    }
    return ports
}
