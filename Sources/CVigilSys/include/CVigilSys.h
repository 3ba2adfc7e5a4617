#ifndef CVIGILSYS_H
#define CVIGILSYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// Thin Linux wrappers for the process layer: spawning, pidfds, epoll, eventfd and gzip.
///
/// Each wrapper returns -1 and leaves `errno` set on failure, exactly like the call it wraps,
/// so Swift callers can report `strerror(errno)`.

/// The step of child setup that failed, reported back to the parent by `cvigil_spawn`.
typedef enum {
    CVIGIL_SPAWN_OK = 0,
    CVIGIL_SPAWN_STAGE_CLONE,
    CVIGIL_SPAWN_STAGE_CGROUP,
    CVIGIL_SPAWN_STAGE_SETSID,
    CVIGIL_SPAWN_STAGE_DUP,
    CVIGIL_SPAWN_STAGE_SETGROUPS,
    CVIGIL_SPAWN_STAGE_SETGID,
    CVIGIL_SPAWN_STAGE_SETUID,
    CVIGIL_SPAWN_STAGE_CHDIR,
    CVIGIL_SPAWN_STAGE_EXEC,
} cvigil_spawn_stage;

/// Everything the child needs, prepared by the parent: between clone and execve the child
/// only makes async-signal-safe system calls and never allocates.
typedef struct {
    /// Absolute or relative path for execve (PATH lookup already done).
    const char *path;
    char *const *argv;
    char *const *envp;
    /// Directory to change to, or NULL to keep the parent's.
    const char *cwd;
    /// Descriptors that become the child's 0, 1 and 2.
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
    /// When non-zero, the child calls setgroups(groups), setgid(gid), setuid(uid) in that order.
    int switch_user;
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    size_t group_count;
    /// When non-zero, the child first writes "0" (itself) to `cgroup_procs_fd`, an open
    /// `cgroup.procs` of the instance's cgroup, so it runs none of the service's code outside it.
    int join_cgroup;
    int cgroup_procs_fd;
} cvigil_spawn_request;

/// Why a spawn failed: the step and its errno.
typedef struct {
    cvigil_spawn_stage stage;
    int error;
} cvigil_spawn_failure;

/// Starts `request->path` in a new session (so its pid is also its process group id) with an
/// empty signal mask, every signal disposition at its default, stdio from the given descriptors
/// and every other descriptor closed.
///
/// Uses clone(CLONE_VM | CLONE_VFORK) like glibc's posix_spawn: the parent is suspended until
/// the child has called execve or failed, so no page tables are copied and the child can hand
/// back the errno of the step that failed. Returns the child's pid, or -1 with `failure` filled
/// in (the failed child has already been reaped).
pid_t cvigil_spawn(const cvigil_spawn_request *request, cvigil_spawn_failure *failure);

/// pipe2(fds, O_CLOEXEC), then O_NONBLOCK on the read end fds[0]: a child's output pipe.
int cvigil_output_pipe(int fds[2]);

/// pidfd_open(2): a descriptor that becomes readable when `pid` exits. O_CLOEXEC is implied.
int cvigil_pidfd_open(pid_t pid);

/// pidfd_send_signal(2): signals exactly the process behind `pidfd`, which a reused pid cannot
/// redirect. Returns 0, or -1 with errno set (ESRCH once the process has exited).
int cvigil_pidfd_send_signal(int pidfd, int signal);

/// How a reaped child ended.
typedef struct {
    /// Non-zero when a signal killed it; `value` is then the signal number, else the exit status.
    int signaled;
    int core_dumped;
    int value;
} cvigil_exit_info;

/// waitid(P_PIDFD, pidfd, WEXITED), with WNOHANG unless `block`: reaps the child behind `pidfd`.
/// Returns 1 and fills `info` when it was reaped, 0 when it has not exited yet, -1 on error.
int cvigil_waitid_pidfd(int pidfd, int block, cvigil_exit_info *info);

/// The abbreviation of a signal without the SIG prefix ("KILL"), or NULL when it has none.
const char *cvigil_signal_abbreviation(int signal);

/// Names the calling thread (at most 15 bytes are kept) for `top -H`, gdb and /proc/self/task.
void cvigil_set_thread_name(const char *name);

/// epoll_create1(EPOLL_CLOEXEC).
int cvigil_epoll_create(void);
/// Adds `fd` for input readiness (level-triggered) with `fd` itself as the event data.
int cvigil_epoll_add(int epfd, int fd);
/// Removes `fd` from the interest list.
int cvigil_epoll_remove(int epfd, int fd);
/// Waits for up to `capacity` ready descriptors, storing their fds in `fds`; retries EINTR.
/// `timeout_ms` -1 waits forever. Returns how many are ready, or -1.
int cvigil_epoll_wait(int epfd, int *fds, int capacity, int timeout_ms);

/// eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), used to wake an epoll thread.
int cvigil_eventfd(void);
/// Adds one to the eventfd counter.
int cvigil_eventfd_signal(int fd);
/// Resets the eventfd counter to zero.
void cvigil_eventfd_drain(int fd);

/// Compresses `source` into `destination` in gzip format (RFC 1952, zlib windowBits 15 + 16),
/// so `gzip -d` and `zcat` read it. Writes to `destination` directly; the caller renames.
/// Returns 0, or -1 with errno set (EIO for a zlib failure).
int cvigil_gzip_file(const char *source, const char *destination, int level);

/// splice(2) of up to `length` bytes from the pipe `pipe_fd` to `file_fd` at `*offset` (which
/// advances), SPLICE_F_NONBLOCK | SPLICE_F_MOVE: log capture without copying through user space.
/// Returns the bytes moved, 0 at the pipe's EOF, or -1 (EAGAIN: the pipe is empty now; EINVAL:
/// the file cannot take splice, use read and write).
ssize_t cvigil_splice_to_file(int pipe_fd, int file_fd, int64_t *offset, size_t length);

/// setpriority(PRIO_PROCESS, gettid(), nice): on Linux, lowers only the calling thread.
int cvigil_set_thread_nice(int nice);

#endif
