/* workers.c - the thread pools of training and inference (see workers.h). */
#include "train/workers.h"
#include "base/err.h"
#include "model/checkpoint.h"
#include "train/batches.h"
#include "nn/infer.h"
#include "nn/nbhead.h"
#include "train/dist.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_WORKERS = 64 };

/* An inference worker's part: its slice of a batch through the network,
 * or (fill) rows [lo, hi) of the first layer's missing table rows (infer.h). */
typedef struct job {
    const net *n;
    net_ws *ws;
    const int32_t *ids;   /* [B,T] */
    int B, T;
    const net_infer *fill;
    int lo, hi;
} job;

static int job_empty(const job *j) { return j->fill ? j->hi <= j->lo : j->B <= 0; }

static void *run_job(void *arg)
{
    job *j = arg;
    if (job_empty(j)) return NULL;
    if (j->fill) {
        net_infer_compute(j->fill, j->lo, j->hi);
        return NULL;
    }
    net_forward(j->n, j->ws, j->B, j->T, j->ids);
    if (j->n->nb) nbhead_mix(j->n->nb, j->B, j->T, j->ids, j->ws->probs, j->n->cfg.n_out);
    return NULL;
}

/* jobs[0] runs on the calling thread, the others on their own threads. */
static void run_jobs(job *jobs, int nj)
{
    pthread_t th[MAX_WORKERS];
    int started[MAX_WORKERS] = {0};
    for (int k = 1; k < nj; k++)
        started[k] = !job_empty(&jobs[k]) && pthread_create(&th[k], NULL, run_job, &jobs[k]) == 0;
    run_job(&jobs[0]);
    for (int k = 1; k < nj; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        else run_job(&jobs[k]);   /* could not start a thread: do it here */
    }
}

/* The table rows that ids [count] need, computed by nj workers in whole
 * blocks of rows (the products' unit): on one thread it was a tenth of a
 * recipe model's predict, done while the other workers waited. */
