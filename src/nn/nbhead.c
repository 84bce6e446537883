/* nbhead.c - a naive Bayes head beside the network (see nbhead.h). */
#include "nn/nbhead.h"
#include "base/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_WORD 2   /* ids 0 (<pad>) and 1 (<unk>) are no evidence */

static uint64_t pair_key(int32_t a, int32_t b) { return (uint64_t)(uint32_t)a << 32 | (uint32_t)b; }

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* x[0..n) ascending: insertion for a sentence's few dozen (qsort's calls
 * through a comparator were a third of the head's time on mr), else qsort. */
static void sort_u64(uint64_t *x, int n)
{
    if (n > 64) {
        qsort(x, (size_t)n, sizeof *x, cmp_u64);
        return;
    }
    for (int i = 1; i < n; i++) {
        uint64_t v = x[i];
        int j = i;
        for (; j > 0 && x[j - 1] > v; j--) x[j] = x[j - 1];
        x[j] = v;
    }
}

/* Row [T]'s distinct words (ascending) into w, its distinct adjacent pairs'
 * keys (ascending) into p; their counts into *nw, *np.  w and p hold T. */
static void row_ngrams(const int32_t *row, int T, int32_t V, uint64_t *w, int *nw, uint64_t *p, int *np)
{
    int a = 0, b = 0;
    for (int t = 0; t < T; t++) {
        int32_t x = row[t];
        if (x < FIRST_WORD || x >= V) continue;
        w[a++] = (uint64_t)x;
        if (t + 1 < T && row[t + 1] >= FIRST_WORD && row[t + 1] < V) p[b++] = pair_key(x, row[t + 1]);
    }
    sort_u64(w, a);
    sort_u64(p, b);
    int u = 0;
    for (int i = 0; i < a; i++) if (!u || w[i] != w[u - 1]) w[u++] = w[i];
    *nw = u;
    u = 0;
    for (int i = 0; i < b; i++) if (!u || p[i] != p[u - 1]) p[u++] = p[i];
    *np = u;
}

/* A pair's row in logp (after the words), or -1 when the training rows
 * never had it. */
static int64_t find_pair(const nb_head *h, uint64_t key)
{
    int64_t lo = 0, hi = h->npairs;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (pair_key(h->pairs[2 * mid], h->pairs[2 * mid + 1]) < key) lo = mid + 1;
        else hi = mid;
    }
    return lo < h->npairs && pair_key(h->pairs[2 * lo], h->pairs[2 * lo + 1]) == key ? h->V + lo : -1;
}

int nbhead_pairs_valid(const int32_t *pairs, int64_t n, int32_t V)
{
    for (int64_t i = 0; i < n; i++) {
        int32_t a = pairs[2 * i], b = pairs[2 * i + 1];
        if (a < FIRST_WORD || a >= V || b < FIRST_WORD || b >= V) return 0;
        if (i && pair_key(pairs[2 * i - 2], pairs[2 * i - 1]) >= pair_key(a, b)) return 0;
    }
    return 1;
}

typedef struct { uint64_t key; int32_t c; } keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    return x->key != y->key ? (x->key > y->key) - (x->key < y->key) : (x->c > y->c) - (x->c < y->c);
}

/* Each word's features kept (keep[f] >= 0: the new id) as a new table
 * into h (the words' order and the features' within a word unchanged). */
static void keep_wordfeats(nb_head *h, const nb_wordfeats *wf, const int32_t *keep)
{
    h->foff = xmalloc(((size_t)h->V + 1) * sizeof *h->foff);
    h->ffeat = xmalloc(((size_t)wf->off[h->V] ? (size_t)wf->off[h->V] : 1) * sizeof *h->ffeat);
    int32_t k = 0;
    h->foff[0] = 0;
    for (int32_t i = 0; i < h->V; i++) {
        for (int32_t j = wf->off[i]; j < wf->off[i + 1]; j++)
            if (keep[wf->feat[j]] >= 0) h->ffeat[k++] = keep[wf->feat[j]];
        h->foff[i + 1] = k;
    }
}

