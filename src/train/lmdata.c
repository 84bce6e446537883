/* lmdata.c - language-model rows, candidates and held-out loss (see lmdata.h). */
#include "train/lmdata.h"
#include "base/err.h"
#include "nn/lm.h"
#include "train/batches.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void lm_encode(model *m, char *const *texts, size_t n, int T, encoded *out, size_t *short_texts)
{
    memset(out, 0, sizeof *out);
    out->T = T;
    *short_texts = 0;
    tokenizer *tk = model_tokenizer(m);
    toklist tl = {0};
    int32_t *text_ids = NULL;
    size_t cap = 0, idcap = 0;
    for (size_t i = 0; i < n; i++) {
        toklist_clear(&tl);
        tokenize(tk, texts[i], strlen(texts[i]), &tl);
        const size_t nt = tl.n;
        if (nt > idcap) text_ids = xrealloc(text_ids, (idcap = nt * 2) * sizeof *text_ids);
        for (size_t j = 0; j < nt; j++) {
            const char *t = toklist_get(&tl, j);
            text_ids[j] = vocab_id(&m->voc, t, strlen(t));
            out->unknown += text_ids[j] == VOCAB_UNK;
        }
        out->tokens += nt;
        if (nt < 2) { ++*short_texts; continue; }
        /* rows start every T-1 tokens: the last token of one is the first of the next */
        for (size_t s = 0; s + 1 < nt; s += (size_t)T - 1) {
            size_t len = nt - s < (size_t)T ? nt - s : (size_t)T;
            if (out->n == cap) {
                cap = cap ? cap * 2 : 1024;
                out->ids = xrealloc(out->ids, cap * (size_t)T * sizeof *out->ids);
                out->len = xrealloc(out->len, cap * sizeof *out->len);
            }
            int32_t *row = out->ids + out->n * (size_t)T;
            memcpy(row, text_ids + s, len * sizeof *row);
            memset(row + len, 0, ((size_t)T - len) * sizeof *row);
            out->len[out->n++] = (int32_t)len;
        }
    }
    toklist_free(&tl);
    free(text_ids);
}

int64_t *lm_counts(const encoded *e, int V)
{
    int64_t *c = xcalloc((size_t)V, sizeof *c);
    for (size_t r = 0; r < e->n; r++)
        for (int j = 0; j < e->len[r]; j++) {
            int32_t id = e->ids[r * (size_t)e->T + j];
            if (id > 0 && id < V) c[id]++;
        }
    return c;
}

void lm_sampler_init(lm_sampler *s, const int64_t *counts, int V, int draws)
{
    memset(s, 0, sizeof *s);
    s->V = V;
    s->draws = draws;
    s->cum = xmalloc((size_t)V * sizeof *s->cum);
    s->logq = xmalloc((size_t)V * sizeof *s->logq);
    s->seen = xcalloc((size_t)V, 1);
    s->id = xmalloc((size_t)draws * sizeof *s->id);
    double total = 0;
    for (int v = 0; v < V; v++) {
        double w = v == VOCAB_PAD ? 0 : pow((double)(counts[v] > 0 ? counts[v] : 1), 0.75);
        total += w;
        s->cum[v] = total;
    }
    for (int v = 0; v < V; v++) {
        double q = (s->cum[v] - (v ? s->cum[v - 1] : 0)) / total;
        /* P(v among `draws` draws) = 1 - (1 - q)^draws, computed without cancellation */
        s->logq[v] = q > 0 ? (float)log(-expm1((double)draws * log1p(-q))) : 0.0f;
    }
    s->c.logq = s->logq;
    s->c.id = s->id;
}

static int cmp_id(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

const lm_cands *lm_sampler_draw(lm_sampler *s, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed);
    const double total = s->cum[s->V - 1];
    int S = 0;
    for (int k = 0; k < s->draws; k++) {
        double u = rng_uniform(&r) * total;
        int lo = 0, hi = s->V - 1;   /* the first v with cum[v] > u */
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (s->cum[mid] > u) hi = mid; else lo = mid + 1;
        }
        if (!s->seen[lo]) { s->seen[lo] = 1; s->id[S++] = lo; }
    }
    for (int k = 0; k < S; k++) s->seen[s->id[k]] = 0;
    qsort(s->id, (size_t)S, sizeof *s->id, cmp_id);
    s->c.S = S;
    return &s->c;
}

void lm_sampler_free(lm_sampler *s)
{
    free(s->cum); free(s->logq); free(s->seen); free(s->id);
    memset(s, 0, sizeof *s);
}

double lm_evaluate(const net *n, const encoded *e, size_t *targets)
{
    enum { ROWS = 64 };
    const int T = e->T, V = n->cfg.vocab_size;
    net_ws w;
    net_ws_alloc(&w, &n->cfg, T, ROWS);
    int32_t *ids = xmalloc(sizeof(int32_t) * ROWS * (size_t)T), *trimmed = xmalloc(sizeof(int32_t) * ROWS * (size_t)T);
    float *Z = falloc((size_t)LMHEAD_CHUNK * V);
    double loss = 0;
    size_t count = 0;
    for (size_t r0 = 0; r0 < e->n; r0 += ROWS) {
        int B = (int)(e->n - r0 < ROWS ? e->n - r0 : ROWS);
        memcpy(ids, e->ids + r0 * (size_t)T, sizeof(int32_t) * (size_t)B * T);
        int Tb = trim_batch(ids, B, T, trimmed);
        loss += lm_nll(n, &w, B, Tb, trimmed, Z, &count);
    }
    ffree(Z);
    free(ids); free(trimmed);
    net_ws_free(&w);
    *targets = count;
    return count ? loss / (double)count : 0;
}
