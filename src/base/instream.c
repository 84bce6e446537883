/* instream.c - decoded text input: gzip (zlib) and encodings (iconv), see
 * instream.h.  Three stages, each pulling from the one before:
 *
 *   raw:   read(2) from the file descriptor into raw[]
 *   plain: raw as is, or inflated when the input starts with the gzip magic
 *   out:   plain as is (UTF-8), or converted by iconv into the caller's buffer
 */
#include "base/instream.h"
#include "base/err.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define RAW_CHUNK (64 * 1024)
#define CHECK_BYTES (64 * 1024)   /* how far the "mostly not UTF-8" verdict looks */
#define SNIFF_BYTES 4096          /* how far the first look for UTF-16 without a BOM goes */

struct instream {
    int fd, own_fd;
    char *path;
    unsigned char *raw;          /* raw[raw_pos..raw_len) not yet consumed */
    size_t raw_len, raw_pos;
    int raw_eof;
    int sniffed;                 /* the gzip magic was looked for */
    int gz, gz_end;              /* inflating; the last gzip member ended at EOF */
    z_stream z;
    iconv_t cd;                  /* (iconv_t)-1: no conversion */
    char *enc;                   /* the encoding's name, for messages */
    unsigned char *plain;        /* with iconv: plain[plain_pos..plain_len) waits for conversion */
    size_t plain_len, plain_pos;
    int plain_eof;
    int checked;                 /* the start was looked at for a UTF-16 byte-order mark */
    int regular;                 /* a regular file: reading ahead never waits */
    /* The UTF-8 survey runs over the decoded bytes as one stream, so its
     * verdict never depends on how read(2) happened to cut them. */
    unsigned char tail[4];       /* a sequence cut by the end of the last chunk */
    int ntail;
    size_t pos;                  /* decoded bytes surveyed so far */
    size_t bad;                  /* invalid UTF-8 sequences seen */
    size_t wbad, wmulti;         /* invalid / valid multi-byte sequences in the first CHECK_BYTES */
    long lines;                  /* newlines surveyed so far */
    long first_bad_line;         /* line of the first invalid sequence (0: none yet) */
    unsigned char *head;         /* the first CHECK_BYTES decoded bytes, to guess an encoding */
    size_t head_len;
    char *pending;               /* an error to return on the next read */
};

const char *instream_path(const instream *s) { return s->path; }
int instream_fd(const instream *s) { return s->fd; }

int instream_ready(const instream *s)
{
    if (s->pending || s->raw_eof || s->raw_pos < s->raw_len || s->plain_pos < s->plain_len) return 1;
    struct pollfd p = { .fd = s->fd, .events = POLLIN };
    return poll(&p, 1, 0) != 0;   /* readable, hung up, or an error read will report */
}

size_t instream_bad_utf8(const instream *s) { return s->bad; }

/* The UTF-8 sequence at p[i]: its length when valid (1 for ASCII), 0 when
 * invalid (skip one byte), -1 when cut by the end of the buffer. */
static int utf8_seq(const unsigned char *p, size_t n, size_t i)
{
    unsigned char c = p[i];
    if (c < 0x80) return 1;
    int len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (!len) return 0;
    for (int k = 1; k < len; k++) {
        if (i + (size_t)k == n) return -1;
        if ((p[i + k] & 0xC0) != 0x80) return 0;
    }
    /* overlong 3/4-byte forms, surrogates, beyond U+10FFFF */
    if ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] > 0x9F) ||
        (c == 0xF0 && p[i + 1] < 0x90) || (c == 0xF4 && p[i + 1] > 0x8F))
        return 0;
    return len;
}

/* ---- raw and plain stages ---- */

static int raw_fill(instream *s)
{
    if (s->raw_pos == s->raw_len) s->raw_pos = s->raw_len = 0;
    if (s->raw_eof || s->raw_len == RAW_CHUNK) return 0;
    ssize_t n;
    do n = read(s->fd, s->raw + s->raw_len, RAW_CHUNK - s->raw_len);
    while (n < 0 && errno == EINTR);
    if (n < 0) return err_set("%s: %s", s->path, strerror(errno));
    if (n == 0) s->raw_eof = 1;
    s->raw_len += (size_t)n;
    return 0;
}

