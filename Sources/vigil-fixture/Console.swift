import Glibc

/// Writes one line to stdout at once (no buffering: tests and Vigil read the log as it grows).
func say(_ line: String) {
    write(to: STDOUT_FILENO, line + "\n")
}

/// Writes one line to stderr at once.
func complain(_ line: String) {
    write(to: STDERR_FILENO, "vigil-fixture: " + line + "\n")
}

private func write(to fd: Int32, _ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
