/* fileio.c - whole-file atomic writes. */
#include "fileio.h"
#include "err.h"
#include "modelfile.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int write_file_atomic(const char *path, const void *buf, size_t len)
{
    if (strcmp(path, "-") == 0)
        return write_all(1, buf, len) == 0 ? 0 : err_set("<stdout>: %s", strerror(errno));
    atomic_file af;
    if (atomic_open(&af, path) < 0) return -1;
    if (write_all(af.fd, buf, len) < 0) {
        int e = errno;
        atomic_abort(&af);
        return err_set("%s: %s", path, strerror(e));
    }
    return atomic_commit(&af);
}
