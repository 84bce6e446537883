/* metrics.c - the class decision, evaluation and per-class figures (see metrics.h). */
#include "train/metrics.h"
#include "base/err.h"
#include "train/workers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int decide_class(const float *row, int K, double threshold)
{
    if (K == 1) return row[0] >= threshold;
    int best = 0;
    for (int k = 1; k < K; k++) if (row[k] > row[best]) best = k;
    return best;
}

/* Cross-entropy of row b with true class y, floored at 1e-12 so a confident
 * mistake costs a large but finite loss. */
static double row_loss(const float *probs, int K, int b, int y)
{
    const double eps = 1e-12;
    double p = K == 1 ? (y ? probs[b] : 1.0 - probs[b]) : probs[(size_t)b * K + y];
    return -log(p > eps ? p : eps);
}

/* The figures of r from the probabilities of all rows, in row order. */
static void score(const encoded *e, int K, const float *pb, eval_result *r)
{
    int classes = K == 1 ? 2 : K;
    double loss = 0;
    size_t correct = 0;
    if (e->y)
        for (size_t b = 0; b < e->n; b++) {
            int pred = decide_class(pb + b * K, K, DECIDE_THRESHOLD), truth = e->y[b];
            loss += row_loss(pb, K, (int)b, truth);
            correct += pred == truth;
            r->confusion[(size_t)truth * classes + pred]++;
        }
    r->loss = e->n ? loss / e->n : 0;
    r->accuracy = e->n ? (double)correct / e->n : 0;
}

static void eval_run(const model *m, const encoded *e, int batch, int threads, int shortcuts, eval_result *r,
                     float *probs)
{
    int K = m->net->cfg.n_out, classes = K == 1 ? 2 : K, T = e->T;
    memset(r, 0, sizeof *r);
    r->K = classes;
    r->n = e->n;
    r->confusion = xcalloc((size_t)classes * classes, sizeof *r->confusion);
    fwd_pool *pool = fwd_pool_new_model(m, T, batch, threads);
    float *pb = probs ? probs : xmalloc((e->n ? e->n : 1) * (size_t)K * sizeof *pb);
    if (shortcuts) {
        fwd_pool_infer(pool);
        fwd_pool_run_sorted(pool, (int)e->n, T, e->ids, pb);
    } else {
        for (size_t s = 0; s < e->n; s += batch) {
            int B = (int)(e->n - s < (size_t)batch ? e->n - s : (size_t)batch);
            fwd_pool_run(pool, B, T, e->ids + s * T, pb + s * K);
        }
    }
    score(e, K, pb, r);
    if (pb != probs) free(pb);
    fwd_pool_free(pool);
}

void evaluate(const model *m, const encoded *e, int batch, int threads, eval_result *r, float *probs)
{
    eval_run(m, e, batch, threads, 0, r, probs);
}

void evaluate_infer(const model *m, const encoded *e, int batch, int threads, eval_result *r, float *probs)
{
    eval_run(m, e, batch, threads, 1, r, probs);
}

void eval_result_free(eval_result *r) { free(r->confusion); memset(r, 0, sizeof *r); }

void class_metrics(const eval_result *r, int k, double *prec, double *rec, double *f1, long *support)
{
    long tp = r->confusion[(size_t)k * r->K + k], pred = 0, truth = 0;
    for (int j = 0; j < r->K; j++) {
        pred += r->confusion[(size_t)j * r->K + k];
        truth += r->confusion[(size_t)k * r->K + j];
    }
    *prec = pred ? (double)tp / pred : 0;
    *rec = truth ? (double)tp / truth : 0;
    *f1 = *prec + *rec > 0 ? 2 * *prec * *rec / (*prec + *rec) : 0;
    *support = truth;
}
