/* fuzz_csv.c - libFuzzer harness for the CSV/TSV/lines reader (src/csv.c).
 *
 * Input: byte 0 = options (format, header mode, column choices, need_labels),
 * byte 1 = seed of the read schedule, the rest = the file.
 *
 * The file is read twice, once with whole reads and once with read(2) cut
 * into pieces of 1..64 bytes (the harness is linked with -Wl,--wrap=read),
 * so quotes, CRLF, BOMs and records split across reads are all exercised on
 * small inputs.  Oracles besides the sanitizers:
 *  - both reads give the same records, line numbers and errors;
 *  - when csv_would_block() says a record is buffered, csv_next() does not
 *    read (predict relies on it to flush results instead of blocking);
 *  - an error is sticky; line numbers never decrease; TSV / lines fields
 *    hold no '\n' (and no '\t' in TSV);
 *  - dataset_load gives the same data set both ways, and every row has
 *    non-empty text (and a non-empty label when labels are required);
 *  - text_reader (predict, tokenize, encode) gives the same texts both
 *    ways, and the same count of invalid UTF-8 when read to the end; one
 *    text a row: when dataset_load (no labels needed) reads the file, the
 *    reader's non-empty texts are its rows in order, and its empty ones its
 *    skipped_empty (a row lost or added would shift every later line of
 *    their output).
 */
#include "text/csv.h"
#include "base/err.h"
#include "fuzz_common.h"

#include <errno.h>

/* ---- read(2) with a schedule ---- */
static int cut_active;
static uint32_t cut_state;
static long fuzz_reads;

ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n)
{
    if (cut_active && fd > 2) {
        fuzz_reads++;
        cut_state = cut_state * 1103515245u + 12345u;
        uint32_t x = cut_state >> 16;
        size_t k = (x & 3) == 0 ? 64 : 1 + (x >> 2) % 8;
        if (n > k) n = k;
    } else if (fd > 2) {
        fuzz_reads++;
    }
    return __real_read(fd, buf, n);
}

static fuzz_file file;

/* Read every record of path; describe them canonically in out. */
static void read_records(const char *path, data_format fmt, int cut, uint8_t seed, fbuf *out)
{
    cut_active = cut;
    cut_state = seed;
    csv_reader *r = csv_open(path, fmt);
    FUZZ_ASSERT(r != NULL, "csv_open: %s", err_msg());
    char **f;
    size_t nf;
    long last_line = 0;
    for (int guard = 0;; guard++) {
        FUZZ_ASSERT(guard < 1000000, "no progress");
        int wb = csv_would_block(r);
        long before = fuzz_reads;
        int k = csv_next(r, &f, &nf);
        FUZZ_ASSERT(wb || fuzz_reads == before,
                    "csv_would_block() said 0 but csv_next() read more input (record %d)", guard);
        if (k == 0) {
            fbuf_str(out, "EOF;");
            FUZZ_ASSERT(csv_next(r, &f, &nf) == 0, "EOF not sticky");
            FUZZ_ASSERT(csv_would_block(r) == 0, "would_block after EOF");
            break;
        }
        if (k < 0) {
            fbuf_str(out, "ERR:");
            fbuf_str(out, err_msg());
            char first[512];
            snprintf(first, sizeof first, "%s", err_msg());
            FUZZ_ASSERT(csv_next(r, &f, &nf) == -1, "error not sticky");
            FUZZ_ASSERT(strcmp(first, err_msg()) == 0, "sticky error changed: %s / %s", first, err_msg());
            break;
        }
        FUZZ_ASSERT(k == 1, "csv_next returned %d", k);
        FUZZ_ASSERT(nf >= 1, "a record without fields");
        long line = csv_line(r);
        FUZZ_ASSERT(line >= 1 && line > last_line, "line %ld after %ld", line, last_line);
        last_line = line;
        fbuf_num(out, line);
        fbuf_num(out, (long long)nf);
        for (size_t i = 0; i < nf; i++) {
            size_t len = strlen(f[i]);
            if (fmt != FMT_CSV) FUZZ_ASSERT(!memchr(f[i], '\n', len), "newline in a %s field",
                                            fmt == FMT_TSV ? "TSV" : "lines");
            if (fmt == FMT_TSV) FUZZ_ASSERT(!memchr(f[i], '\t', len), "tab in a TSV field");
            fbuf_field(out, f[i], len);
        }
    }
    csv_close(r);
    cut_active = 0;
}

static void load_dataset(const char *path, const data_opts *o, int need_labels, int cut, uint8_t seed,
                         fbuf *out)
{
    cut_active = cut;
    cut_state = seed;
    dataset d;
    if (dataset_load(path, o, need_labels, &d) < 0) {
        fbuf_str(out, "ERR:");
        fbuf_str(out, err_msg());
        FUZZ_ASSERT(d.n == 0 && d.text == NULL, "failed load left data");
    } else {
        fbuf_num(out, (long long)d.n);
        fbuf_num(out, (long long)d.skipped_empty);
        for (size_t i = 0; i < d.n; i++) {
            FUZZ_ASSERT(d.text[i][0] != '\0', "empty text kept at row %zu", i);
            fbuf_num(out, d.line[i]);
            fbuf_field(out, d.text[i], strlen(d.text[i]));
            if (d.label) {
                fbuf_field(out, d.label[i], strlen(d.label[i]));
                if (need_labels) FUZZ_ASSERT(d.label[i][0] != '\0', "empty label at row %zu", i);
            }
            if (i) FUZZ_ASSERT(d.line[i] > d.line[i - 1], "line numbers out of order");
        }
        dataset_free(&d);
    }
    cut_active = 0;
}

