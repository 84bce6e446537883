/* workspace.c - a net's workspace: the activations, caches and backward
 * buffers of one batch (see net_ws in net.h), and the memory estimate of
 * training, counted by the same allocation code.
 *
 *   B batch rows (at most maxB), T time steps (at most maxT), E embedding,
 *   H units per direction, D directions, F = D*H, Dh hidden dense units,
 *   K outputs, A attention units, C a layer's input width (E, then F), S = F + G (the bag's
 *   G features beside the summary) */
#include "nn/net.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

/* The buffers of a workspace for at most maxT x maxB, from a (allocating,
 * or counting for net_train_bytes). */
static void ws_alloc(net_ws *w, const net_config *c, int maxT, int maxB, wsbuf *a)
{
    const int D = net_directions(c), F = net_features(c), H = c->hidden, L = c->layers;
    const size_t tb = (size_t)maxT * maxB, wide = (size_t)(c->embed_dim > F ? c->embed_dim : F);
    memset(w, 0, sizeof *w);
    w->maxT = maxT; w->maxB = maxB; w->layers = L;
    w->x0 = wsbuf_floats(a, tb * c->embed_dim);
    w->mask = wsbuf_zeroed(a, tb);
    w->mask_rev = wsbuf_zeroed(a, tb);
    w->layer = xcalloc(L, sizeof *w->layer);
    for (int l = 0; l < L; l++) {
        layer_ws *lw = &w->layer[l];
        const size_t C = (size_t)net_layer_in(c, l);
        if (c->dropout > 0) {
            lw->xin = wsbuf_floats(a, tb * C);
            lw->dmask = wsbuf_floats(a, tb * C);
        }
        if (D == 2) {
            lw->xrev = wsbuf_floats(a, tb * C);
            lw->out = wsbuf_floats(a, tb * F);
        }
        for (int d = 0; d < D; d++) cell_cache_alloc(&lw->cache[d], c->cell, maxT, maxB, H, a);
    }
    const int S = net_summary_width(c);
    w->feat = wsbuf_floats(a, (size_t)maxB * S);
    w->dfeat = wsbuf_floats(a, (size_t)maxB * S);
    if (c->bag_dim > 0 && !c->lm) {
        w->pooled = wsbuf_floats(a, (size_t)maxB * F);
        w->dpooled = wsbuf_floats(a, (size_t)maxB * F);
        w->bag_grams = wsbuf_zeroed(a, tb * 2 * sizeof(int32_t));
        w->bag_count = wsbuf_zeroed(a, (size_t)maxB * sizeof(int32_t));
        w->bag_row = wsbuf_floats(a, (size_t)c->bag_dim);
    }
    pool_state_alloc(&w->pool, c->pool, maxB, F, a);
    if (net_attention_units(c)) {
        w->att_u = wsbuf_floats(a, tb * net_attention_units(c));
        w->att_dz = wsbuf_floats(a, tb * net_attention_units(c));
        w->att_a = wsbuf_floats(a, tb);
        w->att_g = wsbuf_zeroed(a, (size_t)maxT * sizeof(double));
    }
    if (c->dropout > 0) w->fmask = wsbuf_floats(a, (size_t)maxB * S);
    if (c->dense > 0) {
        w->a1 = wsbuf_floats(a, (size_t)maxB * c->dense);
        w->da1 = wsbuf_floats(a, (size_t)maxB * c->dense);
    }
    w->logits = wsbuf_floats(a, (size_t)maxB * c->n_out);
    w->probs = wsbuf_floats(a, (size_t)maxB * c->n_out);
    w->dlogits = wsbuf_floats(a, (size_t)maxB * c->n_out);
    if (c->lm) {   /* one direction's positions at a time (lm.c), the candidates' scratch (lmhead.h) */
        w->lm_x = wsbuf_floats(a, tb * H);
        w->lm_dx = wsbuf_floats(a, tb * H);
        w->lm_tgt = wsbuf_zeroed(a, tb * sizeof(int32_t));
        w->lm_at = wsbuf_zeroed(a, tb * sizeof(int32_t));
        w->lm.Wc = wsbuf_floats(a, (size_t)c->lm_samples * H);
        w->lm.bc = wsbuf_floats(a, (size_t)c->lm_samples);
        w->lm.Z = wsbuf_floats(a, tb * c->lm_samples);
    }
    for (int i = 0; i < 2; i++) {
        w->dbuf[i] = wsbuf_floats(a, tb * wide);
        if (D == 2) {
            w->dh[i] = wsbuf_floats(a, tb * H);
            w->dx[i] = wsbuf_floats(a, tb * wide);
        }
    }
}

void net_ws_alloc(net_ws *w, const net_config *c, int maxT, int maxB)
{
    wsbuf a = { 0, 0 };
    ws_alloc(w, c, maxT, maxB, &a);
}

void net_ws_free(net_ws *w)
{
    ffree(w->x0);
    ffree(w->init);
    ffree(w->mmwork);
    free(w->mask); free(w->mask_rev);
    for (int l = 0; l < w->layers; l++) {
        layer_ws *lw = &w->layer[l];
        ffree(lw->xin); ffree(lw->dmask); ffree(lw->xrev); ffree(lw->out);
        for (int d = 0; d < 2; d++) cell_cache_free(&lw->cache[d]);
    }
    free(w->layer);
    ffree(w->feat); ffree(w->dfeat); ffree(w->pooled); ffree(w->dpooled);
    free(w->bag_grams); free(w->bag_count); ffree(w->bag_row);
    pool_state_free(&w->pool);
    ffree(w->att_u); ffree(w->att_dz); ffree(w->att_a); free(w->att_g);
    ffree(w->fmask); ffree(w->a1); ffree(w->da1);
    ffree(w->logits); ffree(w->probs); ffree(w->dlogits);
    ffree(w->lm_x); ffree(w->lm_dx); free(w->lm_tgt); free(w->lm_at);
    ffree(w->lm.Wc); ffree(w->lm.bc); ffree(w->lm.Z);
    for (int i = 0; i < 2; i++) { ffree(w->dbuf[i]); ffree(w->dh[i]); ffree(w->dx[i]); }
    memset(w, 0, sizeof *w);
}

size_t net_train_bytes(const net_config *c, int maxT, int batch, int threads)
{
    if (batch < 1) batch = 1;
    int nj = threads < 1 ? 1 : threads > 64 ? 64 : threads;   /* workers, as train_run has them */
    if (nj > batch) nj = batch;
    net *n = net_shell(c);
    const size_t all = params_count(&n->plist, 0), trained = params_count(&n->plist, 1);
    size_t rows = 0;   /* per net: the row list and flags of each sparse gradient */
    for (int i = 0; i < n->plist.n; i++) {
        const param_spec *s = &n->plist.spec[i];
        if ((s->flags & PARAM_TRAIN) && (s->flags & PARAM_SPARSE)) rows += (size_t)s->shape[0] * (sizeof(int32_t) + 1);
    }
    net_free(n);
    net_ws w;
    wsbuf a = { 1, 0 };
    ws_alloc(&w, c, maxT, (batch + nj - 1) / nj, &a);
    net_ws_free(&w);
    /* weights; per trained value a gradient and two moments; the other
     * workers' gradients; per worker its rows bookkeeping and workspace */
    return sizeof(float) * (all + 3 * trained + (size_t)(nj - 1) * trained) + (size_t)nj * (rows + a.bytes);
}
