import CVigilSys
import Dispatch
import Glibc

/// What one pass over a child's pipe found.
enum PipeTake: Equatable {
    /// Bytes were moved (or dropped by the rate limit); there may be more.
    case moved
    /// Nothing to read now.
    case empty
    /// EOF, or a read error: the pipe is done.
    case ended
}

extension RotatingLogFile {
    /// Moves what `pipe` (non-blocking) holds now, up to `buffer.count` bytes, into the log.
    ///
    /// Without a rate limit the bytes go from the pipe to the file with `splice`, never through
    /// user space; with one (or where splice does not apply) they are read into `buffer`,
    /// filtered and written. Either way nothing is held back in memory: what Vigil has not taken
    /// stays in the pipe, and a writer faster than the disk blocks on its full pipe.
    func take(from pipe: Int32, using buffer: UnsafeMutableRawBufferPointer) -> PipeTake {
        lock.withLock {
            if fd >= 0, rateLimiter == nil, spliceWorks, let outcome = spliceLocked(from: pipe, atMost: buffer.count) {
                return outcome
            }
            return readLocked(from: pipe, into: buffer)
        }
    }

    /// nil when splice cannot serve this pipe and file: read and write instead.
    private func spliceLocked(from pipe: Int32, atMost limit: Int) -> PipeTake? {
        while true {
            let room = roomLocked()
            var offset = Int64(size)
            let moved = cvigil_splice_to_file(pipe, fd, &offset, min(limit, Int(room)))
            if moved > 0 {
                size = UInt64(offset)
                return .moved
            }
            if moved == 0 { return .ended }
            switch errno {
            case EINTR: continue
            case EAGAIN: return .empty
            case EINVAL:
                spliceWorks = false
                return nil
            default:
                // The file side failed (disk full, I/O error): read the bytes, so the pipe
                // drains, and let write() drop what the disk refuses.
                return nil
            }
        }
    }

    private func readLocked(from pipe: Int32, into buffer: UnsafeMutableRawBufferPointer) -> PipeTake {
        while true {
            let count = read(pipe, buffer.baseAddress, buffer.count)
            if count > 0 {
                writeFilteredLocked(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                return .moved
            }
            if count < 0, errno == EINTR { continue }
            return count < 0 && errno == EAGAIN ? .empty : .ended
        }
    }

    private func writeFilteredLocked(_ chunk: UnsafeRawBufferPointer) {
        guard var limiter = rateLimiter else { return writeLocked(chunk) }
        let previouslyDue = limiter.markerDue
        let pieces = limiter.filter(chunk, at: .now)
        rateLimiter = limiter
        for piece in pieces {
            switch piece {
            case .bytes(let range): writeLocked(UnsafeRawBufferPointer(rebasing: chunk[range]))
            case .marker(let text): writeMarkerLocked(text)
            }
        }
        if let due = limiter.markerDue, due != previouslyDue { scheduleMarker(at: due) }
    }

    /// A service that falls silent after a burst still gets its marker when the window ends.
    private func scheduleMarker(at due: ContinuousClock.Instant) {
        let delay = ContinuousClock.now.duration(to: due)
        let nanoseconds = max(0, Int(delay.components.seconds) * 1_000_000_000 + Int(delay.components.attoseconds / 1_000_000_000))
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [weak self] in
            self?.writeDueMarker()
        }
    }

    private func writeDueMarker() {
        lock.withLock {
            guard var limiter = rateLimiter else { return }
            let marker = limiter.windowEnded(at: .now)
            rateLimiter = limiter
            if let marker { writeMarkerLocked(marker) }
        }
    }

    private func writeMarkerLocked(_ text: String) {
        var line = text
        line.withUTF8 { writeLocked(UnsafeRawBufferPointer($0)) }
    }
}