/* Every text of path by text_reader, each as one field of out (then "EOF;"
 * or "ERR:message"); unless texts is NULL, the texts themselves into
 * *texts, *n (caller frees: free_texts); the invalid UTF-8 count into *bad.
 * Returns 0 at the end, -1 after an error. */
static int read_texts(const char *path, data_format fmt, const data_opts *o, int cut, uint8_t seed,
                      fbuf *out, char ***texts, size_t *n, size_t *bad)
{
    cut_active = cut;
    cut_state = seed;
    text_reader *t = text_reader_open(path, fmt, o);
    FUZZ_ASSERT(t != NULL, "text_reader_open: %s", err_msg());
    size_t cap = 0;
    int rc = 0;
    if (texts) *texts = NULL, *n = 0;
    for (int guard = 0;; guard++) {
        FUZZ_ASSERT(guard < 1000000, "no progress");
        /* the first text may read past a header row: nothing is waiting to be
         * flushed then, so only later texts must keep the promise */
        int wb = text_would_block(t);
        long before = fuzz_reads;
        char *s;
        int k = text_next(t, &s);
        FUZZ_ASSERT(guard == 0 || wb || fuzz_reads == before,
                    "text_would_block() said 0 but text_next() read more input (text %d)", guard);
        if (k == 0) { fbuf_str(out, "EOF;"); break; }
        if (k < 0) { fbuf_str(out, "ERR:"); fbuf_str(out, err_msg()); rc = -1; break; }
        FUZZ_ASSERT(k == 1, "text_next returned %d", k);
        fbuf_field(out, s, strlen(s));
        if (!texts) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            *texts = realloc(*texts, cap * sizeof **texts);
            FUZZ_ASSERT(*texts != NULL, "out of memory");
        }
        (*texts)[(*n)++] = strdup(s);
    }
    *bad = text_bad_utf8(t);
    text_reader_close(t);
    cut_active = 0;
    return rc;
}

static void free_texts(char **texts, size_t n)
{
    for (size_t i = 0; i < n; i++) free(texts[i]);
    free(texts);
}

static const char *const COLS[] = { NULL, "text", "2", "label" };
static const char *const LCOLS[] = { NULL, "label", "1", "3" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    uint8_t opt = data[0], seed = data[1];
    const char *path = fuzz_file_set(&file, data + 2, size - 2);
    static const data_format fmts[4] = { FMT_CSV, FMT_TSV, FMT_LINES, FMT_CSV };
    data_format fmt = fmts[opt & 3];

    fbuf whole = {0}, cut = {0};
    read_records(path, fmt, 0, seed, &whole);
    read_records(path, fmt, 1, seed, &cut);
    fuzz_same(&whole, &cut, "records (whole reads vs cut reads)");
    fbuf_free(&whole);
    fbuf_free(&cut);

    static const int HDR[4] = { -1, 0, 1, -1 };
    data_opts o = { .fmt = fmt, .text_col = COLS[(opt >> 4) & 3], .label_col = LCOLS[(opt >> 6) & 3], .header = HDR[(opt >> 2) & 3] };
    int need_labels = fmt != FMT_LINES && (seed & 1);
    load_dataset(path, &o, need_labels, 0, seed, &whole);
    load_dataset(path, &o, need_labels, 1, seed, &cut);
    fuzz_same(&whole, &cut, "data sets (whole reads vs cut reads)");
    fbuf_free(&whole);
    fbuf_free(&cut);

    char **tw;
    size_t nw, bw, bc;
    int rw = read_texts(path, fmt, &o, 0, seed, &whole, &tw, &nw, &bw);
    read_texts(path, fmt, &o, 1, seed, &cut, NULL, NULL, &bc);
    fuzz_same(&whole, &cut, "texts (whole reads vs cut reads)");
    /* the count is of the bytes read so far: after an error, whole reads
     * have read further; at the end both have read everything */
    FUZZ_ASSERT(rw < 0 || bw == bc, "invalid UTF-8 counted %zu (whole reads) vs %zu (cut reads)", bw, bc);
    fbuf_free(&whole);
    fbuf_free(&cut);
    dataset d;
    if (dataset_load(path, &o, 0, &d) == 0) {
        FUZZ_ASSERT(rw == 0, "text_reader failed where dataset_load read the file: %s", err_msg());
        FUZZ_ASSERT(nw == d.n + d.skipped_empty, "%zu texts, the data set %zu rows + %zu empty",
                    nw, d.n, d.skipped_empty);
        for (size_t i = 0, j = 0; i < nw; i++) {
            if (!tw[i][0]) continue;
            FUZZ_ASSERT(j < d.n && !strcmp(tw[i], d.text[j]), "text %zu is not the data set's row %zu", i, j);
            j++;
        }
        FUZZ_ASSERT(bw == d.bad_utf8, "invalid UTF-8: text_reader %zu, dataset_load %zu", bw, d.bad_utf8);
        dataset_free(&d);
    }
    free_texts(tw, nw);
    err_clear();
    return 0;
}
