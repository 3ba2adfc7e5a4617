// Linux system-call wrappers for the process layer: spawning, pidfds, epoll, eventfd.
#include "CVigilSys.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/// Shared between parent and child: the child writes through it before exiting.
typedef struct {
    const cvigil_spawn_request *request;
    volatile cvigil_spawn_stage stage;
    volatile int error;
} cvigil_spawn_context;

static int cvigil_child_fail(cvigil_spawn_context *context, cvigil_spawn_stage stage) {
    context->error = errno;
    context->stage = stage;
    _exit(127);
}

/// Makes `source` the child's descriptor `target` (without CLOEXEC).
static int cvigil_child_install(int source, int target) {
    if (source == target) {
        return fcntl(target, F_SETFD, 0);
    }
    return dup2(source, target) < 0 ? -1 : 0;
}

/// Runs in the child on its own stack, sharing the parent's memory; the parent is suspended.
/// Only raw system calls: glibc's setuid family would try to synchronise the parent's threads.
static int cvigil_child_main(void *argument) {
    cvigil_spawn_context *context = argument;
    const cvigil_spawn_request *request = context->request;

    // The kernel's own sigaction layout: glibc's wrapper refuses signals 32 and 33 (reserved for
    // its threads), yet a SIG_IGN on them inherited from whoever started Vigil would survive exec.
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        unsigned long mask;
    } defaults;
    memset(&defaults, 0, sizeof(defaults));
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            (void)syscall(SYS_rt_sigaction, sig, &defaults, NULL, sizeof(defaults.mask));
        }
    }
    sigset_t empty;
    sigemptyset(&empty);
    (void)sigprocmask(SIG_SETMASK, &empty, NULL);

    // Before anything else of the child's: the service's memory is charged to its cgroup from
    // its first page, and a kill of the cgroup reaches everything it will fork.
    if (request->join_cgroup && write(request->cgroup_procs_fd, "0", 1) != 1) {
        return cvigil_child_fail(context, CVIGIL_SPAWN_STAGE_CGROUP);
    }
    if (setsid() < 0) {
        return cvigil_child_fail(context, CVIGIL_SPAWN_STAGE_SETSID);
    }

    // Move sources that sit on another standard slot out of the way before dup2 overwrites them.
    int sources[3] = {request->stdin_fd, request->stdout_fd, request->stderr_fd};
    for (int target = 0; target < 3; target++) {
        if (sources[target] < 3 && sources[target] != target) {
            sources[target] = fcntl(sources[target], F_DUPFD_CLOEXEC, 3);
            if (sources[target] < 0) {
                return cvigil_child_fail(context, CVIGIL_SPAWN_STAGE_DUP);
            }
        }
    }
    for (int target = 0; target < 3; target++) {
        if (cvigil_child_install(sources[target], target) < 0) {
            return cvigil_child_fail(context, CVIGIL_SPAWN_STAGE_DUP);
        }
    }

    if (request->switch_user) {
        if (syscall(SYS_setgroups, request->group_count, request->groups) < 0) {
            return cvigil_child_fail(context, CVIGIL_SPAWN_STAGE_SETGROUPS);
        }
        if (syscall(SYS_setgid, request->gid) < 0) {
            return cvigil_child_fail(context, CVIGIL_SPAWN_STAGE_SETGID);
        }
        if (syscall(SYS_setuid, request->uid) < 0) {
            return cvigil_child_fail(context, CVIGIL_SPAWN_STAGE_SETUID);
        }
    }
    if (request->cwd != NULL && chdir(request->cwd) < 0) {
        return cvigil_child_fail(context, CVIGIL_SPAWN_STAGE_CHDIR);
    }

    (void)close_range(3, ~0U, 0);
    execve(request->path, request->argv, request->envp);
    return cvigil_child_fail(context, CVIGIL_SPAWN_STAGE_EXEC);
}

enum { CVIGIL_CHILD_STACK_SIZE = 64 * 1024 };

pid_t cvigil_spawn(const cvigil_spawn_request *request, cvigil_spawn_failure *failure) {
    cvigil_spawn_context context = {.request = request, .stage = CVIGIL_SPAWN_OK, .error = 0};
    failure->stage = CVIGIL_SPAWN_OK;
    failure->error = 0;

    void *stack = mmap(NULL, CVIGIL_CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        failure->stage = CVIGIL_SPAWN_STAGE_CLONE;
        failure->error = errno;
        return -1;
    }

    // Block every signal so no handler of ours runs in the child (it shares our memory)
    // before it has reset the dispositions.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);

    pid_t pid = clone(cvigil_child_main, (char *)stack + CVIGIL_CHILD_STACK_SIZE,
                      CLONE_VM | CLONE_VFORK | SIGCHLD, &context);
    int clone_error = errno;

    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    munmap(stack, CVIGIL_CHILD_STACK_SIZE);

    if (pid < 0) {
        failure->stage = CVIGIL_SPAWN_STAGE_CLONE;
        failure->error = clone_error;
        return -1;
    }
    if (context.stage != CVIGIL_SPAWN_OK) {
        failure->stage = context.stage;
        failure->error = context.error;
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        return -1;
    }
    return pid;
}

int cvigil_output_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) < 0) {
        return -1;
    }
    int flags = fcntl(fds[0], F_GETFL);
    if (flags < 0 || fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) < 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        errno = saved;
        return -1;
    }
    return 0;
}

int cvigil_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int cvigil_pidfd_send_signal(int pidfd, int signal) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0);
}

int cvigil_waitid_pidfd(int pidfd, int block, cvigil_exit_info *info) {
    siginfo_t reaped;
    memset(&reaped, 0, sizeof(reaped));
    int result;
    do {
        result = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &reaped, WEXITED | (block ? 0 : WNOHANG));
    } while (result < 0 && errno == EINTR);
    if (result < 0) {
        return -1;
    }
    if (reaped.si_pid == 0) {
        return 0;
    }
    info->signaled = reaped.si_code != CLD_EXITED;
    info->core_dumped = reaped.si_code == CLD_DUMPED;
    info->value = reaped.si_status;
    return 1;
}

const char *cvigil_signal_abbreviation(int signal) {
    return sigabbrev_np(signal);
}

void cvigil_set_thread_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof(truncated) - 1);
    truncated[sizeof(truncated) - 1] = '\0';
    (void)pthread_setname_np(pthread_self(), truncated);
}

int cvigil_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int cvigil_epoll_add(int epfd, int fd) {
    struct epoll_event event;
    memset(&event, 0, sizeof(event));
    event.events = EPOLLIN;
    event.data.fd = fd;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

int cvigil_epoll_remove(int epfd, int fd) {
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

int cvigil_epoll_wait(int epfd, int *fds, int capacity, int timeout_ms) {
    struct epoll_event events[64];
    if (capacity > 64) {
        capacity = 64;
    }
    int count;
    do {
        count = epoll_wait(epfd, events, capacity, timeout_ms);
    } while (count < 0 && errno == EINTR);
    for (int i = 0; i < count; i++) {
        fds[i] = events[i].data.fd;
    }
    return count;
}

int cvigil_eventfd(void) {
    return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

int cvigil_eventfd_signal(int fd) {
    uint64_t one = 1;
    return write(fd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
}

void cvigil_eventfd_drain(int fd) {
    uint64_t value;
    (void)read(fd, &value, sizeof(value));
}
