/// The rotated files of one compressed log and the decisions that keep them within `keep`.
///
/// A rotation renames the live file aside; the aside file waits for the compressor, is
/// compressed into `.1.gz` (the older `.gz` files shift up) and deleted. Every rotated file
/// takes one of `keep` slots, whatever its stage: waiting, the output of the running
/// compression, or a finished `.gz`. So the disk holds at most the live file, `keep` rotated
/// files, and the source of the one compression that runs: `maxSize × (keep + 2)`, which the
/// SPEC words as `maxSize × (keep + 1)` plus the file being compressed.
///
/// When a rotation overfills the slots, the oldest `.gz` is deleted; when there is none left
/// (compression is behind the writer), the oldest waiting file is dropped uncompressed. Drops
/// come in episodes: one that follows the previous drop within `episodeGap` belongs to the same
/// episode, so a flood that the compressor now and then catches up with is still one episode.
///
/// A pure value: the ``LogCompressor`` performs its actions and tells it what happened.
struct RotationBacklog: Equatable {
    var keep: Int
    /// Aside files in rotation order, oldest first.
    private(set) var waiting: [String] = []
    /// The aside file being compressed now.
    private(set) var compressing: String?
    /// `.1.gz` up to `.N.gz` on disk.
    private(set) var compressed: Int
    /// When the latest drop happened.
    private(set) var lastDrop: ContinuousClock.Instant?

    /// Drops closer together than this are one episode.
    static let episodeGap = Duration.seconds(30)

    enum Action: Equatable {
        /// Delete `.N.gz` for N above `keepingUpTo`.
        case trimCompressed(keepingUpTo: Int)
        /// Delete this aside file without compressing it; `startsEpisode` once per episode.
        case drop(String, startsEpisode: Bool)
    }

    init(keep: Int, compressed: Int) {
        self.keep = keep
        self.compressed = compressed
    }

    /// True when nothing waits and nothing is being compressed.
    var isIdle: Bool { waiting.isEmpty && compressing == nil }

    private var slotsUsed: Int { waiting.count + (compressing == nil ? 0 : 1) + compressed }

    /// A rotation renamed the live file to `aside`; `compressedOnDisk` is how many `.gz` files
    /// are there now (reclaim may have deleted some).
    mutating func rotated(_ aside: String, compressedOnDisk: Int, at now: ContinuousClock.Instant) -> [Action] {
        compressed = compressedOnDisk
        waiting.append(aside)
        return fitIntoSlots(at: now)
    }

    /// The compressor takes the oldest waiting file, if any (and none is being compressed).
    mutating func startNext() -> String? {
        guard compressing == nil, !waiting.isEmpty else { return nil }
        compressing = waiting.removeFirst()
        return compressing
    }

    /// The running compression ended: its output is now `.1.gz` (the others shifted up), or it
    /// failed (disk full, I/O error) and its source is dropped. `compressedOnDisk` counts the
    /// `.gz` files after it.
    mutating func finished(compressedOnDisk: Int, failed: Bool, at now: ContinuousClock.Instant) -> [Action] {
        let source = compressing
        compressing = nil
        compressed = compressedOnDisk
        var actions: [Action] = []
        if failed, let source { actions.append(drop(source, at: now)) }
        return actions + fitIntoSlots(at: now)
    }

    /// Oldest `.gz` first, then the oldest waiting file, until every rotated file has a slot.
    private mutating func fitIntoSlots(at now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        if slotsUsed > keep, compressed > 0 {
            compressed = max(0, keep - waiting.count - (compressing == nil ? 0 : 1))
            actions.append(.trimCompressed(keepingUpTo: compressed))
        }
        while slotsUsed > keep, !waiting.isEmpty {
            actions.append(drop(waiting.removeFirst(), at: now))
        }
        return actions
    }

    private mutating func drop(_ file: String, at now: ContinuousClock.Instant) -> Action {
        defer { lastDrop = now }
        let startsEpisode = lastDrop.map { now - $0 > Self.episodeGap } ?? true
        return .drop(file, startsEpisode: startsEpisode)
    }
}
