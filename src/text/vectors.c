/* vectors.c - streaming loader for word2vec vectors, text or binary (see vectors.h).
 *
 * The file (plain, or gzip detected by its 1f 8b magic) is read in 1 MiB
 * chunks into one buffer and cut into lines in place: no per-line
 * allocation.  gzip data is inflated by a reader thread into a small ring
 * of buffers while this thread parses, so a .gz loads about as fast as zlib
 * alone can inflate it (inflating and parsing take similar time).
 * Binary files (word2vec -binary 1: a "count dim" header line, then per word
 * the word, a space and dim little-endian float32) are told apart from text
 * by the bytes after the first word: text rows hold only number characters.  For every row the word is looked up in `want`; rows that are
 * not wanted only have their fields counted (a word-at-a-time scan over the
 * separators), wanted rows have their numbers parsed by a small strtof-like
 * parser that handles the usual "-0.0823242" / "1.5e-05" forms exactly and
 * falls back to strtof for anything else.
 *
 * Duplicate words are detected among the wanted words only (a word seen
 * twice that nobody asked for costs nothing and changes nothing), which
 * keeps memory at O(wanted x dim) plus the read buffer.
 */
#include "text/vectors.h"
#include "base/err.h"
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK (1u << 20)        /* read / decompress granularity */
#define MAX_DIM (1L << 24)      /* sanity bound on the dimension */

/* ------------------------------------------------------------------------ */
/* Input source: plain file or gzip stream (possibly multi-member). */

typedef struct src {
    const char *path;
    int fd;
    int gz;
    unsigned char peek[2];      /* bytes read to sniff the magic (plain mode) */
    size_t npeek, peek_pos;
    z_stream zs;
    int zinit;                  /* zs initialised */
    int zdone;                  /* last member ended, no further member */
    int zmember_end;            /* just saw Z_STREAM_END, need a new header check */
    unsigned char *zin;
    int eof_in;                 /* no more compressed input */
    struct gzpipe *pipe;        /* reader thread (gzip input only) */
} src;

static int pipe_start(src *s);
static void pipe_stop(src *s);

static ssize_t read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static int src_open(src *s, const char *path)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->fd = open(path, O_RDONLY);
    if (s->fd < 0) return err_set("%s: %s", path, strerror(errno));
    ssize_t n = read_full(s->fd, s->peek, 2);
    if (n < 0) {
        int e = errno;
        close(s->fd);
        s->fd = -1;
        return err_set("%s: read error: %s", path, strerror(e));
    }
    s->npeek = (size_t)n;
    if (n == 2 && s->peek[0] == 0x1f && s->peek[1] == 0x8b) {
        s->gz = 1;
        s->zin = xmalloc(CHUNK);
        s->zin[0] = 0x1f;
        s->zin[1] = 0x8b;
        s->zs.next_in = s->zin;
        s->zs.avail_in = 2;
        if (inflateInit2(&s->zs, 15 + 16) != Z_OK) {
            free(s->zin);
            close(s->fd);
            s->fd = -1;
            return err_set("%s: cannot initialise zlib", path);
        }
        s->zinit = 1;
        pipe_start(s);
    }
    return 0;
}

static void src_close(src *s)
{
    pipe_stop(s);   /* before the zlib state the thread uses goes away */
    if (s->zinit) inflateEnd(&s->zs);
    free(s->zin);
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    s->zinit = 0;
    s->zin = NULL;
}

/* Refill the compressed input if empty.  Returns -1 on error, else 0. */
static int gz_fill(src *s)
{
    if (s->zs.avail_in > 0 || s->eof_in) return 0;
    ssize_t r = read_full(s->fd, s->zin, CHUNK);
    if (r < 0) return err_set("%s: read error: %s", s->path, strerror(errno));
    if (r == 0) s->eof_in = 1;
    s->zs.next_in = s->zin;
    s->zs.avail_in = (uInt)r;
    return 0;
}

static int gz_corrupt(src *s)
{
    return err_set("%s: truncated or corrupt gzip data", s->path);
}

/* Inflate up to cap bytes into dst (runs on the reader thread).
 * Returns the byte count, 0 at the end of the data, -1 on error. */
