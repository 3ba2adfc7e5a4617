import Glibc

/// Serves one accepted TCP connection on its own thread with blocking reads: request after
/// request (keep-alive), in order (pipelined requests are answered one by one), until the
/// peer closes, asks for `Connection: close`, or sends something unservable.
final class HTTPConnection {
    /// Largest request head accepted; a bigger one gets 431 and the connection closes.
    static let bufferSize = 16 * 1024

    private let fd: Int32
    private let routes: Routes
    private let faults: Faults
    private let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: HTTPConnection.bufferSize)
    /// Unconsumed bytes are `buffer[start..<end]`.
    private var start = 0
    private var end = 0

    init(fd: Int32, routes: Routes, faults: Faults) {
        self.fd = fd
        self.routes = routes
        self.faults = faults
    }

    deinit {
        buffer.deallocate()
        close(fd)
    }

    /// Answers requests until the connection is done; the socket closes when this returns.
    func serve() {
        while let head = nextHead() {
            switch Request.parse(head: head) {
            case .reject(let response):
                send(response.serialized(keepAlive: false, includeBody: true))
                return
            case .request(let request, let bodyLength):
                guard discard(bodyLength) else { return }
                faults.waitWhileHung()
                let response = routes.respond(to: request)
                let keepAlive = request.keepAlive && !response.close
                guard send(response.serialized(keepAlive: keepAlive, includeBody: request.method != "HEAD")) else { return }
                response.afterSend?()
                if !keepAlive { return }
            }
        }
    }

    /// The next request head (request line and headers, without the blank line), reading more
    /// from the socket only when the buffer holds no complete head. Nil at end of stream.
    private func nextHead() -> String? {
        // Bytes after `start` already known to hold no terminator; survives compact() and fill().
        var checked = 0
        while true {
            if checked == 0 {
                while start < end && (buffer[start] == 13 || buffer[start] == 10) { start += 1 }
            }
            if let terminator = findBlankLine(from: start + checked) {
                let head = String(decoding: UnsafeBufferPointer(start: buffer + start, count: terminator - start), as: UTF8.self)
                start = terminator + 4
                return head
            }
            checked = max(0, end - start - 3)
            if end == HTTPConnection.bufferSize {
                guard start > 0 else {
                    let tooLarge = Response(status: 431, json: #"{"error":"request head larger than 16 KiB"}"#, close: true)
                    send(tooLarge.serialized(keepAlive: false, includeBody: true))
                    return nil
                }
                compact()
            }
            guard fill() else { return nil }
        }
    }

    /// Index of the `\r\n\r\n` that ends a head, searching from `from`.
    private func findBlankLine(from: Int) -> Int? {
        var index = from
        while index + 3 < end {
            if buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Reads and drops a request body of `length` bytes; false if the peer went away first.
    private func discard(_ length: Int) -> Bool {
        var remaining = length
        while remaining > 0 {
            if start == end {
                start = 0
                end = 0
                guard fill() else { return false }
            }
            let take = min(remaining, end - start)
            start += take
            remaining -= take
        }
        return true
    }

    /// Moves the unconsumed bytes to the front of the buffer.
    private func compact() {
        let count = end - start
        if count > 0 { memmove(buffer, buffer + start, count) }
        start = 0
        end = count
    }

    /// Reads whatever the socket has into the free tail of the buffer; false at EOF or error.
    private func fill() -> Bool {
        if start == end {
            start = 0
            end = 0
        }
        while true {
            let count = recv(fd, buffer + end, HTTPConnection.bufferSize - end, 0)
            if count > 0 {
                end += count
                return true
            }
            if count < 0 && errno == EINTR { continue }
            return false
        }
    }

    /// Writes all of `bytes`; false if the peer is gone (no SIGPIPE: MSG_NOSIGNAL).
    @discardableResult
    private func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return false }
                offset += written
            }
            return true
        }
    }
}
