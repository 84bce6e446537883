/* net.c - the network: allocation, initialisation, forward, backward, I/O. */
#include "nn/net.h"
#include "nn/dense.h"
#include "base/err.h"
#include "base/names.h"
#include "nn/loss.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int net_directions(const net_config *c) { return c->bidir ? 2 : 1; }

/* in POOL_* order */
static const char *const pool_names[] = { "last", "max", "mean", NULL };

const char *pool_name(int pool) { return names_get(pool_names, pool); }

int pool_parse(const char *s) { return names_parse(pool_names, s); }

int net_features(const net_config *c) { return c->hidden * net_directions(c); }
static int layer_in(const net_config *c, int l) { return l ? net_features(c) : c->embed_dim; }
static int head_in(const net_config *c) { return c->dense > 0 ? c->dense : net_features(c); }

/* The network's tensors in model-file order, which is also the order of
 * the random draws at initialisation and of the optimizer's parameters.
 * A new layer adds its tensors here and their fields to net. */
static void build_params(net *n)
{
    const net_config *c = &n->cfg;
    const cell_kind *ck = cell_kind_of(c->cell);
    const int D = net_directions(c), H = c->hidden, GH = ck->gates * H;
    const int kernel = PARAM_TRAIN | PARAM_DECAY, bias = PARAM_TRAIN;
    param_list *pl = &n->plist;
    params_add(pl, "embedding", c->vocab_size, c->embed_dim, pinit_embedding,
               c->freeze ? 0 : kernel | PARAM_SPARSE, &n->emb, &n->d_emb);
    for (int l = 0; l < c->layers; l++)
        for (int d = 0; d < D; d++) {
            cell_params *p = &n->rnn[l * D + d], *g = &n->d_rnn[l * D + d];
            char pre[32], name[48];   /* "<cell>.<layer>[.rev].": "lstm.0.", "gru.1.rev." */
            snprintf(pre, sizeof pre, "%s.%d%s.", ck->name, l, d ? ".rev" : "");
            p->C = g->C = layer_in(c, l);
            p->H = g->H = H;
            snprintf(name, sizeof name, "%sW", pre);
            params_add(pl, name, p->C, GH, pinit_glorot, kernel, &p->W, &g->W);
            snprintf(name, sizeof name, "%sU", pre);
            params_add(pl, name, H, GH, pinit_orthogonal, kernel, &p->U, &g->U);
            snprintf(name, sizeof name, "%sb", pre);
            params_add(pl, name, (int64_t)ck->bias_units * H, 0, ck->init_bias, bias, &p->b, &g->b);
        }
    if (c->dense > 0) {
        params_add(pl, "hidden.W", net_features(c), c->dense, pinit_glorot, kernel, &n->W1, &n->dW1);
        params_add(pl, "hidden.b", c->dense, 0, pinit_zeros, bias, &n->b1, &n->db1);
    }
    params_add(pl, "dense.W", head_in(c), c->n_out, pinit_glorot, kernel, &n->Wd, &n->dWd);
    params_add(pl, "dense.b", c->n_out, 0, pinit_zeros, bias, &n->bd, &n->dbd);
}

/* build_params puts the embedding first */
enum { P_EMBEDDING = 0 };

net *net_shell(const net_config *cfg)
{
    net *n = xcalloc(1, sizeof *n);
    n->cfg = *cfg;
    size_t nr = (size_t)cfg->layers * net_directions(cfg);
    n->rnn = xcalloc(nr, sizeof *n->rnn);
    n->d_rnn = xcalloc(nr, sizeof *n->d_rnn);
    build_params(n);
    return n;
}

net *net_new(const net_config *cfg)
{
    net *n = net_shell(cfg);
    params_alloc(&n->plist);
    return n;
}

void net_init(net *n, rng *r, const float *init_emb)
{
    for (int i = 0; i < n->plist.n; i++) {
        const param_spec *s = &n->plist.spec[i];
        if (i == P_EMBEDDING && init_emb) memcpy(*s->w, init_emb, s->n * sizeof(float));   /* no draws */
        else s->init(*s->w, s, r);
    }
}

