/* workers.c - the thread pools of training and inference (see workers.h). */
#include "train/workers.h"
#include "base/err.h"
#include "train/batches.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_WORKERS = 64 };

typedef struct job {
    net *n;               /* the main net or a shadow sharing its weights */
    net_ws *ws;
    const int32_t *ids;   /* [B,T] */
    const int32_t *y;     /* [B] or NULL for forward only */
    int B, T;
    double scale;         /* B / batch */
    double loss;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    if (j->B == 0) return NULL;
    if (j->y) j->loss = net_forward_backward(j->n, j->ws, j->B, j->T, j->ids, j->y, j->scale);
    else net_forward(j->n, j->ws, j->B, j->T, j->ids);
    return NULL;
}

/* jobs[0] runs on the calling thread, the others on their own threads. */
static void run_jobs(job *jobs, int nj)
{
    pthread_t th[MAX_WORKERS];
    int started[MAX_WORKERS] = {0};
    for (int k = 1; k < nj; k++)
        started[k] = jobs[k].B > 0 && pthread_create(&th[k], NULL, run_job, &jobs[k]) == 0;
    run_job(&jobs[0]);
    for (int k = 1; k < nj; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        else run_job(&jobs[k]);   /* could not start a thread: do it here */
    }
}

/* Slice k of nj over B rows: [lo, hi). */
static void slice(int B, int nj, int k, int *lo, int *hi)
{
    *lo = (int)((long)B * k / nj);
    *hi = (int)((long)B * (k + 1) / nj);
}

/* Workers for `threads` over batches of maxB rows: 1..64, at most maxB. */
static int worker_count(int threads, int maxB)
{
    int nj = threads < 1 ? 1 : threads > MAX_WORKERS ? MAX_WORKERS : threads;
    return nj > maxB ? maxB : nj;
}

/* Several workers: BLAS goes single-threaded; returns the count to put back
 * (0: nothing changed). */
static int blas_claim(int nj)
{
    if (nj <= 1) return 0;
    int prev = blas_get_threads();
    blas_set_threads(1);
    return prev;
}

static void blas_release(int prev)
{
    if (prev > 0) blas_set_threads(prev);
}

/* Copy the workers' probabilities [slice, K] into probs [B,K] (first = 1)
 * or add them (first = 0). */
static void gather_probs(const net_ws *ws, int nj, int B, int K, int first, float *probs)
{
    for (int k = 0; k < nj; k++) {
        int lo, hi;
        slice(B, nj, k, &lo, &hi);
        float *dst = probs + (size_t)lo * K;
        size_t cnt = (size_t)(hi - lo) * K;
        if (first) memcpy(dst, ws[k].probs, sizeof(float) * cnt);
        else for (size_t j = 0; j < cnt; j++) dst[j] += ws[k].probs[j];
    }
}

/* ---- inference ---- */

struct fwd_pool {
    const net **nets;     /* one network, or an ensemble's members (probabilities averaged) */
    int nnets, nj, maxB;
    net_ws *ws;           /* [nnets][nj] */
    int32_t *trimmed;     /* [maxB,T] */
    int blas_prev;
};

static fwd_pool *pool_new(const net **nets, int nnets, int T, int maxB, int threads)
{
    fwd_pool *p = xcalloc(1, sizeof *p);
    p->nets = xmalloc(nnets * sizeof *p->nets);
    memcpy(p->nets, nets, nnets * sizeof *p->nets);
    p->nnets = nnets;
    p->nj = worker_count(threads, maxB);
    p->maxB = maxB;
    p->ws = xcalloc((size_t)nnets * p->nj, sizeof *p->ws);
    int per = (maxB + p->nj - 1) / p->nj, masked = 0;
    for (int i = 0; i < nnets; i++) {
        for (int k = 0; k < p->nj; k++) net_ws_alloc(&p->ws[i * p->nj + k], &nets[i]->cfg, T, per);
        masked |= nets[i]->cfg.mask;
    }
    p->blas_prev = blas_claim(p->nj);
    if (masked) p->trimmed = xmalloc((size_t)maxB * T * sizeof *p->trimmed);
    return p;
}

fwd_pool *fwd_pool_new(const net *n, int T, int maxB, int threads)
{
    return pool_new(&n, 1, T, maxB, threads);
}

