/* csv.c - reading labelled text data: CSV (RFC 4180), TSV, plain lines.
 *
 * The reader owns a growing byte buffer filled by read(2) in 64 KiB chunks.
 * csv_next() first *scans* the buffer for the end of the next record (a
 * small resumable state machine, so a 10 MB record read in 64 KiB pieces is
 * scanned once, not once per piece), reading more only when the record is
 * not complete yet.  It then parses the record *in place*: unquoting only
 * ever shrinks the text, so the fields are written over the raw bytes and
 * the returned pointers point into the buffer (valid until the next call,
 * which may move or reuse the buffer).  csv_would_block() runs the same scan
 * and reads only what the source holds already (poll), which tells whether
 * the next record can be had without waiting.
 *
 * Dialect details:
 *  - "\n" and "\r\n" both end a record, mixed freely in one file; a "\r"
 *    right before the ending "\n" (or before end of file) is dropped.
 *    Inside a quoted field "\r\n" is normalised to "\n" too, so a file gives
 *    the same fields whatever its line endings.  A file whose first 64 KiB
 *    hold a "\r" and no "\n" (old Mac line ends, which Python's csv module
 *    reads too) has every "\r" read as "\n", quoted line breaks included;
 *    elsewhere a lone "\r" inside a line is data.
 *  - CSV: a field is quoted only when its first byte is '"'; a '"' in the
 *    middle of an unquoted field is kept literally.  Text after a closing
 *    quote and before the next delimiter (`"ab"c,`) is accepted leniently
 *    and appended to the field ("abc") rather than rejected: real-world
 *    exports contain it and the intent is clear enough.
 *  - A quoted field still open at end of input is an error, reported at the
 *    line where its opening quote is (normally the record's first line).
 *  - A NUL byte is an error, reported at the line that contains it.
 *  - Blank lines (empty, or just "\r") are skipped in CSV and TSV; in
 *    FMT_LINES a blank line is a record with one empty field.
 */
#include "text/csv.h"
#include "base/err.h"
#include "base/instream.h"
#include "base/strmap.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

/* Scanner states (CSV only). */
enum { S_FSTART, S_UNQ, S_QUO, S_QQ };
/* Scanner results. */
enum { SCAN_MORE, SCAN_DONE, SCAN_NUL };

struct csv_reader {
    instream *in;           /* decoded bytes: gzip, --encoding, UTF-8 check */
    char *path;             /* as given, or "<stdin>" */
    data_format fmt;
    char *buf;
    size_t cap, len, pos;   /* buf[pos..len) is unconsumed; cap > len always */
    int eof;                /* read() returned 0 */
    int done;               /* csv_next() returned 0 */
    int bom_done;
    int eol;                /* 0 not known yet, '\n', or '\r' (CR-only line ends) */
    int saw_cr;             /* a '\r' while eol is not known */
    size_t seen;            /* bytes read so far (eol is decided by the first 64 KiB) */
    char *failed;           /* sticky error message after the first error */
    long line;              /* line number of buf[pos] */
    long rec_line;          /* line where the last returned record started */
    size_t soff;            /* resumable scan: offset from pos, state */
    int sst;
    char **fields;
    size_t nfields, fcap;
};

static const unsigned char BOM[3] = { 0xEF, 0xBB, 0xBF };

/* 0 = cannot tell yet, 1 = no BOM, 2 = BOM present. */
static int bom_check(const char *p, size_t avail, int eof)
{
    size_t k = avail < 3 ? avail : 3;
    if (memcmp(p, BOM, k) != 0) return 1;
    if (k == 3) return 2;
    return eof ? 1 : 0;
}

/* Scan the record starting at buf[start], resuming at offset *off in state
 * *st.  SCAN_DONE: *off is the offset of the terminating '\n'.  SCAN_NUL:
 * *off is the offset of a NUL byte.  SCAN_MORE: the buffer ends first. */
static int scan(const csv_reader *r, size_t start, size_t *off, int *st)
{
    const char *b = r->buf + start;
    size_t n = r->len - start, i = *off;
    int s = *st;

    if (r->fmt != FMT_CSV) {
        const char *nl = memchr(b + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - b) : n;
        const char *z = memchr(b + i, '\0', end - i);
        if (z) { *off = (size_t)(z - b); return SCAN_NUL; }
        *off = end;
        return nl ? SCAN_DONE : SCAN_MORE;
    }
    for (; i < n; i++) {
        char c = b[i];
        if (c == '\0') { *off = i; return SCAN_NUL; }
        if (s == S_FSTART) {
            if (c == '"') { s = S_QUO; continue; }
            s = S_UNQ;
        }
        switch (s) {
        case S_UNQ:
            if (c == '\n') { *off = i; return SCAN_DONE; }
            if (c == ',') s = S_FSTART;
            break;
        case S_QUO:
            if (c == '"') s = S_QQ;
            break;
        case S_QQ:
            if (c == '"') s = S_QUO;
            else if (c == '\n') { *off = i; return SCAN_DONE; }
            else if (c == ',') s = S_FSTART;
            else s = S_UNQ;     /* lenient: text after the closing quote */
            break;
        }
    }
    *off = i;
    *st = s;
    return SCAN_MORE;
}

