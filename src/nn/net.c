/* net.c - the network composed of its layers (see net.h): its parameter
 * list, and forward / backward through the layer modules (the workspace:
 * workspace.c).
 *
 *   B batch rows, T time steps, E embedding, H units per direction,
 *   D directions, F = D*H, A attention units, G bag features, S = F+G, Dh hidden dense units,
 *   K outputs */
#include "nn/net.h"
#include "nn/attention.h"
#include "nn/bag.h"
#include "nn/nbhead.h"
#include "nn/bidir.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "nn/embedding.h"
#include "nn/infer.h"
#include "nn/loss.h"
#include "base/err.h"
#include "base/quant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int net_directions(const net_config *c) { return c->bidir ? 2 : 1; }
int net_features(const net_config *c) { return c->hidden * net_directions(c); }
int net_summary_width(const net_config *c) { return net_features(c) + (c->lm ? 0 : c->bag_dim); }
int net_attention_units(const net_config *c)
{
    return c->lm || c->pool != POOL_ATTN ? 0 : c->attn > 0 ? c->attn : net_features(c);
}
int net_layer_in(const net_config *c, int l) { return l ? net_features(c) : c->embed_dim; }
int net_param_depth(const net_config *c, const char *name)
{
    if (!strcmp(name, "embedding")) return c->layers + 1;
    const char *cell = cell_name(c->cell);
    size_t k = strlen(cell);
    if (!strncmp(name, cell, k) && name[k] == '.') return c->layers - atoi(name + k + 1);   /* "<cell>.<l>..." */
    return 0;
}

static int head_in(const net_config *c) { return c->dense > 0 ? c->dense : net_summary_width(c); }

/* build_params puts the embedding first */
enum { P_EMBEDDING = 0 };

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
            p->C = g->C = net_layer_in(c, l);
            p->H = g->H = H;
            snprintf(name, sizeof name, "%sW", pre);
            params_add(pl, name, p->C, GH, pinit_glorot, kernel, &p->W, &g->W);
            snprintf(name, sizeof name, "%sU", pre);
            params_add(pl, name, H, GH, pinit_orthogonal, kernel, &p->U, &g->U);
            snprintf(name, sizeof name, "%sb", pre);
            params_add(pl, name, (int64_t)ck->bias_units * H, 0, ck->init_bias, bias, &p->b, &g->b);
        }
    if (c->lm) {   /* the language model's output layer instead of the classifier's (lm.h) */
        for (int d = 0; d < D; d++) {
            n->lm_spec_W[d] = c->lm_tie ? P_EMBEDDING : pl->n;   /* tied: lm.h reads the embedding */
            if (!c->lm_tie)
                params_add(pl, d ? "lm.out.rev" : "lm.out", c->vocab_size, H, pinit_embedding,
                           kernel | PARAM_SPARSE, &n->lm_W[d], &n->d_lm_W[d]);
            n->lm_spec_b[d] = pl->n;
            params_add(pl, d ? "lm.b.rev" : "lm.b", c->vocab_size, 1, pinit_zeros, bias | PARAM_SPARSE,
                       &n->lm_b[d], &n->d_lm_b[d]);
        }
        return;
    }
    if (net_attention_units(c)) {
        const int F = net_features(c), A = net_attention_units(c);
        params_add(pl, "attention.W", F, A, pinit_glorot, kernel, &n->attW, &n->d_attW);
        params_add(pl, "attention.b", A, 0, pinit_zeros, bias, &n->attb, &n->d_attb);
        params_add(pl, "attention.v", A, 1, pinit_glorot, kernel, &n->attv, &n->d_attv);
    }
    if (c->bag_dim > 0) {
        n->bag_spec = pl->n;
        params_add(pl, "bag", (int64_t)c->vocab_size + c->bag_buckets, c->bag_dim, pinit_embedding,
                   kernel | PARAM_SPARSE, &n->bag, &n->d_bag);
    }
    if (c->dense > 0) {
        params_add(pl, "hidden.W", net_summary_width(c), c->dense, pinit_glorot, kernel, &n->W1, &n->dW1);
        params_add(pl, "hidden.b", c->dense, 0, pinit_zeros, bias, &n->b1, &n->db1);
    }
    params_add(pl, "dense.W", head_in(c), c->n_out, pinit_glorot, kernel, &n->Wd, &n->dWd);
    params_add(pl, "dense.b", c->n_out, 0, pinit_zeros, bias, &n->bd, &n->dbd);
}

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
    if (n->qw)
        for (int i = 0; i < n->plist.n; i++) qmat_free(n->qw[i]);
    free(n->qw);
    if (!n->borrowed) params_free_weights(&n->plist);
    params_free(&n->plist);
    free(n->rnn);
    free(n->d_rnn);
    nbhead_free(n->nb);
    free(n);
}