static ssize_t gz_inflate(src *s, char *dst, size_t cap)
{
    if (s->zdone) return 0;
    s->zs.next_out = (Bytef *)dst;
    s->zs.avail_out = (uInt)(cap > UINT_MAX ? UINT_MAX : cap);
    uInt want = s->zs.avail_out;
    while (s->zs.avail_out > 0) {
        if (gz_fill(s) < 0) return -1;
        if (s->zmember_end) {
            /* After a member: another one follows only if the next bytes are
             * a gzip magic; anything else (EOF, padding) ends the data, as
             * with gzip(1), which ignores trailing garbage. */
            if (s->zs.avail_in == 0) { s->zdone = 1; break; }
            if (s->zs.avail_in == 1 && !s->eof_in) {
                /* need two bytes to decide: move the one left to the front */
                unsigned char b = s->zs.next_in[0];
                s->zin[0] = b;
                ssize_t r = read_full(s->fd, s->zin + 1, CHUNK - 1);
                if (r < 0) return err_set("%s: read error: %s", s->path, strerror(errno));
                if (r == 0) s->eof_in = 1;
                s->zs.next_in = s->zin;
                s->zs.avail_in = (uInt)r + 1;
            }
            if (s->zs.avail_in >= 2 && s->zs.next_in[0] == 0x1f && s->zs.next_in[1] == 0x8b) {
                if (inflateReset(&s->zs) != Z_OK) return gz_corrupt(s);
                s->zmember_end = 0;
            } else {
                s->zdone = 1;
                break;
            }
        }
        if (s->zs.avail_in == 0 && s->eof_in) return gz_corrupt(s);  /* mid-member EOF */
        int ret = inflate(&s->zs, Z_NO_FLUSH);
        if (ret == Z_STREAM_END) {
            s->zmember_end = 1;
        } else if (ret == Z_BUF_ERROR) {
            /* no progress: input exhausted; loop refills or reports EOF */
            if (s->zs.avail_in != 0) return gz_corrupt(s);
        } else if (ret != Z_OK) {
            if (ret == Z_MEM_ERROR) return err_set("%s: out of memory in zlib", s->path);
            return gz_corrupt(s);
        }
    }
    return (ssize_t)(want - s->zs.avail_out);
}

/* The reader thread: inflates into a ring of NBUF chunks; the parsing thread
 * takes them in order.  A chunk belongs to the reader while it is not
 * counted in `full`, to the parser while it is, so the data itself is copied
 * without the lock.  Errors are passed on after the chunks before them. */
#define NBUF 4

typedef struct gzpipe {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *buf[NBUF];
    size_t len[NBUF];
    int rd, wr, full;           /* ring indices, filled chunks */
    size_t off;                 /* bytes of buf[rd] already taken */
    int eof, failed, stop;
    char msg[512];              /* the reader's error message */
} gzpipe;

static void *gz_reader(void *arg)
{
    src *s = arg;
    gzpipe *p = s->pipe;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->full == NBUF && !p->stop) pthread_cond_wait(&p->cv, &p->mu);
        int stop = p->stop, wr = p->wr;
        pthread_mutex_unlock(&p->mu);
        if (stop) break;
        ssize_t n = gz_inflate(s, p->buf[wr], CHUNK);
        pthread_mutex_lock(&p->mu);
        if (n < 0) {
            p->failed = 1;
            snprintf(p->msg, sizeof p->msg, "%s", err_msg());
        } else if (n == 0) {
            p->eof = 1;
        } else {
            p->len[wr] = (size_t)n;
            p->wr = (wr + 1) % NBUF;
            p->full++;
        }
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (n <= 0) break;
    }
    return NULL;
}

static int pipe_start(src *s)
{
    gzpipe *p = xcalloc(1, sizeof *p);
    for (int i = 0; i < NBUF; i++) p->buf[i] = xmalloc(CHUNK);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    s->pipe = p;
    if (pthread_create(&p->thread, NULL, gz_reader, s) != 0) {
        s->pipe = NULL;     /* no thread: inflate on this one instead */
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        for (int i = 0; i < NBUF; i++) free(p->buf[i]);
        free(p);
    }
    return 0;
}

static void pipe_stop(src *s)
{
    gzpipe *p = s->pipe;
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    for (int i = 0; i < NBUF; i++) free(p->buf[i]);
    free(p);
    s->pipe = NULL;
}

