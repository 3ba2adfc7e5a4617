// Log capture helpers: zero-copy pipe-to-file moves and a lower priority for the compressor.
#include "CVigilSys.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

ssize_t cvigil_splice_to_file(int pipe_fd, int file_fd, int64_t *offset, size_t length) {
    loff_t position = (loff_t)*offset;
    ssize_t moved = splice(pipe_fd, NULL, file_fd, &position, length, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
    if (moved > 0) {
        *offset = (int64_t)position;
    }
    return moved;
}

int cvigil_set_thread_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}
