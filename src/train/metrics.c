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

void ova_row_counts(const float *row, const float *t, int K, double threshold, double *tp, double *errors)
{
    for (int k = 0; k < K; k++) {
        int pred = row[k] >= threshold, truth = t[k] >= 0.5f;
        *tp += pred && truth;
        *errors += pred != truth;
    }
}

double micro_f1_of(double tp, double errors) { return tp + errors > 0 ? 2 * tp / (2 * tp + errors) : 0; }

static double ratio(double a, double b) { return b > 0 ? a / b : 0; }
static double f1_of(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0; }

/* A multi-label model's figures: the loss of each label's sigmoid summed,
 * exact matches, per-label counts, micro and macro averages. */
static void score_multi(const encoded *e, int K, const float *pb, eval_result *r)
{
    const double eps = 1e-12;
    double loss = 0;
    size_t exact = 0;
    r->multi = 1;
    r->tp = xcalloc(3 * (size_t)K, sizeof *r->tp);   /* one block: tp, fp, fn */
    r->fp = r->tp + K;
    r->fn = r->fp + K;
    for (size_t b = 0; e->soft && b < e->n; b++) {
        const float *p = pb + b * K, *t = e->soft + b * K;
        int same = 1;
        for (int k = 0; k < K; k++) {
            int pred = p[k] >= DECIDE_THRESHOLD, truth = t[k] >= 0.5f;
            double q = truth ? p[k] : 1.0 - p[k];
            loss -= log(q > eps ? q : eps);
            r->tp[k] += pred && truth;
            r->fp[k] += pred && !truth;
            r->fn[k] += !pred && truth;
            same &= pred == truth;
        }
        exact += same;
    }
    long tp = 0, fp = 0, fn = 0;
    for (int k = 0; k < K; k++) {
        tp += r->tp[k];
        fp += r->fp[k];
        fn += r->fn[k];
        double pk = ratio(r->tp[k], r->tp[k] + r->fp[k]), rk = ratio(r->tp[k], r->tp[k] + r->fn[k]);
        r->macro_p += pk / K;
        r->macro_r += rk / K;
        r->macro_f1 += f1_of(pk, rk) / K;
    }
    r->micro_p = ratio(tp, tp + fp);
    r->micro_r = ratio(tp, tp + fn);
    r->micro_f1 = micro_f1_of(tp, fp + fn);
    r->loss = e->n ? loss / e->n : 0;
    r->accuracy = e->n ? (double)exact / e->n : 0;
}

void eval_at_k(const encoded *e, const float *probs, int K, int k, double *p_at_k, double *r_at_k)
{
    if (k > K) k = K;
    int *order = xmalloc((size_t)K * sizeof *order);
    double hits = 0, truth = 0;
    for (size_t b = 0; b < e->n; b++) {
        const float *p = probs + b * K, *t = e->soft + b * K;
        for (int x = 0; x < K; x++) order[x] = x;
        for (int i = 1; i < K; i++) {   /* by probability, stable: ties in label order */
            int x = order[i], j = i;
            for (; j > 0 && p[order[j - 1]] < p[x]; j--) order[j] = order[j - 1];
            order[j] = x;
        }
        for (int i = 0; i < k; i++) hits += t[order[i]] >= 0.5f;
        for (int x = 0; x < K; x++) truth += t[x] >= 0.5f;
    }
    free(order);
    *p_at_k = ratio(hits, (double)e->n * k);
    *r_at_k = ratio(hits, truth);
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

static int eval_run(const model *m, const encoded *e, int batch, int threads, int shortcuts, eval_result *r,
                    float *probs)
{
    int K = m->net->cfg.n_out, multi = m->net->cfg.multilabel, classes = K == 1 && !multi ? 2 : K, T = e->T;
    memset(r, 0, sizeof *r);
    r->K = classes;
    r->n = e->n;
    if (!multi) r->confusion = xcalloc((size_t)classes * classes, sizeof *r->confusion);
    fwd_pool *pool = fwd_pool_new_model(m, T, batch, threads);
    float *pb = probs ? probs : xmalloc((e->n ? e->n : 1) * (size_t)K * sizeof *pb);
    int rc = 0;
    if (shortcuts) {
        fwd_pool_infer(pool);
        rc = fwd_pool_run_sorted(pool, (int)e->n, T, e->ids, pb);
    } else {
        for (size_t s = 0; rc == 0 && s < e->n; s += batch) {
            int B = (int)(e->n - s < (size_t)batch ? e->n - s : (size_t)batch);
            rc = fwd_pool_run(pool, B, T, e->ids + s * T, pb + s * K);
        }
    }
    if (rc == 0 && multi) score_multi(e, K, pb, r);
    else if (rc == 0) score(e, K, pb, r);
    if (pb != probs) free(pb);
    fwd_pool_free(pool);
    return rc;
}

void evaluate(const model *m, const encoded *e, int batch, int threads, eval_result *r, float *probs)
{
    /* m's weights were checked when loaded (not MODEL_LAZY): nothing fails */
    if (eval_run(m, e, batch, threads, 0, r, probs) < 0) abort();
}

int evaluate_infer(const model *m, const encoded *e, int batch, int threads, eval_result *r, float *probs)
{
    return eval_run(m, e, batch, threads, 1, r, probs);
}

void eval_result_free(eval_result *r)
{
    free(r->confusion);
    free(r->tp);   /* with fp and fn */
    memset(r, 0, sizeof *r);
}

void class_metrics(const eval_result *r, int k, double *prec, double *rec, double *f1, long *support)
{
    if (r->multi) {
        *prec = ratio(r->tp[k], r->tp[k] + r->fp[k]);
        *rec = ratio(r->tp[k], r->tp[k] + r->fn[k]);
        *f1 = f1_of(*prec, *rec);
        *support = r->tp[k] + r->fn[k];
        return;
    }
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