static int prepare_rows(net_infer *f, const int32_t *ids, size_t count, int nj)
{
    const int m = net_infer_claim(f, ids, count), R = MM_ROWS_BLOCK, nb = (m + R - 1) / R;
    if (m < 0) return -1;
    if (nj > nb) nj = nb;
    if (nj < 1) return 0;   /* nothing missing */
    job jobs[MAX_WORKERS];
    for (int k = 0; k < nj; k++) {
        int lo = (int)((long)nb * k / nj) * R, hi = (int)((long)nb * (k + 1) / nj) * R;
        jobs[k] = (job){ .fill = f, .lo = lo, .hi = hi < m ? hi : m };
    }
    run_jobs(jobs, nj);
    return 0;
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

/* Inference's slice k of nj over B rows: whole blocks of MM_ROWS_BLOCK rows
 * (tensor.h), shared out as evenly as blocks go.  A worker's short last
 * block is padded with zero rows and costs a whole block: 40 rows cut
 * 20 + 20 compute 2 x 32 rows, cut 32 + 8 the same time in fewer products. */
static void infer_slice(int B, int nj, int k, int *lo, int *hi)
{
    const int R = MM_ROWS_BLOCK, nb = (B + R - 1) / R;
    const int b0 = (int)(((long)nb * k + nj - 1) / nj), b1 = (int)(((long)nb * (k + 1) + nj - 1) / nj);   /* the first ones the larger */
    *lo = b0 * R < B ? b0 * R : B;
    *hi = b1 * R < B ? b1 * R : B;
}

/* Copy the workers' outputs [slice, W] into out [B,W] (first = 1) or add
 * them (first = 0): their probabilities (W = K), or with feats their
 * features (W = the summary's width). */
static void gather_out(const net_ws *ws, int nj, int B, int W, int feats, int first, float *out)
{
    for (int k = 0; k < nj; k++) {
        int lo, hi;
        infer_slice(B, nj, k, &lo, &hi);
        float *dst = out + (size_t)lo * W;
        const float *src = feats ? ws[k].feat : ws[k].probs;
        size_t cnt = (size_t)(hi - lo) * W;
        if (first) memcpy(dst, src, sizeof(float) * cnt);
        else for (size_t j = 0; j < cnt; j++) dst[j] += src[j];
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
    float *sprobs;        /* [maxB,W] its outputs */
    int feats;            /* fwd_pool_features: outputs are features [B,feats], not probabilities */
};

/* The width of a row of the pool's outputs. */
static int out_width(const fwd_pool *p)
{
    return p->feats ? p->feats : p->nets[0]->cfg.n_out;
}

static fwd_pool *pool_new(const net **nets, int nnets, int T, int maxB, int threads)
{
    fwd_pool *p = xcalloc(1, sizeof *p);
    p->nets = xmalloc(nnets * sizeof *p->nets);
    memcpy(p->nets, nets, nnets * sizeof *p->nets);
    p->nnets = nnets;
    p->nj = worker_count(threads, maxB);
    p->maxB = maxB;
    p->ws = xcalloc((size_t)nnets * p->nj, sizeof *p->ws);
    int lo, per;
    infer_slice(maxB, p->nj, 0, &lo, &per);   /* the first slice is the largest for any B <= maxB */
    for (int i = 0; i < nnets; i++)
        for (int k = 0; k < p->nj; k++) net_ws_alloc(&p->ws[i * p->nj + k], &nets[i]->cfg, T, per);
    p->blas_prev = blas_claim(p->nj);
    p->T = T;
    p->trimmed = xmalloc((size_t)maxB * T * sizeof *p->trimmed);
    for (int i = 0; i < nnets; i++)
        if (nets[i]->prec) {   /* a quantized network runs only through the shortcuts */
            fwd_pool_infer(p);
            break;
        }
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

void fwd_pool_features(fwd_pool *p)
{
    p->feats = net_summary_width(&p->nets[0]->cfg);
}

int fwd_pool_run(fwd_pool *p, int B, int T, const int32_t *ids, float *probs)
{
    job jobs[MAX_WORKERS];
    const int W = out_width(p);
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
            if (net_infer_pad_states(f, p->T > T ? p->T : T) < 0) return -1;
            Tn = T - skip;
            for (int b = 0; b < B; b++)
                memcpy(p->trimmed + (size_t)b * Tn, ids + (size_t)b * T + skip, sizeof(int32_t) * Tn);
            in = p->trimmed;
        }
        if ((f ? prepare_rows(f, in, (size_t)B * Tn, p->nj) < 0   /* before the workers: they only read */
               : net_embedding_check(n, in, (size_t)B * Tn) < 0) ||
            net_bag_check(n, in, (size_t)B * Tn) < 0)
            return -1;
        net_ws *ws = p->ws + (size_t)i * p->nj;
        for (int k = 0; k < p->nj; k++) {
            int lo, hi;
            infer_slice(B, p->nj, k, &lo, &hi);
            ws[k].skip = skip;
            jobs[k] = (job){ .n = n, .ws = &ws[k], .ids = in + (size_t)lo * Tn, .B = hi - lo, .T = Tn };
        }
        run_jobs(jobs, p->nj);
        gather_out(ws, p->nj, B, W, p->feats, i == 0, probs);
    }
    if (p->nnets > 1) {   /* the ensemble's prediction: the members' mean probability */
        float inv = 1.0f / (float)p->nnets;
        for (size_t j = 0; j < (size_t)B * W; j++) probs[j] *= inv;
    }
    return 0;
}

/* Tokens (rows x steps) in a batch of fwd_pool_run_sorted, at most (one
 * row may have more).  Measured on the default model, 1,553 ChnSentiCorp
 * lines: CPU time 2048-4096 tokens about 0.5x of 256 rows whatever their
 * length; smaller batches lose more in the products than they save. */
enum { BATCH_TOKENS = 4096 };

/* A row's sort key: its real tokens (ids other than padding). */
typedef struct row_key { int len, row; } row_key;

static int by_len(const void *a, const void *b)
{
    const row_key *x = a, *y = b;
    return x->len != y->len ? (x->len > y->len) - (x->len < y->len) : (x->row > y->row) - (x->row < y->row);
}

int fwd_pool_run_sorted(fwd_pool *p, int n, int T, const int32_t *ids, float *probs)
{
    if (n <= 0) return 0;
    const int K = out_width(p), maxB = p->maxB;
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
    /* steps a batch runs: its longest row's tokens (masked rows are
     * trimmed, an unmasked one-direction network skips the common pad
     * prefix), else all T */
    int trims = 1;
    for (int i = 0; i < p->nnets; i++)
        trims &= p->nets[i]->cfg.mask || (p->infer && p->infer[i]->skip_prefix);
    const int unit = MM_ROWS_BLOCK * p->nj;
    for (int s = 0, B; s < n; s += B) {
        /* rows up to maxB and BATCH_TOKENS tokens (rows x steps): the
         * workspace a batch touches grows with both, and its first touch
         * (page faults) cost more than the batch's products in a short run */
        B = 1;
        while (s + B < n && B < maxB && (B + 1) * (trims ? (key[s + B].len > 0 ? key[s + B].len : 1) : T) <= BATCH_TOKENS) B++;
        /* whole blocks for every worker (infer_slice) unless the rows run out */
        if (s + B < n && B > unit) B -= B % unit;
        for (int b = 0; b < B; b++)
            memcpy(p->sorted + (size_t)b * T, ids + (size_t)key[s + b].row * T, sizeof(int32_t) * T);
        if (fwd_pool_run(p, B, T, p->sorted, p->sprobs) < 0) {
            free(key);
            return -1;
        }
        for (int b = 0; b < B; b++)
            memcpy(probs + (size_t)key[s + b].row * K, p->sprobs + (size_t)b * K, sizeof(float) * K);
    }
    free(key);
    return 0;
}

int fwd_pool_rows(const fwd_pool *p)
{
    return p->maxB;
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
    int ns, nw;           /* shards, workers (threads) of this process */
    int threads;          /* what was asked, for inference between steps */
    int rank, nranks;     /* this process of the job's (dist.h) */
    int *owner;           /* [ns] the rank computing shard k: contiguous blocks */
    int lo, hi;           /* this rank's shards [lo, hi) */
    net **nets;           /* [ns]: shard k's gradients; nets[0] is the trained network, the others its shadows */
    net_ws *ws;           /* [nw] */
    double *loss;         /* [ns] the shards' loss sums of the current step */
    unsigned char *used;  /* [ns] the shard had rows (or merged some) in this step */
    unsigned char *msg;   /* a gradient on its way between ranks */
    size_t msg_cap;
    size_t *part_off, *part_len;   /* [nranks] byte ranges of an exchange (dist_allgather) */
    int blas_prev;
};

/* Shard k's first rank of nranks: rank r computes shards [ns r / N, ns (r+1) / N). */
static int block_lo(int ns, int nranks, int r) { return (int)((long)ns * r / nranks); }

train_pool *train_pool_new(net *n, int T, int maxB, int threads, int shards)
{
    train_pool *p = xcalloc(1, sizeof *p);
    p->ns = shards < 1 ? 1 : shards > TRAIN_MAX_SHARDS ? TRAIN_MAX_SHARDS : shards;
    p->rank = dist_rank();
    p->nranks = dist_size();
    p->owner = xmalloc(p->ns * sizeof *p->owner);
    for (int r = 0; r < p->nranks; r++)
        for (int k = block_lo(p->ns, p->nranks, r); k < block_lo(p->ns, p->nranks, r + 1); k++) p->owner[k] = r;
    p->lo = block_lo(p->ns, p->nranks, p->rank);
    p->hi = block_lo(p->ns, p->nranks, p->rank + 1);
    p->threads = worker_count(threads, maxB);
    int mine = p->hi - p->lo > 0 ? p->hi - p->lo : 1;
    p->nw = p->threads < mine ? p->threads : mine;
    /* always single-threaded BLAS: a shard's arithmetic must not depend on
     * how many threads BLAS would split it over */
    p->blas_prev = blas_get_threads();
    blas_set_threads(1);
    p->nets = xcalloc(p->ns, sizeof *p->nets);
    p->ws = xcalloc(p->nw, sizeof *p->ws);
    p->loss = xcalloc(p->ns, sizeof *p->loss);
    p->used = xcalloc(p->ns, 1);
    p->part_off = xcalloc(2 * (size_t)p->nranks, sizeof *p->part_off);
    p->part_len = p->part_off + p->nranks;
    p->nets[0] = n;
    for (int k = 1; k < p->ns; k++) p->nets[k] = net_shadow(n);
    for (int w = 0; w < p->nw; w++) net_ws_alloc(&p->ws[w], &n->cfg, T, (maxB + p->ns - 1) / p->ns);
    return p;
}

int train_pool_workers(const train_pool *p) { return p->threads; }
int train_pool_shards(const train_pool *p) { return p->ns; }

/* One worker's part of a step: this rank's shards lo + w, lo + w + nw, ... */
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
    for (int k = p->lo + sw->w; k < p->hi; k += p->nw) {
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
        ws->adv = sw->pass->lm ? 0 : sw->pass->adv;
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

/* Shard k's gradient (the sum of its subtree) and its used flag as one
 * message: the flag byte, then params_grads_pack's bytes. */
static void send_node(train_pool *p, int k, int dest)
{
    const param_list *pl = &p->nets[k]->plist;
    size_t len = 1 + (p->used[k] ? params_grads_bytes(pl) : 0);
    if (len > p->msg_cap) {
        p->msg = xrealloc(p->msg, len);
        p->msg_cap = len;
    }
    p->msg[0] = p->used[k];
    if (p->used[k]) params_grads_pack(pl, p->msg + 1);
    dist_send(p->msg, len, dest);
}

/* A message of send_node into shard k's zeroed gradient; or of
 * dist_bcast_var when bcast. */
static int recv_node(train_pool *p, int k, int src, int bcast)
{
    size_t len = 0;
    if (bcast) {
        if (p->rank == src) {
            len = 1 + params_grads_bytes(&p->nets[k]->plist);
            if (len > p->msg_cap) {
                p->msg = xrealloc(p->msg, len);
                p->msg_cap = len;
            }
            p->msg[0] = p->used[k];
            params_grads_pack(&p->nets[k]->plist, p->msg + 1);
        }
        dist_bcast_var(&p->msg, &p->msg_cap, &len, src);
        if (p->rank == src) return 0;
    } else {
        dist_recv(&p->msg, &p->msg_cap, &len, src);
    }
    if (len < 1) return err_set("training: an empty gradient message from rank %d", src);
    p->used[k] = p->msg[0];
    if (p->used[k] && params_grads_unpack(&p->nets[k]->plist, p->msg + 1, len - 1) < 0)
        return err_set("training: a gradient from rank %d does not fit this network (ranks running different models?)", src);
    return 0;
}

/* The shards' gradients into shard 0's (the network's), pairwise over a
 * fixed binary tree of shard indices: ((g0+g1)+(g2+g3))+((g4+g5)+(g6+g7)).
 * The order depends on the shard count only; an empty shard adds nothing.
 *
 * Over ranks: a subtree's sum lives on the rank of its first shard.  A sum
 * whose halves live on different ranks is made there after the right half
 * comes over (a message per such pair, sent and received by both sides in
 * this same order, so blocking sends cannot deadlock), and rank 0's total
 * goes to every rank at the end: every rank adds the same numbers in the
 * same order as one process does, and holds the same gradient (row sets
 * included) for the same optimizer step. */
static int merge_shards(train_pool *p)
{
    for (int step = 1; step < p->ns; step *= 2)
        for (int k = 0; k + step < p->ns; k += 2 * step) {
            int a = p->owner[k], b = p->owner[k + step];
            if (a != b && p->rank == b) send_node(p, k + step, a);
            if (p->rank != a) continue;
            if (a != b && recv_node(p, k + step, b, 0) < 0) return -1;
            if (!p->used[k + step]) continue;
            net_add_grads(p->nets[k], p->nets[k + step]);
            p->used[k] = 1;
        }
    if (p->nranks > 1 && recv_node(p, 0, p->owner[0], 1) < 0) return -1;
    return 0;
}

/* Every rank's shards' losses [ns] and a classifier's probabilities
 * [B,K] (rows in shard order, so a rank's part is contiguous) to every rank. */
static void share_results(train_pool *p, int B, int K, float *probs, int lm)
{
    for (int r = 0; r < p->nranks; r++) {
        int klo = block_lo(p->ns, p->nranks, r), khi = block_lo(p->ns, p->nranks, r + 1);
        p->part_off[r] = klo * sizeof *p->loss;
        p->part_len[r] = (khi - klo) * sizeof *p->loss;
    }
    dist_allgather(p->loss, p->part_off, p->part_len);
    if (lm) return;
    for (int r = 0; r < p->nranks; r++) {   /* shards [klo, khi): rows [B klo / ns, B khi / ns) */
        long rlo = (long)B * block_lo(p->ns, p->nranks, r) / p->ns;
        long rhi = (long)B * block_lo(p->ns, p->nranks, r + 1) / p->ns;
        p->part_off[r] = (size_t)rlo * K * sizeof *probs;
        p->part_len[r] = (size_t)(rhi - rlo) * K * sizeof *probs;
    }
    dist_allgather(probs, p->part_off, p->part_len);
}

int train_pool_step(train_pool *p, const train_pass *pass, int B, int Tb, const int32_t *ids,
                    const int32_t *y, float *probs, double *loss_sum)
{
    shard_work sw[MAX_WORKERS];
    pthread_t th[MAX_WORKERS];
    int started[MAX_WORKERS] = {0};
    for (int k = 0; k < p->ns; k++)   /* other ranks' shards: what they sent last time */
        if (k < p->lo || k >= p->hi) {
            net_zero_grads(p->nets[k]);
            p->loss[k] = 0;
            p->used[k] = 0;
        }
    for (int w = 0; w < p->nw; w++) sw[w] = (shard_work){ p, w, pass, B, Tb, ids, y, probs };
    for (int w = 1; w < p->nw; w++) started[w] = pthread_create(&th[w], NULL, run_shards, &sw[w]) == 0;
    run_shards(&sw[0]);
    for (int w = 1; w < p->nw; w++) {
        if (started[w]) pthread_join(th[w], NULL);
        else run_shards(&sw[w]);   /* could not start a thread: do it here */
    }
    if (merge_shards(p) < 0) return -1;
    if (p->nranks > 1) share_results(p, B, p->nets[0]->cfg.n_out, probs, pass->lm != NULL);
    double loss = 0;
    for (int k = 0; k < p->ns; k++) loss += p->loss[k];   /* in shard order */
    *loss_sum = loss;
    return 0;
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
    free(p->owner);
    free(p->msg);
    free(p->part_off);
    free(p);
}
