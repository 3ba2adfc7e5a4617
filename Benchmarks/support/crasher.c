// The respawn benchmark's workload: appends "start <ns>" when it begins and "exit <ns>" just
// before it exits with status 1, so the gap between an exit and the next start is the whole
// crash-to-running latency as the service sees it (exit detection, backoff decision, fork+exec,
// and the new process reaching main). An optional second argument makes it live that many
// milliseconds first, for runs long enough that an instant crasher would pass 1000 crashes.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void stamp(int fd, const char *what) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char line[64];
    int n = snprintf(line, sizeof line, "%s %lld\n", what, (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    (void)!write(fd, line, (size_t)n);
}

int main(int argc, char **argv) {
    if (argc < 2) return 64;
    int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) return 65;
    stamp(fd, "start");
    if (argc > 2) {
        long ms = atol(argv[2]);
        struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&pause, NULL);
    }
    stamp(fd, "exit");
    _exit(1);
}