void net_free(net *n)
{
    if (!n) return;
    if (!n->borrowed) params_free_weights(&n->plist);
    params_free(&n->plist);
    free(n->rnn);
    free(n->d_rnn);
    free(n);
}

static void alloc_grads(net *n, int moments)
{
    params_alloc_grads(&n->plist, moments);
    n->params = n->plist.trained;
    n->nparams = n->plist.ntrained;
}

void net_alloc_grads(net *n) { alloc_grads(n, 1); }

net *net_shadow(const net *n)
{
    net *s = net_shell(&n->cfg);
    params_share(&s->plist, &n->plist);
    s->borrowed = 1;
    alloc_grads(s, 0);
    return s;
}

void net_zero_grads(net *n) { params_zero_grads(&n->plist); }

void net_add_grads(net *dst, const net *src) { params_add_grads(&dst->plist, &src->plist); }

/* ---- workspace ---- */

void net_ws_alloc(net_ws *w, const net_config *c, int maxT, int maxB)
{
    memset(w, 0, sizeof *w);
    int D = net_directions(c), F = net_features(c), L = c->layers;
    int wide = c->embed_dim > F ? c->embed_dim : F;
    size_t tb = (size_t)maxT * maxB;
    w->maxT = maxT; w->maxB = maxB; w->layers = L; w->ndir = D;
    w->x0 = falloc(tb * c->embed_dim);
    w->xin = xcalloc(L, sizeof *w->xin);
    w->xrev = xcalloc(L, sizeof *w->xrev);
    w->out = xcalloc(L, sizeof *w->out);
    w->dmask = xcalloc(L, sizeof *w->dmask);
    for (int l = 0; l < L; l++) {
        size_t C = (size_t)layer_in(c, l);
        if (c->dropout > 0) {
            w->xin[l] = falloc(tb * C);
            w->dmask[l] = falloc(tb * C);
        }
        if (D == 2) {
            w->xrev[l] = falloc(tb * C);
            w->out[l] = falloc(tb * F);
        }
    }
    w->feat = falloc((size_t)maxB * F);
    w->dfeat = falloc((size_t)maxB * F);
    if (c->pool != POOL_LAST) {
        w->argmax = xmalloc((size_t)maxB * F * sizeof *w->argmax);
        w->dtop = falloc(tb * F);
    }
    if (c->dropout > 0) w->fmask = falloc((size_t)maxB * F);
    if (c->dense > 0) {
        w->a1 = falloc((size_t)maxB * c->dense);
        w->da1 = falloc((size_t)maxB * c->dense);
    }
    for (int i = 0; i < 2; i++) {
        w->dbuf[i] = falloc(tb * wide);
        w->dh[i] = falloc(tb * c->hidden);
        w->dx[i] = falloc(tb * wide);
    }
    w->cache = xcalloc((size_t)L * D, sizeof *w->cache);
    wsbuf a = { 0, 0 };
    for (int i = 0; i < L * D; i++) cell_cache_alloc(&w->cache[i], c->cell, maxT, maxB, c->hidden, &a);
    w->logits = falloc((size_t)maxB * c->n_out);
    w->probs = falloc((size_t)maxB * c->n_out);
    w->dlogits = falloc((size_t)maxB * c->n_out);
    w->mask = xcalloc(tb, 1);
    w->mask_rev = xcalloc(tb, 1);
}

void net_ws_free(net_ws *w)
{
    ffree(w->x0);
    for (int l = 0; l < w->layers; l++) {
        ffree(w->xin[l]); ffree(w->xrev[l]); ffree(w->out[l]); ffree(w->dmask[l]);
    }
    free(w->xin); free(w->xrev); free(w->out); free(w->dmask);
    ffree(w->feat); ffree(w->dfeat); free(w->argmax); ffree(w->dtop); ffree(w->fmask); ffree(w->a1); ffree(w->da1);
    for (int i = 0; i < 2; i++) { ffree(w->dbuf[i]); ffree(w->dh[i]); ffree(w->dx[i]); }
    for (int i = 0; i < w->layers * w->ndir; i++) cell_cache_free(&w->cache[i]);
    free(w->cache);
    ffree(w->logits); ffree(w->probs); ffree(w->dlogits);
    free(w->mask); free(w->mask_rev);
    memset(w, 0, sizeof *w);
}

