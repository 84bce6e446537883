/* datasplit.c - reading records, choosing the test rows, writing both parts (see datasplit.h). */
#include "text/datasplit.h"
#include "base/err.h"
#include "base/fileio.h"
#include "base/strmap.h"
#include "base/tensor.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- records: every data row serialised in one buffer ---- */

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

/* One CSV field, RFC 4180 quoted when it needs it (alone: a lone empty
 * field must be quoted, or the line would be blank and skipped). */
static void put_csv_field(buf *b, const char *f, int alone)
{
    size_t len = strlen(f);
    if (strcspn(f, ",\"\r\n") == len && !(alone && len == 0)) {
        buf_add(b, f, len);
        return;
    }
    buf_add(b, "\"", 1);
    for (const char *s = f, *e; *s; s = e + 1) {
        e = strchr(s, '"');
        if (!e) { buf_add(b, s, strlen(s)); break; }
        buf_add(b, s, (size_t)(e - s));
        buf_add(b, "\"\"", 2);
    }
    buf_add(b, "\"", 1);
}

/* Append one record, serialised in fmt, with its "\n". */
static void put_record(buf *b, data_format fmt, char **f, size_t nf)
{
    if (fmt == FMT_LINES) {
        buf_add(b, f[0], strlen(f[0]));
    } else {
        for (size_t i = 0; i < nf; i++) {
            if (i) buf_add(b, fmt == FMT_TSV ? "\t" : ",", 1);
            if (fmt == FMT_TSV) buf_add(b, f[i], strlen(f[i]));
            else put_csv_field(b, f[i], nf == 1);
        }
    }
    buf_add(b, "\n", 1);
}

/* The input, read: header, records (record i is recs[off[i], off[i+1])),
 * and each record's group (its label's index when stratified, else 0). */
typedef struct records {
    buf head, recs;
    size_t *off, n, cap;
    int32_t *grp;
    strmap labels;
    long li;       /* the label column (0-based) */
    long line1;    /* the first data row's line */
} records;

static void records_free(records *rs)
{
    free(rs->head.p);
    free(rs->recs.p);
    free(rs->off);
    free(rs->grp);
    strmap_free(&rs->labels);
}

/* The label of f[li], trimmed as train reads it, as a group index. */
static int label_group(records *rs, csv_reader *r, char **f, size_t nf, long li, const char *pn)
{
    if ((size_t)li >= nf)
        return err_set("%s:%ld: expected at least %ld columns (the label column), found %zu",
                       pn, csv_line(r), li + 1, nf);
    const char *lab = f[li];
    while (*lab && isspace((unsigned char)*lab)) lab++;
    size_t ll = strlen(lab);
    while (ll > 0 && isspace((unsigned char)lab[ll - 1])) ll--;
    return strmap_put(&rs->labels, lab, ll, NULL);
}

static int read_records(csv_reader *r, const split_opts *o, const char *pn, records *rs)
{
    char **f;
    size_t nf;
    int k = csv_next(r, &f, &nf), header = 0;
    long li = 0, ti;
    if (k > 0 && o->fmt != FMT_LINES) {   /* the same column rules as train and eval */
        if (csv_columns(pn, o->data, f, nf, &header, &ti, &li) < 0) return -1;
        if (header) {
            put_record(&rs->head, o->fmt, f, nf);
            k = csv_next(r, &f, &nf);
        }
    }
    for (; k > 0; k = csv_next(r, &f, &nf)) {
        if (rs->n + 1 >= rs->cap) {
            rs->cap = rs->cap ? rs->cap * 2 : 1024;
            rs->off = xrealloc(rs->off, rs->cap * sizeof *rs->off);
            rs->grp = xrealloc(rs->grp, rs->cap * sizeof *rs->grp);
        }
        if (!rs->n) rs->line1 = csv_line(r);
        int g = o->stratify ? label_group(rs, r, f, nf, li, pn) : 0;
        if (g < 0) return -1;
        rs->grp[rs->n] = g;
        rs->off[rs->n++] = rs->recs.n;
        put_record(&rs->recs, o->fmt, f, nf);
    }
    if (rs->off) rs->off[rs->n] = rs->recs.n;
    rs->li = li;
    return k < 0 ? -1 : 0;
}

/* ---- which rows go to the test part ---- */

/* Largest remainder: group g gets floor(ntest * count / n), then the groups
 * with the largest remainders (earlier groups first on ties) one more. */
static void share_out(split_result *sr)
{
    size_t given = 0, *rem = xmalloc(sr->ngroups * sizeof *rem);
    for (size_t g = 0; g < sr->ngroups; g++) {
        unsigned long long q = (unsigned long long)sr->ntest * sr->count[g];
        sr->test[g] = (size_t)(q / sr->n);
        rem[g] = (size_t)(q % sr->n);
        given += sr->test[g];
    }
    while (given < sr->ntest) {
        size_t best = sr->ngroups;
        for (size_t g = 0; g < sr->ngroups; g++)
            if (sr->test[g] < sr->count[g] && (best == sr->ngroups || rem[g] > rem[best])) best = g;
        sr->test[best]++;
        rem[best] = 0;
        given++;
    }
    free(rem);
}

