/* word2vec.c - skip-gram with negative sampling (see word2vec.h).
 *
 * The word2vec tool's algorithm: for every word w at position i of a text
 * (after subsampling frequent words), a window b drawn in [1, window], and
 * for every context c within b of i, one logistic-regression step that
 * pulls in(c) towards out(w) and pushes it away from out(n) for `negative`
 * words n drawn from counts^0.75.  The learning rate falls linearly over
 * all epochs.  Threads split the corpus and update the shared matrices
 * without locks (Hogwild), as word2vec does; one thread is reproducible.
 */
#include "train/word2vec.h"
#include "base/err.h"
#include "base/tensor.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void w2v_opts_default(w2v_opts *o)
{
    o->dim = 100;
    o->window = 5;
    o->negative = 5;
    o->epochs = 5;
    o->threads = 1;
    o->lr = 0.025;
    o->sample = 1e-3;
    o->seed = 1;
}

typedef struct w2v {
    const int32_t *corpus;
    size_t n, V;
    const w2v_opts *o;
    float *in, *out;            /* [V,dim] input (the result) and output vectors */
    int32_t *table;             /* noise distribution: word ids, counts^0.75 */
    size_t tsize;
    float *keep;                /* [V] probability of keeping a word (subsampling) */
    double total_words;         /* words to process over all epochs, for the lr schedule */
    volatile double done;       /* processed so far (approximate across threads) */
    void (*progress)(double, double);
} w2v;

typedef struct worker {
    w2v *w;
    size_t lo, hi;              /* corpus slice */
    uint64_t seed;
} worker;

/* sigmoid clamped as word2vec's table does (|x| > 6 saturates) */
static inline float sig(float x)
{
    if (x > 6) return 1;
    if (x < -6) return 0;
    return 1.0f / (1.0f + expf(-x));
}

static void *run_worker(void *arg)
{
    worker *wk = arg;
    w2v *w = wk->w;
    const w2v_opts *o = w->o;
    const int dim = o->dim;
    rng r;
    rng_seed(&r, wk->seed);
    float *grad = xmalloc(dim * sizeof *grad);
    int32_t *sent = xmalloc(1024 * sizeof *sent);
    size_t cap = 1024;
    double local = 0;
    for (int ep = 0; ep < o->epochs; ep++) {
        size_t i = wk->lo;
        while (i < wk->hi) {
            /* one text, subsampled */
            size_t len = 0;
            for (; i < wk->hi && w->corpus[i] >= 0; i++) {
                int32_t id = w->corpus[i];
                local++;
                if (w->keep && w->keep[id] < 1 && rng_uniform(&r) >= w->keep[id]) continue;
                if (len == cap) sent = xrealloc(sent, (cap *= 2) * sizeof *sent);
                sent[len++] = id;
            }
            i++;   /* the separator */
            if (local > 10000) {
                w->done += local;   /* racy across threads: only the schedule and progress use it */
                local = 0;
                if (w->progress && wk->lo == 0) w->progress(w->done, w->total_words);
            }
            double frac = w->done / (w->total_words + 1);
            float lr = (float)(o->lr * (frac < 0.9999 ? 1 - frac : 0.0001));
            for (size_t p = 0; p < len; p++) {
                int b = 1 + (int)rng_below(&r, (uint64_t)o->window);
                for (long q = (long)p - b; q <= (long)p + b; q++) {
                    if (q < 0 || q >= (long)len || q == (long)p) continue;
                    float *l1 = w->in + (size_t)sent[q] * dim;
                    memset(grad, 0, dim * sizeof *grad);
                    for (int k = 0; k <= o->negative; k++) {
                        int32_t target;
                        float label;
                        if (k == 0) {
                            target = sent[p];
                            label = 1;
                        } else {
                            target = w->table[rng_below(&r, w->tsize)];
                            if (target == sent[p]) continue;
                            label = 0;
                        }
                        float *l2 = w->out + (size_t)target * dim, f = 0;
                        for (int d = 0; d < dim; d++) f += l1[d] * l2[d];
                        float g = (label - sig(f)) * lr;
                        for (int d = 0; d < dim; d++) grad[d] += g * l2[d];
                        for (int d = 0; d < dim; d++) l2[d] += g * l1[d];
                    }
                    for (int d = 0; d < dim; d++) l1[d] += grad[d];
                }
            }
        }
    }
    w->done += local;
    free(grad);
    free(sent);
    return NULL;
}

