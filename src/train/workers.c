/* workers.c - the thread pools of training and inference (see workers.h). */
#include "train/workers.h"
#include "base/err.h"
#include "model/checkpoint.h"
#include "train/batches.h"
#include "nn/infer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_WORKERS = 64 };

/* An inference worker's slice of a batch. */
typedef struct job {
    const net *n;
    net_ws *ws;
    const int32_t *ids;   /* [B,T] */
    int B, T;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    if (j->B > 0) net_forward(j->n, j->ws, j->B, j->T, j->ids);
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

/* Slice k of nj over B rows: [lo, hi) (training: shard k of nj). */
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
    int nnets, nj, maxB, T;
    net_ws *ws;           /* [nnets][nj] */
    int32_t *trimmed;     /* [maxB,T] */
    int blas_prev;
    net_infer **infer;    /* [nnets] the shortcuts (fwd_pool_infer), or NULL */
    int32_t *sorted;      /* [maxB,T] fwd_pool_run_sorted's batch */
    float *sprobs;        /* [maxB,K] its probabilities */
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
    (void)masked;
    p->T = T;
    p->trimmed = xmalloc((size_t)maxB * T * sizeof *p->trimmed);
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

void fwd_pool_infer(fwd_pool *p)
{
    if (p->infer) return;
    /* mm_rows's rows are batch-invariant with single-threaded BLAS only
     * (a threaded product's split depends on the thread count) */
    if (!p->blas_prev) {
        p->blas_prev = blas_get_threads();
        blas_set_threads(1);
    }
    p->infer = xcalloc((size_t)p->nnets, sizeof *p->infer);
    for (int i = 0; i < p->nnets; i++) {
        p->infer[i] = net_infer_new(p->nets[i]);
        for (int k = 0; k < p->nj; k++) p->ws[(size_t)i * p->nj + k].infer = p->infer[i];
    }
}

/* Leading padding steps that every row of ids [B,T] has (at most T-1). */
static int common_lead(const int32_t *ids, int B, int T)
{
    int lead = T - 1;
    for (int b = 0; b < B && lead > 0; b++) {
        const int32_t *r = ids + (size_t)b * T;
        int f = 0;
        while (f < lead && r[f] == 0) f++;
        lead = f;
    }
    return lead;
}

void fwd_pool_run(fwd_pool *p, int B, int T, const int32_t *ids, float *probs)
{
    job jobs[MAX_WORKERS];
    int K = p->nets[0]->cfg.n_out;
    for (int i = 0; i < p->nnets; i++) {
        const net *n = p->nets[i];
        net_infer *f = p->infer ? p->infer[i] : NULL;
        int Tn = T, skip = 0;
        const int32_t *in = ids;
        if (n->cfg.mask) {   /* masked: all-padding columns change nothing, skip them */
            Tn = trim_batch(ids, B, T, p->trimmed);
            in = p->trimmed;
        } else if (f && f->skip_prefix && (skip = common_lead(ids, B, T)) > 0) {
            /* the pad prefix: start from the state after `skip` padding steps */
            net_infer_pad_states(f, p->T > T ? p->T : T);
            Tn = T - skip;
            for (int b = 0; b < B; b++)
                memcpy(p->trimmed + (size_t)b * Tn, ids + (size_t)b * T + skip, sizeof(int32_t) * Tn);
            in = p->trimmed;
        }
        if (f) net_infer_prepare(f, in, (size_t)B * Tn);   /* before the workers: they only read */
        net_ws *ws = p->ws + (size_t)i * p->nj;
        for (int k = 0; k < p->nj; k++) {
            int lo, hi;
            slice(B, p->nj, k, &lo, &hi);
            ws[k].skip = skip;
            jobs[k] = (job){ n, &ws[k], in + (size_t)lo * Tn, hi - lo, Tn };
        }
        run_jobs(jobs, p->nj);
        gather_probs(ws, p->nj, B, K, i == 0, probs);
    }
    if (p->nnets > 1) {   /* the ensemble's prediction: the members' mean probability */
        float inv = 1.0f / (float)p->nnets;
        for (size_t j = 0; j < (size_t)B * K; j++) probs[j] *= inv;
    }
}

/* A row's sort key: its real tokens (ids other than padding). */
typedef struct row_key { int len, row; } row_key;

static int by_len(const void *a, const void *b)
{
    const row_key *x = a, *y = b;
    return x->len != y->len ? (x->len > y->len) - (x->len < y->len) : (x->row > y->row) - (x->row < y->row);
}

void fwd_pool_run_sorted(fwd_pool *p, int n, int T, const int32_t *ids, float *probs)
{
    if (n <= 0) return;
    const int K = p->nets[0]->cfg.n_out, maxB = p->maxB;
    row_key *key = xmalloc((size_t)n * sizeof *key);
    for (int r = 0; r < n; r++) {
        const int32_t *x = ids + (size_t)r * T;
        int len = 0;
        for (int t = 0; t < T; t++) len += x[t] != 0;
        key[r] = (row_key){ len, r };
    }
    qsort(key, (size_t)n, sizeof *key, by_len);
    if (!p->sorted) {
        p->sorted = xmalloc((size_t)maxB * T * sizeof *p->sorted);
        p->sprobs = xmalloc((size_t)maxB * K * sizeof *p->sprobs);
    }
    for (int s = 0; s < n; s += maxB) {
        int B = n - s < maxB ? n - s : maxB;
        for (int b = 0; b < B; b++)
            memcpy(p->sorted + (size_t)b * T, ids + (size_t)key[s + b].row * T, sizeof(int32_t) * T);
        fwd_pool_run(p, B, T, p->sorted, p->sprobs);
        for (int b = 0; b < B; b++)
            memcpy(probs + (size_t)key[s + b].row * K, p->sprobs + (size_t)b * K, sizeof(float) * K);
    }
    free(key);
}

void fwd_pool_free(fwd_pool *p)
{
    if (!p) return;
    if (p->infer)
        for (int i = 0; i < p->nnets; i++) net_infer_free(p->infer[i]);
    free(p->infer);
    free(p->sorted);
    free(p->sprobs);
    for (int k = 0; k < p->nnets * p->nj; k++) net_ws_free(&p->ws[k]);
    blas_release(p->blas_prev);
    free(p->ws);
    free(p->nets);
    free(p->trimmed);
    free(p);
}

/* ---- training ---- */

struct train_pool {
    int ns, nw;           /* shards, workers (threads) */
    int threads;          /* what was asked, for inference between steps */
    net **nets;           /* [ns]: shard k's gradients; nets[0] is the trained network, the others its shadows */
    net_ws *ws;           /* [nw] */
    double *loss;         /* [ns] the shards' loss sums of the current step */
    unsigned char *used;  /* [ns] the shard had rows (or merged some) in this step */
    int blas_prev;
};

train_pool *train_pool_new(net *n, int T, int maxB, int threads, int shards)
{
    train_pool *p = xcalloc(1, sizeof *p);
    p->ns = shards < 1 ? 1 : shards > TRAIN_MAX_SHARDS ? TRAIN_MAX_SHARDS : shards;
    p->threads = worker_count(threads, maxB);
    p->nw = p->threads < p->ns ? p->threads : p->ns;
    /* always single-threaded BLAS: a shard's arithmetic must not depend on
     * how many threads BLAS would split it over */
    p->blas_prev = blas_get_threads();
    blas_set_threads(1);
    p->nets = xcalloc(p->ns, sizeof *p->nets);
    p->ws = xcalloc(p->nw, sizeof *p->ws);
    p->loss = xcalloc(p->ns, sizeof *p->loss);
    p->used = xcalloc(p->ns, 1);
    p->nets[0] = n;
    for (int k = 1; k < p->ns; k++) p->nets[k] = net_shadow(n);
    for (int w = 0; w < p->nw; w++) net_ws_alloc(&p->ws[w], &n->cfg, T, (maxB + p->ns - 1) / p->ns);
    return p;
}

int train_pool_workers(const train_pool *p) { return p->threads; }
int train_pool_shards(const train_pool *p) { return p->ns; }

/* One worker's part of a step: shards w, w + nw, w + 2 nw, ... */
typedef struct shard_work {
    train_pool *p;
    int w;
    const train_pass *pass;
    int B, Tb;
    const int32_t *ids, *y;
    float *probs;
} shard_work;

static void *run_shards(void *arg)
{
    shard_work *sw = arg;
    train_pool *p = sw->p;
    net_ws *ws = &p->ws[sw->w];
    const int K = p->nets[0]->cfg.n_out;
    for (int k = sw->w; k < p->ns; k += p->nw) {
        int lo, hi;
        slice(sw->B, p->ns, k, &lo, &hi);
        net_zero_grads(p->nets[k]);
        p->loss[k] = 0;
        p->used[k] = hi > lo;
        if (hi == lo) continue;   /* a short batch: this shard is empty */
        ws->training = 1;
        ws->drop_seed = sw->pass->drop_seed;
        ws->row0 = lo;            /* dropout masks follow the row's index in the batch */
        ws->class_w = sw->pass->class_w;
        ws->soft = sw->pass->soft ? sw->pass->soft + (size_t)lo * K : NULL;
        ws->temperature = sw->pass->temperature;
        const int32_t *ids = sw->ids + (size_t)lo * sw->Tb;
        if (sw->pass->lm) {
            p->loss[k] = lm_forward_backward(p->nets[k], ws, hi - lo, sw->Tb, ids, sw->pass->lm, sw->pass->lm_norm);
            continue;
        }
        p->loss[k] = net_forward_backward(p->nets[k], ws, hi - lo, sw->Tb, ids, sw->y + lo, sw->B);
        memcpy(sw->probs + (size_t)lo * K, ws->probs, sizeof(float) * (size_t)(hi - lo) * K);
    }
    return NULL;
}

/* The shards' gradients into shard 0's (the network's), pairwise over a
 * fixed binary tree of shard indices: ((g0+g1)+(g2+g3))+((g4+g5)+(g6+g7)).
 * The order depends on the shard count only; an empty shard adds nothing. */
static void merge_shards(train_pool *p)
{
    for (int step = 1; step < p->ns; step *= 2)
        for (int k = 0; k + step < p->ns; k += 2 * step) {
            if (!p->used[k + step]) continue;
            net_add_grads(p->nets[k], p->nets[k + step]);
            p->used[k] = 1;
        }
}

double train_pool_step(train_pool *p, const train_pass *pass, int B, int Tb, const int32_t *ids,
                       const int32_t *y, float *probs)
{
    shard_work sw[MAX_WORKERS];
    pthread_t th[MAX_WORKERS];
    int started[MAX_WORKERS] = {0};
    for (int w = 0; w < p->nw; w++) sw[w] = (shard_work){ p, w, pass, B, Tb, ids, y, probs };
    for (int w = 1; w < p->nw; w++) started[w] = pthread_create(&th[w], NULL, run_shards, &sw[w]) == 0;
    run_shards(&sw[0]);
    for (int w = 1; w < p->nw; w++) {
        if (started[w]) pthread_join(th[w], NULL);
        else run_shards(&sw[w]);   /* could not start a thread: do it here */
    }
    merge_shards(p);
    double loss = 0;
    for (int k = 0; k < p->ns; k++) loss += p->loss[k];   /* in shard order */
    return loss;
}

void train_pool_free(train_pool *p)
{
    if (!p) return;
    for (int w = 0; w < p->nw; w++) net_ws_free(&p->ws[w]);
    for (int k = 1; k < p->ns; k++) net_free(p->nets[k]);
    blas_set_threads(p->blas_prev);
    free(p->ws);
    free(p->nets);
    free(p->loss);
    free(p->used);
    free(p);
}
