/* seqsent.c - the public C API (include/seqsent.h) over the model and
 * train layers: a loaded model, predict as `seqsent predict` does (the
 * inference pool, decide_class), and sentence vectors (the network's pooled
 * features).
 *
 * A seqsent_model is read-only after seqsent_open: the tokenizer is built
 * there, and every call allocates its own scratch (tokenizer lists, ids,
 * a one-worker inference pool or workspace), so calls on one model may run
 * in several threads at once.  A one-worker pool starts no threads and
 * leaves the BLAS thread count alone (workers.h).  BLAS itself runs on one
 * thread, set when the first model is opened: parallelism comes from the
 * calling threads, and the arithmetic is that of `seqsent predict`, whose
 * workers also call BLAS single-threaded.
 */
#include "seqsent.h"
#include "base/err.h"
#include "base/tensor.h"
#include "nn/infer.h"
#include "train/train.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows per forward pass, as `seqsent predict`'s default --batch. */
enum { API_BATCH = 256 };

struct seqsent_model {
    model m;
    char *meta;      /* the metadata as unformatted JSON */
};

static _Thread_local char last_error[1024];
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;

static void blas_single(void) { blas_set_threads(1); }

/* Record the library's current message as the call's error; returns -1. */
static int fail(char *err, size_t errlen)
{
    snprintf(last_error, sizeof last_error, "%s", err_msg());
    if (err && errlen) snprintf(err, errlen, "%s", last_error);
    return -1;
}

const char *seqsent_version(void) { return SEQSENT_VERSION; }
int seqsent_api_version(void) { return SEQSENT_API_VERSION; }
const char *seqsent_last_error(void) { return last_error; }

seqsent_model *seqsent_open(const char *path, char *err, size_t errlen)
{
    if (!path) {
        err_set("seqsent_open: no path given");
        fail(err, errlen);
        return NULL;
    }
    seqsent_model *s = xcalloc(1, sizeof *s);
    if (model_load(&s->m, path, 0) < 0) {
        free(s);
        fail(err, errlen);
        return NULL;
    }
    if (model_check_classifier(&s->m, path) < 0) {
        model_free(&s->m);
        free(s);
        fail(err, errlen);
        return NULL;
    }
    model_tokenizer(&s->m);
    pthread_once(&blas_once, blas_single);
    s->meta = cJSON_PrintUnformatted(s->m.file->meta);
    if (!s->meta) s->meta = xstrdup("{}");
    return s;
}

void seqsent_close(seqsent_model *s)
{
    if (!s) return;
    model_free(&s->m);
    free(s->meta);
    free(s);
}

int seqsent_num_labels(const seqsent_model *s) { return s ? s->m.nlabels : 0; }

const char *seqsent_label(const seqsent_model *s, int i)
{
    return s && i >= 0 && i < s->m.nlabels ? s->m.labels[i] : NULL;
}

int seqsent_label_index(const seqsent_model *s, const char *name)
{
    return s && name ? model_label_index(&s->m, name) : -1;
}

int seqsent_multilabel(const seqsent_model *s) { return s ? s->m.multilabel : 0; }

const char *seqsent_kind(const seqsent_model *s)
{
    return !s ? NULL : s->m.nmembers ? "ensemble" : "model";
}

int seqsent_maxlen(const seqsent_model *s) { return s ? s->m.maxlen : 0; }
int seqsent_dim(const seqsent_model *s) { return s ? net_summary_width(&s->m.net->cfg) : 0; }
const char *seqsent_metadata(const seqsent_model *s) { return s ? s->meta : NULL; }

/* The arguments every batch call checks. */
static int check_args(const seqsent_model *s, const char *const *texts, size_t n, const char *fn)
{
    if (!s) return err_set("%s: no model", fn);
    if (n && !texts) return err_set("%s: no texts", fn);
    for (size_t i = 0; i < n; i++)
        if (!texts[i]) return err_set("%s: text %zu is NULL", fn, i);
    return 0;
}

/* Tokenizer scratch of one call. */
typedef struct enc_scratch {
    toklist tl;
    int32_t *idbuf;
    size_t idcap;
} enc_scratch;

/* texts [lo, hi) -> ids [hi-lo, maxlen] */
static void encode_rows(const model *m, const char *const *texts, size_t lo, size_t hi, enc_scratch *sc,
                        int32_t *ids)
{
    for (size_t i = lo; i < hi; i++)
        model_encode(m, texts[i], strlen(texts[i]), &sc->tl, &sc->idbuf, &sc->idcap,
                     ids + (i - lo) * (size_t)m->maxlen);
}

static void scratch_free(enc_scratch *sc)
{
    toklist_free(&sc->tl);
    free(sc->idbuf);
}