fwd_pool *fwd_pool_new_model(const model *m, int T, int maxB, int threads)
{
    const net *nets[1001];
    int nn = model_nets(m) > 1001 ? 1001 : model_nets(m);
    for (int i = 0; i < nn; i++) nets[i] = model_net(m, i);
    return pool_new(nets, nn, T, maxB, threads);
}

void fwd_pool_run(fwd_pool *p, int B, int T, const int32_t *ids, float *probs)
{
    job jobs[MAX_WORKERS];
    int K = p->nets[0]->cfg.n_out, Tt = T;
    const int32_t *tids = ids;
    if (p->trimmed) {   /* masked: all-padding columns change nothing, skip them */
        Tt = trim_batch(ids, B, T, p->trimmed);
        tids = p->trimmed;
    }
    for (int i = 0; i < p->nnets; i++) {
        const net *n = p->nets[i];
        int Tn = n->cfg.mask ? Tt : T;
        const int32_t *in = n->cfg.mask ? tids : ids;
        net_ws *ws = p->ws + (size_t)i * p->nj;
        for (int k = 0; k < p->nj; k++) {
            int lo, hi;
            slice(B, p->nj, k, &lo, &hi);
            jobs[k] = (job){ (net *)n, &ws[k], in + (size_t)lo * Tn, NULL, hi - lo, Tn, 1.0, 0 };
        }
        run_jobs(jobs, p->nj);
        gather_probs(ws, p->nj, B, K, i == 0, probs);
    }
    if (p->nnets > 1) {   /* the ensemble's prediction: the members' mean probability */
        float inv = 1.0f / (float)p->nnets;
        for (size_t j = 0; j < (size_t)B * K; j++) probs[j] *= inv;
    }
}

void fwd_pool_free(fwd_pool *p)
{
    if (!p) return;
    for (int k = 0; k < p->nnets * p->nj; k++) net_ws_free(&p->ws[k]);
    blas_release(p->blas_prev);
    free(p->ws);
    free(p->nets);
    free(p->trimmed);
    free(p);
}

/* ---- training ---- */

struct train_pool {
    int nj;
    net **nets;           /* [nj]: nets[0] is the trained network, the others its shadows */
    net_ws *ws;           /* [nj] */
    int blas_prev;
};

train_pool *train_pool_new(net *n, int T, int maxB, int threads)
{
    train_pool *p = xcalloc(1, sizeof *p);
    p->nj = worker_count(threads, maxB);
    p->blas_prev = blas_claim(p->nj);
    p->nets = xcalloc(p->nj, sizeof *p->nets);
    p->ws = xcalloc(p->nj, sizeof *p->ws);
    p->nets[0] = n;
    for (int k = 0; k < p->nj; k++) {
        if (k) p->nets[k] = net_shadow(n);
        net_ws_alloc(&p->ws[k], &n->cfg, T, (maxB + p->nj - 1) / p->nj);
    }
    return p;
}

int train_pool_workers(const train_pool *p) { return p->nj; }

double train_pool_step(train_pool *p, const train_pass *pass, int B, int Tb, const int32_t *ids,
                       const int32_t *y, float *probs)
{
    job jobs[MAX_WORKERS];
    for (int k = 0; k < p->nj; k++) {
        int lo, hi;
        slice(B, p->nj, k, &lo, &hi);
        net_zero_grads(p->nets[k]);
        p->ws[k].training = 1;
        p->ws[k].drop_seed = pass->drop_seed;
        p->ws[k].row0 = lo;
        p->ws[k].class_w = pass->class_w;
        jobs[k] = (job){ p->nets[k], &p->ws[k], ids + (size_t)lo * Tb, y + lo, hi - lo, Tb,
                         (double)(hi - lo) / B, 0 };
    }
    run_jobs(jobs, p->nj);
    double loss = 0;
    for (int k = 0; k < p->nj; k++) {   /* fixed order: same thread count, same bits */
        loss += jobs[k].loss * jobs[k].B / B;
        if (k) net_add_grads(p->nets[0], p->nets[k]);
    }
    gather_probs(p->ws, p->nj, B, p->nets[0]->cfg.n_out, 1, probs);
    return loss;
}

void train_pool_free(train_pool *p)
{
    if (!p) return;
    for (int k = 0; k < p->nj; k++) {
        net_ws_free(&p->ws[k]);
        if (k) net_free(p->nets[k]);
    }
    blas_release(p->blas_prev);
    free(p->ws);
    free(p->nets);
    free(p);
}
