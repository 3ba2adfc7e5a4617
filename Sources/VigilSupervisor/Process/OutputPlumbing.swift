import CVigilSys
import Glibc

/// One of a child's output streams while it is being launched: the descriptor the child gets,
/// and for `.pipe` the read end Vigil keeps.
struct OutputPlumbing {
    /// Becomes the child's stdout or stderr.
    let childEnd: Int32
    /// The read end (O_CLOEXEC | O_NONBLOCK) for `.pipe`, nil otherwise.
    let parentEnd: Int32?
    /// True when `childEnd` was created here and must be closed after the spawn.
    private let ownsChildEnd: Bool

    init(_ target: OutputTarget, command: String) throws(LaunchError) {
        switch target {
        case .discard:
            (childEnd, parentEnd, ownsChildEnd) = (ProcessLauncher.devNullDescriptor, nil, false)
        case .fileDescriptor(let fd):
            (childEnd, parentEnd, ownsChildEnd) = (fd, nil, false)
        case .pipe:
            var ends: [Int32] = [-1, -1]
            guard cvigil_output_pipe(&ends) == 0 else {
                throw LaunchError(command: command, code: errno, context: "pipe")
            }
            (childEnd, parentEnd, ownsChildEnd) = (ends[1], ends[0], true)
        }
    }

    /// After the spawn: the child has its copy, so Vigil's copy of the write end goes.
    func closeChildEnd() {
        if ownsChildEnd { close(childEnd) }
    }

    /// After a failed spawn: the read end goes too.
    func closeParentEnd() {
        if let parentEnd { close(parentEnd) }
    }
}
