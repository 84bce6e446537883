/* lm.c - the network as a language model (see lm.h).
 *
 *   B batch rows, T time steps, H units per direction, D directions,
 *   F = D*H, V vocabulary, N positions with a target (per direction) */
#include "nn/lm.h"

#include <string.h>

const float *lm_out(const net *n, int d) { return n->cfg.lm_tie ? n->emb : n->lm_W[d]; }

static float *lm_out_grad(net *n, int d) { return n->cfg.lm_tie ? n->d_emb : n->d_lm_W[d]; }

/* Direction d's neighbour of step t: the next step forwards, the previous
 * one backwards. */
static int neighbour(int d, int t) { return d ? t - 1 : t + 1; }

size_t lm_targets(const net_config *c, int B, int T, const int32_t *ids)
{
    size_t n = 0;
    for (int b = 0; b < B; b++)
        for (int t = 0; t + 1 < T; t++) n += ids[(size_t)b * T + t] && ids[(size_t)b * T + t + 1];
    return n * (size_t)net_directions(c);   /* a pair is a target each way */
}

/* Direction d's positions with a target: their features from Y [T,B,F]
 * into w->lm_x [N,H], targets into w->lm_tgt, their rows of Y into
 * w->lm_at.  Returns N.  Order: time, then row. */
static int gather(const net *n, net_ws *w, int d, int B, int T, const int32_t *ids, const float *Y)
{
    const int H = n->cfg.hidden, F = net_features(&n->cfg);
    int N = 0;
    for (int t = 0; t < T; t++) {
        int u = neighbour(d, t);
        if (u < 0 || u >= T) continue;
        for (int b = 0; b < B; b++) {
            int32_t id = ids[(size_t)b * T + t], next = ids[(size_t)b * T + u];
            if (!id || !next) continue;
            w->lm_at[N] = t * B + b;
            w->lm_tgt[N] = next;
            memcpy(w->lm_x + (size_t)N * H, Y + ((size_t)t * B + b) * F + (size_t)d * H, sizeof(float) * H);
            N++;
        }
    }
    return N;
}

double lm_forward_backward(net *n, net_ws *w, int B, int T, const int32_t *ids, const lm_cands *c, double norm)
{
    const net_config *cfg = &n->cfg;
    const int H = cfg->hidden, F = net_features(cfg), D = net_directions(cfg);
    const float *Y = net_encode_forward(n, w, B, T, ids);
    float *dY = w->dbuf[0];
    memset(dY, 0, sizeof(float) * (size_t)T * B * F);
    double loss = 0;
    for (int d = 0; d < D; d++) {
        int N = gather(n, w, d, B, T, ids, Y);
        if (!N) continue;
        rowset *rw = &n->plist.spec[n->lm_spec_W[d]].rows, *rb = &n->plist.spec[n->lm_spec_b[d]].rows;
        loss += lmhead_forward_backward(N, H, w->lm_x, w->lm_tgt, lm_out(n, d), n->lm_b[d], c, (float)(1.0 / norm),
                                        &w->lm, w->lm_dx, lm_out_grad(n, d), n->d_lm_b[d], rw, rb);
        for (int i = 0; i < N; i++)   /* the positions' gradients back into dY */
            memcpy(dY + (size_t)w->lm_at[i] * F + (size_t)d * H, w->lm_dx + (size_t)i * H, sizeof(float) * H);
    }
    net_encode_backward(n, w, B, T, ids);
    lm_block_cross(n, 1);
    return loss;
}

double lm_nll(const net *n, net_ws *w, int B, int T, const int32_t *ids, float *Z, size_t *count)
{
    const net_config *cfg = &n->cfg;
    int training = w->training;
    w->training = 0;
    const float *Y = net_encode_forward(n, w, B, T, ids);
    w->training = training;
    double loss = 0;
    for (int d = 0; d < net_directions(cfg); d++) {
        int N = gather(n, w, d, B, T, ids, Y);
        loss += lmhead_nll(N, cfg->hidden, cfg->vocab_size, w->lm_x, w->lm_tgt, lm_out(n, d), n->lm_b[d], Z);
        *count += (size_t)N;
    }
    return loss;
}

void lm_block_cross(net *n, int grads)
{
    const net_config *c = &n->cfg;
    if (!c->bidir) return;
    const int H = c->hidden, GH = cell_gates(c->cell) * H;
    for (int l = 1; l < c->layers; l++)
        for (int d = 0; d < 2; d++) {
            /* the input is [forward H | backward H]: direction d keeps its own half */
            float *W = grads ? n->d_rnn[l * 2 + d].W : n->rnn[l * 2 + d].W;
            if (!W) continue;
            int other = 1 - d;
            memset(W + (size_t)other * H * GH, 0, sizeof(float) * (size_t)H * GH);
        }
}