/* Up to cap bytes after gzip into dst: > 0, 0 at the end, -1 on error. */
static ssize_t plain_read(instream *s, unsigned char *dst, size_t cap)
{
    for (;;) {
        if (s->raw_pos == s->raw_len && !s->raw_eof && raw_fill(s) < 0) return -1;
        if (!s->gz) {
            size_t k = s->raw_len - s->raw_pos < cap ? s->raw_len - s->raw_pos : cap;
            memcpy(dst, s->raw + s->raw_pos, k);
            s->raw_pos += k;
            if (k || s->raw_eof) return (ssize_t)k;
            continue;
        }
        if (s->gz_end && s->raw_pos == s->raw_len && s->raw_eof) return 0;
        s->z.next_in = s->raw + s->raw_pos;
        s->z.avail_in = (uInt)(s->raw_len - s->raw_pos);
        s->z.next_out = dst;
        s->z.avail_out = (uInt)(cap > (1u << 30) ? (1u << 30) : cap);
        int rc = inflate(&s->z, Z_NO_FLUSH);
        size_t got = (size_t)(s->z.next_out - dst);
        s->raw_pos = s->raw_len - s->z.avail_in;
        if (rc == Z_STREAM_END) {   /* concatenated members (gzip -c a b) go on */
            s->gz_end = 1;
            if (s->raw_pos < s->raw_len || !s->raw_eof) { inflateReset(&s->z); s->gz_end = s->raw_pos == s->raw_len; }
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return err_set("%s: corrupt gzip data (%s)", s->path, s->z.msg ? s->z.msg : "inflate failed");
        } else {
            s->gz_end = 0;
        }
        if (got) return (ssize_t)got;
        if (s->raw_eof && s->raw_pos == s->raw_len) {
            if (!s->gz_end) return err_set("%s: truncated gzip data", s->path);
            return 0;
        }
    }
}

/* ---- iconv stage ---- */

static ssize_t conv_read(instream *s, char *dst, size_t cap)
{
    for (;;) {
        if (s->plain_pos == s->plain_len && !s->plain_eof) {
            s->plain_pos = s->plain_len = 0;
        }
        if (!s->plain_eof && s->plain_len < RAW_CHUNK / 2) {   /* top up */
            if (s->plain_pos) {
                memmove(s->plain, s->plain + s->plain_pos, s->plain_len - s->plain_pos);
                s->plain_len -= s->plain_pos;
                s->plain_pos = 0;
            }
            ssize_t n = plain_read(s, s->plain + s->plain_len, RAW_CHUNK - s->plain_len);
            if (n < 0) return -1;
            if (n == 0) s->plain_eof = 1;
            s->plain_len += (size_t)n;
        }
        char *in = (char *)s->plain + s->plain_pos, *out = dst;
        size_t inleft = s->plain_len - s->plain_pos, outleft = cap;
        size_t rc = iconv(s->cd, &in, &inleft, &out, &outleft);
        int e = errno;
        s->plain_pos = s->plain_len - inleft;
        size_t got = cap - outleft;
        if (rc == (size_t)-1 && e == EILSEQ) {
            /* the text before the bad sequence is delivered first, the
             * error on the next read: the same bytes reach the reader
             * however the input was cut */
            long line = s->lines + 1;
            for (size_t i = 0; i < got; i++) line += dst[i] == '\n';
            err_set("%s:%ld: invalid %s byte sequence; is --encoding %s right?", s->path, line, s->enc, s->enc);
            s->pending = xstrdup(err_msg());
            if (got) return (ssize_t)got;
            return -1;
        }
        if (got) return (ssize_t)got;
        if (s->plain_eof && s->plain_pos == s->plain_len) return 0;
        if (s->plain_eof && rc == (size_t)-1 && e == EINVAL)   /* a character cut by the end */
            return err_set("%s: ends inside a %s character", s->path, s->enc);
    }
}

/* ---- the first look: compression, BOM, UTF-8 or not ---- */

static int set_encoding(instream *s, const char *enc)
{
    s->cd = iconv_open("UTF-8", enc);
    if (s->cd == (iconv_t)-1)
        return err_set("--encoding %s: unknown encoding (iconv -l lists the names)", enc);
    s->enc = xstrdup(enc);
    s->plain = xmalloc(RAW_CHUNK);
    return 0;
}