/* ---- forward ---- */

/* Inverted dropout multipliers for B rows of `per` values each: 0 with
 * probability p, else 1/(1-p).  Row b's values depend only on the seed, the
 * site and the row's index in the batch, not on how rows are split between
 * workers. */
static void dropout_mask(float *m, int rows, int stride_rows, int per, float p, uint64_t seed,
                         int site, int row0, int t)
{
    float keep = 1.0f / (1.0f - p);
    for (int b = 0; b < rows; b++) {
        rng r;
        rng_seed(&r, seed ^ ((uint64_t)(row0 + b) * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)site << 48) ^
                     ((uint64_t)t << 32));
        float *row = m + (size_t)b * per;
        for (int j = 0; j < per; j++) row[j] = rng_uniform(&r) < p ? 0.0f : keep;
    }
    (void)stride_rows;
}

/* Time-reverse [T,B,C] into out. */
static void reverse_time(const float *x, int T, int B, int C, float *out)
{
    size_t step = (size_t)B * C;
    for (int t = 0; t < T; t++) memcpy(out + (size_t)(T - 1 - t) * step, x + (size_t)t * step, step * sizeof(float));
}

static void forward_body(const net *n, net_ws *w, int B, int T, const int32_t *ids)
{
    const net_config *c = &n->cfg;
    const int D = net_directions(c), H = c->hidden, F = net_features(c);
    const int drop = w->training && c->dropout > 0;
    embedding_forward(B, T, c->embed_dim, ids, n->emb, w->x0);
    const unsigned char *mask = NULL, *mask_rev = NULL;
    if (c->mask) {
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++) {
                unsigned char v = ids[(size_t)b * T + t] != 0;
                w->mask[(size_t)t * B + b] = v;
                w->mask_rev[(size_t)(T - 1 - t) * B + b] = v;
            }
        mask = w->mask;
        mask_rev = w->mask_rev;
    }
    const float *x = w->x0;
    for (int l = 0; l < c->layers; l++) {
        int C = layer_in(c, l);
        size_t n_in = (size_t)T * B * C;
        if (drop) {   /* the mask of row b is drawn per time step so rows are independent */
            for (int t = 0; t < T; t++)
                dropout_mask(w->dmask[l] + (size_t)t * B * C, B, B, C, c->dropout, w->drop_seed, l, w->row0, t);
            for (size_t i = 0; i < n_in; i++) w->xin[l][i] = x[i] * w->dmask[l][i];
            x = w->xin[l];
        }
        cell_forward(c->cell, &n->rnn[l * D], T, B, x, mask, &w->cache[l * D]);
        if (D == 2) {
            reverse_time(x, T, B, C, w->xrev[l]);
            cell_forward(c->cell, &n->rnn[l * D + 1], T, B, w->xrev[l], mask_rev, &w->cache[l * D + 1]);
            const float *hf = w->cache[l * D].h, *hb = w->cache[l * D + 1].h;
            for (int t = 0; t < T; t++)
                for (int b = 0; b < B; b++) {
                    float *o = w->out[l] + ((size_t)t * B + b) * F;
                    memcpy(o, hf + ((size_t)t * B + b) * H, H * sizeof(float));
                    memcpy(o + H, hb + ((size_t)(T - 1 - t) * B + b) * H, H * sizeof(float));
                }
            x = w->out[l];
        } else {
            x = w->cache[l * D].h;
        }
    }
    /* the sequence summary: each direction's state after its last step, or
     * the max / mean of the top layer's outputs over the (real) time steps */
    const int top = (c->layers - 1) * D;
    if (c->pool == POOL_LAST) {
        for (int b = 0; b < B; b++)
            for (int d = 0; d < D; d++)
                memcpy(w->feat + (size_t)b * F + d * H, w->cache[top + d].h + ((size_t)(T - 1) * B + b) * H,
                       H * sizeof(float));
    } else {
        /* x is the top layer's output sequence [T,B,F] */
        for (int b = 0; b < B; b++) {
            float *fb = w->feat + (size_t)b * F;
            int32_t *ab = w->argmax + (size_t)b * F;
            int cnt = 0;
            for (int f = 0; f < F; f++) { fb[f] = 0; ab[f] = -1; }
            for (int t = 0; t < T; t++) {
                if (mask && !mask[(size_t)t * B + b]) continue;
                const float *o = x + ((size_t)t * B + b) * F;
                for (int f = 0; f < F; f++) {
                    if (c->pool == POOL_MEAN) fb[f] += o[f];
                    else if (ab[f] < 0 || o[f] > fb[f]) { fb[f] = o[f]; ab[f] = t; }
                }
                cnt++;
            }
            if (c->pool == POOL_MEAN && cnt)
                for (int f = 0; f < F; f++) fb[f] /= cnt;
            ab[0] = c->pool == POOL_MEAN ? cnt : ab[0];   /* mean: remember the count */
            if (c->pool == POOL_MEAN) for (int f = 1; f < F; f++) ab[f] = cnt;
        }
    }
    if (drop) {
        dropout_mask(w->fmask, B, B, F, c->dropout, w->drop_seed, 1000, w->row0, 0);
        for (int i = 0; i < B * F; i++) w->feat[i] *= w->fmask[i];
    }
    const float *head = w->feat;
    if (c->dense > 0) {
        dense_forward(B, F, c->dense, w->feat, n->W1, n->b1, w->a1);
        for (int i = 0; i < B * c->dense; i++) if (w->a1[i] < 0) w->a1[i] = 0;   /* ReLU */
        head = w->a1;
    }
    dense_forward(B, head_in(c), c->n_out, head, n->Wd, n->bd, w->logits);
}