static int fail(csv_reader *r)
{
    free(r->failed);
    r->failed = xstrdup(err_msg());
    return -1;
}

/* How the input ends its lines, from the bytes p..e just read (see the
 * top): a "\n" decides "\n" ("\r\n" files too); a "\r" decides "\r" only
 * once the first 64 KiB, or the whole input when shorter, have shown no
 * "\n".  Not the first read's bytes alone: a pipe's read may stop between
 * a "\r" and its "\n", and a CRLF file read as CR-only gains a blank line
 * after every line (a record in FMT_LINES, a line number in errors).
 * Undecided, the bytes are scanned as they are (no "\n": no record ends
 * before the decision); a decision for "\r" turns the unconsumed ones into
 * "\n" and restarts the scan of the record they hold. */
static void decide_eol(csv_reader *r, const char *p, const char *e)
{
    if (memchr(p, '\n', (size_t)(e - p))) {
        r->eol = '\n';
        return;
    }
    if (memchr(p, '\r', (size_t)(e - p))) r->saw_cr = 1;
    if (!r->eof && r->seen < CHUNK) return;
    if (!r->saw_cr) {
        r->eol = '\n';
        return;
    }
    r->eol = '\r';
    char *q = r->buf + r->pos, *end = r->buf + r->len;
    for (; (q = memchr(q, '\r', (size_t)(end - q))) != NULL; q++) *q = '\n';
    r->soff = 0;
    r->sst = S_FSTART;
}

/* Read one more chunk (compacting the buffer first).  0 ok, -1 error. */
static int fill(csv_reader *r)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->cap - r->len < CHUNK + 1) {
        size_t nc = r->cap * 2;
        if (nc < r->len + CHUNK + 1) nc = r->len + CHUNK + 1;
        r->buf = xrealloc(r->buf, nc);
        r->cap = nc;
    }
    ssize_t n = instream_read(r->in, r->buf + r->len, CHUNK);
    if (n < 0) return -1;
    if (n == 0) r->eof = 1;
    char *p = r->buf + r->len, *e = p + (n > 0 ? n : 0);
    if (r->eol == '\r')
        for (char *q = p; (q = memchr(q, '\r', (size_t)(e - q))) != NULL; q++) *q = '\n';
    r->len += (size_t)(e - p);
    r->seen += (size_t)(e - p);
    if (!r->eol) decide_eol(r, p, e);
    return 0;
}

static void push_field(csv_reader *r, char *f)
{
    if (r->nfields == r->fcap) {
        r->fcap = r->fcap ? r->fcap * 2 : 16;
        r->fields = xrealloc(r->fields, r->fcap * sizeof *r->fields);
    }
    r->fields[r->nfields++] = f;
}

/* Parse buf[s..e) (the record without its '\n') in place into r->fields.
 * Sets *nl to the number of newlines inside the record.  -1 on an
 * unterminated quoted field (only possible at end of input). */
static int parse(csv_reader *r, size_t s, size_t e, long *nl)
{
    char *b = r->buf;
    long nls = 0;
    r->nfields = 0;
    if (e > s && b[e - 1] == '\r') e--;

    if (r->fmt == FMT_LINES) {
        b[e] = '\0';
        push_field(r, b + s);
    } else if (r->fmt == FMT_TSV) {
        size_t f = s;
        for (size_t i = s; i < e; i++)
            if (b[i] == '\t') { b[i] = '\0'; push_field(r, b + f); f = i + 1; }
        b[e] = '\0';
        push_field(r, b + f);
    } else {
        size_t w = s, f = s;
        long qline = 0;
        int st = S_FSTART;
        for (size_t i = s; i < e; i++) {
            char c = b[i];
            if (c == '\n') nls++;
            if (st == S_FSTART) {
                if (c == '"') { st = S_QUO; qline = r->rec_line + nls; continue; }
                st = S_UNQ;
            }
            switch (st) {
            case S_UNQ:
                if (c == ',') { b[w++] = '\0'; push_field(r, b + f); f = w; st = S_FSTART; }
                else b[w++] = c;
                break;
            case S_QUO:
                if (c == '"') st = S_QQ;
                else if (c == '\r' && i + 1 < e && b[i + 1] == '\n') { /* CRLF -> LF */ }
                else b[w++] = c;
                break;
            case S_QQ:
                if (c == '"') { b[w++] = '"'; st = S_QUO; }
                else if (c == ',') { b[w++] = '\0'; push_field(r, b + f); f = w; st = S_FSTART; }
                else { b[w++] = c; st = S_UNQ; }   /* lenient, see top */
                break;
            }
        }
        *nl = nls;
        if (st == S_QUO)
            return err_set("%s:%ld: unbalanced quote (field opened here never closed); close it, and write a "
                           "quote inside a quoted field as two (\"\")", r->path, qline);
        b[w] = '\0';      /* w <= e <= len < cap */
        push_field(r, b + f);
    }
    *nl = nls;
    return 0;
}