nb_head *nbhead_count(const int32_t *ids, const int32_t *y, size_t n, int T, int32_t V, int C, double alpha,
                      const nb_wordfeats *wf)
{
    nb_head *h = xcalloc(1, sizeof *h);
    h->C = C;
    h->V = V;
    h->alpha = alpha;
    h->scale = 1;
    const int32_t F0 = wf ? wf->F : 0;
    uint64_t *w = xmalloc((size_t)(T ? T : 1) * sizeof *w), *p = xmalloc((size_t)(T ? T : 1) * sizeof *p);
    double *wc = xcalloc((size_t)V * C, sizeof *wc), *rows = xcalloc((size_t)C, sizeof *rows);
    double *fc = xcalloc((size_t)(F0 ? F0 : 1) * C, sizeof *fc);
    int32_t *stamp = xmalloc((size_t)(F0 ? F0 : 1) * sizeof *stamp);   /* the last row that had the feature */
    for (int32_t f = 0; f < F0; f++) stamp[f] = -1;
    size_t cap = 1024, m = 0;
    keyed *pk = xmalloc(cap * sizeof *pk);
    for (size_t i = 0; i < n; i++) {
        int c = y[i], nw, np;
        if (c < 0 || c >= C) continue;   /* no class (not a row a caller should give) */
        rows[c]++;
        row_ngrams(ids + i * (size_t)T, T, V, w, &nw, p, &np);
        for (int k = 0; k < nw; k++) wc[w[k] * (size_t)C + (size_t)c]++;
        for (int k = 0; k < nw && F0; k++)   /* each feature once a row */
            for (int32_t j = wf->off[w[k]]; j < wf->off[w[k] + 1]; j++) {
                int32_t f = wf->feat[j];
                if (stamp[f] == (int32_t)i) continue;
                stamp[f] = (int32_t)i;
                fc[(size_t)f * C + (size_t)c]++;
            }
        if (m + (size_t)np > cap) {
            while (m + (size_t)np > cap) cap *= 2;
            pk = xrealloc(pk, cap * sizeof *pk);
        }
        for (int k = 0; k < np; k++) pk[m++] = (keyed){ p[k], c };
    }
    qsort(pk, m, sizeof *pk, cmp_keyed);
    int64_t np = 0;
    for (size_t i = 0; i < m; i++) np += !i || pk[i].key != pk[i - 1].key;
    h->npairs = np;
    h->pairs = xmalloc((size_t)(np ? np : 1) * 2 * sizeof *h->pairs);
    double *pc = xcalloc((size_t)(np ? np : 1) * C, sizeof *pc);
    for (size_t i = 0, g = 0; i < m; i++) {
        if (i && pk[i].key != pk[i - 1].key) g++;
        h->pairs[2 * g] = (int32_t)(pk[i].key >> 32);
        h->pairs[2 * g + 1] = (int32_t)(uint32_t)pk[i].key;
        pc[g * (size_t)C + (size_t)pk[i].c]++;
    }
    /* the features the rows had, renumbered in their order (stamp: the new id) */
    int32_t F = 0;
    for (int32_t f = 0; f < F0; f++) {
        int seen = 0;
        for (int c = 0; c < C; c++) seen |= fc[(size_t)f * C + (size_t)c] > 0;
        if (seen) memmove(fc + (size_t)F * C, fc + (size_t)f * C, (size_t)C * sizeof *fc);
        stamp[f] = seen ? F++ : -1;
    }
    if (wf) {
        h->F = F;
        h->fmin = wf->minn;
        h->fmax = wf->maxn;
        keep_wordfeats(h, wf, stamp);
    }
    /* log p(g | c) = log (count + alpha) / (class total + alpha x features) */
    const double G = (double)(V - FIRST_WORD) + (double)np + (double)F;
    double *tot = xcalloc((size_t)C, sizeof *tot);
    for (size_t j = 0; j < (size_t)V * C; j++) tot[j % (size_t)C] += wc[j];
    for (size_t j = 0; j < (size_t)np * C; j++) tot[j % (size_t)C] += pc[j];
    for (size_t j = 0; j < (size_t)F * C; j++) tot[j % (size_t)C] += fc[j];
    h->logp = xmalloc(((size_t)V + (size_t)np + (size_t)F) * C * sizeof *h->logp);
    for (int c = 0; c < C; c++) {
        double lz = log(tot[c] + alpha * G);
        for (size_t g = 0; g < (size_t)V; g++)
            h->logp[g * C + c] = g < FIRST_WORD ? 0 : (float)(log(wc[g * C + c] + alpha) - lz);
        for (size_t g = 0; g < (size_t)np; g++)
            h->logp[((size_t)V + g) * C + c] = (float)(log(pc[g * C + c] + alpha) - lz);
        for (size_t g = 0; g < (size_t)F; g++)
            h->logp[((size_t)V + (size_t)np + g) * C + c] = (float)(log(fc[g * C + c] + alpha) - lz);
    }
    double counted = 0;
    for (int c = 0; c < C; c++) counted += rows[c];
    h->prior = xmalloc((size_t)C * sizeof *h->prior);
    for (int c = 0; c < C; c++) h->prior[c] = (float)log((rows[c] + 1) / (counted + C));   /* a class without rows stays possible */
    free(tot);
    free(pc);
    free(pk);
    free(fc);
    free(stamp);
    free(wc);
    free(rows);
    free(w);
    free(p);
    return h;
}