/* Where the embedding row of id is stored, and how: f32, int8, 4 bits
 * (int8's rare rows) or bf16; *bytes its length. */
typedef enum { ROW_F32, ROW_INT8, ROW_INT4, ROW_BF16 } row_kind;

static row_kind embedding_row_at(const net *n, int32_t id, const void **p, size_t *bytes)
{
    const size_t E = (size_t)n->cfg.embed_dim, i = (size_t)id;
    if (n->emb) return *p = n->emb + i * E, *bytes = E * sizeof(float), ROW_F32;
    if (n->prec == PREC_INT8 && id >= n->emb_rows8)
        return *p = n->emb_q4 + (i - (size_t)n->emb_rows8) * ((E + 1) / 2), *bytes = (E + 1) / 2, ROW_INT4;
    if (n->prec == PREC_INT8) return *p = (const int8_t *)n->emb_lp + i * E, *bytes = E, ROW_INT8;
    return *p = (const uint16_t *)n->emb_lp + i * E, *bytes = 2 * E, ROW_BF16;
}

void net_embedding_row(const net *n, int32_t id, float *out)
{
    const int E = n->cfg.embed_dim;
    const void *p;
    size_t bytes;
    switch (embedding_row_at(n, id, &p, &bytes)) {
    case ROW_F32: memcpy(out, p, bytes); break;
    case ROW_INT4: dequant_int4_row(p, n->emb_scale[id], E, out); break;
    case ROW_INT8: dequant_int8_row(p, n->emb_scale[id], E, out); break;
    case ROW_BF16: dequant_bf16_row(p, E, out); break;
    }
}

/* A quantized network's bag row r as floats (bag.h bag_row_fn). */
static void bag_row_lp(const void *ctx, int32_t r, float *out)
{
    const net *n = ctx;
    const size_t G = (size_t)n->cfg.bag_dim;
    if (n->prec == PREC_INT8) dequant_int8_row((const int8_t *)n->bag_lp + (size_t)r * G, n->bag_scale[r], (int)G, out);
    else dequant_bf16_row((const uint16_t *)n->bag_lp + (size_t)r * G, (int)G, out);
}

int net_embedding_check(const net *n, const int32_t *ids, size_t count)
{
    if (!n->emb_check) return 0;
    for (size_t i = 0; i < count; i++) {
        if (ids[i] < 0 || ids[i] >= n->cfg.vocab_size) continue;
        const void *p;
        size_t bytes;
        embedding_row_at(n, ids[i], &p, &bytes);
        if (n->emb_check(n->emb_check_ctx, p, bytes) < 0) return -1;
    }
    return 0;
}