static ssize_t pipe_read(gzpipe *p, char *dst, size_t cap)
{
    pthread_mutex_lock(&p->mu);
    while (p->full == 0 && !p->eof && !p->failed) pthread_cond_wait(&p->cv, &p->mu);
    if (p->full == 0) {
        int failed = p->failed;
        pthread_mutex_unlock(&p->mu);
        return failed ? err_set("%s", p->msg) : 0;
    }
    int rd = p->rd;
    pthread_mutex_unlock(&p->mu);
    size_t n = p->len[rd] - p->off;
    if (n > cap) n = cap;
    memcpy(dst, p->buf[rd] + p->off, n);
    p->off += n;
    if (p->off == p->len[rd]) {
        p->off = 0;
        pthread_mutex_lock(&p->mu);
        p->rd = (rd + 1) % NBUF;
        p->full--;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    return (ssize_t)n;
}

/* Read up to cap bytes of (decompressed) data into dst.
 * Returns the byte count, 0 at the end of the data, -1 on error. */
static ssize_t src_read(src *s, char *dst, size_t cap)
{
    if (s->gz) return s->pipe ? pipe_read(s->pipe, dst, cap) : gz_inflate(s, dst, cap);
    size_t got = 0;
    while (s->peek_pos < s->npeek && got < cap) dst[got++] = (char)s->peek[s->peek_pos++];
    if (got == cap) return (ssize_t)got;
    ssize_t r = read_full(s->fd, dst + got, cap - got);
    if (r < 0) return err_set("%s: read error: %s", s->path, strerror(errno));
    return (ssize_t)got + r;
}

/* ------------------------------------------------------------------------ */
/* Field counting: number of runs of non-separator bytes (separators are
 * ' ' and '\t').  Word-at-a-time on little-endian targets. */

static inline int is_sep(unsigned char c) { return c == ' ' || c == '\t'; }
/* white space between binary entries */
static inline int is_ws(unsigned char c) { return is_sep(c) || c == '\r' || c == '\n'; }

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (defined(__GNUC__) || defined(__clang__))
#define ONES 0x0101010101010101ull
#define HIGH 0x8080808080808080ull
#define LOW7 0x7f7f7f7f7f7f7f7full
/* high bit set in each byte of x equal to c (exact, no cross-byte carries) */
static inline uint64_t bytes_eq(uint64_t x, unsigned char c)
{
    uint64_t t = x ^ (ONES * c);
    return ~(((t & LOW7) + LOW7) | t) & HIGH;
}

static size_t count_fields(const char *s, size_t n)
{
    size_t cnt = 0, i = 0;
    uint64_t prev = 0x80;   /* "byte -1" is a separator */
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t sp = bytes_eq(x, ' ') | bytes_eq(x, '\t');
        uint64_t starts = ~sp & HIGH & ((sp << 8) | prev);
        cnt += (size_t)__builtin_popcountll(starts);
        prev = sp >> 56;    /* top byte's flag moves to the bottom byte */
    }
    int prev_sep = prev != 0;
    for (; i < n; i++) {
        int sep = is_sep((unsigned char)s[i]);
        cnt += !sep && prev_sep;
        prev_sep = sep;
    }
    return cnt;
}
#else
static size_t count_fields(const char *s, size_t n)
{
    size_t cnt = 0;
    int prev_sep = 1;
    for (size_t i = 0; i < n; i++) {
        int sep = is_sep((unsigned char)s[i]);
        cnt += !sep && prev_sep;
        prev_sep = sep;
    }
    return cnt;
}
#endif

/* ------------------------------------------------------------------------ */
/* Number parsing. */