/* Shuffle each group's rows (seeded) and mark the first test[g] of them. */
static unsigned char *pick_test(const records *rs, const split_result *sr, uint64_t seed)
{
    unsigned char *is_test = xcalloc(rs->n, 1);
    size_t *idx = xmalloc(rs->n * sizeof *idx);
    rng rg;
    rng_seed(&rg, seed ^ 0x5b117e57ULL);
    for (size_t g = 0; g < sr->ngroups; g++) {
        size_t m = 0;
        for (size_t i = 0; i < rs->n; i++)
            if ((size_t)rs->grp[i] == g) idx[m++] = i;
        rng_shuffle(&rg, idx, m);
        for (size_t i = 0; i < sr->test[g]; i++) is_test[idx[i]] = 1;
    }
    free(idx);
    return is_test;
}

/* The group sizes and test shares of the records read. */
static int plan(const records *rs, const split_opts *o, split_result *sr)
{
    sr->n = rs->n;
    if (sr->n < 2)
        return err_set("%s: %zu data row%s: at least 2 are needed to split", sr->source, sr->n, sr->n == 1 ? "" : "s");
    sr->ntest = o->test < 1 ? (size_t)(o->test * (double)sr->n + 0.5) : (size_t)o->test;
    if (sr->ntest < 1) sr->ntest = 1;
    if (sr->ntest >= sr->n)
        return err_set("%s: --test %g of %zu rows leaves no training rows", sr->source, o->test, sr->n);
    sr->ngroups = o->stratify ? rs->labels.n : 1;
    /* as dataset_load: labels nearly all different are texts (the columns
     * not given: a file with its text first and no header) */
    if (o->stratify && labels_look_like_texts(sr->n, sr->ngroups) && !(o->data && o->data->label_col))
        return err_set("%s:%ld: the label column (column %ld) holds %zu different values in %zu rows: those look "
                       "like texts, not labels; --stratify needs the label column: pick it with --label-col",
                       sr->source, rs->line1, rs->li + 1, sr->ngroups, sr->n);
    sr->count = xcalloc(sr->ngroups, sizeof *sr->count);
    sr->test = xcalloc(sr->ngroups, sizeof *sr->test);
    for (size_t i = 0; i < sr->n; i++) sr->count[rs->grp[i]]++;
    share_out(sr);
    if (o->stratify) {
        sr->label = xcalloc(sr->ngroups, sizeof *sr->label);
        for (size_t g = 0; g < sr->ngroups; g++) sr->label[g] = xstrdup(strmap_key(&rs->labels, (int32_t)g));
    }
    return 0;
}

/* ---- both parts, buffered, to atomic files ---- */

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

/* Write the header and each record to its part; rename both into place
 * only when both are complete. */
static int write_parts(const records *rs, const unsigned char *is_test, const char *const paths[2])
{
    out o[2];
    memset(o, 0, sizeof o);
    for (int p = 0; p < 2; p++) {
        if (atomic_open(&o[p].af, paths[p]) < 0) { out_abort_all(o, 2); return -1; }
        o[p].open = 1;
        o[p].buf = xmalloc(1 << 16);
        out_write(&o[p], rs->head.p, rs->head.n);
    }
    for (size_t i = 0; i < rs->n; i++) out_write(&o[is_test[i]], rs->recs.p + rs->off[i], rs->off[i + 1] - rs->off[i]);
    for (int p = 0; p < 2; p++) {
        out_flush(&o[p]);
        if (o[p].err) {
            err_set("%s: %s", paths[p], strerror(o[p].err));
            out_abort_all(o, 2);
            return -1;
        }
    }
    for (int p = 0; p < 2; p++) {
        int rc = atomic_commit(&o[p].af);
        o[p].open = 0;
        if (rc < 0) { out_abort_all(o, 2); return -1; }
    }
    out_abort_all(o, 2);   /* frees the buffers */
    return 0;
}

int data_split(const char *path, const split_opts *o, const char *const out[2], split_result *r)
{
    memset(r, 0, sizeof *r);
    /* --encoding: read converted, so the parts are written in UTF-8 */
    csv_reader *rd = csv_open_enc(path, o->fmt, o->data ? o->data->encoding : NULL);
    if (!rd) return -1;
    r->source = xstrdup(csv_path(rd));
    records rs;
    memset(&rs, 0, sizeof rs);
    strmap_init(&rs.labels);
    int rc = read_records(rd, o, r->source, &rs);
    csv_close(rd);
    if (rc == 0) rc = plan(&rs, o, r);
    if (rc == 0) {
        unsigned char *is_test = pick_test(&rs, r, o->seed);
        rc = write_parts(&rs, is_test, out);
        free(is_test);
    }
    records_free(&rs);
    return rc;
}

void split_result_free(split_result *r)
{
    for (size_t g = 0; r->label && g < r->ngroups; g++) free(r->label[g]);
    free(r->label);
    free(r->count);
    free(r->test);
    free(r->source);
    memset(r, 0, sizeof *r);
}
