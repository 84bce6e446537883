/* net.c - the network: allocation, initialisation, forward, backward, I/O. */
#include "nn/net.h"
#include "nn/dense.h"
#include "base/err.h"
#include "base/fileio.h"
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

static void alloc_cell(cell_params *p, cell_type t, int C, int H)
{
    int G = cell_gates(t);
    p->C = C;
    p->H = H;
    p->W = fzeros((size_t)C * G * H);
    p->U = fzeros((size_t)H * G * H);
    p->b = fzeros((size_t)cell_bias_len(t, H));
}

net *net_new(const net_config *cfg)
{
    net *n = xcalloc(1, sizeof *n);
    n->cfg = *cfg;
    const net_config *c = &n->cfg;
    int D = net_directions(c);
    n->emb = fzeros((size_t)c->vocab_size * c->embed_dim);
    n->rnn = xcalloc((size_t)c->layers * D, sizeof *n->rnn);
    for (int l = 0; l < c->layers; l++)
        for (int d = 0; d < D; d++) alloc_cell(&n->rnn[l * D + d], c->cell, layer_in(c, l), c->hidden);
    if (c->dense > 0) {
        n->W1 = fzeros((size_t)net_features(c) * c->dense);
        n->b1 = fzeros(c->dense);
    }
    n->Wd = fzeros((size_t)head_in(c) * c->n_out);
    n->bd = fzeros(c->n_out);
    return n;
}

void net_init(net *n, rng *r, const float *init_emb)
{
    const net_config *c = &n->cfg;
    int D = net_directions(c), G = cell_gates(c->cell);
    size_t ve = (size_t)c->vocab_size * c->embed_dim;
    if (init_emb) memcpy(n->emb, init_emb, ve * sizeof(float));
    else {
        init_uniform(r, n->emb, ve, 0.05f);
        memset(n->emb, 0, sizeof(float) * c->embed_dim);   /* padding row */
    }
    for (int i = 0; i < c->layers * D; i++) {
        cell_params *p = &n->rnn[i];
        init_glorot_uniform(r, p->W, p->C, G * p->H);
        init_orthogonal(r, p->U, p->H, G * p->H);
        memset(p->b, 0, sizeof(float) * cell_bias_len(c->cell, p->H));
        if (c->cell == CELL_LSTM)
            for (int j = 0; j < p->H; j++) p->b[p->H + j] = 1.0f;   /* unit_forget_bias */
    }
    if (c->dense > 0) {
        init_glorot_uniform(r, n->W1, net_features(c), c->dense);
        memset(n->b1, 0, sizeof(float) * c->dense);
    }
    init_glorot_uniform(r, n->Wd, head_in(c), c->n_out);
    memset(n->bd, 0, sizeof(float) * c->n_out);
}

static void free_grads(net *n)
{
    free(n->touched);
    free(n->is_touched);
    n->touched = NULL;
    n->is_touched = NULL;
    if (!n->params) return;
    for (int i = 0; i < n->nparams; i++) { ffree(n->params[i].g); param_free_moments(&n->params[i]); }
    free(n->params);
    free(n->d_rnn);
    n->params = NULL;
}

void net_free(net *n)
{
    if (!n) return;
    free_grads(n);
    if (!n->borrowed) {
        ffree(n->emb);
        for (int i = 0; i < n->cfg.layers * net_directions(&n->cfg); i++) {
            ffree(n->rnn[i].W); ffree(n->rnn[i].U); ffree(n->rnn[i].b);
        }
        ffree(n->W1); ffree(n->b1);
        ffree(n->Wd); ffree(n->bd);
    }
    free(n->rnn);
    free(n);
}

static void add_param(net *n, const char *name, float *w, size_t count, float **g, int moments)
{
    param *p = &n->params[n->nparams++];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->w = w;
    p->n = count;
    p->g = fzeros(count);
    if (moments) param_alloc_moments(p);
    *g = p->g;
}

/* Tensor names, shared by the optimizer state and the model file:
 * "<cell>.<layer>[.rev].<W|U|b>", e.g. "lstm.0.W", "gru.1.rev.U". */
static void rnn_name(char *buf, size_t size, const net_config *c, int l, int d, const char *what)
{
    snprintf(buf, size, "%s.%d%s.%s", cell_name(c->cell), l, d ? ".rev" : "", what);
}