static const float pow10f_tab[] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};
static const double pow10_tab[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* strtof on a token that is not NUL-terminated.  0 ok, 1 not a number. */
static int slow_parse(const char *s, size_t n, float *out)
{
    char small[128], *buf = n < sizeof small ? small : xmalloc(n + 1);
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    float v = strtof(buf, &end);
    int bad = end != buf + n || n == 0;
    if (buf != small) free(buf);
    if (bad) return 1;
    *out = v;
    return 0;
}

/* Parse [s, s+n) as a float.  Returns 0 ok, 1 not a number, 2 not finite. */
static int parse_float(const char *s, size_t n, float *out)
{
    const char *p = s, *e = s + n;
    int neg = 0;
    if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
    uint64_t m = 0;
    int nd = 0, exp10 = 0, digits = 0;
    while (p < e && (unsigned)(*p - '0') < 10) {
        if (m || *p != '0') { m = m * 10 + (uint64_t)(*p - '0'); nd++; }
        p++;
        digits++;
    }
    if (p < e && *p == '.') {
        p++;
        while (p < e && (unsigned)(*p - '0') < 10) {
            if (m || *p != '0') { m = m * 10 + (uint64_t)(*p - '0'); nd++; }
            exp10--;
            p++;
            digits++;
        }
    }
    if (!digits || nd > 19) goto slow;
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0, ex = 0, ed = 0;
        if (p < e && (*p == '-' || *p == '+')) eneg = *p++ == '-';
        while (p < e && (unsigned)(*p - '0') < 10) {
            if (ex < 100000) ex = ex * 10 + (*p - '0');
            p++;
            ed++;
        }
        if (!ed) goto slow;
        exp10 += eneg ? -ex : ex;
    }
    if (p != e) goto slow;
    if (m == 0) {
        *out = neg ? -0.0f : 0.0f;
        return 0;
    }
    float v;
    if (m < (1u << 24) && exp10 >= -10 && exp10 <= 10) {
        /* both operands exact in float: one correctly rounded operation */
        v = exp10 < 0 ? (float)m / pow10f_tab[-exp10] : (float)m * pow10f_tab[exp10];
    } else if (m < (1ull << 53) && exp10 >= -22 && exp10 <= 22) {
        double d = exp10 < 0 ? (double)m / pow10_tab[-exp10] : (double)m * pow10_tab[exp10];
        v = (float)d;
    } else {
        goto slow;
    }
    *out = neg ? -v : v;
    return 0;
slow:
    if (slow_parse(s, n, &v)) return 1;
    if (!isfinite(v)) return 2;
    *out = v;
    return 0;
}

/* Unsigned decimal integer, digits only; -1 if not one (or absurdly big). */
static long parse_count(const char *s, size_t n)
{
    if (n == 0 || n > 15) return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)(s[i] - '0') >= 10) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* ------------------------------------------------------------------------ */
/* The scanner: header / dimension logic and per-row validation shared by
 * vectors_load and vectors_words. */

typedef struct scan scan;
/* Called for each valid vector row; rest holds exactly dim fields. */
typedef int (*row_fn)(scan *sc, const char *word, size_t wlen, const char *rest, size_t rlen);
/* Called once, when the first row has confirmed the dimension. */
typedef int (*dim_fn)(scan *sc);

struct scan {
    const char *path;
    long expect_dim;
    long lineno;
    long dim;               /* 0 until known */
    long header_count;
    long rows;
    int first_seen;         /* first non-blank line handled */
    int binary;             /* word2vec binary format: lineno counts entries */
    row_fn row;
    dim_fn on_dim;
    void *ctx;
};

static int set_dim(scan *sc, long dim)
{
    if (dim > MAX_DIM)
        return err_set("%s:%ld: dimension %ld is too large", sc->path, sc->lineno, dim);
    if (sc->expect_dim > 0 && dim != sc->expect_dim)
        return err_set("%s:%ld: vectors have dimension %ld, expected %ld",
                       sc->path, sc->lineno, dim, sc->expect_dim);
    sc->dim = dim;
    return 0;
}