csv_reader *csv_open(const char *path, data_format fmt) { return csv_open_enc(path, fmt, NULL); }

csv_reader *csv_open_enc(const char *path, data_format fmt, const char *encoding)
{
    instream *in = instream_open(path, encoding);
    if (!in) return NULL;
    csv_reader *r = xcalloc(1, sizeof *r);
    r->in = in;
    r->path = xstrdup(instream_path(in));
    r->fmt = fmt == FMT_AUTO ? data_format_guess(path) : fmt;
    if (r->fmt == FMT_FASTTEXT) r->fmt = FMT_LINES;   /* dataset_load splits the labels off */
    r->cap = CHUNK + 1;
    r->buf = xmalloc(r->cap);
    r->line = 1;
    r->sst = S_FSTART;
    return r;
}

int csv_next(csv_reader *r, char ***fields, size_t *nfields)
{
    if (r->failed) return err_set("%s", r->failed);
    if (r->done) return 0;

    int k = SCAN_MORE;
    for (;;) {
        if (r->pos == r->len) {
            if (r->eof) { r->done = 1; return 0; }
            if (fill(r) < 0) return fail(r);
            continue;
        }
        if (!r->bom_done) {
            int b = bom_check(r->buf + r->pos, r->len - r->pos, r->eof);
            if (b == 0) { if (fill(r) < 0) return fail(r); continue; }
            if (b == 2) r->pos += 3;
            r->bom_done = 1;
            continue;
        }
        if (r->fmt != FMT_LINES && r->soff == 0) {     /* skip blank lines */
            char c = r->buf[r->pos];
            if (c == '\n') { r->pos++; r->line++; continue; }
            if (c == '\r') {
                if (r->pos + 1 == r->len) {
                    if (!r->eof) { if (fill(r) < 0) return fail(r); continue; }
                    r->pos++;                   /* lone "\r" at end of input */
                    continue;
                }
                if (r->buf[r->pos + 1] == '\n') { r->pos += 2; r->line++; continue; }
            }
        }
        k = scan(r, r->pos, &r->soff, &r->sst);
        if (k == SCAN_MORE && !r->eof) { if (fill(r) < 0) return fail(r); continue; }
        break;
    }

    size_t s = r->pos, off = r->soff;
    r->soff = 0;
    r->sst = S_FSTART;
    r->rec_line = r->line;
    if (k == SCAN_NUL) {
        long l = r->line;
        for (size_t i = s; i < s + off; i++) l += r->buf[i] == '\n';
        err_set("%s:%ld: NUL byte in input: not a text file, or UTF-16 without a byte-order mark (pass "
                "--encoding utf-16le or utf-16be)", r->path, l);
        return fail(r);
    }
    long nl = 0;
    if (parse(r, s, s + off, &nl) < 0) return fail(r);
    r->line += nl;
    if (k == SCAN_DONE) { r->pos = s + off + 1; r->line++; }
    else r->pos = r->len;
    *fields = r->fields;
    *nfields = r->nfields;
    return 1;
}

long csv_line(const csv_reader *r) { return r->rec_line; }
const char *csv_path(const csv_reader *r) { return r->path; }
size_t csv_bad_utf8(const csv_reader *r) { return instream_bad_utf8(r->in); }

/* 1 when the buffer lacks a whole record (csv_next would have to read). */
static int csv_needs_input(const csv_reader *r)
{
    if (r->failed || r->done) return 0;
    size_t p = r->pos;
    if (!r->bom_done) {
        int b = bom_check(r->buf + p, r->len - p, r->eof);
        if (b == 0) return 1;
        if (b == 2) p += 3;
    }
    if (r->fmt != FMT_LINES) {
        while (p < r->len) {
            char c = r->buf[p];
            if (c == '\n') p++;
            else if (c == '\r' && p + 1 == r->len) {
                if (!r->eof) return 1;
                p++;
            } else if (c == '\r' && r->buf[p + 1] == '\n') p += 2;
            else break;
        }
    }
    if (p == r->len) return !r->eof;
    size_t off = 0;
    int st = S_FSTART;
    if (scan(r, p, &off, &st) == SCAN_MORE) return !r->eof;
    return 0;
}

