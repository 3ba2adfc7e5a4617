// gzip compression of rotated log files, with zlib.
#include "CVigilSys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/// Writes all of `length` bytes, retrying short writes and EINTR.
static int cvigil_write_all(int fd, const unsigned char *bytes, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, bytes, length);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        bytes += written;
        length -= (size_t)written;
    }
    return 0;
}

enum { CVIGIL_GZIP_CHUNK = 64 * 1024 };

/// Deflates everything readable from `in` into `out` through `stream`, using `input` and
/// `output` (CVIGIL_GZIP_CHUNK bytes each) as buffers.
static int cvigil_gzip_stream(z_stream *stream, int in, int out, unsigned char *input, unsigned char *output) {
    int flush = Z_NO_FLUSH;
    while (flush != Z_FINISH) {
        ssize_t count = read(in, input, CVIGIL_GZIP_CHUNK);
        if (count < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        flush = count == 0 ? Z_FINISH : Z_NO_FLUSH;
        stream->next_in = input;
        stream->avail_in = (uInt)count;
        do {
            stream->next_out = output;
            stream->avail_out = CVIGIL_GZIP_CHUNK;
            if (deflate(stream, flush) == Z_STREAM_ERROR) {
                errno = EIO;
                return -1;
            }
            if (cvigil_write_all(out, output, CVIGIL_GZIP_CHUNK - stream->avail_out) < 0) {
                return -1;
            }
        } while (stream->avail_out == 0);
    }
    return 0;
}

int cvigil_gzip_file(const char *source, const char *destination, int level) {
    int in = open(source, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        return -1;
    }
    int out = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        int saved = errno;
        close(in);
        errno = saved;
        return -1;
    }
    z_stream stream;
    memset(&stream, 0, sizeof(stream));
    unsigned char *buffers = malloc(2 * CVIGIL_GZIP_CHUNK);
    int result = -1;
    if (buffers == NULL) {
        errno = ENOMEM;
    } else if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        errno = EIO;
    } else {
        result = cvigil_gzip_stream(&stream, in, out, buffers, buffers + CVIGIL_GZIP_CHUNK);
        deflateEnd(&stream);
    }
    int deflate_errno = errno;
    free(buffers);
    errno = deflate_errno;
    int saved = errno;
    close(in);
    if (close(out) < 0 && result == 0) {
        saved = errno;
        result = -1;
    }
    errno = saved;
    return result;
}
