/* cmd_split.c - `seqsent split FILE --test F -o PREFIX`: a seeded train/test split.
 *
 * Every record of FILE goes to exactly one of PREFIX.train.EXT and
 * PREFIX.test.EXT, in file order, in the input's format; a CSV/TSV header
 * row goes to both.  Records are re-written field by field: CSV with
 * RFC 4180 quoting where a field needs it (comma, quote, CR or LF), TSV
 * joined by tabs, lines as they are, each ended by "\n".  Reading an output
 * back gives the same fields as reading the input (a BOM and CRLF line ends
 * are not kept).
 *
 * Which rows are held out depends only on the seed and the number of rows
 * (and, with --stratify, on the label of each row): the rows of each group
 * (one group, or one per label) are shuffled with the seeded generator and
 * the first ones of the shuffle go to the test part.  With --stratify the
 * test rows are shared out among the labels in proportion to their counts,
 * rounded by largest remainder so that the total is exact.
 */
#include "cli/commands.h"
#include "base/err.h"
#include "cli/opts.h"
#include "base/strmap.h"
#include "base/tensor.h"
#include "base/fileio.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { O_TEST = 400, O_SEED, O_STRATIFY, O_QUIET };

static const cmd_opt options[] = {
    { "output", 'o', 1, "PREFIX", "write PREFIX.train.EXT and PREFIX.test.EXT (default: FILE without its extension)" },
    { "test", O_TEST, 1, "F", "test part: a fraction (0 < F < 1) of the rows, or a number of rows (F >= 1) (default 0.2)" },
    { "seed", O_SEED, 1, "N", "random seed: same seed, same data, same split (default 1)" },
    { "stratify", O_STRATIFY, 0, NULL, "keep each label's share of the rows the same in both parts (needs labels)" },
    { "quiet", O_QUIET, 0, NULL, "no summary on stderr" },
    DATA_OPTS,
    { 0 }
};

static const cmd_spec spec = {
    "split", "[options] FILE [-o PREFIX]",
    "Split data into a training and a test part at random (seeded), written to PREFIX.train.EXT\n"
    "and PREFIX.test.EXT in the input's format (EXT csv, tsv or txt).  A header row goes to both.",
    options,
    "Rows keep their file order in both parts.  CSV fields are re-quoted (RFC 4180) only where\n"
    "needed; the fields read back are the same.  --label-col (default as for train) names the\n"
    "label column for --stratify; with --text-col it also steers header detection.\n"
};

/* ---- records ---- */

typedef struct buf { char *p; size_t n, cap; } buf;

