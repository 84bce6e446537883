/* test_lm.c - the language model's output layer and its composition with
 * the encoder (nn/lmhead.h, nn/lm.h).
 *
 * - Finite differences against every gradient entry of every tensor, for
 *   one and two directions, one and two layers, each cell, tied and untied
 *   output embeddings, dropout: the sampled softmax's gradient, the
 *   scatter of the positions' gradients into the top layer, and the encoder
 *   below it.
 * - The sampled softmax with every id as a candidate and logq = 0 is the
 *   full softmax: its loss equals lm_nll's.
 * - Held apart: in a bidirectional 2-layer stack the forward direction's
 *   prediction at step t does not change when later tokens change, nor the
 *   backward one's when earlier ones do (no peeking through the other
 *   direction), and the blocked kernel rows get no gradient.
 */
#include "test.h"
#include "nn/lm.h"

#include <stdlib.h>
#include <string.h>

enum { V = 9, E = 4, H = 3, T = 6, B = 3 };

/* post-padded rows of different lengths (0 = padding); one of length 1 */
static const int32_t ids[B * T] = { 3, 4, 5, 0, 0, 0,
                                    2, 8, 7, 6, 1, 5,
                                    4, 0, 0, 0, 0, 0 };

static net *lm_net(net_config c, net_ws *w)
{
    c.vocab_size = V; c.embed_dim = E; c.hidden = c.lm_tie ? E : H; c.lm = 1; c.mask = 1;
    if (!c.lm_samples) c.lm_samples = 4;
    net *n = net_new(&c);
    rng r;
    rng_seed(&r, 11);
    net_init(n, &r, NULL);
    for (int i = 0; i < n->plist.n; i++) {   /* larger weights than the initialisers give, biases too */
        const param_spec *s = &n->plist.spec[i];
        for (size_t k = 0; k < s->n; k++) (*s->w)[k] += (float)(rng_uniform(&r) * 0.6 - 0.3);
    }
    lm_block_cross(n, 0);
    net_alloc_grads(n);
    net_ws_alloc(w, &n->cfg, T, B);
    w->training = c.dropout > 0;
    w->drop_seed = 99;
    return n;
}

static double loss_of(net *n, net_ws *w, const lm_cands *cd, double norm)
{
    net_zero_grads(n);
    return lm_forward_backward(n, w, B, T, ids, cd, norm) / norm;
}

static int is_blocked(const net *n, const param *p, size_t i)
{
    const net_config *c = &n->cfg;
    if (!c->bidir) return 0;
    for (int l = 1; l < c->layers; l++)
        for (int d = 0; d < 2; d++)
            if (p->w == n->rnn[l * 2 + d].W) {
                size_t row = i / (size_t)(cell_gates(c->cell) * c->hidden);
                return d == 0 ? row >= (size_t)c->hidden : row < (size_t)c->hidden;
            }
    return 0;
}

static void check_grads(net_config c, const char *what)
{
    net_ws w;
    net *n = lm_net(c, &w);
    static const int32_t cand[] = { 1, 3, 5, 7 };
    float logq[V];
    for (int v = 0; v < V; v++) logq[v] = -0.3f * (float)v;
    lm_cands cd = { 4, cand, logq };
    double norm = (double)lm_targets(&n->cfg, B, T, ids);
    CHECK_INT(norm, 7 * net_directions(&n->cfg));   /* 2 + 5 + 0 pairs */
    double l0 = loss_of(n, &w, &cd, norm);
    CHECK(l0 > 0);
    float **ana = calloc(n->nparams, sizeof *ana);
    for (int pi = 0; pi < n->nparams; pi++) {
        ana[pi] = malloc(n->params[pi].n * sizeof(float));
        memcpy(ana[pi], n->params[pi].g, n->params[pi].n * sizeof(float));
    }
    int bad = 0, checked = 0, blocked_nonzero = 0;
    const double eps = 1e-3;
    for (int pi = 0; pi < n->nparams; pi++) {
        param *p = &n->params[pi];
        for (size_t i = 0; i < p->n; i++) {
            if (is_blocked(n, p, i)) { blocked_nonzero += ana[pi][i] != 0 || p->w[i] != 0; continue; }
            float keep = p->w[i];
            p->w[i] = keep + (float)eps;
            double lp = loss_of(n, &w, &cd, norm);
            p->w[i] = keep - (float)eps;
            double lm = loss_of(n, &w, &cd, norm);
            p->w[i] = keep;
            double num = (lp - lm) / (2 * eps), a = ana[pi][i];
            checked++;
            if (fabs(num - a) > 2e-4 + 2e-2 * fabs(num)) {
                if (bad < 5) fprintf(stderr, "%s: %s[%zu]: analytic %.6g numeric %.6g\n", what, p->name, i, a, num);
                bad++;
            }
        }
    }
    for (int pi = 0; pi < n->nparams; pi++) free(ana[pi]);
    free(ana);
    CHECK_MSG(bad == 0, "%s: %d of %d gradient entries differ", what, bad, checked);
    CHECK_MSG(blocked_nonzero == 0, "%s: %d blocked cross-direction entries not zero", what, blocked_nonzero);
    CHECK(checked > 80);
    net_ws_free(&w);
    net_free(n);
}