int net_bag_check(const net *n, const int32_t *ids, size_t count)
{
    const net_config *c = &n->cfg;
    if (!n->emb_check || !c->bag_dim || c->lm) return 0;
    const size_t G = (size_t)c->bag_dim;
    const size_t bytes = n->bag ? G * sizeof(float) : n->prec == PREC_INT8 ? G : 2 * G;
    const unsigned char *base = n->bag ? (const unsigned char *)n->bag : n->bag_lp;
    for (size_t i = 0; i < count; i++) {
        if (ids[i] <= 0 || ids[i] >= c->vocab_size) continue;
        int32_t r = ids[i];
        if (n->emb_check(n->emb_check_ctx, base + (size_t)r * bytes, bytes) < 0) return -1;
        if (i + 1 < count && ids[i + 1] > 0 && ids[i + 1] < c->vocab_size) {
            r = c->vocab_size + bag_bigram(ids[i], ids[i + 1], c->bag_buckets);
            if (n->emb_check(n->emb_check_ctx, base + (size_t)r * bytes, bytes) < 0) return -1;
        }
    }
    return 0;
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

/* ---- forward ---- */

/* Dropout sites (dropout.h): layer l's input is site l, the summary this one. */
enum { SITE_SUMMARY = 1000 };

static int dropping(const net *n, const net_ws *w) { return w->training && n->cfg.dropout > 0; }

static int inferring(const net_ws *w) { return w->infer && !w->training; }

static const unsigned char *mask_of(const net *n, const net_ws *w, int d)
{
    return !n->cfg.mask ? NULL : d ? w->mask_rev : w->mask;
}

/* Inference: mm_rows's scratch for the widest product of the network
 * (allocated on first use). */
static float *infer_work(const net *n, net_ws *w)
{
    if (!w->mmwork) {
        const net_config *c = &n->cfg;
        int N = cell_gates(c->cell) * c->hidden, K = c->embed_dim > net_summary_width(c) ? c->embed_dim : net_summary_width(c);
        if (c->dense > N) N = c->dense;
        if (c->n_out > N) N = c->n_out;
        if (net_attention_units(c) > N) N = net_attention_units(c);
        if (c->dense > K) K = c->dense;
        w->mmwork = falloc(mm_rows_work(N, K) + 64);   /* + 64: enough for qmm_rows too (quant.h) */
    }
    return w->mmwork;
}

/* Inference runs a layer's steps in chunks of about INFER_GATES floats of
 * gate pre-activations (at least one step): a chunk's gathered or
 * projected gates are used while still in cache, instead of one [T,B,GH]
 * pass through memory, and the states only the next step reads (LSTM c and
 * tanh c, GRU's recurrent candidate) go round two chunks' room.  Only h,
 * the layer's output, is kept for every step.  Each step is the same
 * operations either way. */
enum { INFER_GATES = 1 << 16 };

/* Inference (infer.h): layer l's cells on batch-invariant products, layer
 * 0's input projection gathered by token id (x unused), and with w->skip
 * the state after that many padding steps as the initial state. */
static const float *layer_infer(const net *n, net_ws *w, int l, int B, int T, const float *x, const int32_t *ids)
{
    const net_config *c = &n->cfg;
    const int D = net_directions(c), C = net_layer_in(c, l), H = c->hidden, GH = cell_gates(c->cell) * H;
    const int S = B * GH >= INFER_GATES ? 1 : INFER_GATES / (B * GH);
    const net_infer *f = w->infer;
    layer_ws *lw = &w->layer[l];
    lw->x = x;
    for (int d = 0; d < D; d++) {
        cell_cache *k = &lw->cache[d];
        const float *h0 = NULL, *c0 = NULL;
        if (w->skip > 0) {   /* one direction only (net_infer's skip_prefix) */
            const size_t at = ((size_t)l * (f->padT + 1) + w->skip) * H;
            if (!w->init) w->init = falloc((size_t)w->layers * 2 * w->maxB * H);
            float *ph = w->init + (size_t)l * 2 * w->maxB * H, *pc = ph + (size_t)w->maxB * H;
            for (int b = 0; b < B; b++) {
                memcpy(ph + (size_t)b * H, f->pad_h + at, sizeof(float) * H);
                if (f->pad_c) memcpy(pc + (size_t)b * H, f->pad_c + at, sizeof(float) * H);
            }
            h0 = ph;
            c0 = f->pad_c ? pc : NULL;
        }
        const float *xin = x;
        if (l > 0 && d) {
            bidir_input_forward(T, B, C, x, lw->xrev);
            xin = lw->xrev;
        }
        const unsigned char *mask = mask_of(n, w, d);
        for (int t0 = 0; t0 < T; t0 += S) {
            const int Tc = T - t0 < S ? T - t0 : S;
            const size_t o = (size_t)t0 * B;
            /* chunk i's round room: at i%2 chunks (two chunks fit: a third
             * exists only when 2S < T) */
            const size_t ring = (size_t)(t0 / S % 2) * S * B * H;
            cell_cache kc = *k;   /* steps t0.. of k; the gates of this chunk only */
            kc.h = k->h + o * H;
            if (k->c) kc.c = k->c + ring, kc.tc = k->tc + ring;
            if (k->rec_cand) kc.rec_cand = k->rec_cand + ring;
            kc.h0 = t0 ? k->h + (o - B) * H : h0;
            kc.c0 = c0;
            if (t0 && k->c) kc.c0 = k->c + (size_t)((t0 / S + 1) % 2) * S * B * H + (size_t)(S - 1) * B * H;
            kc.work = infer_work(n, w);
            if (l == 0) net_infer_gather(f, d, B, T, t0, Tc, ids, kc.gates);
            cell_forward(c->cell, &n->rnn[l * D + d], Tc, B, l == 0 ? NULL : xin + o * C, mask ? mask + o : NULL, &kc);
        }
    }
    if (D == 1) return lw->cache[0].h;
    bidir_output_forward(T, B, c->hidden, lw->cache[0].h, lw->cache[1].h, lw->out);
    return lw->out;
}

/* Recurrent layer l: x [T,B,C] -> (dropout) -> its output sequence [T,B,F],
 * the backward direction's outputs turned back into forward time. */
static const float *layer_forward(const net *n, net_ws *w, int l, int B, int T, const float *x)
{
    const net_config *c = &n->cfg;
    const int D = net_directions(c), C = net_layer_in(c, l);
    const cell_params *p = &n->rnn[l * D];
    layer_ws *lw = &w->layer[l];
    if (dropping(n, w)) {
        dropout_forward(T, B, C, c->dropout, w->drop_seed, l, w->row0, x, lw->dmask, lw->xin);
        x = lw->xin;
    }
    lw->x = x;
    cell_forward(c->cell, &p[0], T, B, x, mask_of(n, w, 0), &lw->cache[0]);
    if (D == 1) return lw->cache[0].h;
    bidir_input_forward(T, B, C, x, lw->xrev);
    cell_forward(c->cell, &p[1], T, B, lw->xrev, mask_of(n, w, 1), &lw->cache[1]);
    bidir_output_forward(T, B, c->hidden, lw->cache[0].h, lw->cache[1].h, lw->out);
    return lw->out;
}

/* Y [B,K] = X [B,C] W + b: dense_forward, or in inference (work non-NULL)
 * by mm_rows, whose rows do not depend on the batch (infer.h), or
 * qmm_rows with a quantized W (Wq). */
static void head_dense(float *work, int B, int C, int K, const float *X, const float *W, const struct qmat *Wq,
                       const float *b, float *Y)
{
    if (!work) {
        dense_forward(B, C, K, X, W, b, Y);
        return;
    }
    for (int r = 0; r < B; r++) memcpy(Y + (size_t)r * K, b, sizeof(float) * K);
    if (Wq) qmm_rows(B, X, Wq, Y, work);
    else mm_rows(B, K, C, X, W, Y, work);
}

/* feat [B,S] -> (hidden dense + ReLU [B,Dh]) -> output dense -> logits [B,K] */
static void head_forward(const net *n, net_ws *w, int B)
{
    const net_config *c = &n->cfg;
    const float *x = w->feat;
    float *work = inferring(w) ? infer_work(n, w) : NULL;
    if (c->dense > 0) {
        head_dense(work, B, net_summary_width(c), c->dense, x, n->W1, n->W1q, n->b1, w->a1);
        relu_forward((size_t)B * c->dense, w->a1);
        x = w->a1;
    }
    head_dense(work, B, head_in(c), c->n_out, x, n->Wd, NULL, n->bd, w->logits);
}

const float *net_encode_forward(const net *n, net_ws *w, int B, int T, const int32_t *ids)
{
    const net_config *c = &n->cfg;
    const int inf = inferring(w);
    if (!inf && !w->x0_given) embedding_forward(B, T, c->embed_dim, ids, n->emb, w->x0);   /* inference gathers projections */
    if (c->mask) {
        embedding_mask(B, T, ids, w->mask);
        time_reverse(w->mask, T, (size_t)B, w->mask_rev);
    }
    const float *x = w->x0;
    for (int l = 0; l < c->layers; l++)
        x = inf ? layer_infer(n, w, l, B, T, x, ids) : layer_forward(n, w, l, B, T, x);
    return x;
}

static void forward_body(const net *n, net_ws *w, int B, int T, const int32_t *ids)
{
    const net_config *c = &n->cfg;
    const int F = net_features(c), S = net_summary_width(c);
    const float *x = net_encode_forward(n, w, B, T, ids);
    float *summary = c->bag_dim ? w->pooled : w->feat;
    if (c->pool == POOL_ATTN)
        attention_forward(B, T, F, net_attention_units(c), x, mask_of(n, w, 0), n->attW, n->attb, n->attv, w->att_u,
                          w->att_a, summary, inferring(w) ? infer_work(n, w) : NULL);
    else
        pool_forward(c->pool, B, T, net_directions(c), c->hidden, x, mask_of(n, w, 0), summary, &w->pool);
    if (c->bag_dim) {   /* feat row b: the summary, then the bag */
        for (int b = 0; b < B; b++) memcpy(w->feat + (size_t)b * S, w->pooled + (size_t)b * F, sizeof(float) * F);
        bag_forward(B, T, c->bag_dim, c->vocab_size, c->bag_buckets, ids, n->bag, bag_row_lp, n, w->bag_row,
                    w->feat + F, S, w->bag_grams, w->bag_count);
    }
    if (dropping(n, w))
        dropout_forward(1, B, S, c->dropout, w->drop_seed, SITE_SUMMARY, w->row0, w->feat, w->fmask, w->feat);
    head_forward(n, w, B);
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
    if (n->cfg.multilabel) {
        ova_probs(B * n->cfg.n_out, w->logits, w->probs);
        return 0;
    }
    return output_loss(B, n->cfg.n_out, w->logits, y, NULL, w->probs, NULL);
}

/* ---- backward ---- */

/* dlogits -> the head's weight gradients and dfeat [B,S] (before the
 * summary's dropout). */
static void head_backward(net *n, net_ws *w, int B)
{
    const net_config *c = &n->cfg;
    const int F = net_summary_width(c), K = c->n_out;
    if (c->dense > 0) {
        dense_backward(B, c->dense, K, w->a1, n->Wd, w->dlogits, n->dWd, n->dbd, w->da1);
        relu_backward((size_t)B * c->dense, w->a1, w->da1);
        dense_backward(B, F, c->dense, w->feat, n->W1, w->da1, n->dW1, n->db1, w->dfeat);
    } else {
        dense_backward(B, F, K, w->feat, n->Wd, w->dlogits, n->dWd, n->dbd, w->dfeat);
    }
}

/* Back through recurrent layer l: dY [T,B,F] -> its weight gradients and,
 * unless dX is NULL, dX [T,B,C] wrt its input (before dropout). */
static void layer_backward(net *n, net_ws *w, int l, int B, int T, const float *dY, float *dX)
{
    const net_config *c = &n->cfg;
    const int D = net_directions(c), C = net_layer_in(c, l);
    layer_ws *lw = &w->layer[l];
    const float *dh[2] = { dY, NULL };   /* per direction, in its own time order */
    if (D == 2) {
        bidir_output_backward(T, B, c->hidden, dY, w->dh[0], w->dh[1]);
        dh[0] = w->dh[0];
        dh[1] = w->dh[1];
    }
    for (int d = 0; d < D; d++)
        cell_backward(c->cell, &n->rnn[l * D + d], &n->d_rnn[l * D + d], T, B, d ? lw->xrev : lw->x,
                      mask_of(n, w, d), &lw->cache[d], dh[d], !dX ? NULL : D == 1 ? dX : w->dx[d]);
    if (!dX) return;
    if (D == 2) bidir_input_backward(T, B, C, w->dx[0], w->dx[1], dX);
    if (dropping(n, w)) dropout_backward((size_t)T * B * C, lw->dmask, dX, dX);
}

/* The top recurrent layer's outputs [T,B,F] as forward left them. */
static const float *top_output(const net *n, const net_ws *w)
{
    const layer_ws *lw = &w->layer[n->cfg.layers - 1];
    return net_directions(&n->cfg) == 1 ? lw->cache[0].h : lw->out;
}

/* The loss of the forwarded rows and its way back to the weights (and to
 * the embedded input, dbuf[layers & 1], when the adversarial pass needs
 * it).  Row by row: a row's loss and gradient do not depend on which rows
 * share its pass, and the gradient is that of the loss / batch. */
static double loss_backward(net *n, net_ws *w, int B, int T, const int32_t *ids, const int32_t *y, int batch)
{
    const net_config *c = &n->cfg;
    const int K = c->n_out;
    double loss = 0;
    for (int b = 0; b < B; b++) {
        float *lg = w->logits + (size_t)b * K, *pr = w->probs + (size_t)b * K, *dl = w->dlogits + (size_t)b * K;
        if (c->multilabel)   /* one sigmoid per label against the row's label set */
            loss += ova_loss(K, lg, w->soft + (size_t)b * K, w->class_w, pr, dl);
        else if (w->soft)   /* distillation: the teacher's probabilities */
            loss += soft_loss(K, lg, w->soft + (size_t)b * K, w->temperature, 1.0, pr, dl);
        else
            loss += output_loss(1, K, lg, y + b, w->class_w, pr, dl);
    }
    for (int i = 0; i < B * K; i++) w->dlogits[i] = (float)((double)w->dlogits[i] / batch);
    head_backward(n, w, B);
    const int F = net_features(c), S = net_summary_width(c);
    if (dropping(n, w)) dropout_backward((size_t)B * S, w->fmask, w->dfeat, w->dfeat);
    if (c->bag_dim) {   /* dfeat row b: the summary's gradient, then the bag's */
        for (int b = 0; b < B; b++) memcpy(w->dpooled + (size_t)b * F, w->dfeat + (size_t)b * S, sizeof(float) * F);
        bag_backward(B, T, c->bag_dim, w->bag_grams, w->bag_count, w->dfeat + F, S, n->d_bag,
                     &n->plist.spec[n->bag_spec].rows);
    }
    const float *dsummary = c->bag_dim ? w->dpooled : w->dfeat;
    if (c->pool == POOL_ATTN)
        attention_backward(B, T, F, net_attention_units(c), top_output(n, w), n->attW, n->attv, w->att_u, w->att_a,
                           dsummary, n->d_attW, n->d_attb, n->d_attv, w->att_dz, w->att_g, w->dbuf[0]);
    else
        pool_backward(c->pool, B, T, net_directions(c), c->hidden, dsummary, mask_of(n, w, 0), &w->pool, w->dbuf[0]);
    net_encode_backward(n, w, B, T, ids);
    return loss;
}

/* Adversarial training (Goodfellow et al. 2015; for text, on the embedded
 * input: Miyato et al. 2017): each row's embedded input moved by
 *   r_b = adv * ||x_b|| * g_b / ||g_b||,   g = dL/dx (the clean pass's),
 * the direction that raises the row's loss fastest, as long as adv times
 * the row's own norm (norms over its real tokens' E values, padding left
 * as it is; a scale-free size, the embeddings not being normalised as in
 * Miyato et al.), then forward and
 * back again from x + r (r held fixed): the weights' gradients become
 * those of L(x) + L(x + r).  Row by row, so shards and threads do not
 * change it. */
static void adversarial_pass(net *n, net_ws *w, int B, int T, const int32_t *ids, const int32_t *y, int batch)
{
    const int E = n->cfg.embed_dim;
    const float *g = w->dbuf[n->cfg.layers & 1];   /* [T,B,E] */
    for (int b = 0; b < B; b++) {
        const int32_t *row = ids + (size_t)b * T;
        double gg = 0, xx = 0;
        for (int t = 0; t < T; t++) {
            if (!row[t]) continue;   /* padding stays padding */
            const float *gr = g + ((size_t)t * B + b) * E, *xr = w->x0 + ((size_t)t * B + b) * E;
            for (int e = 0; e < E; e++) {
                gg += (double)gr[e] * gr[e];
                xx += (double)xr[e] * xr[e];
            }
        }
        if (!(gg > 0)) continue;
        const float s = (float)(w->adv * sqrt(xx / gg));
        for (int t = 0; t < T; t++) {
            if (!row[t]) continue;
            const float *gr = g + ((size_t)t * B + b) * E;
            float *xr = w->x0 + ((size_t)t * B + b) * E;
            for (int e = 0; e < E; e++) xr[e] += s * gr[e];
        }
    }
    w->x0_given = 1;
    forward_body(n, w, B, T, ids);
    w->x0_given = 0;
    loss_backward(n, w, B, T, ids, y, batch);
}

double net_forward_backward(net *n, net_ws *w, int B, int T, const int32_t *ids, const int32_t *y,
                            int batch)
{
    forward_body(n, w, B, T, ids);
    double loss = loss_backward(n, w, B, T, ids, y, batch);
    if (w->adv > 0 && w->training) {
        const size_t pk = (size_t)B * n->cfg.n_out;
        float *clean = xmalloc(pk * sizeof *clean);   /* the probabilities reported are the clean pass's */
        memcpy(clean, w->probs, pk * sizeof *clean);
        adversarial_pass(n, w, B, T, ids, y, batch);
        memcpy(w->probs, clean, pk * sizeof *clean);
        free(clean);
    }
    return loss;
}

void net_encode_backward(net *n, net_ws *w, int B, int T, const int32_t *ids)
{
    const net_config *c = &n->cfg;
    const int L = c->layers;
    /* down the layers, top first, the gradients alternating between the two
     * buffers; the frozen embedding needs no gradient wrt its output */
    float *dY = w->dbuf[0];
    for (int l = L - 1; l >= 0; l--) {
        float *dX = l > 0 || !c->freeze || w->adv > 0 ? w->dbuf[(L - l) & 1] : NULL;
        layer_backward(n, w, l, B, T, dY, dX);
        dY = dX;
    }
    if (!c->freeze)
        embedding_backward(B, T, c->embed_dim, ids, dY, n->d_emb, &n->plist.spec[P_EMBEDDING].rows);
}