void net_forward(const net *n, net_ws *w, int B, int T, const int32_t *ids)
{
    int training = w->training;
    w->training = 0;
    forward_body(n, w, B, T, ids);
    w->training = training;
    net_loss(n, w, B, NULL);
}

double net_loss(const net *n, net_ws *w, int B, const int32_t *y)
{
    int K = n->cfg.n_out;
    if (!y) {   /* probabilities only */
        for (int b = 0; b < B; b++) {
            int32_t z = 0;
            if (K == 1) bce_loss(1, w->logits + b, &z, w->probs + b, NULL);
            else softmax_ce_loss(1, K, w->logits + (size_t)b * K, &z, w->probs + (size_t)b * K, NULL);
        }
        return 0;
    }
    return K == 1 ? bce_loss(B, w->logits, y, w->probs, NULL)
                  : softmax_ce_loss(B, K, w->logits, y, w->probs, NULL);
}

int net_argmax(const net *n, const net_ws *w, int b)
{
    int K = n->cfg.n_out;
    if (K == 1) return w->probs[b] >= 0.5f;
    const float *p = w->probs + (size_t)b * K;
    int best = 0;
    for (int k = 1; k < K; k++) if (p[k] > p[best]) best = k;
    return best;
}

/* ---- backward ---- */

double net_forward_backward(net *n, net_ws *w, int B, int T, const int32_t *ids, const int32_t *y,
                            double grad_scale)
{
    const net_config *c = &n->cfg;
    const int H = c->hidden, K = c->n_out, L = c->layers, D = net_directions(c), F = net_features(c);
    const int drop = w->training && c->dropout > 0;
    forward_body(n, w, B, T, ids);
    double loss;
    if (w->class_w) {   /* weighted mean: row losses and gradients times their class weight */
        loss = 0;
        for (int b = 0; b < B; b++) {
            float wt = w->class_w[y[b]];
            double lb = K == 1 ? bce_loss(1, w->logits + b, y + b, w->probs + b, w->dlogits + b)
                               : softmax_ce_loss(1, K, w->logits + (size_t)b * K, y + b,
                                                 w->probs + (size_t)b * K, w->dlogits + (size_t)b * K);
            loss += wt * lb / B;
            for (int k = 0; k < K; k++) w->dlogits[(size_t)b * K + k] *= wt / B;
        }
    } else {
        loss = K == 1 ? bce_loss(B, w->logits, y, w->probs, w->dlogits)
                      : softmax_ce_loss(B, K, w->logits, y, w->probs, w->dlogits);
    }
    if (grad_scale != 1.0)
        for (int i = 0; i < B * K; i++) w->dlogits[i] *= (float)grad_scale;
    if (c->dense > 0) {
        dense_backward(B, c->dense, K, w->a1, n->Wd, w->dlogits, n->dWd, n->dbd, w->da1);
        for (int i = 0; i < B * c->dense; i++) if (w->a1[i] <= 0) w->da1[i] = 0;
        dense_backward(B, F, c->dense, w->feat, n->W1, w->da1, n->dW1, n->db1, w->dfeat);
    } else {
        dense_backward(B, F, K, w->feat, n->Wd, w->dlogits, n->dWd, n->dbd, w->dfeat);
    }
    if (drop) for (int i = 0; i < B * F; i++) w->dfeat[i] *= w->fmask[i];

    const unsigned char *mask = c->mask ? w->mask : NULL, *mask_rev = c->mask ? w->mask_rev : NULL;
    const size_t TB = (size_t)T * B;
    float *dout = NULL;   /* gradient wrt the current layer's concatenated output [T,B,F] */
    if (c->pool != POOL_LAST) {   /* pooled: spread the summary's gradient over the steps */
        dout = w->dtop;
        memset(dout, 0, sizeof(float) * TB * F);
        for (int b = 0; b < B; b++) {
            const float *db = w->dfeat + (size_t)b * F;
            const int32_t *ab = w->argmax + (size_t)b * F;
            if (c->pool == POOL_MAX) {
                for (int f = 0; f < F; f++)
                    if (ab[f] >= 0) dout[((size_t)ab[f] * B + b) * F + f] += db[f];
            } else if (ab[0] > 0) {
                float inv = 1.0f / ab[0];
                for (int t = 0; t < T; t++) {
                    if (mask && !mask[(size_t)t * B + b]) continue;
                    float *o = dout + ((size_t)t * B + b) * F;
                    for (int f = 0; f < F; f++) o[f] += db[f] * inv;
                }
            }
        }
    }
    for (int l = L - 1; l >= 0; l--) {
        const int C = layer_in(c, l);
        const float *x = l ? (D == 2 ? w->out[l - 1] : w->cache[(l - 1) * D].h) : w->x0;
        if (drop) x = w->xin[l];
        const int need_dx = l > 0 || !c->freeze;
        float *dxl = w->dbuf[(L - l) & 1];   /* gradient wrt this layer's input x */
        for (int d = 0; d < D; d++) {
            /* per-direction gradient wrt its outputs h (its own time order) */
            float *dH = w->dh[d];
            if (l == L - 1 && c->pool == POOL_LAST) {
                memset(dH, 0, sizeof(float) * (TB - B) * H);
                for (int b = 0; b < B; b++)
                    memcpy(dH + ((size_t)(T - 1) * B + b) * H, w->dfeat + (size_t)b * F + d * H, H * sizeof(float));
            } else {
                for (int t = 0; t < T; t++) {
                    int tt = d ? T - 1 - t : t;   /* backward direction: reversed time */
                    for (int b = 0; b < B; b++)
                        memcpy(dH + ((size_t)t * B + b) * H, dout + ((size_t)tt * B + b) * F + d * H,
                               H * sizeof(float));
                }
            }
            float *dX = !need_dx ? NULL : D == 1 ? dxl : w->dx[d];
            cell_backward(c->cell, &n->rnn[l * D + d], &n->d_rnn[l * D + d], T, B, d ? w->xrev[l] : x,
                          d ? mask_rev : mask, &w->cache[l * D + d], dH, dX);
        }
        if (need_dx && D == 2) {   /* sum both directions' input gradients, in forward time */
            const size_t step = (size_t)B * C;
            for (int t = 0; t < T; t++) {
                float *o = dxl + (size_t)t * step;
                const float *f = w->dx[0] + (size_t)t * step, *r = w->dx[1] + (size_t)(T - 1 - t) * step;
                for (size_t i = 0; i < step; i++) o[i] = f[i] + r[i];
            }
        }
        if (need_dx && drop)
            for (size_t i = 0; i < TB * C; i++) dxl[i] *= w->dmask[l][i];
        dout = dxl;
    }
    if (!c->freeze) {
        embedding_backward(B, T, c->embed_dim, ids, dout, n->d_emb);
        rowset_add(&n->plist.spec[P_EMBEDDING].rows, ids, (size_t)B * T);
    }
    return loss;
}