int csv_would_block(csv_reader *r)
{
    /* Read what the source has now, never waiting, until a record is
     * whole: the answer is 1 only when the next csv_next would wait.  (A
     * regular file never waits: answering 1 at every 64 KiB boundary cut
     * predict's batches to a tenth of their size.)  A read error is kept
     * for csv_next to report. */
    while (csv_needs_input(r)) {
        if (!instream_ready(r->in)) return 1;
        if (fill(r) < 0) {
            fail(r);
            return 0;
        }
    }
    return 0;
}

void csv_close(csv_reader *r)
{
    if (!r) return;
    instream_close(r->in);
    free(r->path);
    free(r->buf);
    free(r->fields);
    free(r->failed);
    free(r);
}

data_format data_format_guess(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    char name[256];
    if (n > 3 && strcasecmp(base + n - 3, ".gz") == 0) n -= 3;   /* data.tsv.gz is TSV */
    snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), base);
    const char *dot = strrchr(name, '.');
    if (!dot) return FMT_CSV;
    if (strcasecmp(dot, ".tsv") == 0 || strcasecmp(dot, ".tab") == 0) return FMT_TSV;
    if (strcasecmp(dot, ".txt") == 0) return FMT_LINES;
    if (strcasecmp(dot, ".ft") == 0 || strcasecmp(dot, ".fasttext") == 0) return FMT_FASTTEXT;
    return FMT_CSV;
}

int data_format_parse(const char *s)
{
    if (strcasecmp(s, "csv") == 0) return FMT_CSV;
    if (strcasecmp(s, "tsv") == 0) return FMT_TSV;
    if (strcasecmp(s, "lines") == 0) return FMT_LINES;
    if (strcasecmp(s, "fasttext") == 0) return FMT_FASTTEXT;
    if (strcasecmp(s, "auto") == 0) return FMT_AUTO;
    return -1;
}

/* ---- dataset_load ------------------------------------------------------ */

/* Whether a file's first line starts with fastText's label prefix (read
 * through instream: a .gz file is looked at inflated). */
static int starts_fasttext(const char *path, const char *encoding, const char *prefix)
{
    instream *in = instream_open(path, encoding);
    if (!in) return 0;
    size_t plen = strlen(prefix);
    char buf[80] = {0};
    ssize_t got = instream_read(in, buf, sizeof buf - 1);
    instream_close(in);
    size_t n = got > 0 ? (size_t)got : 0;
    const char *p = buf;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    return plen > 0 && plen < sizeof buf - 4 && strncmp(p, prefix, plen) == 0;
}

data_format data_format_detect_prefix(const char *path, data_format fmt, const char *encoding, const char *prefix)
{
    if (fmt != FMT_AUTO) return fmt;
    fmt = data_format_guess(path);
    if (fmt == FMT_LINES && strcmp(path, "-") != 0 &&
        starts_fasttext(path, encoding, prefix ? prefix : DEFAULT_LABEL_PREFIX))
        fmt = FMT_FASTTEXT;   /* fastText's train.txt: "__label__x text" */
    return fmt;
}

data_format data_format_detect(const char *path, data_format fmt, const char *encoding)
{
    return data_format_detect_prefix(path, fmt, encoding, NULL);
}

data_format data_format_for_texts(const char *path, data_format fmt, const char *encoding)
{
    return data_format_for_texts_prefix(path, fmt, encoding, NULL);
}

data_format data_format_for_texts_prefix(const char *path, data_format fmt, const char *encoding, const char *prefix)
{
    if (fmt != FMT_AUTO) return fmt;
    if (!strcmp(path, "-")) return FMT_LINES;
    fmt = data_format_detect_prefix(path, FMT_AUTO, encoding, prefix);
    if (fmt != FMT_CSV) return fmt;
    /* CSV only when the name says so: data.csv, data.csv.gz */
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if (n > 3 && strcasecmp(base + n - 3, ".gz") == 0) n -= 3;
    return n > 4 && strncasecmp(base + n - 4, ".csv", 4) == 0 ? FMT_CSV : FMT_LINES;
}

/* fastText separates tokens with any of these (a label ended by \v or \f
 * must not stay glued to the text). */