static void buf_add(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 1 << 16;
        while (nc < b->n + n + 1) nc *= 2;
        b->p = xrealloc(b->p, nc);
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

/* Append one record, serialised in fmt, with its "\n". */
static void put_record(buf *b, data_format fmt, char **f, size_t nf)
{
    if (fmt == FMT_LINES) {
        buf_add(b, f[0], strlen(f[0]));
    } else if (fmt == FMT_TSV) {
        for (size_t i = 0; i < nf; i++) {
            if (i) buf_add(b, "\t", 1);
            buf_add(b, f[i], strlen(f[i]));
        }
    } else {
        for (size_t i = 0; i < nf; i++) {
            if (i) buf_add(b, ",", 1);
            size_t len = strlen(f[i]);
            /* a lone empty field must be quoted, or the line would be blank (skipped) */
            int q = strcspn(f[i], ",\"\r\n") < len || (nf == 1 && len == 0);
            if (!q) { buf_add(b, f[i], len); continue; }
            buf_add(b, "\"", 1);
            for (const char *s = f[i], *e; *s; s = e + 1) {
                e = strchr(s, '"');
                if (!e) { buf_add(b, s, strlen(s)); break; }
                buf_add(b, s, (size_t)(e - s));
                buf_add(b, "\"\"", 2);
            }
            buf_add(b, "\"", 1);
        }
    }
    buf_add(b, "\n", 1);
}

/* ---- buffered output to an atomic file ---- */

typedef struct out {
    atomic_file af;
    int open;
    char *buf;
    size_t n;
    int err;       /* errno of the first failed write */
} out;

static void out_flush(out *o)
{
    if (o->n && !o->err && write_all(o->af.fd, o->buf, o->n) < 0) o->err = errno;
    o->n = 0;
}

static void out_write(out *o, const char *s, size_t n)
{
    enum { CAP = 1 << 16 };
    if (!n) return;   /* also: s may be NULL (no header) */
    if (o->n + n > CAP) out_flush(o);
    if (n > CAP) {
        if (!o->err && write_all(o->af.fd, s, n) < 0) o->err = errno;
        return;
    }
    memcpy(o->buf + o->n, s, n);
    o->n += n;
}

static void out_abort_all(out *o, int n)
{
    for (int i = 0; i < n; i++) {
        if (o[i].open) atomic_abort(&o[i].af);
        o[i].open = 0;
        free(o[i].buf);
        o[i].buf = NULL;
    }
}

/* "data/x.csv" -> "data/x"; NULL for "-". */
static char *default_prefix(const char *path)
{
    if (!strcmp(path, "-")) return NULL;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot > base ? (size_t)(dot - path) : strlen(path);
    return xstrndup(path, n);
}

static const char *format_ext(data_format f)
{
    return f == FMT_TSV ? "tsv" : f == FMT_LINES || f == FMT_FASTTEXT ? "txt" : "csv";
}

int cmd_split(int argc, char **argv)
{
    common_opts co;
    common_opts_init(&co);
    const char *prefix_opt = NULL, *arg;
    double test = 0.2;
    uint64_t seed = 1;
    int stratify = 0, quiet = 0, c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        if (common_opt(&spec, &co, c, arg)) continue;
        switch (c) {
        case 'o': prefix_opt = arg; break;
        case O_TEST:
            test = opt_double(&spec, "test", arg, 0, 1e15);
            if (test <= 0 || (test >= 1 && test != floor(test)))
                usage_error(&spec, "--test: expected a fraction between 0 and 1 or a whole number of rows, "
                            "got '%s'", arg);
            break;
        case O_SEED: seed = (uint64_t)opt_long(&spec, "seed", arg, 0, 0x7fffffffL); break;
        case O_STRATIFY: stratify = 1; break;
        case O_QUIET: quiet = 1; break;
        }
    }
    int first = opt_operands();
    if (argc - first != 1) usage_error(&spec, "expected one data file ('-' reads stdin)");
    const char *path = argv[first];
    data_format fmt = co.data.fmt == FMT_AUTO ? data_format_guess(path) : co.data.fmt;
    int fasttext = fmt == FMT_FASTTEXT;
    if (fasttext) fmt = FMT_LINES;   /* lines are copied whole */
    if (stratify && fmt == FMT_LINES)
        usage_error(&spec, "--stratify needs a label column (CSV or TSV)%s",
                    fasttext ? "; fastText lines are split without it" : "");
    char *prefix = prefix_opt ? xstrdup(prefix_opt) : default_prefix(path);
    if (!prefix) usage_error(&spec, "reading stdin: give the output prefix with -o PREFIX");
    if (!*prefix || prefix[strlen(prefix) - 1] == '/')
        usage_error(&spec, "-o: PREFIX needs a file name part, got '%s'", prefix);

    /* Read every record into one buffer; remember each one's label group. */
    csv_reader *r = csv_open(path, fmt);
    if (!r) die_err(EXIT_FAIL);
    char *pn = xstrdup(csv_path(r));   /* "<stdin>" for "-" */
    buf recs = {0}, head = {0};
    size_t *off = NULL, n = 0, cap = 0;
    int32_t *grp = NULL;
    strmap labels;
    strmap_init(&labels);
    char **f;
    size_t nf;
    int k = csv_next(r, &f, &nf), header = 0;
    long li = 0;
    if (k > 0 && fmt != FMT_LINES) {
        long ti;   /* the same column rules as train and eval */
        if (csv_columns(pn, &co.data, f, nf, &header, &ti, &li) < 0) die_err(EXIT_FAIL);
        if (header) {
            put_record(&head, fmt, f, nf);
            k = csv_next(r, &f, &nf);
        }
    }
    for (; k > 0; k = csv_next(r, &f, &nf)) {
        if (n + 1 >= cap) {
            cap = cap ? cap * 2 : 1024;
            off = xrealloc(off, cap * sizeof *off);
            grp = xrealloc(grp, cap * sizeof *grp);
        }
        grp[n] = 0;
        if (stratify) {
            if ((size_t)li >= nf)
                die(EXIT_FAIL, "%s:%ld: expected at least %ld columns (the label column), found %zu",
                    pn, csv_line(r), li + 1, nf);
            const char *lab = f[li];   /* trimmed, as train reads it */
            while (*lab && isspace((unsigned char)*lab)) lab++;
            size_t ll = strlen(lab);
            while (ll > 0 && isspace((unsigned char)lab[ll - 1])) ll--;
            grp[n] = strmap_put(&labels, lab, ll, NULL);
        }
        off[n++] = recs.n;
        put_record(&recs, fmt, f, nf);
    }
    if (k < 0) die_err(EXIT_FAIL);
    csv_close(r);
    if (off) off[n] = recs.n;
    if (n < 2)
        die(EXIT_FAIL, "%s: %zu data row%s: at least 2 are needed to split", pn, n, n == 1 ? "" : "s");

    size_t ntest = test < 1 ? (size_t)(test * (double)n + 0.5) : (size_t)test;
    if (ntest < 1) ntest = 1;
    if (ntest >= n)
        die(EXIT_FAIL, "%s: --test %g of %zu rows leaves no training rows", pn, test, n);

    /* Groups: one, or one per label (in order of first appearance). */
    size_t ng = stratify ? labels.n : 1;
    size_t *gn = xcalloc(ng, sizeof *gn), *gtest = xcalloc(ng, sizeof *gtest);
    for (size_t i = 0; i < n; i++) gn[grp[i]]++;
    /* Largest remainder: group g gets floor(ntest * gn / n), then the groups
     * with the largest remainders (earlier groups first on ties) one more. */
    size_t given = 0;
    size_t *rem = xmalloc(ng * sizeof *rem);
    for (size_t g = 0; g < ng; g++) {
        unsigned long long q = (unsigned long long)ntest * gn[g];
        gtest[g] = (size_t)(q / n);
        rem[g] = (size_t)(q % n);
        given += gtest[g];
    }
    while (given < ntest) {
        size_t best = ng;
        for (size_t g = 0; g < ng; g++)
            if (gtest[g] < gn[g] && (best == ng || rem[g] > rem[best])) best = g;
        gtest[best]++;
        rem[best] = 0;
        given++;
    }
    free(rem);

    /* Shuffle each group's rows (seeded) and mark the first gtest of them. */
    unsigned char *is_test = xcalloc(n, 1);
    size_t *idx = xmalloc(n * sizeof *idx);
    rng rg;
    rng_seed(&rg, seed ^ 0x5b117e57ULL);
    for (size_t g = 0; g < ng; g++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if ((size_t)grp[i] == g) idx[m++] = i;
        rng_shuffle(&rg, idx, m);
        for (size_t i = 0; i < gtest[g]; i++) is_test[idx[i]] = 1;
    }
    free(idx);

    /* Write both parts to temp files; rename them into place only when both are complete. */
    const char *ext = format_ext(fmt);
    size_t plen = strlen(prefix) + 16;
    char *paths[2] = { xmalloc(plen), xmalloc(plen) };
    snprintf(paths[0], plen, "%s.train.%s", prefix, ext);
    snprintf(paths[1], plen, "%s.test.%s", prefix, ext);
    out o[2];
    memset(o, 0, sizeof o);
    for (int p = 0; p < 2; p++) {
        if (atomic_open(&o[p].af, paths[p]) < 0) { out_abort_all(o, 2); die_err(EXIT_FAIL); }
        o[p].open = 1;
        o[p].buf = xmalloc(1 << 16);
        out_write(&o[p], head.p, head.n);
    }
    for (size_t i = 0; i < n; i++) out_write(&o[is_test[i]], recs.p + off[i], off[i + 1] - off[i]);
    for (int p = 0; p < 2; p++) {
        out_flush(&o[p]);
        if (o[p].err) {
            err_set("%s: %s", paths[p], strerror(o[p].err));
            out_abort_all(o, 2);
            die_err(EXIT_FAIL);
        }
    }
    for (int p = 0; p < 2; p++) {
        int rc = atomic_commit(&o[p].af);
        o[p].open = 0;
        if (rc < 0) { out_abort_all(o, 2); die_err(EXIT_FAIL); }
    }
    out_abort_all(o, 2);   /* frees the buffers */

    if (!quiet) {
        fprintf(stderr, "split: %s: %zu rows: %zu to %s, %zu to %s (seed %llu)\n", pn, n, n - ntest,
                paths[0], ntest, paths[1], (unsigned long long)seed);
        if (stratify)
            for (size_t g = 0; g < ng; g++)
                fprintf(stderr, "split:   label '%s': %zu rows: %zu train, %zu test\n",
                        strmap_key(&labels, (int32_t)g), gn[g], gn[g] - gtest[g], gtest[g]);
    }
    free(paths[0]);
    free(paths[1]);
    free(is_test);
    free(gn);
    free(gtest);
    free(off);
    free(grp);
    free(recs.p);
    free(head.p);
    free(prefix);
    free(pn);
    strmap_free(&labels);
    return EXIT_OK;
}