/* Every id a candidate, logq 0: the sampled softmax is the full one. */
static void test_full_equivalence(net_config c)
{
    net_ws w;
    c.lm_samples = V;
    net *n = lm_net(c, &w);
    int32_t cand[V];
    float logq[V] = { 0 };
    for (int v = 0; v < V; v++) cand[v] = v;
    lm_cands cd = { V, cand, logq };
    double norm = (double)lm_targets(&n->cfg, B, T, ids);
    net_zero_grads(n);
    double sampled = lm_forward_backward(n, &w, B, T, ids, &cd, norm);
    float *Z = malloc(sizeof(float) * LMHEAD_CHUNK * V);
    size_t count = 0;
    double full = lm_nll(n, &w, B, T, ids, Z, &count);
    free(Z);
    CHECK_INT(count, (size_t)norm);
    CHECK_NEAR(sampled, full, 1e-4);
    net_ws_free(&w);
    net_free(n);
}

/* The forward direction's features at step t depend on tokens <= t only,
 * the backward direction's on tokens >= t only. */
static void test_no_peeking(cell_type cell)
{
    net_ws w;
    net_config c = { .layers = 2, .cell = cell, .bidir = 1 };
    net *n = lm_net(c, &w);
    const int F = 2 * H, t = 2, row = 1;
    int32_t a[B * T], b[B * T];
    memcpy(a, ids, sizeof a);
    memcpy(b, ids, sizeof b);
    b[row * T + 4] = 3;   /* a later token changes */
    b[row * T + 0] = 4;   /* an earlier one too */
    float ya[F], yb[F];
    memcpy(ya, net_encode_forward(n, &w, B, T, a) + ((size_t)t * B + row) * F, sizeof ya);
    int32_t c2[B * T];
    memcpy(c2, a, sizeof c2);
    c2[row * T + 4] = 3;   /* only the later token */
    memcpy(yb, net_encode_forward(n, &w, B, T, c2) + ((size_t)t * B + row) * F, sizeof yb);
    CHECK(memcmp(ya, yb, sizeof(float) * H) == 0);           /* forward half unchanged */
    CHECK(memcmp(ya + H, yb + H, sizeof(float) * H) != 0);   /* backward half sees it */
    memcpy(c2, a, sizeof c2);
    c2[row * T + 0] = 4;   /* only the earlier token */
    memcpy(yb, net_encode_forward(n, &w, B, T, c2) + ((size_t)t * B + row) * F, sizeof yb);
    CHECK(memcmp(ya, yb, sizeof(float) * H) != 0);
    CHECK(memcmp(ya + H, yb + H, sizeof(float) * H) == 0);
    net_ws_free(&w);
    net_free(n);
}

/* A classifier fine-tuned from an LM starts from its embedding and
 * recurrent tensors; its own head keeps its initialisation. */
static void test_encoder_copy(void)
{
    net_ws w;
    net_config c = { .layers = 2, .cell = CELL_GRU, .bidir = 1 };
    net *lm = lm_net(c, &w);
    net_config k = lm->cfg;
    k.lm = 0; k.lm_samples = 0; k.n_out = 3;
    net *cl = net_new(&k);
    rng r;
    rng_seed(&r, 3);
    net_init(cl, &r, NULL);
    float dense0 = cl->Wd[0];
    CHECK_INT(params_copy_matching(&cl->plist, &lm->plist), 1 + 2 * 2 * 3);   /* embedding, 4 cells x W U b */
    CHECK(memcmp(cl->emb, lm->emb, sizeof(float) * V * E) == 0);
    CHECK(memcmp(cl->rnn[3].U, lm->rnn[3].U, sizeof(float) * H * 3 * H) == 0);
    CHECK(cl->Wd[0] == dense0);
    net_ws_free(&w);
    net_free(lm);
    net_free(cl);
}

int main(void)
{
    blas_set_threads(1);
    static const char *cells[] = { "lstm", "gru", "rnn" };
    for (int ci = 0; ci < 3; ci++) {
        char what[96];
        net_config c = { .layers = 1, .cell = (cell_type)ci };
        snprintf(what, sizeof what, "%s lm", cells[ci]);
        check_grads(c, what);
        c.layers = 2; c.bidir = 1;
        snprintf(what, sizeof what, "%s bidirectional 2-layer lm", cells[ci]);
        check_grads(c, what);
        test_no_peeking((cell_type)ci);
    }
    net_config c = { .layers = 2, .cell = CELL_LSTM, .lm_tie = 1 };
    check_grads(c, "lstm tied lm");
    c.bidir = 1; c.dropout = 0.3f;
    check_grads(c, "lstm bidirectional tied lm + dropout");
    c.lm_tie = 0; c.freeze = 1;
    check_grads(c, "lstm bidirectional lm, frozen embedding");
    net_config f = { .layers = 1, .cell = CELL_GRU };
    test_full_equivalence(f);
    f.bidir = 1; f.layers = 2;
    test_full_equivalence(f);
    test_encoder_copy();
    TEST_END();
}