static int ft_space(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

/* ---- label strings (csv.h: one label, or several joined by LABEL_SEP) ---- */

int label_count(const char *s)
{
    int n = 1;
    for (; *s; s++) n += *s == LABEL_SEP;
    return n;
}

const char *label_next(const char *s, size_t *len)
{
    const char *e = strchr(s, LABEL_SEP);
    *len = e ? (size_t)(e - s) : strlen(s);
    return e ? e + 1 : NULL;
}

/* A row's label string being built: labels appended once each. */
typedef struct labelset { char *s; size_t len, cap; int n; } labelset;

/* Add label l[0..n) unless it is there already.  -1 (err_set "path:line:
 * ...") when it holds the separator byte. */
static int labelset_add(labelset *ls, const char *l, size_t n, const char *path, long line)
{
    if (memchr(l, LABEL_SEP, n))
        return err_set("%s:%ld: a label holds the control character U+001F; remove it", path, line);
    if (ls->n) {
        const char *p = ls->s;
        size_t k;
        do {
            const char *next = label_next(p, &k);
            if (k == n && !memcmp(p, l, n)) return 0;   /* a repeated label counts once */
            p = next;
        } while (p);
    }
    if (ls->len + n + 2 > ls->cap) {
        ls->cap = 2 * (ls->len + n + 2);
        ls->s = xrealloc(ls->s, ls->cap);
    }
    if (ls->n) ls->s[ls->len++] = LABEL_SEP;
    memcpy(ls->s + ls->len, l, n);
    ls->len += n;
    ls->s[ls->len] = '\0';
    ls->n++;
    return 0;
}

/* Split a fastText line in place: the labels of its leading prefixed
 * tokens (prefix[0..plen)) into ls (when not NULL; empty ones, a bare
 * prefix, are skipped), *text after them.  Returns the number of prefixed
 * tokens, or -1 (err_set) from labelset_add. */
static int ft_split(char *p, const char *prefix, size_t plen, labelset *ls, char **text, const char *path, long line)
{
    int nl = 0;
    while (ft_space(*p)) p++;
    while (plen && strncmp(p, prefix, plen) == 0) {
        char *e = p + plen;
        while (*e && !ft_space(*e)) e++;
        char *next = e;
        while (ft_space(*next)) next++;
        if (ls && e > p + plen && labelset_add(ls, p + plen, (size_t)(e - p - plen), path, line) < 0) return -1;
        nl++;
        p = next;
    }
    *text = p;
    return nl;
}

/* A CSV/TSV label field split by sep (each piece trimmed, empty pieces
 * skipped) into ls.  0, or -1 (err_set). */
static int split_labels(const char *f, const char *sep, labelset *ls, const char *path, long line)
{
    size_t sl = strlen(sep);
    for (;;) {
        const char *e = strstr(f, sep);
        size_t n = e ? (size_t)(e - f) : strlen(f);
        const char *a = f;
        while (n > 0 && isspace((unsigned char)*a)) a++, n--;
        while (n > 0 && isspace((unsigned char)a[n - 1])) n--;
        if (n && labelset_add(ls, a, n, path, line) < 0) return -1;
        if (!e) return 0;
        f = e + sl;
    }
}

static const char *const LABEL_NAMES[] = { "label", "class", "sentiment", "target", "y", NULL };
static const char *const TEXT_NAMES[] = { "text", "review", "sentence", "comment", "content",
                                          "review_text", NULL };

/* Case-insensitive comparison of a header field, ignoring surrounding
 * ASCII whitespace in the field, with a name. */
static int name_eq(const char *field, const char *name)
{
    while (*field && isspace((unsigned char)*field)) field++;
    size_t n = strlen(field);
    while (n > 0 && isspace((unsigned char)field[n - 1])) n--;
    return strlen(name) == n && strncasecmp(field, name, n) == 0;
}

static int in_list(const char *field, const char *const *names)
{
    for (; *names; names++)
        if (name_eq(field, *names)) return 1;
    return 0;
}

/* A positive decimal number -> its value; 0 for "0"; -1 if not a number. */
static long col_number(const char *s)
{
    if (!*s) return -1;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        if (v > 1000000) return 1000000;    /* absurd: no row will have it */
        v = v * 10 + (*p - '0');
    }
    return v;
}

/* "a, b, c" of the first row's fields, each shortened, for messages. */
static void list_columns(char *dst, size_t cap, char **f, size_t nf)
{
    size_t used = 0;
    dst[0] = '\0';
    for (size_t i = 0; i < nf && used + 8 < cap; i++) {
        size_t n = strlen(f[i]), max = 40;
        if (n > max) {                 /* cut at a UTF-8 character boundary */
            n = max;
            while (n > 0 && ((unsigned char)f[i][n] & 0xC0) == 0x80) n--;
        }
        if (used + n + 8 >= cap) { memcpy(dst + used, "...", 4); return; }
        memcpy(dst + used, f[i], n);
        used += n;
        if (n < strlen(f[i])) { memcpy(dst + used, "...", 3); used += 3; }
        if (i + 1 < nf) { memcpy(dst + used, ", ", 2); used += 2; }
        dst[used] = '\0';
    }
}

/* Resolve a column spec to a 0-based index.  -1 (err_set) on failure. */
static long resolve_col(const char *path, const char *spec, const char *const *names,
                        int header, char **first, size_t nfirst, long fallback)
{
    if (spec) {
        long v = col_number(spec);
        if (v == 0) return err_set("%s: bad column number '%s' (columns are numbered from 1)",
                                   path, spec);
        if (v > 0) return v - 1;
        if (header == 0)
            return err_set("%s: no column named '%s' (the file has no header row; "
                           "give a 1-based column number)", path, spec);
        for (size_t i = 0; i < nfirst; i++)
            if (name_eq(first[i], spec)) return (long)i;
        char cols[400];
        list_columns(cols, sizeof cols, first, nfirst);
        return err_set("%s: no column named '%s' (columns: %s)", path, spec, cols);
    }
    if (header)
        for (size_t i = 0; i < nfirst; i++)
            if (in_list(first[i], names)) return (long)i;
    return fallback;
}