size_t nbhead_bytes(const nb_head *h)
{
    size_t rows = (size_t)h->V + (size_t)h->npairs + (size_t)h->F;
    size_t b = (rows + 1) * (size_t)h->C * sizeof(float) + (size_t)h->npairs * 2 * sizeof(int32_t);
    if (h->F) b += ((size_t)h->V + 1 + (size_t)h->foff[h->V]) * sizeof(int32_t);
    return b;
}

int nbhead_wordfeats_valid(const int32_t *off, const int32_t *feat, int32_t V, int32_t F)
{
    if (off[0] != 0) return 0;
    for (int32_t i = 0; i < V; i++) if (off[i + 1] < off[i]) return 0;
    for (int32_t j = 0; j < off[V]; j++) if (feat[j] < 0 || feat[j] >= F) return 0;
    return 1;
}

void nbhead_free(nb_head *h)
{
    if (!h) return;
    if (!h->borrowed) {
        free(h->pairs);
        free(h->foff);
        free(h->ffeat);
        free(h->logp);
        free(h->prior);
    }
    free(h);
}

/* Scratch for logits_with: T n-grams of each kind, C sums (a file's C
 * may be large: the heap, not the stack), and a set of the row's word
 * features met so far (each counts once a row): open addressing, sized to
 * the row's links.  Why not a mark a feature, as counting keeps: mr's head
 * has 119k features, and a fresh 476 kB array for a one-line prediction
 * costs more in page faults than the head's sums. */
typedef struct { uint64_t *w, *p; double *acc; int32_t *set; size_t setcap; } scratch;

static scratch scratch_new(int T, int C)
{
    size_t t = (size_t)(T > 0 ? T : 1);
    return (scratch){ xmalloc(t * sizeof(uint64_t)), xmalloc(t * sizeof(uint64_t)), xmalloc((size_t)C * sizeof(double)),
                      NULL, 0 };
}

static void scratch_free(scratch *s)
{
    free(s->w);
    free(s->p);
    free(s->acc);
    free(s->set);
}

static void add_logp(const nb_head *h, int64_t g, double *acc)
{
    const float *lp = h->logp + (size_t)g * h->C;
    for (int c = 0; c < h->C; c++) acc[c] += lp[c];
}

/* The distinct features of the row's nw distinct words w, each added to acc
 * once, in the order met (words ascending, a word's features ascending). */
static void add_wordfeats(const nb_head *h, const uint64_t *w, int nw, scratch *s, double *acc)
{
    size_t links = 0, cap = 16;
    for (int k = 0; k < nw; k++) links += (size_t)(h->foff[w[k] + 1] - h->foff[w[k]]);
    if (!links) return;
    while (cap < 2 * links) cap *= 2;
    if (cap > s->setcap) {
        free(s->set);
        s->set = xmalloc(cap * sizeof *s->set);
        s->setcap = cap;
    }
    memset(s->set, 0xff, cap * sizeof *s->set);   /* -1: empty */
    const size_t mask = cap - 1;
    const int64_t base = (int64_t)h->V + h->npairs;
    for (int k = 0; k < nw; k++)
        for (int32_t j = h->foff[w[k]]; j < h->foff[w[k] + 1]; j++) {
            int32_t f = h->ffeat[j];
            size_t i = ((uint32_t)f * 2654435761u) & mask;
            while (s->set[i] >= 0 && s->set[i] != f) i = (i + 1) & mask;
            if (s->set[i] == f) continue;
            s->set[i] = f;
            add_logp(h, base + f, acc);
        }
}

/* z [C] of one row, with the caller's scratch */
static void logits_with(const nb_head *h, const int32_t *row, int T, scratch *s, float *z)
{
    const int C = h->C;
    int nw, np;
    row_ngrams(row, T, h->V, s->w, &nw, s->p, &np);
    double *acc = s->acc;
    for (int c = 0; c < C; c++) acc[c] = h->prior[c];
    for (int k = 0; k < nw; k++) add_logp(h, (int64_t)s->w[k], acc);
    for (int k = 0; k < np; k++) {
        int64_t g = find_pair(h, s->p[k]);
        if (g >= 0) add_logp(h, g, acc);
    }
    if (h->F) add_wordfeats(h, s->w, nw, s, acc);
    for (int c = 0; c < C; c++) z[c] = (float)acc[c];
}

