/* fuzz_common.h - helpers shared by the libFuzzer harnesses in tests/fuzz/.
 *
 * The library reads files by path, so each harness writes its input to a
 * memfd and hands the library "/proc/self/fd/N".  A memfd is a regular
 * file: it can be mmap'ed (model files) and re-opened (csv_open, the vector
 * loader).
 */
#ifndef SEQSENT_FUZZ_COMMON_H
#define SEQSENT_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct fuzz_file {
    int fd;
    char path[64];
} fuzz_file;

/* Create (once) a memfd and replace its contents with data[0..n). */
static inline const char *fuzz_file_set(fuzz_file *f, const void *data, size_t n)
{
    if (f->fd <= 0) {
        f->fd = memfd_create("seqsent-fuzz", MFD_CLOEXEC);
        if (f->fd < 0) { perror("memfd_create"); abort(); }
        snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
    }
    if (ftruncate(f->fd, 0) < 0) { perror("ftruncate"); abort(); }
    const char *p = data;
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(f->fd, p + done, n - done, (off_t)done);
        if (w <= 0) { perror("pwrite"); abort(); }
        done += (size_t)w;
    }
    return f->path;
}

/* A growable byte string, for canonical descriptions of results. */
typedef struct fbuf {
    char *p;
    size_t len, cap;
} fbuf;

static inline void fbuf_add(fbuf *b, const void *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 256;
        while (nc < b->len + n + 1) nc *= 2;
        b->p = realloc(b->p, nc);
        if (!b->p) abort();
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static inline void fbuf_str(fbuf *b, const char *s) { fbuf_add(b, s, strlen(s)); }

static inline void fbuf_num(fbuf *b, long long v)
{
    char t[32];
    int k = snprintf(t, sizeof t, "%lld;", v);
    fbuf_add(b, t, (size_t)k);
}

/* Length-prefixed bytes, so that different splits never compare equal. */
static inline void fbuf_field(fbuf *b, const char *s, size_t n)
{
    fbuf_num(b, (long long)n);
    fbuf_add(b, s, n);
}

static inline void fbuf_free(fbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* Abort with both descriptions when two ways of computing the same thing
 * disagree (a crash for libFuzzer). */
static inline void fuzz_same(const fbuf *a, const fbuf *b, const char *what)
{
    if (a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0)) return;
    fprintf(stderr, "fuzz: %s differ:\n--- A (%zu bytes)\n%.2000s\n--- B (%zu bytes)\n%.2000s\n", what,
            a->len, a->p ? a->p : "", b->len, b->p ? b->p : "");
    abort();
}

#define FUZZ_ASSERT(cond, ...) do { \
    if (!(cond)) { \
        fprintf(stderr, "fuzz: %s:%d: assertion failed: %s: ", __FILE__, __LINE__, #cond); \
        fprintf(stderr, __VA_ARGS__); \
        fputc('\n', stderr); \
        abort(); \
    } \
} while (0)

/* Valid UTF-8 (no overlongs, surrogates or code points > U+10FFFF). */
static inline int fuzz_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) { i++; continue; }
        size_t k;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) { k = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { k = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { k = 3; cp = c & 0x07; }
        else return 0;
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (s[i + j] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

#endif