int csv_columns(const char *path, const data_opts *o, char **f, size_t nf,
                int *header, long *text_col, long *label_col)
{
    const char *tc = o->text_col, *lc = o->label_col;
    int h = o->header;
    if (h < 0) {
        h = 0;
        for (size_t i = 0; i < nf && !h; i++)
            h = in_list(f[i], LABEL_NAMES) || in_list(f[i], TEXT_NAMES) ||
                (tc && col_number(tc) < 0 && name_eq(f[i], tc)) ||
                (lc && col_number(lc) < 0 && name_eq(f[i], lc));
    }
    *header = h;
    if ((*text_col = resolve_col(path, tc, TEXT_NAMES, h, f, nf, (long)nf - 1)) < 0) return -1;
    if ((*label_col = resolve_col(path, lc, LABEL_NAMES, h, f, nf, 0)) < 0) return -1;
    return 0;
}

static char *trimmed_dup(const char *s)
{
    while (*s && isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    return xstrndup(s, n);
}

static void ds_push(dataset *d, size_t *cap, const char *text, char *label, long line, int labels)
{
    if (d->n == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        d->text = xrealloc(d->text, *cap * sizeof *d->text);
        d->line = xrealloc(d->line, *cap * sizeof *d->line);
        if (labels) d->label = xrealloc(d->label, *cap * sizeof *d->label);
    }
    d->text[d->n] = xstrdup(text);
    d->line[d->n] = line;
    if (labels) d->label[d->n] = label;
    d->n++;
}

/* The column rules of a CSV/TSV file, from its first row, and the field
 * count every row must have. */
typedef struct rows {
    int header;
    long ti, li;            /* 0-based text and label columns */
    size_t expect;          /* fields of the first row */
    long first_line;
    char sep;
    int join;               /* --join-extra */
} rows;

/* A first row of one field whose text splits on another separator: the
 * file is not in the format it is read as.  Said when labels are needed
 * (one column cannot hold both) or when a piece is a known column name. */
static int sniff_separator(const char *pn, long line, data_format fmt, int need_labels, const char *f0)
{
    static const char seps[] = { '\t', ';', ',' };
    for (int i = 0; i < 3; i++) {
        char c = seps[i];
        if ((fmt == FMT_CSV && c == ',') || (fmt == FMT_TSV && c == '\t') || !strchr(f0, c)) continue;
        int named = 0;
        char *dup = xstrdup(f0), *save = NULL;
        char d[2] = { c, 0 };
        for (char *t = strtok_r(dup, d, &save); t && !named; t = strtok_r(NULL, d, &save))
            named = in_list(t, LABEL_NAMES) || in_list(t, TEXT_NAMES);
        free(dup);
        if (!need_labels && !named) continue;
        if (c == '\t')
            return err_set("%s:%ld: the first line has tabs and no commas: the file looks tab-separated; "
                           "pass --format tsv", pn, line);
        if (c == ',')
            return err_set("%s:%ld: the first line has commas and no tabs: the file looks comma-separated; "
                           "pass --format csv", pn, line);
        return err_set("%s:%ld: the fields look separated by ';', which is not supported; "
                       "convert the file to CSV (',') or TSV (tab)", pn, line);
    }
    return 0;
}

static int rows_start(rows *rw, csv_reader *r, const data_opts *o, data_format fmt, int need_labels,
                      char **f, size_t nf)
{
    const char *pn = csv_path(r);
    memset(rw, 0, sizeof *rw);
    if (nf == 1 && sniff_separator(pn, csv_line(r), fmt, need_labels, f[0]) < 0) return -1;
    if (csv_columns(pn, o, f, nf, &rw->header, &rw->ti, &rw->li) < 0) return -1;
    rw->expect = nf;
    rw->first_line = csv_line(r);
    rw->sep = fmt == FMT_TSV ? '\t' : ',';
    rw->join = o->join_extra;
    return 0;
}

/* A row's field count against the first row's; with --join-extra and the
 * text column last, the extra fields go back into the text (they are
 * consecutive in the reader's buffer: each field starts right after the
 * previous one's NUL, so the NULs become separators again). */
static int rows_check(rows *rw, csv_reader *r, char **f, size_t *nf)
{
    if (*nf == rw->expect) return 0;
    int text_last = (size_t)rw->ti + 1 == rw->expect;
    if (*nf > rw->expect && rw->join && text_last) {
        for (size_t i = (size_t)rw->ti; i + 1 < *nf; i++) f[i][strlen(f[i])] = rw->sep;
        *nf = rw->expect;
        return 0;
    }
    const char *fix = *nf < rw->expect ? "a missing field, or a line break inside an unquoted field?"
        : rw->sep == ',' ? "quote fields that contain commas (\"a, b\")"
        : "TSV has no quoting: remove the tabs inside fields";
    return err_set("%s:%ld: expected %zu fields, saw %zu (line %ld has %zu columns); %s%s", csv_path(r), csv_line(r),
                   rw->expect, *nf, rw->first_line, rw->expect, fix,
                   *nf > rw->expect && text_last ? ", or pass --join-extra to keep the rest of the row as the text"
                                                 : "");
}

int labels_look_like_texts(size_t rows, size_t distinct)
{
    return rows >= 20 && distinct * 10 >= rows * 9;
}

/* Labels that are nearly all different are not labels: a file without a
 * header whose text comes first and label last, read with the default
 * columns (label first, text last), takes its texts for labels, and a
 * classifier of one example a class would train in silence or fail far
 * from the cause.  Said when the columns were not given
 * (labels_look_like_texts).  li, ti: 0-based columns. */
static int check_label_column(const dataset *d, long li, long ti)
{
    if (d->n < 20) return 0;
    strmap lab;
    strmap_init(&lab);
    for (size_t i = 0; i < d->n; i++) strmap_put(&lab, d->label[i], strlen(d->label[i]), NULL);
    size_t nl = lab.n;
    strmap_free(&lab);
    if (!labels_look_like_texts(d->n, nl)) return 0;   /* labels: the texts are not looked at */
    strmap txt;
    strmap_init(&txt);
    for (size_t i = 0; i < d->n; i++) strmap_put(&txt, d->text[i], strlen(d->text[i]), NULL);
    size_t nt = txt.n;
    strmap_free(&txt);
    if (nt * 10 <= d->n)   /* and the texts look like labels: swapped */
        return err_set("%s:%ld: the label column (column %ld) holds %zu different values in %zu rows and the text "
                       "column (column %ld) %zu: the columns look swapped; pass --label-col %ld --text-col %ld",
                       d->path, d->line[0], li + 1, nl, d->n, ti + 1, nt, ti + 1, li + 1);
    return err_set("%s:%ld: the label column (column %ld) holds %zu different values in %zu rows: those look like "
                   "texts, not labels; pick the columns with --label-col and --text-col", d->path, d->line[0], li + 1,
                   nl, d->n);
}

int dataset_load(const char *path, const data_opts *o, int need_labels, dataset *out)
{
    data_opts dflt = { FMT_AUTO, NULL, NULL, -1, NULL, 0, NULL, NULL };
    if (!o) o = &dflt;
    memset(out, 0, sizeof *out);
    /* The name used in messages: "<stdin>" for "-". */
    out->path = xstrdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
    const char *prefix = o->label_prefix ? o->label_prefix : DEFAULT_LABEL_PREFIX;
    labelset ls = { 0 };

    data_format fmt = data_format_detect_prefix(path, o->fmt, o->encoding, prefix);
    if (fmt == FMT_LINES && need_labels) {
        err_set("%s: plain-lines format has no labels (use CSV or TSV with a label column)",
                out->path);
        dataset_free(out);
        return -1;
    }
    csv_reader *r = csv_open_enc(path, fmt, o->encoding);
    if (!r) { dataset_free(out); return -1; }

    char **f;
    size_t nf, cap = 0;
    int k = 0;
    const char *pn = csv_path(r);
    if (fmt == FMT_FASTTEXT) {
        size_t plen = strlen(prefix);
        while ((k = csv_next(r, &f, &nf)) > 0) {
            char *p;
            ls.n = 0;
            ls.len = 0;
            int nl = ft_split(f[0], prefix, plen, &ls, &p, pn, csv_line(r));
            if (nl < 0) { k = -1; break; }
            if (!nl && !*p) continue;   /* blank line */
            if (!ls.n) {
                if (need_labels) {
                    k = err_set("%s:%ld: no %s<label> at the start of the line (fastText format)%s", pn, csv_line(r),
                                prefix, nl ? ": the label after the prefix is empty" : "");
                    break;
                }
                labelset_add(&ls, "", 0, pn, 0);
            }
            if (*p == '\0') { out->skipped_empty++; continue; }
            out->multi |= ls.n > 1;
            ds_push(out, &cap, p, xstrdup(ls.s), csv_line(r), 1);
        }
        goto end;
    }
    if (fmt == FMT_LINES) {
        if (o->header == 1 && (k = csv_next(r, &f, &nf)) <= 0) goto end;
        while ((k = csv_next(r, &f, &nf)) > 0) {
            if (f[0][0] == '\0') { out->skipped_empty++; continue; }
            ds_push(out, &cap, f[0], NULL, csv_line(r), 0);
        }
        goto end;
    }

    k = csv_next(r, &f, &nf);
    if (k <= 0) goto end;               /* empty file: empty data set */

    /* Header detection and column resolution, on the first row. */
    rows rw;
    if (rows_start(&rw, r, o, fmt, need_labels, f, nf) < 0) { k = -1; goto end; }
    long ti = rw.ti, li = rw.li;
    int labels = li != ti;
    if (need_labels && !labels) {
        k = err_set("%s: the label column and the text column are the same (column %ld); "
                    "the file needs at least 2 columns", pn, ti + 1);
        goto end;
    }
    size_t need = (size_t)ti + 1;
    if (need_labels && (size_t)li + 1 > need) need = (size_t)li + 1;

    if (rw.header) k = csv_next(r, &f, &nf);
    for (; k > 0; k = csv_next(r, &f, &nf)) {
        if (rows_check(&rw, r, f, &nf) < 0) { k = -1; break; }
        if (nf < need) {
            k = err_set("%s:%ld: expected at least %zu columns, found %zu",
                        pn, csv_line(r), need, nf);
            break;
        }
        const char *text = f[ti];
        if (text[0] == '\0') { out->skipped_empty++; continue; }
        char *label = NULL;
        if (labels && o->label_sep) {   /* several labels in the field */
            ls.n = 0;
            ls.len = 0;
            if (split_labels((size_t)li < nf ? f[li] : "", o->label_sep, &ls, pn, csv_line(r)) < 0) { k = -1; break; }
            if (need_labels && !ls.n) {
                k = err_set("%s:%ld: empty label; give the row its label, or leave the row out", pn, csv_line(r));
                break;
            }
            out->multi |= ls.n > 1;
            label = xstrdup(ls.n ? ls.s : "");
        } else if (labels) {
            label = trimmed_dup((size_t)li < nf ? f[li] : "");
            if (need_labels && label[0] == '\0') {
                free(label);
                k = err_set("%s:%ld: empty label; give the row its label, or leave the row out", pn, csv_line(r));
                break;
            }
        }
        ds_push(out, &cap, text, label, csv_line(r), labels);
    }
    if (k == 0 && need_labels && !o->label_sep && !o->label_col && !o->text_col && check_label_column(out, li, ti) < 0)
        k = -1;

end:
    free(ls.s);
    out->bad_utf8 = csv_bad_utf8(r);
    csv_close(r);
    if (k < 0) { dataset_free(out); return -1; }
    return 0;
}

void dataset_free(dataset *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->text[i]);
        if (d->label) free(d->label[i]);
    }
    free(d->text);
    free(d->label);
    free(d->line);
    free(d->path);
    memset(d, 0, sizeof *d);
}