static int scan_line(scan *sc, const char *s, size_t n)
{
    sc->lineno++;
    if (sc->lineno == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
        s += 3;     /* UTF-8 byte order mark */
        n -= 3;
    }
    /* trim: trailing CR/space/tab, leading space/tab */
    while (n && (s[n - 1] == '\r' || is_sep((unsigned char)s[n - 1]))) n--;
    while (n && is_sep((unsigned char)*s)) { s++; n--; }
    if (!n) return 0;   /* blank line */
    size_t wlen = 0;
    while (wlen < n && !is_sep((unsigned char)s[wlen])) wlen++;
    const char *rest = s + wlen;
    size_t rlen = n - wlen;
    long nval = (long)count_fields(rest, rlen);
    if (!sc->first_seen) {
        sc->first_seen = 1;
        if (nval == 1) {
            /* "count dim" header, or a 1-dimensional row */
            while (rlen && is_sep((unsigned char)*rest)) { rest++; rlen--; }
            long count = parse_count(s, wlen), dim = parse_count(rest, rlen);
            if (count >= 0 && dim >= 0) {
                if (dim == 0) return err_set("%s:%ld: header gives dimension 0", sc->path, sc->lineno);
                sc->header_count = count;
                return set_dim(sc, dim);
            }
            rest = s + wlen;
            rlen = n - wlen;
        }
        if (nval == 0)
            return err_set("%s:%ld: expected a \"count dim\" header or a word and its vector",
                           sc->path, sc->lineno);
        if (set_dim(sc, nval) < 0) return -1;
    }
    if (nval != sc->dim)
        return err_set("%s:%ld: expected %ld values, found %ld", sc->path, sc->lineno, sc->dim, nval);
    /* Allocate for the dimension only once a row has confirmed it: a header
     * claiming a huge dimension must not cost memory before it is checked. */
    if (sc->rows == 0 && sc->on_dim && sc->on_dim(sc) < 0) return -1;
    sc->rows++;
    return sc->row(sc, s, wlen, rest, rlen);
}

/* The read buffer: data [pos, len) not consumed yet. */
typedef struct rbuf {
    char *buf;
    size_t cap, len, pos;
    int eof;
} rbuf;

/* Move the unconsumed bytes to the front, make room and read once more.
 * Returns the bytes read (0 at the end of the data), -1 on error. */
static ssize_t refill(rbuf *b, src *in, size_t need)
{
    if (b->pos > 0) {
        memmove(b->buf, b->buf + b->pos, b->len - b->pos);
        b->len -= b->pos;
        b->pos = 0;
    }
    while (b->cap - b->len < CHUNK / 2 || b->cap < need) {
        b->cap *= 2;
        b->buf = xrealloc(b->buf, b->cap);
    }
    ssize_t r = src_read(in, b->buf + b->len, b->cap - b->len);
    if (r > 0) b->len += (size_t)r;
    if (r == 0) b->eof = 1;
    return r;
}

/* Read until at least `need` unconsumed bytes are buffered or the data ends. */
static int fill_to(rbuf *b, src *in, size_t need)
{
    while (b->len - b->pos < need && !b->eof)
        if (refill(b, in, need) < 0) return -1;
    return 0;
}

static int scan_text(scan *sc, src *in, rbuf *b)
{
    size_t scanned = b->pos;
    for (;;) {
        char *nl;
        while ((nl = memchr(b->buf + scanned, '\n', b->len - scanned)) != NULL) {
            size_t end = (size_t)(nl - b->buf);
            if (scan_line(sc, b->buf + b->pos, end - b->pos) < 0) return -1;
            b->pos = scanned = end + 1;
        }
        if (b->eof) return b->len > b->pos ? scan_line(sc, b->buf + b->pos, b->len - b->pos) : 0;
        size_t partial = b->len - b->pos;
        if (refill(b, in, 0) < 0) return -1;
        scanned = partial;      /* the partial line moved to the front */
    }
}

/* word2vec binary: after the header, each entry is the word, one space and
 * dim float32 (little-endian); word2vec ends each entry with a newline,
 * other writers do not, so white space before a word is skipped (as the
 * C word2vec tools and gensim do).  sc->lineno counts entries. */
#define MAX_WORD (1u << 16)