float *w2v_train(const int32_t *corpus, size_t n, const int64_t *counts, size_t V, const w2v_opts *o,
                 void (*progress)(double done, double total))
{
    w2v w = {0};
    w.corpus = corpus;
    w.n = n;
    w.V = V;
    w.o = o;
    w.progress = progress;
    const int dim = o->dim;
    rng r;
    rng_seed(&r, o->seed ^ 0x77327632ULL);
    w.in = xmalloc(V * (size_t)dim * sizeof *w.in);
    for (size_t k = 0; k < V * (size_t)dim; k++) w.in[k] = (float)((rng_uniform(&r) - 0.5) / dim);
    w.out = xcalloc(V * (size_t)dim, sizeof *w.out);

    /* noise table: word ids in proportion to counts^0.75 */
    double norm = 0, words = 0;
    for (size_t v = 0; v < V; v++) {
        norm += pow((double)(counts[v] > 0 ? counts[v] : 0), 0.75);
        words += counts[v] > 0 ? (double)counts[v] : 0;
    }
    w.tsize = V * 100 < 10000000 ? (V * 100 > 1000 ? V * 100 : 1000) : 10000000;
    w.table = xmalloc(w.tsize * sizeof *w.table);
    size_t v = 0;
    double cum = norm > 0 ? pow((double)(counts[0] > 0 ? counts[0] : 0), 0.75) / norm : 1;
    for (size_t t = 0; t < w.tsize; t++) {
        w.table[t] = (int32_t)v;
        if ((double)(t + 1) / w.tsize > cum && v + 1 < V) {
            v++;
            cum += pow((double)(counts[v] > 0 ? counts[v] : 0), 0.75) / norm;
        }
    }
    /* subsampling: keep a word with probability (sqrt(f / (s N)) + 1) s N / f */
    if (o->sample > 0 && words > 0) {
        w.keep = xmalloc(V * sizeof *w.keep);
        double th = o->sample * words;
        for (size_t k = 0; k < V; k++) {
            double f = (double)(counts[k] > 0 ? counts[k] : 1);
            double p = (sqrt(f / th) + 1) * th / f;
            w.keep[k] = (float)(p > 1 ? 1 : p);
        }
    }
    size_t real = 0;
    for (size_t k = 0; k < n; k++) real += corpus[k] >= 0;
    w.total_words = (double)real * o->epochs;

    /* threads take slices that start at a text boundary */
    int nt = o->threads < 1 ? 1 : o->threads > 64 ? 64 : o->threads;
    worker wk[64];
    pthread_t th[64];
    size_t lo = 0;
    for (int t = 0; t < nt; t++) {
        size_t hi = t == nt - 1 ? n : n * (size_t)(t + 1) / nt;
        while (hi < n && hi > 0 && corpus[hi - 1] >= 0) hi++;   /* end after a separator */
        if (hi < lo) hi = lo;
        wk[t] = (worker){ &w, lo, hi, o->seed * 0x9E3779B97F4A7C15ULL + (uint64_t)t + 1 };
        lo = hi;
    }
    int started[64] = {0};
    for (int t = 1; t < nt; t++) started[t] = pthread_create(&th[t], NULL, run_worker, &wk[t]) == 0;
    run_worker(&wk[0]);
    for (int t = 1; t < nt; t++) {
        if (started[t]) pthread_join(th[t], NULL);
        else run_worker(&wk[t]);
    }
    free(w.out);
    free(w.table);
    free(w.keep);
    return w.in;
}

int32_t *w2v_corpus(const tokenizer *tk, const vocab *voc, char *const *texts, size_t nt, size_t *n,
                    size_t *words)
{
    toklist tl = {0};
    size_t len = 0, cap = 1 << 16;
    int32_t *corpus = xmalloc(cap * sizeof *corpus);
    for (size_t i = 0; i < nt; i++) {
        toklist_clear(&tl);
        tokenize(tk, texts[i], strlen(texts[i]), &tl);
        if (cap - len < tl.n + 1) {
            while (cap - len < tl.n + 1) cap *= 2;
            corpus = xrealloc(corpus, cap * sizeof *corpus);
        }
        for (size_t j = 0; j < tl.n; j++) {
            const char *t = toklist_get(&tl, j);
            int32_t id = vocab_id(voc, t, strlen(t));
            if (id > 1) corpus[len++] = id;   /* 0 <pad>, 1 <unk>: not words */
        }
        corpus[len++] = -1;
    }
    toklist_free(&tl);
    *n = len;
    *words = len - nt;
    return corpus;
}
