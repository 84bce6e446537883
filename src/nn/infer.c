/* infer.c - the input-projection lookup and the pad prefix (see infer.h).
 *
 *   V vocabulary, E embedding, H units, G gates, GH = G*H, D directions,
 *   L layers, B batch rows, T time steps */
#include "nn/infer.h"
#include "base/err.h"
#include "base/quant.h"
#include "base/tensor.h"

#include <stdlib.h>
#include <string.h>

net_infer *net_infer_new(const net *n)
{
    const net_config *c = &n->cfg;
    net_infer *f = xcalloc(1, sizeof *f);
    f->n = n;
    f->D = net_directions(c);
    f->GH = cell_gates(c->cell) * c->hidden;
    f->slot = xmalloc((size_t)c->vocab_size * sizeof *f->slot);
    for (int v = 0; v < c->vocab_size; v++) f->slot[v] = -1;
    f->skip_prefix = !c->mask && f->D == 1 && c->pool == POOL_LAST;
    return f;
}

void net_infer_free(net_infer *f)
{
    if (!f) return;
    free(f->slot);
    free(f->miss);
    ffree(f->tab[0]);
    ffree(f->tab[1]);
    ffree(f->pad_h);
    ffree(f->pad_c);
    free(f);
}

int net_infer_claim(net_infer *f, const int32_t *ids, size_t count)
{
    const int V = f->n->cfg.vocab_size;
    int first = f->rows, m = 0;
    for (size_t i = 0; i < count; i++) {
        int32_t id = ids[i];
        if (id < 0 || id >= V || f->slot[id] >= 0) continue;
        if (net_embedding_check(f->n, &id, 1) < 0) {   /* its row is corrupt: nothing claimed */
            for (int k = 0; k < m; k++) f->slot[f->miss[k]] = -1;
            f->nmiss = 0;
            return -1;
        }
        if ((size_t)m == f->mcap) {
            f->mcap = f->mcap ? 2 * f->mcap : 256;
            f->miss = xrealloc(f->miss, f->mcap * sizeof *f->miss);
        }
        f->slot[id] = first + m;
        f->miss[m++] = id;
    }
    f->nmiss = m;
    if (m && !f->cap) {
        /* room for every id at once: a big allocation is mapped, and only
         * the pages of rows computed are ever touched (growing by doubling
         * copied the tables and faulted in fresh pages each time: a fifth
         * of a short predict run) */
        for (int d = 0; d < f->D; d++) f->tab[d] = falloc_table((size_t)V * f->GH);
        f->cap = V;
    }
    f->rows = first + m;
    return m;
}

void net_infer_compute(const net_infer *f, int lo, int hi)
{
    const int E = f->n->cfg.embed_dim, GH = f->GH, m = hi - lo;
    if (m <= 0) return;
    const int first = f->rows - f->nmiss + lo;
    /* + 64: enough for qmm_rows too (quant.h); a quantized embedding row is
     * dequantized (once per id) and multiplied like any activation row */
    float *X = falloc((size_t)m * E), *work = falloc(mm_rows_work(GH, E) + 64);
    for (int r = 0; r < m; r++) net_embedding_row(f->n, f->miss[lo + r], X + (size_t)r * E);
    for (int d = 0; d < f->D; d++) {
        const cell_params *p = &f->n->rnn[d];
        float *Z = f->tab[d] + (size_t)first * GH;
        for (int r = 0; r < m; r++) memcpy(Z + (size_t)r * GH, p->b, sizeof(float) * GH);
        if (p->Wq) qmm_rows(m, X, p->Wq, Z, work);
        else mm_rows(m, GH, E, X, p->W, Z, work);
    }
    ffree(X);
    ffree(work);
}

int net_infer_prepare(net_infer *f, const int32_t *ids, size_t count)
{
    int m = net_infer_claim(f, ids, count);
    if (m < 0) return -1;
    net_infer_compute(f, 0, m);
    return 0;
}

void net_infer_gather(const net_infer *f, int d, int B, int T, int t0, int n, const int32_t *ids, float *Z)
{
    const int GH = f->GH;
    const float *tab = f->tab[d];
    for (int t = t0; t < t0 + n; t++) {
        int ts = d ? T - 1 - t : t;
        for (int b = 0; b < B; b++)
            memcpy(Z + ((size_t)(t - t0) * B + b) * GH, tab + (size_t)f->slot[ids[(size_t)b * T + ts]] * GH,
                   sizeof(float) * GH);
    }
}

int net_infer_pad_states(net_infer *f, int T)
{
    if (!f->skip_prefix || f->padT >= T) return 0;
    const net_config *c = &f->n->cfg;
    const int H = c->hidden, L = c->layers, lstm = c->cell == CELL_LSTM;
    int32_t *zeros = xcalloc((size_t)T, sizeof *zeros);
    if (net_infer_prepare(f, zeros, 1) < 0) {
        free(zeros);
        return -1;
    }
    net_ws w;
    net_ws_alloc(&w, c, T, 1);
    w.infer = f;
    net_forward(f->n, &w, 1, T, zeros);   /* one row of padding only */
    ffree(f->pad_h);
    ffree(f->pad_c);
    f->pad_h = fzeros((size_t)L * (T + 1) * H);
    f->pad_c = lstm ? fzeros((size_t)L * (T + 1) * H) : NULL;
    for (int l = 0; l < L; l++) {
        const cell_cache *k = &w.layer[l].cache[0];
        memcpy(f->pad_h + ((size_t)l * (T + 1) + 1) * H, k->h, sizeof(float) * T * H);
        if (lstm) memcpy(f->pad_c + ((size_t)l * (T + 1) + 1) * H, k->c, sizeof(float) * T * H);
    }
    f->padT = T;
    net_ws_free(&w);
    free(zeros);
    return 0;
}