static int scan_binary(scan *sc, src *in, rbuf *b)
{
    size_t vbytes = (size_t)sc->dim * sizeof(float);
    long entry = 0;
    for (;;) {
        for (;;) {     /* skip separators between entries */
            while (b->pos < b->len && is_ws((unsigned char)b->buf[b->pos])) b->pos++;
            if (b->pos < b->len || b->eof) break;
            if (refill(b, in, 0) < 0) return -1;
        }
        if (b->pos == b->len) return 0;
        entry++;
        sc->lineno = entry;
        const char *sp;
        for (;;) {
            sp = memchr(b->buf + b->pos, ' ', b->len - b->pos);
            if (sp) break;
            if (b->len - b->pos > MAX_WORD)
                return err_set("%s: vector %ld: no space after the word within %u bytes (not a word2vec binary file?)",
                               sc->path, entry, MAX_WORD);
            if (b->eof) return err_set("%s: vector %ld: truncated (word without a vector)", sc->path, entry);
            if (refill(b, in, 0) < 0) return -1;
        }
        size_t wlen = (size_t)(sp - (b->buf + b->pos));
        if (fill_to(b, in, wlen + 1 + vbytes) < 0) return -1;
        if (b->len - b->pos < wlen + 1 + vbytes)
            return err_set("%s: vector %ld: truncated (%zu of %zu bytes)", sc->path, entry,
                           b->len - b->pos - wlen - 1, vbytes);
        const char *word = b->buf + b->pos;
        if (sc->rows == 0 && sc->on_dim && sc->on_dim(sc) < 0) return -1;
        sc->rows++;
        if (sc->row(sc, word, wlen, word + wlen + 1, vbytes) < 0) return -1;
        b->pos += wlen + 1 + vbytes;
    }
}

/* How many whitespace-separated tokens of [p, e) are whole numbers to strtof;
 * -1 as soon as one is not. */
static long count_numbers(const char *p, const char *e)
{
    long n = 0;
    char tok[64];
    while (p < e) {
        while (p < e && (is_sep((unsigned char)*p) || *p == '\r')) p++;
        const char *t = p;
        while (p < e && !is_sep((unsigned char)*p) && *p != '\r') p++;
        if (p == t) break;
        if ((size_t)(p - t) >= sizeof tok) return -1;
        memcpy(tok, t, (size_t)(p - t));
        tok[p - t] = '\0';
        char *end;
        (void)strtof(tok, &end);
        if (end == tok || *end) return -1;
        n++;
    }
    return n;
}

/* Whether most of the first n float32s at p (as many as [p, e) holds) are
 * plausible vector values: 0 or 1e-3 <= |v| <= 1e6.  Decimal text read as
 * floats never is: its bytes (digits, '.', '-', ' ', 'e') make magnitudes
 * below 5e-4 or above 1e19. */
static int plausible_floats(const char *p, const char *e, long n)
{
    long seen = 0, good = 0;
    for (; seen < n && e - p >= 4; seen++, p += 4) {
        float f;
        memcpy(&f, p, 4);
        float a = fabsf(f);
        good += f == 0 || (a >= 1e-3f && a <= 1e6f);
    }
    return seen > 0 && 2 * good > seen;
}

/* Is the file binary?  Only with a "count dim" header, and when the bytes
 * after the first word are not all characters of numbers and white space
 * (raw float32 data practically always holds some other byte) -- or when
 * they are, up to a newline, but do not read as exactly dim numbers: a 0x0a
 * byte inside the first floats (0.09999855 is 0a cc cc 3d) after bytes that
 * happen to look numeric must not make the file "text", nor must a text
 * file with a short first row become "binary" (plausible_floats decides).
 * Sets the header's count and dimension and consumes the header line when
 * binary. */
