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
 *    non-empty text (and a non-empty label when labels are required).
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
    err_clear();
    return 0;
}