/* ---- text_reader -------------------------------------------------------- */

struct text_reader {
    csv_reader *r;
    data_format fmt;
    data_opts o;
    rows rw;
    int started;
};

text_reader *text_reader_open(const char *path, data_format fmt, const data_opts *o)
{
    csv_reader *r = csv_open_enc(path, fmt, o ? o->encoding : NULL);
    if (!r) return NULL;
    text_reader *t = xcalloc(1, sizeof *t);
    t->r = r;
    t->fmt = fmt;
    if (o) t->o = *o;
    else t->o.header = -1;
    return t;
}

int text_next(text_reader *t, char **text)
{
    char **f;
    size_t nf;
    int k = csv_next(t->r, &f, &nf);
    if (k <= 0) return k;
    if (t->fmt == FMT_LINES) {
        if (!t->started++ && t->o.header == 1 && (k = csv_next(t->r, &f, &nf)) <= 0) return k;
        *text = f[0];
        return 1;
    }
    if (t->fmt == FMT_FASTTEXT) {
        const char *prefix = t->o.label_prefix ? t->o.label_prefix : DEFAULT_LABEL_PREFIX;
        ft_split(f[0], prefix, strlen(prefix), NULL, text, NULL, 0);
        return 1;
    }
    if (!t->started) {
        t->started = 1;
        if (rows_start(&t->rw, t->r, &t->o, t->fmt, 0, f, nf) < 0) return -1;
        if (t->rw.header && (k = csv_next(t->r, &f, &nf)) <= 0) return k;
    }
    if (rows_check(&t->rw, t->r, f, &nf) < 0) return -1;
    if ((size_t)t->rw.ti >= nf)
        return err_set("%s:%ld: no text column %ld (the row has %zu fields)", csv_path(t->r), csv_line(t->r),
                       t->rw.ti + 1, nf);
    *text = f[t->rw.ti];
    return 1;
}

int text_would_block(text_reader *t) { return csv_would_block(t->r); }
const char *text_path(const text_reader *t) { return csv_path(t->r); }
size_t text_bad_utf8(const text_reader *t) { return csv_bad_utf8(t->r); }

void text_reader_close(text_reader *t)
{
    if (!t) return;
    csv_close(t->r);
    free(t);
}
