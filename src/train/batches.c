/* batches.c - epoch order, length buckets, batch copies and trimming (see batches.h). */
#include "train/batches.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

void batch_plan_alloc(batch_plan *p, size_t n, int batch)
{
    size_t maxnb = n / (size_t)batch + 2;
    p->order = xmalloc((n + 1) * sizeof *p->order);
    p->start = xmalloc(maxnb * sizeof *p->start);
    p->size = xmalloc(maxnb * sizeof *p->size);
    p->nb = 0;
}

void batch_plan_free(batch_plan *p)
{
    free(p->order);
    free(p->start);
    free(p->size);
    memset(p, 0, sizeof *p);
}

/* Shorter rows first, ties by row index: a total order, so the result does
 * not depend on the sort algorithm. */
static int by_length(const void *a, const void *b, void *ctx)
{
    const int32_t *len = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (len[x] != len[y]) return len[x] < len[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Cut order[lo, hi) into batches of at most `batch` rows, appended to p. */
static void cut(batch_plan *p, size_t lo, size_t hi, int batch)
{
    for (size_t s = lo; s < hi; s += (size_t)batch) {
        p->start[p->nb] = s;
        p->size[p->nb++] = hi - s < (size_t)batch ? hi - s : (size_t)batch;
    }
}

/* The batches in a random order: shuffle a permutation of their indices
 * (the draws of rng_shuffle over nb items) and apply it to start and size. */
static void shuffle_batches(batch_plan *p, rng *r)
{
    size_t nb = p->nb;
    size_t *perm = xmalloc((nb + 1) * sizeof *perm), *tmp = xmalloc((2 * nb + 1) * sizeof *tmp);
    for (size_t i = 0; i < nb; i++) perm[i] = i;
    rng_shuffle(r, perm, nb);
    memcpy(tmp, p->start, nb * sizeof *tmp);
    memcpy(tmp + nb, p->size, nb * sizeof *tmp);
    for (size_t i = 0; i < nb; i++) {
        p->start[i] = tmp[perm[i]];
        p->size[i] = tmp[nb + perm[i]];
    }
    free(tmp);
    free(perm);
}

void batch_plan_epoch(batch_plan *p, const encoded *tr, int batch, int bucket, rng *r)
{
    for (size_t i = 0; i < tr->n; i++) p->order[i] = i;
    rng_shuffle(r, p->order, tr->n);
    p->nb = 0;
    if (!bucket) {
        cut(p, 0, tr->n, batch);
        return;
    }
    size_t chunk = (size_t)batch * 50;
    for (size_t c = 0; c < tr->n; c += chunk) {
        size_t len = tr->n - c < chunk ? tr->n - c : chunk;
        qsort_r(p->order + c, len, sizeof *p->order, by_length, tr->len);
        cut(p, c, c + len, batch);
    }
    shuffle_batches(p, r);
}

int batch_gather(const batch_plan *p, size_t b, const encoded *tr, int32_t *ids, int32_t *y)
{
    int B = (int)p->size[b], T = tr->T;
    const size_t *rows = p->order + p->start[b];
    for (int i = 0; i < B; i++) {
        memcpy(ids + (size_t)i * T, tr->ids + rows[i] * T, sizeof(int32_t) * T);
        y[i] = tr->y ? tr->y[rows[i]] : 0;   /* unlabelled (a language model) */
    }
    return B;
}

void batch_gather_soft(const batch_plan *p, size_t b, const encoded *tr, float *soft)
{
    const size_t *rows = p->order + p->start[b];
    for (size_t i = 0; i < p->size[b]; i++)
        memcpy(soft + i * tr->K, tr->soft + rows[i] * tr->K, sizeof(float) * tr->K);
}

void word_dropout(int32_t *ids, size_t count, double prob, uint64_t seed)
{
    rng wr;
    rng_seed(&wr, seed);
    for (size_t k = 0; k < count; k++)
        if (ids[k] > 1 && rng_uniform(&wr) < prob) ids[k] = 1;
}

int trim_batch(const int32_t *ids, int B, int T, int32_t *out)
{
    int lo = T, hi = -1;
    for (int b = 0; b < B; b++) {
        const int32_t *r = ids + (size_t)b * T;
        int f = 0, l = T - 1;
        while (f < T && r[f] == 0) f++;
        if (f == T) continue;            /* an all-padding row */
        while (r[l] == 0) l--;
        if (f < lo) lo = f;
        if (l > hi) hi = l;
    }
    if (hi < 0) { lo = T - 1; hi = T - 1; }
    int Tb = hi - lo + 1;
    for (int b = 0; b < B; b++) memcpy(out + (size_t)b * Tb, ids + (size_t)b * T + lo, sizeof(int32_t) * Tb);
    return Tb;
}