/* Whether all of p[0..n) converts from enc without an invalid sequence. */
static int decodes_as(const char *enc, const unsigned char *p, size_t n)
{
    iconv_t cd = iconv_open("UTF-8", enc);
    if (cd == (iconv_t)-1) return 0;
    char out[4096];
    char *in = (char *)p;
    size_t inleft = n, ok = 1;
    while (inleft > 0) {
        char *o = out;
        size_t oleft = sizeof out;
        if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 && errno != E2BIG) {
            ok = errno == EINVAL;   /* cut at the end of the sample: fine */
            break;
        }
    }
    iconv_close(cd);
    return (int)ok;
}

/* The error for data that is mostly not UTF-8, naming the likely encoding
 * from the first bytes (up to n of head). */
static void not_utf8(instream *s, size_t n)
{
    size_t sample = n > 4 ? n - 4 : n;
    /* GBK and Big5 share their byte ranges: text that decodes as both is
     * named as both, GB18030 (a superset of GBK) first */
    int gb = decodes_as("GB18030", s->head, sample), big5 = decodes_as("BIG5", s->head, sample);
    const char *guess = gb ? "gb18030" : big5 ? "big5" : "windows-1252";
    const char *name = gb && big5 ? "GB18030/GBK, or Big5 if it is traditional Chinese"
                     : gb         ? "GB18030/GBK"
                     : big5       ? "Big5"
                                  : "Latin-1/Windows-1252";
    err_set("%s:%ld: not UTF-8 (looks like %s); convert it or pass --encoding %s", s->path, s->first_bad_line,
            name, guess);
    s->pending = xstrdup(err_msg());
}

/* Survey p[0..n) as the continuation of the stream: count invalid
 * sequences (a few stray ones are read as U+FFFD and reported), and within
 * the first CHECK_BYTES stop at the sequence where invalid ones reach 8 and
 * outnumber valid multi-byte ones.  Returns how many of the n bytes may be
 * delivered (all unless that verdict fell in this chunk; s->pending then
 * holds the error). */
static size_t survey(instream *s, const unsigned char *p, size_t n)
{
    if (s->pos < CHECK_BYTES) {   /* keep the head for the encoding guess */
        size_t k = CHECK_BYTES - s->head_len < n ? CHECK_BYTES - s->head_len : n;
        memcpy(s->head + s->head_len, p, k);
        s->head_len += k;
    }
    size_t nt = (size_t)s->ntail, len = nt + n;
    /* the cut sequence + this chunk; without one, the chunk itself */
    unsigned char *own = nt ? xmalloc(len) : NULL;
    const unsigned char *cat = p;
    if (own) {
        memcpy(own, s->tail, nt);
        memcpy(own + nt, p, n);
        cat = own;
    }
    size_t i = 0, deliver = n;
    while (i < len) {
        int l = utf8_seq(cat, len, i);
        if (l < 0) break;   /* cut by the end: carried to the next chunk */
        size_t at = s->pos - nt + i;   /* its position in the stream */
        if (l == 0) {
            s->bad++;
            if (!s->first_bad_line) s->first_bad_line = s->lines + 1;
            if (at < CHECK_BYTES && ++s->wbad >= 8 && s->wbad > s->wmulti && !s->pending) {
                not_utf8(s, at + 1 < s->head_len ? at + 1 : s->head_len);
                deliver = i > nt ? i - nt : 0;
                break;
            }
            i++;
            continue;
        }
        if (l > 1 && at < CHECK_BYTES) s->wmulti++;
        if (cat[i] == '\n') s->lines++;
        i += (size_t)l;
    }
    s->ntail = s->pending ? 0 : (int)(len - i);
    memcpy(s->tail, cat + i, (size_t)s->ntail);
    s->pos += n;
    free(own);
    return deliver;
}

instream *instream_open(const char *path, const char *encoding)
{
    int fd = 0, own = 0;
    if (strcmp(path, "-")) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) { err_set("%s: %s", path, strerror(errno)); return NULL; }
        own = 1;
    }
    instream *s = xcalloc(1, sizeof *s);
    s->fd = fd;
    s->own_fd = own;
    struct stat st;
    s->regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    s->path = xstrdup(own ? path : "<stdin>");
    s->raw = xmalloc(RAW_CHUNK);
    s->head = xmalloc(CHECK_BYTES);
    s->cd = (iconv_t)-1;
    if (encoding && *encoding && strcasecmp(encoding, "utf-8") && strcasecmp(encoding, "utf8")) {
        if (set_encoding(s, encoding) < 0) goto fail;
        s->checked = 1;
    }
    return s;