static void alloc_grads(net *n, int moments)
{
    const net_config *c = &n->cfg;
    int D = net_directions(c), G = cell_gates(c->cell);
    n->params = xcalloc(5 + 3 * c->layers * D, sizeof *n->params);
    n->d_rnn = xcalloc((size_t)c->layers * D, sizeof *n->d_rnn);
    n->d_emb = NULL;
    if (!c->freeze) {
        add_param(n, "embedding", n->emb, (size_t)c->vocab_size * c->embed_dim, &n->d_emb, moments);
        n->touched = xmalloc((size_t)c->vocab_size * sizeof *n->touched);
        n->is_touched = xcalloc((size_t)c->vocab_size, 1);
        n->ntouched = 0;
    }
    for (int l = 0; l < c->layers; l++)
        for (int d = 0; d < D; d++) {
            cell_params *p = &n->rnn[l * D + d], *g = &n->d_rnn[l * D + d];
            char name[48];
            g->C = p->C; g->H = p->H;
            rnn_name(name, sizeof name, c, l, d, "W");
            add_param(n, name, p->W, (size_t)p->C * G * p->H, &g->W, moments);
            rnn_name(name, sizeof name, c, l, d, "U");
            add_param(n, name, p->U, (size_t)p->H * G * p->H, &g->U, moments);
            rnn_name(name, sizeof name, c, l, d, "b");
            add_param(n, name, p->b, (size_t)cell_bias_len(c->cell, p->H), &g->b, moments);
        }
    if (c->dense > 0) {
        add_param(n, "hidden.W", n->W1, (size_t)net_features(c) * c->dense, &n->dW1, moments);
        add_param(n, "hidden.b", n->b1, (size_t)c->dense, &n->db1, moments);
    }
    add_param(n, "dense.W", n->Wd, (size_t)head_in(c) * c->n_out, &n->dWd, moments);
    add_param(n, "dense.b", n->bd, (size_t)c->n_out, &n->dbd, moments);
}

void net_alloc_grads(net *n) { alloc_grads(n, 1); }

net *net_shadow(const net *n)
{
    net *s = xcalloc(1, sizeof *s);
    s->cfg = n->cfg;
    size_t nr = (size_t)n->cfg.layers * net_directions(&n->cfg);
    s->emb = n->emb;
    s->rnn = xcalloc(nr, sizeof *s->rnn);
    memcpy(s->rnn, n->rnn, nr * sizeof *s->rnn);
    s->W1 = n->W1; s->b1 = n->b1;
    s->Wd = n->Wd; s->bd = n->bd;
    s->borrowed = 1;
    alloc_grads(s, 0);
    return s;
}

void net_zero_grads(net *n)
{
    for (int i = 0; i < n->nparams; i++) {
        param *p = &n->params[i];
        if (p->g == n->d_emb) {   /* sparse: only the rows written since the last zeroing */
            const size_t E = (size_t)n->cfg.embed_dim;
            for (size_t k = 0; k < n->ntouched; k++) {
                memset(p->g + (size_t)n->touched[k] * E, 0, E * sizeof(float));
                n->is_touched[n->touched[k]] = 0;
            }
            n->ntouched = 0;
        } else {
            memset(p->g, 0, p->n * sizeof(float));
        }
    }
}

void net_add_grads(net *dst, const net *src)
{
    for (int i = 0; i < dst->nparams; i++) {
        float *d = dst->params[i].g;
        const float *s = src->params[i].g;
        if (d == dst->d_emb) {
            const size_t E = (size_t)dst->cfg.embed_dim;
            for (size_t k = 0; k < src->ntouched; k++) {
                int32_t row = src->touched[k];
                float *dr = d + (size_t)row * E;
                const float *sr = s + (size_t)row * E;
                for (size_t e = 0; e < E; e++) dr[e] += sr[e];
                if (!dst->is_touched[row]) {
                    dst->is_touched[row] = 1;
                    dst->touched[dst->ntouched++] = row;
                }
            }
        } else {
            for (size_t k = 0; k < dst->params[i].n; k++) d[k] += s[k];
        }
    }
}

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
        for (int i = 0; i < B * T; i++)
            if (!n->is_touched[ids[i]]) {
                n->is_touched[ids[i]] = 1;
                n->touched[n->ntouched++] = ids[i];
            }
    }
    return loss;
}

/* ---- model file I/O ---- */

/* "prefix" + name into buf (ensemble members' tensors are "m1.lstm.0.W"...) */
static const char *pname(char *buf, size_t size, const char *prefix, const char *name)
{
    snprintf(buf, size, "%s%s", prefix, name);
    return buf;
}