void nbhead_logits(const nb_head *h, const int32_t *row, int T, float *z)
{
    scratch s = scratch_new(T, h->C);
    logits_with(h, row, T, &s, z);
    scratch_free(&s);
}

/* softmax(scale z) [C] into q */
static void soft(const float *z, int C, double scale, double *q)
{
    double mx = scale * z[0], s = 0;
    for (int c = 1; c < C; c++) if (scale * z[c] > mx) mx = scale * z[c];
    for (int c = 0; c < C; c++) s += q[c] = exp(scale * z[c] - mx);
    for (int c = 0; c < C; c++) q[c] /= s;
}

/* probs row pr [K] mixed with the head's q [C] at weight wt */
static void mix_row(float *pr, int K, const double *q, double wt)
{
    if (K == 1) pr[0] = (float)((1 - wt) * pr[0] + wt * q[1]);
    else for (int c = 0; c < K; c++) pr[c] = (float)((1 - wt) * pr[c] + wt * q[c]);
}

void nbhead_mix(const nb_head *h, int B, int T, const int32_t *ids, float *probs, int K)
{
    if (!(h->weight > 0) || B <= 0) return;
    scratch s = scratch_new(T, h->C);
    float *z = xmalloc((size_t)h->C * sizeof *z);
    double *q = xmalloc((size_t)h->C * sizeof *q);
    for (int b = 0; b < B; b++) {
        logits_with(h, ids + (size_t)b * T, T, &s, z);
        soft(z, h->C, h->scale, q);
        mix_row(probs + (size_t)b * K, K, q, h->weight);
    }
    free(z);
    free(q);
    scratch_free(&s);
}

/* The grid: scales from 0.01 (naive Bayes nearly ignored whatever its
 * sums) to 1 (as it is), weights 0 .. 0.9 by 0.1. */
static const double SCALES[] = { 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0 };
#define NSCALES (sizeof SCALES / sizeof *SCALES)
#define NWEIGHTS 10

/* The mean log loss of n rows' network probabilities probs [n,K] mixed with
 * the head's logits z [n,C] at scale and weight. */
static double mix_loss(const nb_head *h, const float *z, const int32_t *y, size_t n, const float *probs, int K,
                       double scale, double weight, double *q, float *pr)
{
    double loss = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(pr, probs + i * K, (size_t)K * sizeof *pr);
        soft(z + i * h->C, h->C, scale, q);
        mix_row(pr, K, q, weight);
        double py = K == 1 ? (y[i] == 1 ? pr[0] : 1 - pr[0]) : pr[y[i]];
        loss -= log(py > 1e-7 ? py : 1e-7);
    }
    return loss / (n ? (double)n : 1);
}

void nbhead_fit(nb_head *h, const int32_t *ids, const int32_t *y, size_t n, int T, const float *probs, int K,
                double weight, double scale, double *loss_net, double *loss_mix)
{
    const int C = h->C;
    float *z = xmalloc((n ? n : 1) * (size_t)C * sizeof *z);
    scratch sc = scratch_new(T, C);
    for (size_t i = 0; i < n; i++) logits_with(h, ids + i * (size_t)T, T, &sc, z + i * C);
    scratch_free(&sc);
    double *q = xmalloc((size_t)C * sizeof *q);
    float *pr = xmalloc((size_t)K * sizeof *pr);
    const double base = mix_loss(h, z, y, n, probs, K, 1, 0, q, pr);   /* weight 0: the network alone */
    const size_t ns = isnan(scale) ? NSCALES : 1;
    const int nw = isnan(weight) ? NWEIGHTS : 1;
    double best = INFINITY;
    h->scale = 1;
    h->weight = 0;
    for (size_t s = 0; s < ns; s++)
        for (int k = 0; k < nw; k++) {
            double sc_s = isnan(scale) ? SCALES[s] : scale, wt = isnan(weight) ? k / 10.0 : weight;
            double loss = wt > 0 ? mix_loss(h, z, y, n, probs, K, sc_s, wt, q, pr) : base;
            if (loss < best - 1e-12) {   /* a tie keeps the smaller scale and weight */
                best = loss;
                h->scale = sc_s;
                h->weight = wt;
            }
        }
    if (!(h->weight > 0) && isnan(scale)) h->scale = 1;
    if (loss_net) *loss_net = base;
    if (loss_mix) *loss_mix = best;
    free(pr);
    free(q);
    free(z);
}