fail:
    instream_close(s);
    return NULL;
}

/* Gzip or not: decided by the first two bytes, at the first read (never at
 * open: predict opens stdin before any input has arrived). */
static int sniff_gzip(instream *s)
{
    s->sniffed = 1;
    while (s->raw_len < 2 && !s->raw_eof)   /* one read may return one byte */
        if (raw_fill(s) < 0) return -1;
    if (s->raw_len >= 2 && s->raw[0] == 0x1f && s->raw[1] == 0x8b) {
        s->gz = 1;
        if (inflateInit2(&s->z, 15 + 16) != Z_OK) return err_set("%s: zlib: out of memory", s->path);
    }
    return 0;
}

ssize_t instream_read(instream *s, char *buf, size_t cap)
{
    if (s->pending) return err_set("%s", s->pending);   /* sticky */
    if (!s->sniffed && sniff_gzip(s) < 0) return -1;
    ssize_t n;
    if (!s->checked && cap > RAW_CHUNK) cap = RAW_CHUNK;   /* a BOM's rest must fit plain[] */
    if (s->cd != (iconv_t)-1) n = conv_read(s, buf, cap);
    else n = plain_read(s, (unsigned char *)buf, cap);
    if (n <= 0) return n;
    const unsigned char *p = (const unsigned char *)buf;
    if (!s->checked && s->cd == (iconv_t)-1 && s->regular) {
        /* the first look sees the same bytes however read(2) cuts them:
         * up to SNIFF_BYTES (or cap), which a regular file gives at once */
        size_t want = cap < SNIFF_BYTES ? cap : SNIFF_BYTES;
        while ((size_t)n < want) {
            ssize_t m = plain_read(s, (unsigned char *)buf + n, want - (size_t)n);
            if (m < 0) return -1;
            if (m == 0) break;
            n += m;
        }
    }
    if (!s->checked) {
        s->checked = 1;
        if (n == 1 && (p[0] == 0xFF || p[0] == 0xFE) && cap > 1 && s->cd == (iconv_t)-1) {
            ssize_t m = plain_read(s, (unsigned char *)buf + 1, 1);   /* a BOM needs two bytes */
            if (m < 0) return -1;
            n += m;
        }
        /* a UTF-16 byte-order mark: convert from then on */
        if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
            const char *enc = p[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
            if (set_encoding(s, enc) < 0) return -1;
            memcpy(s->plain, p + 2, (size_t)n - 2);   /* the BOM itself is dropped */
            s->plain_len = (size_t)n - 2;
            return instream_read(s, buf, cap);
        }
        /* UTF-16 without a byte-order mark: its NUL bytes (an ASCII
         * character's or a line end's high byte) nearly all at odd offsets
         * (LE) or at even ones (BE); a few on the other side are the low
         * bytes of characters such as U+4E00.  Said at once, not as a NUL
         * on some later line after garbage lines were read as UTF-8.  At
         * least 8 of them (stray NULs in UTF-8 text fall either way; fewer
         * than 8 in the first 4 KiB get the NUL byte's own error, which
         * names the same fix). */
        if (s->cd == (iconv_t)-1) {
            size_t even = 0, odd = 0, m = (size_t)n < SNIFF_BYTES ? (size_t)n : SNIFF_BYTES;
            for (size_t i = 0; i < m; i++)
                if (!p[i]) *(i & 1 ? &odd : &even) += 1;
            int le = odd > even;
            if ((odd >= 8 && odd >= 4 * even) || (even >= 8 && even >= 4 * odd))
                return err_set("%s:1: looks like UTF-16%s without a byte-order mark (a NUL byte in every other "
                               "position); pass --encoding utf-16%s", s->path, le ? "LE" : "BE", le ? "le" : "be");
        }
    }
    size_t k = survey(s, p, (size_t)n);
    if (k == 0 && s->pending) return err_set("%s", s->pending);
    return (ssize_t)k;
}

void instream_close(instream *s)
{
    if (!s) return;
    if (s->own_fd) close(s->fd);
    if (s->gz) inflateEnd(&s->z);
    if (s->cd != (iconv_t)-1) iconv_close(s->cd);
    free(s->enc);
    free(s->plain);
    free(s->head);
    free(s->pending);
    free(s->raw);
    free(s->path);
    free(s);
}