cJSON *net_config_json(const net *n)
{
    const net_config *c = &n->cfg;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "cell", cell_name(c->cell));
    cJSON_AddNumberToObject(j, "layers", c->layers);
    cJSON_AddNumberToObject(j, "hidden", c->hidden);
    cJSON_AddBoolToObject(j, "bidirectional", c->bidir);
    cJSON_AddNumberToObject(j, "dropout", c->dropout);
    cJSON_AddNumberToObject(j, "dense", c->dense);
    cJSON_AddStringToObject(j, "pool", pool_name(c->pool));
    cJSON_AddNumberToObject(j, "embed_dim", c->embed_dim);
    cJSON_AddNumberToObject(j, "vocab_size", c->vocab_size);
    cJSON_AddNumberToObject(j, "outputs", c->n_out);
    cJSON_AddStringToObject(j, "output_activation", c->n_out == 1 ? "sigmoid" : "softmax");
    cJSON_AddBoolToObject(j, "freeze_embedding", c->freeze);
    cJSON_AddBoolToObject(j, "mask", c->mask);
    return j;
}

/* mf_put a float tensor, as f32 (borrowed) or converted to an owned f16 copy */
static void put_float(mfile *m, const char *name, int ndim, const int64_t *shape, const float *x, int half)
{
    if (!half) {
        mf_put(m, name, DT_F32, ndim, shape, x, 0);
        return;
    }
    size_t cnt = 1;
    for (int i = 0; i < ndim; i++) cnt *= (size_t)shape[i];
    uint16_t *h = xmalloc(cnt ? cnt * sizeof *h : 1);
    for (size_t i = 0; i < cnt; i++) h[i] = f32_to_f16(x[i]);
    mf_put(m, name, DT_F16, ndim, shape, h, 1);
    free(h);
}

void net_put_tensors(const net *n, mfile *m, const char *prefix, int half)
{
    const net_config *c = &n->cfg;
    const int D = net_directions(c), G = cell_gates(c->cell);
    int64_t s[2];
    char name[64], full[96];
    s[0] = c->vocab_size; s[1] = c->embed_dim;
    put_float(m, pname(full, sizeof full, prefix, "embedding"), 2, s, n->emb, half);
    for (int l = 0; l < c->layers; l++)
        for (int d = 0; d < D; d++) {
            const cell_params *p = &n->rnn[l * D + d];
            rnn_name(name, sizeof name, c, l, d, "W");
            s[0] = p->C; s[1] = (int64_t)G * p->H;
            put_float(m, pname(full, sizeof full, prefix, name), 2, s, p->W, half);
            rnn_name(name, sizeof name, c, l, d, "U");
            s[0] = p->H;
            put_float(m, pname(full, sizeof full, prefix, name), 2, s, p->U, half);
            rnn_name(name, sizeof name, c, l, d, "b");
            s[0] = cell_bias_len(c->cell, p->H);
            put_float(m, pname(full, sizeof full, prefix, name), 1, s, p->b, half);
        }
    if (c->dense > 0) {
        s[0] = net_features(c); s[1] = c->dense;
        put_float(m, pname(full, sizeof full, prefix, "hidden.W"), 2, s, n->W1, half);
        s[0] = c->dense;
        put_float(m, pname(full, sizeof full, prefix, "hidden.b"), 1, s, n->b1, half);
    }
    s[0] = head_in(c); s[1] = c->n_out;
    put_float(m, pname(full, sizeof full, prefix, "dense.W"), 2, s, n->Wd, half);
    s[0] = c->n_out;
    put_float(m, pname(full, sizeof full, prefix, "dense.b"), 1, s, n->bd, half);
}

void net_to_mfile(const net *n, mfile *m, int half)
{
    cJSON_DeleteItemFromObject(m->meta, "network");
    cJSON_AddItemToObject(m->meta, "network", net_config_json(n));
    net_put_tensors(n, m, "", half);
}

static int json_int(const cJSON *o, const char *key, int lo, int hi, int dflt, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v && dflt >= lo) { *out = dflt; return 0; }
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi || v->valuedouble != (int)v->valuedouble)
        return err_set("network.%s missing or out of range", key);
    *out = (int)v->valuedouble;
    return 0;
}

/* A float tensor as f32: borrowed from the map (copy = 0) or copied; f16
 * tensors (half = 1, then copy is 1) are converted. */
static float *tensor_f32(const mfile *m, const char *prefix, const char *name, size_t count, int copy, int half)
{
    char full[96];
    pname(full, sizeof full, prefix, name);
    if (half) {
        const uint16_t *h = mf_get_checked(m, full, DT_F16, count);
        if (!h) return NULL;
        float *q = fzeros(count);
        for (size_t i = 0; i < count; i++) q[i] = f16_to_f32(h[i]);
        return q;
    }
    const float *p = mf_get_checked(m, full, DT_F32, count);
    if (!p) return NULL;
    if (!copy) return (float *)p;
    float *q = fzeros(count);
    memcpy(q, p, count * sizeof(float));
    return q;
}

