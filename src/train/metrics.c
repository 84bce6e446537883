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

void evaluate(const model *m, const encoded *e, int batch, int threads, eval_result *r, float *probs)
{
    int K = m->net->cfg.n_out, classes = K == 1 ? 2 : K, T = e->T;
    memset(r, 0, sizeof *r);
    r->K = classes;
    r->n = e->n;
    r->confusion = xcalloc((size_t)classes * classes, sizeof *r->confusion);
    fwd_pool *pool = fwd_pool_new_model(m, T, batch, threads);
    float *pb = xmalloc((size_t)batch * K * sizeof *pb);
    double loss = 0;
    size_t correct = 0;
    for (size_t s = 0; s < e->n; s += batch) {
        int B = (int)(e->n - s < (size_t)batch ? e->n - s : (size_t)batch);
        fwd_pool_run(pool, B, T, e->ids + s * T, pb);
        if (e->y) {
            for (int b = 0; b < B; b++) {
                int pred = decide_class(pb + (size_t)b * K, K, DECIDE_THRESHOLD), truth = e->y[s + b];
                loss += row_loss(pb, K, b, truth);
                correct += pred == truth;
                r->confusion[(size_t)truth * classes + pred]++;
            }
        }
        if (probs) memcpy(probs + s * K, pb, sizeof(float) * B * K);
    }
    free(pb);
    fwd_pool_free(pool);
    r->loss = e->n ? loss / e->n : 0;
    r->accuracy = e->n ? (double)correct / e->n : 0;
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
