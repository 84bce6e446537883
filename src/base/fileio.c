/* fileio.c - atomic file output (temp file, fsync, rename), write_all, and
 * IEEE binary16 conversion for 16-bit weight storage. */
#include "base/fileio.h"
#include "base/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        size_t k = len > (1u << 30) ? (1u << 30) : len;   /* some kernels cap one write */
        ssize_t w = write(fd, p, k);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (w == 0) {
            errno = ENOSPC;
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

/* ---- atomic file output ------------------------------------------------- */

/* The process umask, read without changing it when /proc allows (other
 * threads may be creating files); otherwise the classic set-and-restore. */
static mode_t current_umask(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (f) {
        char line[256];
        unsigned mask;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "Umask: %o", &mask) == 1) {
                fclose(f);
                return (mode_t)mask;
            }
        fclose(f);
    }
    mode_t old = umask(022);
    umask(old);
    return old;
}

int atomic_open(atomic_file *a, const char *path)
{
    a->path = a->tmp = NULL;
    a->fd = -1;
    if (!path || !*path) return err_set("empty output file name");
    if (!strcmp(path, "-")) {   /* standard output, written in place */
        int dfd = dup(1);
        if (dfd < 0) return err_set("<stdout>: %s", strerror(errno));
        a->path = xstrdup("<stdout>");
        a->fd = dfd;
        return 0;
    }

    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;  /* incl. the '/' */
    const char *base = path + dirlen;
    if (!*base) return err_set("%s: Is a directory", path);
    /* An existing non-regular file (/dev/null, /dev/stdout, a FIFO) is
     * written in place: renaming a temp file over it would replace the
     * device with a plain file. */
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return err_set("%s: Is a directory", path);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        int dfd = open(path, O_WRONLY | O_CLOEXEC);
        if (dfd < 0) return err_set("%s: %s", path, strerror(errno));
        a->path = xstrdup(path);
        a->fd = dfd;
        return 0;
    }

    size_t n = dirlen + 1 + strlen(base) + sizeof ".tmp.XXXXXX";
    char *tmp = xmalloc(n);
    snprintf(tmp, n, "%.*s.%s.tmp.XXXXXX", (int)dirlen, path, base);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return err_set("%s: %s", path, strerror(e));
    }
    /* mkstemp creates 0600; give the file the mode a plain creat() would. */
    if (fchmod(fd, 0644 & ~current_umask()) < 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        return err_set("%s: %s", path, strerror(e));
    }
    a->path = xstrdup(path);
    a->tmp = tmp;
    a->fd = fd;
    return 0;
}

static void atomic_release(atomic_file *a)
{
    free(a->path);
    free(a->tmp);
    a->path = a->tmp = NULL;
    a->fd = -1;
}

void atomic_abort(atomic_file *a)
{
    if (a->fd >= 0) close(a->fd);
    if (a->tmp) unlink(a->tmp);
    atomic_release(a);
}

static void fsync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);  /* some filesystems refuse; the rename is done anyway */
        close(dfd);
    }
    free(dir);
}

int atomic_commit(atomic_file *a)
{
    if (a->fd >= 0 && !a->tmp && a->path) {   /* a device or FIFO written in place */
        int rc = close(a->fd) < 0 ? err_set("%s: %s", a->path, strerror(errno)) : 0;
        a->fd = -1;
        atomic_release(a);
        return rc;
    }
    if (a->fd < 0 || !a->tmp) return err_set("%s: file is not open", a->path ? a->path : "?");
    int rc = 0, e = 0;
    if (fsync(a->fd) < 0) { rc = -1; e = errno; }
    if (close(a->fd) < 0 && rc == 0) { rc = -1; e = errno; }
    a->fd = -1;
    if (rc == 0 && rename(a->tmp, a->path) < 0) { rc = -1; e = errno; }
    if (rc < 0) {
        err_set("%s: %s", a->path, strerror(e));
        atomic_abort(a);
        return -1;
    }
    fsync_dir_of(a->path);
    atomic_release(a);
    return 0;
}

/* ---- binary16 ---------------------------------------------------------- */

uint16_t f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000, mant = x & 0x7fffff;
    int32_t exp = (int32_t)((x >> 23) & 0xff);
    if (exp == 0xff) return (uint16_t)(sign | 0x7c00 | (mant ? 0x200 : 0));   /* inf, NaN */
    exp = exp - 127 + 15;
    if (exp >= 0x1f) return (uint16_t)(sign | 0x7c00);                        /* too large: inf */
    if (exp <= 0) {                                                           /* subnormal or 0 */
        if (exp < -10) return (uint16_t)sign;
        mant |= 0x800000;
        uint32_t shift = (uint32_t)(14 - exp), h = mant >> shift;
        uint32_t rem = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (h & 1))) h++;
        return (uint16_t)(sign | h);
    }
    uint32_t h = ((uint32_t)exp << 10) | (mant >> 13), rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;   /* a carry into the exponent is right */
    return (uint16_t)(sign | h);
}

float f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, x;
    if (exp == 0) {
        if (!mant) {
            x = sign;
        } else {   /* subnormal: normalise */
            uint32_t e = 0;
            while (!(mant & 0x400)) { mant <<= 1; e++; }
            x = sign | ((127 - 15 + 1 - e) << 23) | ((mant & 0x3ff) << 13);
        }
    } else if (exp == 0x1f) {
        x = sign | 0x7f800000 | (mant << 13);
    } else {
        x = sign | ((exp - 15 + 127) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &x, 4);
    return f;
}