net *net_from_mfile(const mfile *m, int copy)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(m->meta, "network");
    if (!cJSON_IsObject(j)) { err_set("model has no network (not trained yet?)"); return NULL; }
    return net_from_json(j, m, "", copy);
}

net *net_from_json(const cJSON *j, const mfile *m, const char *prefix, int copy)
{
    if (!cJSON_IsObject(j)) { err_set("network description is not an object"); return NULL; }
    const cJSON *cell = cJSON_GetObjectItemCaseSensitive(j, "cell");
    int ct = cJSON_IsString(cell) ? cell_parse(cell->valuestring) : -1;
    if (ct < 0) {
        err_set("unsupported cell type '%s'", cJSON_IsString(cell) ? cell->valuestring : "?");
        return NULL;
    }
    net_config c = {0};
    c.cell = (cell_type)ct;
    if (json_int(j, "layers", 1, 64, -1, &c.layers) < 0 || json_int(j, "hidden", 1, 1 << 16, -1, &c.hidden) < 0 ||
        json_int(j, "embed_dim", 1, 1 << 16, -1, &c.embed_dim) < 0 ||
        json_int(j, "vocab_size", 2, 1 << 30, -1, &c.vocab_size) < 0 ||
        json_int(j, "outputs", 1, 1 << 20, -1, &c.n_out) < 0 ||
        json_int(j, "dense", 0, 1 << 16, 0, &c.dense) < 0)
        return NULL;
    c.freeze = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "freeze_embedding"));
    c.mask = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "mask"));
    c.bidir = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "bidirectional"));
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(j, "pool");
    c.pool = cJSON_IsString(pl) ? pool_parse(pl->valuestring) : POOL_LAST;
    if (c.pool < 0) { err_set("unsupported pooling '%s'", pl->valuestring); return NULL; }
    const cJSON *dr = cJSON_GetObjectItemCaseSensitive(j, "dropout");
    c.dropout = cJSON_IsNumber(dr) && dr->valuedouble > 0 && dr->valuedouble < 1 ? (float)dr->valuedouble : 0;
    const int D = net_directions(&c), G = cell_gates(c.cell), H = c.hidden;
    /* weights stored as f16 (--half) are converted, so never borrowed */
    char full[96];
    const mf_tensor *et = mf_get(m, pname(full, sizeof full, prefix, "embedding"));
    int half = et && et->dtype == DT_F16;
    if (half) copy = 1;
    net *n = xcalloc(1, sizeof *n);
    n->cfg = c;
    n->borrowed = !copy;
    n->rnn = xcalloc((size_t)c.layers * D, sizeof *n->rnn);
    int ok = (n->emb = tensor_f32(m, prefix, "embedding", (size_t)c.vocab_size * c.embed_dim, copy, half)) != NULL;
    for (int l = 0; ok && l < c.layers; l++)
        for (int d = 0; ok && d < D; d++) {
            char name[64];
            cell_params *p = &n->rnn[l * D + d];
            p->C = layer_in(&c, l);
            p->H = H;
            rnn_name(name, sizeof name, &c, l, d, "W");
            ok = ok && (p->W = tensor_f32(m, prefix, name, (size_t)p->C * G * H, copy, half)) != NULL;
            rnn_name(name, sizeof name, &c, l, d, "U");
            ok = ok && (p->U = tensor_f32(m, prefix, name, (size_t)H * G * H, copy, half)) != NULL;
            rnn_name(name, sizeof name, &c, l, d, "b");
            ok = ok && (p->b = tensor_f32(m, prefix, name, (size_t)cell_bias_len(c.cell, H), copy, half)) != NULL;
        }
    if (ok && c.dense > 0) {
        ok = (n->W1 = tensor_f32(m, prefix, "hidden.W", (size_t)net_features(&c) * c.dense, copy, half)) != NULL;
        ok = ok && (n->b1 = tensor_f32(m, prefix, "hidden.b", (size_t)c.dense, copy, half)) != NULL;
    }
    ok = ok && (n->Wd = tensor_f32(m, prefix, "dense.W", (size_t)head_in(&c) * c.n_out, copy, half)) != NULL;
    ok = ok && (n->bd = tensor_f32(m, prefix, "dense.b", (size_t)c.n_out, copy, half)) != NULL;
    if (!ok) {
        net_free(n);   /* frees copies made so far (NULLs are fine) */
        return NULL;
    }
    return n;
}