static int sniff_binary(scan *sc, src *in, rbuf *b, int *binary)
{
    *binary = 0;
    if (fill_to(b, in, 4096) < 0) return -1;
    if (b->len - b->pos >= 4 && !memcmp(b->buf + b->pos, "\xba\x16\x4f\x2f", 4))   /* fastText's magic 793712314 */
        return err_set("%s: this is a fastText binary model (.bin), not word vectors; use the .vec file "
                       "fastText writes beside it (text word2vec format)", sc->path);
    const char *s = b->buf + b->pos, *nl = memchr(s, '\n', b->len - b->pos);
    if (!nl) return 0;
    const char *p = s, *e = nl;
    while (p < e && is_sep((unsigned char)*p)) p++;
    const char *c0 = p;
    while (p < e && !is_sep((unsigned char)*p)) p++;
    long count = parse_count(c0, (size_t)(p - c0));
    while (p < e && is_sep((unsigned char)*p)) p++;
    const char *d0 = p;
    while (p < e && !is_sep((unsigned char)*p) && *p != '\r') p++;
    long dim = parse_count(d0, (size_t)(p - d0));
    while (p < e && (is_sep((unsigned char)*p) || *p == '\r')) p++;
    if (count < 0 || dim <= 0 || dim > MAX_DIM || p != e) return 0;
    size_t hdr = (size_t)(nl + 1 - s);
    size_t look = hdr + MAX_WORD + (size_t)dim * sizeof(float);
    if (look > CHUNK) look = CHUNK;
    if (fill_to(b, in, look) < 0) return -1;
    s = b->buf + b->pos;
    size_t n = b->len - b->pos;
    const char *w = s + hdr, *end = s + n;
    while (w < end && is_ws((unsigned char)*w)) w++;
    const char *sp = memchr(w, ' ', (size_t)(end - w));
    if (!sp) return 0;
    const char *v = sp + 1, *vend = v + (size_t)dim * sizeof(float);
    if (vend > end) vend = end;
    for (; v < vend; v++) {
        unsigned char ch = (unsigned char)*v;
        if (ch == '\n') {   /* the end of a text row, or a 0x0a byte inside a binary float */
            *binary = count_numbers(sp + 1, v) != dim && plausible_floats(sp + 1, end, dim);
            break;
        }
        if (!(((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || is_sep(ch) || ch == '\r')) {
            *binary = 1;
            break;
        }
    }
    if (!*binary) return 0;
    sc->lineno = 1;
    sc->first_seen = 1;
    sc->header_count = count;
    if (set_dim(sc, dim) < 0) return -1;
    b->pos += hdr;
    return 0;
}

static int scan_file(scan *sc)
{
    sc->lineno = 0;
    sc->dim = 0;
    sc->header_count = -1;
    sc->rows = 0;
    sc->first_seen = 0;
    sc->binary = 0;

    src in;
    if (src_open(&in, sc->path) < 0) return -1;
    rbuf b = {xmalloc(CHUNK), CHUNK, 0, 0, 0};
    int rc = sniff_binary(sc, &in, &b, &sc->binary);
    if (rc == 0) rc = sc->binary ? scan_binary(sc, &in, &b) : scan_text(sc, &in, &b);
    if (rc == 0) {
        if (sc->header_count >= 0 && sc->header_count != sc->rows)
            rc = err_set("%s: header says %ld vectors, file has %ld", sc->path, sc->header_count, sc->rows);
        else if (sc->rows == 0)
            rc = err_set("%s: no vectors", sc->path);
    }
    free(b.buf);
    src_close(&in);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* vectors_load */

typedef struct load_ctx {
    const strmap *want;
    size_t nwant;
    float *out;
    unsigned char *found;
    long nfound, dups;
} load_ctx;

static int load_dim(scan *sc)
{
    load_ctx *c = sc->ctx;
    if (c->nwant && (size_t)sc->dim > SIZE_MAX / sizeof(float) / c->nwant)
        return err_set("%s: %zu x %ld vectors do not fit in memory", sc->path, c->nwant, sc->dim);
    c->out = xcalloc(c->nwant * (size_t)sc->dim, sizeof(float));
    return 0;
}

static int load_row(scan *sc, const char *word, size_t wlen, const char *rest, size_t rlen)
{
    load_ctx *c = sc->ctx;
    if (!c->nwant) return 0;
    int32_t id = strmap_get(c->want, word, wlen);
    if (id < 0) return 0;
    if (c->found[id]) {
        c->dups++;
        return 0;
    }
    float *dst = c->out + (size_t)id * (size_t)sc->dim;
    if (sc->binary) {
        for (long k = 0; k < sc->dim; k++) {
            uint32_t u;
            memcpy(&u, rest + 4 * k, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            u = __builtin_bswap32(u);
#endif
            memcpy(&dst[k], &u, 4);
            if (!isfinite(dst[k]))
                return err_set("%s: vector %ld ('%.*s'): non-finite value", sc->path, sc->lineno,
                               (int)(wlen > 40 ? 40 : wlen), word);
        }
        c->found[id] = 1;
        c->nfound++;
        return 0;
    }
    (void)rlen;
    const char *p = rest, *e = rest + rlen;
    for (long k = 0; k < sc->dim; k++) {
        while (p < e && is_sep((unsigned char)*p)) p++;
        const char *t = p;
        while (p < e && !is_sep((unsigned char)*p)) p++;
        int r = parse_float(t, (size_t)(p - t), &dst[k]);
        if (r == 1) {
            size_t tl = (size_t)(p - t);
            return err_set("%s:%ld: bad number '%.*s%s'", sc->path, sc->lineno,
                           (int)(tl > 40 ? 40 : tl), t, tl > 40 ? "..." : "");
        }
        if (r == 2) return err_set("%s:%ld: non-finite value", sc->path, sc->lineno);
    }
    c->found[id] = 1;
    c->nfound++;
    return 0;
}

int vectors_load(const char *path, const strmap *want, long expect_dim,
                 float **out, unsigned char **found, vec_stats *st)
{
    *out = NULL;
    if (found) *found = NULL;
    load_ctx c = {0};
    c.want = want;
    c.nwant = want ? want->n : 0;
    c.found = xcalloc(c.nwant, 1);
    scan sc = {0};
    sc.path = path;
    sc.expect_dim = expect_dim;
    sc.row = load_row;
    sc.on_dim = load_dim;
    sc.ctx = &c;
    if (scan_file(&sc) < 0) {
        free(c.out);
        free(c.found);
        return -1;
    }
    *out = c.out;
    if (found) *found = c.found;
    else free(c.found);
    if (st) {
        st->dim = sc.dim;
        st->header_count = sc.header_count;
        st->rows = sc.rows;
        st->found = c.nfound;
        st->duplicates = c.dups;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* vectors_words */

static int words_row(scan *sc, const char *word, size_t wlen, const char *rest, size_t rlen)
{
    (void)rest;
    (void)rlen;
    if (wlen > UINT32_MAX) return err_set("%s:%ld: word too long", sc->path, sc->lineno);
    strmap_put(sc->ctx, word, wlen, NULL);
    return 0;
}

int vectors_words(const char *path, strmap *words, long *dim)
{
    scan sc = {0};
    sc.path = path;
    sc.row = words_row;
    sc.ctx = words;
    if (!words->slots) strmap_init(words);
    if (scan_file(&sc) < 0) return -1;
    if (dim) *dim = sc.dim;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* vectors_write */

/* Buffered writes to a file descriptor; the first error sticks (errno kept). */
typedef struct outbuf { int fd; char *b; size_t n, cap; int err; } outbuf;

static void ob_flush(outbuf *o)
{
    if (o->n && !o->err && write_all(o->fd, o->b, o->n) < 0) o->err = errno ? errno : EIO;
    o->n = 0;
}

static void ob_put(outbuf *o, const void *p, size_t n)
{
    if (o->cap - o->n < n) ob_flush(o);
    if (n > o->cap) {
        if (!o->err && write_all(o->fd, p, n) < 0) o->err = errno ? errno : EIO;
        return;
    }
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

int vectors_write(const char *path, const vocab *voc, size_t first, const float *vec, int dim, int binary)
{
    atomic_file af = { 0 };
    int to_stdout = strcmp(path, "-") == 0;
    if (!to_stdout && atomic_open(&af, path) < 0) return -1;
    outbuf ob = { to_stdout ? 1 : af.fd, xmalloc(1 << 20), 0, 1 << 20, 0 };
    char line[64];
    int len = snprintf(line, sizeof line, "%zu %d\n", voc->n - first, dim);
    ob_put(&ob, line, (size_t)len);
    for (size_t v = first; v < voc->n; v++) {
        const char *w = vocab_token(voc, (int32_t)v);
        ob_put(&ob, w, strlen(w));
        const float *row = vec + v * (size_t)dim;
        if (binary) {
            ob_put(&ob, " ", 1);
            ob_put(&ob, row, (size_t)dim * sizeof(float));   /* little-endian hosts */
        } else {
            for (int d = 0; d < dim; d++) {
                len = snprintf(line, sizeof line, " %.6g", row[d]);
                ob_put(&ob, line, (size_t)len);
            }
        }
        ob_put(&ob, "\n", 1);
    }
    ob_flush(&ob);
    free(ob.b);
    if (ob.err) {
        if (!to_stdout) atomic_abort(&af);
        errno = ob.err;
        return err_set("%s: %s", to_stdout ? "<stdout>" : path, strerror(ob.err));
    }
    return to_stdout ? 0 : atomic_commit(&af);
}