int seqsent_predict_threshold(const seqsent_model *s, const char *const *texts, size_t n, double threshold,
                              int *labels, double *probs, char *err, size_t errlen)
{
    if (check_args(s, texts, n, "seqsent_predict") < 0) return fail(err, errlen);
    if (!(threshold >= 0 && threshold <= 1)) {
        err_set("seqsent_predict: threshold %g is not between 0 and 1", threshold);
        return fail(err, errlen);
    }
    if (!n) return 0;
    const model *m = &s->m;
    int K = m->net->cfg.n_out, L = m->nlabels;
    /* speed only: predict's inference path, batch-invariant rows; a pool no
     * larger than the call needs (its workspace is allocated per call) */
    int batch = n < (size_t)API_BATCH ? (int)n : API_BATCH;
    fwd_pool *pool = fwd_pool_new_model(m, m->maxlen, batch, 1);
    fwd_pool_infer(pool);
    int32_t *ids = xmalloc((size_t)batch * m->maxlen * sizeof *ids);
    float *out = xmalloc((size_t)batch * K * sizeof *out);
    enc_scratch sc = { 0 };
    for (size_t lo = 0; lo < n; lo += (size_t)batch) {
        size_t hi = n - lo < (size_t)batch ? n : lo + (size_t)batch;
        int B = (int)(hi - lo);
        encode_rows(m, texts, lo, hi, &sc, ids);
        if (fwd_pool_run_sorted(pool, B, m->maxlen, ids, out) < 0) {
            scratch_free(&sc);
            free(ids);
            free(out);
            fwd_pool_free(pool);
            return fail(err, errlen);
        }
        for (int b = 0; b < B; b++) {
            const float *row = out + (size_t)b * K;
            if (labels) labels[lo + b] = decide_class(row, K, threshold);
            if (!probs) continue;
            double *dst = probs + (lo + b) * (size_t)L;
            if (K == 1 && !m->multilabel) {   /* one sigmoid: P(second label) */
                dst[0] = 1.0 - row[0];
                dst[1] = row[0];
            } else {
                for (int k = 0; k < K; k++) dst[k] = row[k];
            }
        }
    }
    scratch_free(&sc);
    free(out);
    free(ids);
    fwd_pool_free(pool);
    return 0;
}

int seqsent_predict(const seqsent_model *s, const char *const *texts, size_t n, int *labels, double *probs,
                    char *err, size_t errlen)
{
    return seqsent_predict_threshold(s, texts, n, DECIDE_THRESHOLD, labels, probs, err, errlen);
}

int seqsent_top_k(const seqsent_model *s, const double *row, int k, int *top)
{
    if (!s || !row || !top || k <= 0) return 0;
    int L = s->m.nlabels;
    if (k > L) k = L;
    /* labels by probability, highest first; ties in label order (stable), as
     * `seqsent predict --top-k` */
    int *order = xmalloc((size_t)L * sizeof *order);
    for (int x = 0; x < L; x++) order[x] = x;
    for (int i = 1; i < L; i++) {
        int x = order[i], j = i;
        for (; j > 0 && row[order[j - 1]] < row[x]; j--) order[j] = order[j - 1];
        order[j] = x;
    }
    memcpy(top, order, sizeof(int) * (size_t)k);
    free(order);
    return k;
}

int seqsent_encode(const seqsent_model *s, const char *const *texts, size_t n, float *vectors, char *err,
                   size_t errlen)
{
    if (check_args(s, texts, n, "seqsent_encode") < 0) return fail(err, errlen);
    if (n && !vectors) {
        err_set("seqsent_encode: no output buffer");
        return fail(err, errlen);
    }
    if (!n) return 0;
    const model *m = &s->m;
    const int F = net_summary_width(&m->net->cfg);   /* the summary, and the bag's features when there is one */
    /* as predict: the inference path, whose rows are the same bits whatever
     * texts share a call, sorted by length so that short texts skip the
     * padding columns; an ensemble's first network */
    int batch = n < API_BATCH ? (int)n : API_BATCH;
    fwd_pool *pool = fwd_pool_new(m->net, m->maxlen, batch, 1);
    fwd_pool_infer(pool);
    fwd_pool_features(pool);
    int32_t *ids = xmalloc((size_t)batch * m->maxlen * sizeof *ids);
    enc_scratch sc = { 0 };
    int rc = 0;
    for (size_t lo = 0; lo < n && rc == 0; lo += (size_t)batch) {
        size_t hi = n - lo < (size_t)batch ? n : lo + (size_t)batch;
        encode_rows(m, texts, lo, hi, &sc, ids);
        rc = fwd_pool_run_sorted(pool, (int)(hi - lo), m->maxlen, ids, vectors + lo * (size_t)F);
    }
    scratch_free(&sc);
    free(ids);
    fwd_pool_free(pool);
    if (rc < 0) return fail(err, errlen);
    return 0;
}
