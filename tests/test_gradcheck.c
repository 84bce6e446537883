/* test_gradcheck.c - finite-difference check of every backward pass.
 *
 * A tiny network (trainable embedding, 2 stacked LSTMs, dense) is run on a
 * padded batch; every gradient entry of every parameter tensor is compared
 * with the central difference (L(w+e) - L(w-e)) / 2e.  Done for the sigmoid
 * (binary cross-entropy), softmax (categorical) and multi-label (a sigmoid
 * and binary cross-entropy per label) heads, with and without masking of
 * padding steps, and with a bag of n-grams beside the summary.
 */
#include "test.h"
#include "nn/net.h"
#include "nn/loss.h"
#include "nn/dense.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* > 0: check_cfg trains on soft targets (distillation) at this temperature */
static double soft_temperature;
/* multi-label networks: weight each label's positive term (--class-weight) */
static int multilabel_weighted;

static double loss_of(net *n, net_ws *w, int B, int T, const int32_t *ids, const int32_t *y)
{
    if (w->training || w->soft) {   /* dropout on or soft targets: the loss of the training pass */
        net_zero_grads(n);
        return net_forward_backward(n, w, B, T, ids, y, B) / B;   /* the mean loss */
    }
    net_forward(n, w, B, T, ids);
    return net_loss(n, w, B, y);
}

/* Returns the number of mismatching entries. */
static int check_cfg(net_config c, const char *what)
{
    enum { V = 9, E = 4, H = 3, T = 6, B = 3 };
    const int K = c.n_out, layers = c.layers;
    c.vocab_size = V; c.embed_dim = E; c.hidden = H;
    net *n = net_new(&c);
    rng r;
    rng_seed(&r, 7);
    net_init(n, &r, NULL);
    /* a larger embedding and padding row so padding steps matter when unmasked */
    for (size_t i = 0; i < (size_t)V * E; i++) n->emb[i] = (float)(rng_uniform(&r) * 1.6 - 0.8);
    for (int l = 0; l < layers * net_directions(&c); l++)
        for (int j = 0; j < cell_bias_len(c.cell, H); j++) n->rnn[l].b[j] += (float)(rng_uniform(&r) * 0.4 - 0.2);
    if (c.dense)
        for (int j = 0; j < c.dense; j++) n->b1[j] += 0.3f;   /* keep ReLUs off their kink */
    net_alloc_grads(n);
    net_ws w;
    net_ws_alloc(&w, &c, T, B);
    w.training = c.dropout > 0;   /* the same dropout masks in every pass: fixed seed */
    w.drop_seed = 1234;
    /* pre-padded rows of different lengths (0 = padding) */
    int32_t ids[B * T] = { 0, 0, 0, 3, 4, 5,
                           0, 2, 8, 7, 6, 1,
                           4, 4, 2, 3, 7, 8 };
    int32_t y[B];
    for (int b = 0; b < B; b++) y[b] = K == 1 ? b % 2 : (b * 2 + 1) % K;
    float soft[B * 8];   /* a teacher's probabilities: rows summing to 1 (K = 1: one probability) */
    for (int b = 0; b < B; b++) {
        double s = 0;
        for (int k = 0; k < K; k++) s += soft[b * K + k] = (float)(0.2 + 0.7 * rng_uniform(&r));
        if (K > 1) for (int k = 0; k < K; k++) soft[b * K + k] /= (float)s;
    }
    if (soft_temperature > 0) {
        w.soft = soft;
        w.temperature = soft_temperature;
    }
    float sets[B * 8];     /* multi-label: label sets, 0/1 per label (rows of 0, 1, 2+ labels) */
    float pos_w[8];
    if (c.multilabel) {
        for (int b = 0; b < B; b++)
            for (int k = 0; k < K; k++) sets[b * K + k] = (float)((b + k) % 3 == 0 || (b == 2 && k == 1));
        for (int k = 0; k < K; k++) pos_w[k] = 0.5f + 0.75f * k;
        w.soft = sets;
        if (multilabel_weighted) w.class_w = pos_w;
    }
    net_zero_grads(n);
    double l0 = net_forward_backward(n, &w, B, T, ids, y, B) / B;
    CHECK(l0 > 0);
    CHECK_NEAR(l0, loss_of(n, &w, B, T, ids, y), 1e-6);
    int bad = 0, checked = 0;
    const double eps = 1e-3;
    float **ana_g = calloc(n->nparams, sizeof *ana_g);
    for (int pi = 0; pi < n->nparams; pi++) {
        ana_g[pi] = malloc(n->params[pi].n * sizeof(float));
        memcpy(ana_g[pi], n->params[pi].g, n->params[pi].n * sizeof(float));
    }
    int any = 0;
    if (n->d_emb)
        for (int e = 0; e < E; e++) any |= n->d_emb[(size_t)5 * E + e] != 0;
    int bag_any = 0;   /* the bag: its rows reach the loss (an unused bag would pass the comparison) */
    if (c.bag_dim)
        for (size_t i = 0; i < (size_t)(V + c.bag_buckets) * c.bag_dim; i++) bag_any |= n->d_bag[i] != 0;
    CHECK_MSG(!c.bag_dim || bag_any, "%s: the bag has no gradient", what);
    for (int pi = 0; pi < n->nparams; pi++) {
        param *p = &n->params[pi];
        for (size_t i = 0; i < p->n; i++) {
            float keep = p->w[i];
            p->w[i] = keep + (float)eps;
            double lp = loss_of(n, &w, B, T, ids, y);
            p->w[i] = keep - (float)eps;
            double lm = loss_of(n, &w, B, T, ids, y);
            p->w[i] = keep;
            double num = (lp - lm) / (2 * eps), ana = ana_g[pi][i];
            checked++;
            if (fabs(num - ana) > 2e-4 + 2e-2 * fabs(num)) {
                if (bad < 5)
                    fprintf(stderr, "%s: %s[%zu]: analytic %.6g numeric %.6g\n", what, p->name, i, ana, num);
                bad++;
            }
        }
    }
    /* an id that occurs gets an embedding gradient */
    CHECK(any);
    for (int pi = 0; pi < n->nparams; pi++) free(ana_g[pi]);
    free(ana_g);
    net_ws_free(&w);
    net_free(n);
    CHECK_MSG(bad == 0, "%s: %d of %d gradient entries differ", what, bad, checked);
    CHECK(checked > 40);
    return bad;
}

static void test_mask_semantics(void)
{
    /* With masking, leading padding must not change the prediction. */
    enum { V = 6, E = 3, H = 4, T = 5 };
    net_config c = { .vocab_size = V, .embed_dim = E, .hidden = H, .layers = 2, .n_out = 1, .mask = 1 };
    net *n = net_new(&c);
    rng r;
    rng_seed(&r, 3);
    net_init(n, &r, NULL);
    /* non-zero cell-input bias: then even zero padding vectors move the state */
    for (int l = 0; l < 2; l++)
        for (int j = 0; j < 4 * H; j++) n->rnn[l].b[j] += (float)(rng_uniform(&r) - 0.5);
    net_ws w;
    net_ws_alloc(&w, &c, T, 1);
    int32_t a[T] = { 0, 0, 2, 3, 4 }, b[3] = { 2, 3, 4 };
    net_forward(n, &w, 1, T, a);
    float pa = w.probs[0];
    net_forward(n, &w, 1, 3, b);
    CHECK_NEAR(pa, w.probs[0], 1e-7);
    n->cfg.mask = 0;   /* without the mask padding steps are computed (Keras default) */
    net_forward(n, &w, 1, T, a);
    CHECK(fabs(pa - w.probs[0]) > 1e-6);
    net_ws_free(&w);
    net_free(n);
}

static void test_losses(void)
{
    float logits[2] = { 0.0f, 2.0f }, probs[2], d[2];
    int32_t y[2] = { 1, 0 };
    double l = bce_loss(2, logits, y, probs, d);
    CHECK_NEAR(l, (log(2.0) + (2.0 + log1p(exp(-2.0)))) / 2, 1e-6);
    CHECK_NEAR(probs[0], 0.5, 1e-7);
    CHECK_NEAR(d[0], -0.25, 1e-7);
    float big[2] = { 100.0f, -100.0f };   /* stable for huge logits */
    int32_t y2[2] = { 0, 1 };
    l = bce_loss(2, big, y2, probs, d);
    CHECK_NEAR(l, 100.0, 1e-4);
    float lg[3] = { 1.0f, 2.0f, 3.0f }, pr[3];
    int32_t y3 = 2;
    l = softmax_ce_loss(1, 3, lg, &y3, pr, NULL);
    double z = exp(1) + exp(2) + exp(3);
    CHECK_NEAR(l, -log(exp(3) / z), 1e-6);
    CHECK_NEAR(pr[0] + pr[1] + pr[2], 1.0, 1e-6);
    /* logits near FLT_MAX (a diverged or corrupt model's): still a
     * distribution, tied logits sharing it */
    float huge[3] = { 3e38f, 3e38f, -3e38f }, dh[3];
    softmax_ce_loss(1, 3, huge, &y3, pr, dh);
    CHECK_NEAR(pr[0], 0.5, 1e-7);
    CHECK_NEAR(pr[1], 0.5, 1e-7);
    CHECK_NEAR(pr[2], 0.0, 1e-7);
}

/* soft_loss at T = 1 with a one-hot target is the hard loss; its T^2
 * scaling; probabilities at T = 1 whatever T. */
static void test_soft_loss(void)
{
    float lg[3] = { 1.0f, 2.0f, 3.0f }, pr[3], d[3], hd[3], pr3[3];
    int32_t y = 2;
    float onehot[3] = { 0, 0, 1 };
    double hard = softmax_ce_loss(1, 3, lg, &y, pr, hd);
    CHECK_NEAR(soft_loss(3, lg, onehot, 1.0, 1.0, pr3, d), hard, 1e-6);
    for (int k = 0; k < 3; k++) CHECK_NEAR(d[k], hd[k], 1e-6);
    double l3 = soft_loss(3, lg, onehot, 3.0, 1.0, pr3, d);
    double z = exp(1.0 / 3) + exp(2.0 / 3) + exp(1.0);
    CHECK_NEAR(l3, 9 * -log(exp(1.0) / z), 1e-5);
    CHECK_NEAR(pr3[2], pr[2], 1e-6);
    float one = 0.5f, q = 0.8f, p1, d1;
    CHECK_NEAR(soft_loss(1, &one, &q, 2.0, 1.0, &p1, &d1), 4 * -(0.8 * log(1 / (1 + exp(-0.25))) + 0.2 * log(1 - 1 / (1 + exp(-0.25)))), 1e-6);
    CHECK_NEAR(p1, 1 / (1 + exp(-0.5)), 1e-6);
}

/* ova_loss: the sum of the labels' binary cross-entropies (bce_loss's per
 * label), independent probabilities, the positive weight scaling the
 * positive term only. */
static void test_ova_loss(void)
{
    float lg[3] = { 0.5f, -1.0f, 2.0f }, t[3] = { 1, 0, 1 }, pr[3], d[3], w[3] = { 2, 3, 1 }, dw[3];
    double want = 0;
    for (int k = 0; k < 3; k++) {
        float p1, d1;
        int32_t y = (int32_t)t[k];
        want += bce_loss(1, lg + k, &y, &p1, &d1);
    }
    double l = ova_loss(3, lg, t, NULL, pr, d);
    CHECK_NEAR(l, want, 1e-6);
    double sum = 0;
    for (int k = 0; k < 3; k++) {
        sum += pr[k];
        CHECK_NEAR(pr[k], 1 / (1 + exp(-lg[k])), 1e-6);
        CHECK_NEAR(d[k], pr[k] - t[k], 1e-6);
    }
    CHECK(fabs(sum - 1) > 0.1);   /* not a distribution */
    double lw = ova_loss(3, lg, t, w, pr, dw);
    CHECK_NEAR(lw, 2 * log1p(exp(-0.5)) + log1p(exp(-1.0)) + log1p(exp(-2.0)), 1e-6);
    CHECK_NEAR(dw[0], 2 * (pr[0] - 1), 1e-6);
    CHECK_NEAR(dw[1], pr[1], 1e-6);
    float big[2] = { 100.0f, -100.0f }, tb[2] = { 0, 1 };   /* stable for huge logits */
    CHECK_NEAR(ova_loss(2, big, tb, NULL, pr, d), 200.0, 1e-3);
}

static void test_init(void)
{
    rng r;
    rng_seed(&r, 1);
    float u[4 * 16];
    init_orthogonal(&r, u, 4, 16);   /* rows orthonormal */
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            double d = 0;
            for (int k = 0; k < 16; k++) d += u[i * 16 + k] * u[j * 16 + k];
            CHECK_NEAR(d, i == j, 1e-5);
        }
    /* same seed, same numbers */
    rng a, b;
    rng_seed(&a, 42); rng_seed(&b, 42);
    CHECK(rng_next(&a) == rng_next(&b));
}

/* Adversarial training (net.c adversarial_pass): the gradient it leaves is
 * that of L(x) + L(x + r), r held at the perturbation it chose (found
 * afterwards in w->x0 - the embedded input): every entry against the
 * central difference of that sum, with a trained and a frozen embedding,
 * dropout, masking.  And r has the asked size: adv x the row's norm. */
static double adv_sum(net *n, net_ws *w, int B, int T, const int32_t *ids, const int32_t *y, const float *r)
{
    const int E = n->cfg.embed_dim;
    double adv = w->adv;
    w->adv = 0;
    net_zero_grads(n);
    double l = net_forward_backward(n, w, B, T, ids, y, B);
    for (int t = 0; t < T; t++)   /* x + r, from the current embedding */
        for (int b = 0; b < B; b++)
            for (int e = 0; e < E; e++)
                w->x0[((size_t)t * B + b) * E + e] = n->emb[(size_t)ids[b * T + t] * E + e] + r[((size_t)t * B + b) * E + e];
    w->x0_given = 1;
    l += net_forward_backward(n, w, B, T, ids, y, B);
    w->x0_given = 0;
    w->adv = adv;
    return l / B;
}

static void check_adversarial(net_config c, const char *what)
{
    enum { V = 9, E = 4, H = 3, T = 6, B = 3 };
    c.vocab_size = V; c.embed_dim = E; c.hidden = H;
    net *n = net_new(&c);
    rng r;
    rng_seed(&r, 11);
    net_init(n, &r, NULL);
    for (size_t i = 0; i < (size_t)V * E; i++) n->emb[i] = (float)(rng_uniform(&r) * 1.6 - 0.8);
    net_alloc_grads(n);
    net_ws w;
    net_ws_alloc(&w, &c, T, B);
    w.training = 1;
    w.drop_seed = 99;
    w.adv = 0.3;
    int32_t ids[B * T] = { 0, 0, 0, 3, 4, 5,
                           0, 2, 8, 7, 6, 1,
                           4, 4, 2, 3, 7, 8 };
    int32_t y[B] = { 0, 1, 0 };
    net_zero_grads(n);
    net_forward_backward(n, &w, B, T, ids, y, B);
    float *rr = calloc((size_t)T * B * E, sizeof *rr);
    int size_ok = 1, pad_ok = 1;
    for (int b = 0; b < B; b++) {
        double xx = 0, rn = 0;
        for (int t = 0; t < T; t++)
            for (int e = 0; e < E; e++) {
                size_t at = ((size_t)t * B + b) * E + e;
                float x = n->emb[(size_t)ids[b * T + t] * E + e];
                rr[at] = w.x0[at] - x;
                if (!ids[b * T + t]) { pad_ok &= rr[at] == 0; continue; }
                xx += (double)x * x;
                rn += (double)rr[at] * rr[at];
            }
        size_ok &= fabs(sqrt(rn) - 0.3 * sqrt(xx)) < 1e-4 * (1 + sqrt(xx));
    }
    CHECK_MSG(size_ok, "%s: |r| is not 0.3 x |x| per row", what);
    CHECK_MSG(pad_ok, "%s: padding was moved", what);
    float **ana = calloc(n->nparams, sizeof *ana);
    for (int pi = 0; pi < n->nparams; pi++) {
        ana[pi] = malloc(n->params[pi].n * sizeof(float));
        memcpy(ana[pi], n->params[pi].g, n->params[pi].n * sizeof(float));
    }
    int bad = 0, checked = 0;
    const double h = 1e-3;
    for (int pi = 0; pi < n->nparams; pi++) {
        param *p = &n->params[pi];
        for (size_t i = 0; i < p->n; i++) {
            float keep = p->w[i];
            p->w[i] = keep + (float)h;
            double lp = adv_sum(n, &w, B, T, ids, y, rr);
            p->w[i] = keep - (float)h;
            double lm = adv_sum(n, &w, B, T, ids, y, rr);
            p->w[i] = keep;
            double num = (lp - lm) / (2 * h), a = ana[pi][i];
            checked++;
            if (fabs(num - a) > 2e-4 + 2e-2 * fabs(num)) {
                if (bad < 5) fprintf(stderr, "%s: %s[%zu]: analytic %.6g numeric %.6g\n", what, p->name, i, a, num);
                bad++;
            }
        }
    }
    /* the adversarial pass changes the gradient (it is not the clean one) */
    net_zero_grads(n);
    w.adv = 0;
    net_forward_backward(n, &w, B, T, ids, y, B);
    double diff = 0;
    for (int pi = 0; pi < n->nparams; pi++)
        for (size_t i = 0; i < n->params[pi].n; i++) diff += fabs(n->params[pi].g[i] - ana[pi][i]);
    CHECK_MSG(diff > 1e-3, "%s: the adversarial gradient equals the clean one", what);
    for (int pi = 0; pi < n->nparams; pi++) free(ana[pi]);
    free(ana);
    free(rr);
    net_ws_free(&w);
    net_free(n);
    CHECK_MSG(bad == 0, "%s: %d of %d gradient entries differ", what, bad, checked);
    CHECK(checked > 40);
}

int main(void)
{
    blas_set_threads(1);
    /* every cell, both loss types, masking, two directions, dropout, hidden dense */
    static const char *cells[] = { "lstm", "gru", "rnn" };
    for (int ci = 0; ci < 3; ci++) {
        char what[96];
        net_config c = { .layers = 2, .n_out = 1, .cell = (cell_type)ci };
        snprintf(what, sizeof what, "%s sigmoid", cells[ci]);
        check_cfg(c, what);
        c.n_out = 3;
        snprintf(what, sizeof what, "%s softmax", cells[ci]);
        check_cfg(c, what);
        c.n_out = 1; c.mask = 1;
        snprintf(what, sizeof what, "%s sigmoid+mask", cells[ci]);
        check_cfg(c, what);
        c.bidir = 1; c.n_out = 3;
        snprintf(what, sizeof what, "%s bidirectional softmax+mask", cells[ci]);
        check_cfg(c, what);
        c.mask = 0; c.n_out = 1;
        snprintf(what, sizeof what, "%s bidirectional sigmoid", cells[ci]);
        check_cfg(c, what);
    }
    net_config c = { .layers = 2, .n_out = 1, .cell = CELL_LSTM, .dropout = 0.3f };
    check_cfg(c, "lstm dropout");
    c.dense = 5;
    check_cfg(c, "lstm dropout + hidden dense");
    c.bidir = 1; c.n_out = 3; c.cell = CELL_GRU; c.mask = 1;
    check_cfg(c, "gru bidirectional dropout + dense + mask");
    c.layers = 1; c.dropout = 0; c.bidir = 0;
    check_cfg(c, "gru 1 layer dense");
    net_config pm = { .layers = 2, .n_out = 1, .cell = CELL_LSTM, .pool = POOL_MAX };
    check_cfg(pm, "lstm max pooling");
    pm.mask = 1; pm.bidir = 1; pm.n_out = 3;
    check_cfg(pm, "bilstm max pooling + mask, softmax");
    pm.pool = POOL_MEAN;
    check_cfg(pm, "bilstm mean pooling + mask, softmax");
    pm.mask = 0; pm.cell = CELL_GRU; pm.dropout = 0.2f; pm.n_out = 1;
    check_cfg(pm, "bigru mean pooling + dropout");
    /* attention pooling (nn/attention.h): masked and not, both directions, dropout, a bag, a dense layer */
    net_config at = { .layers = 1, .n_out = 1, .cell = CELL_GRU, .pool = POOL_ATTN };
    check_cfg(at, "gru attention pooling");
    at.bidir = 1; at.mask = 1; at.n_out = 3;
    check_cfg(at, "bigru attention pooling + mask, softmax");
    at.attn = 2;   /* fewer scoring units than features */
    check_cfg(at, "bigru attention pooling of 2 units + mask, softmax");
    at.attn = 0;
    at.layers = 2; at.cell = CELL_LSTM; at.dropout = 0.2f; at.bag_dim = 3; at.bag_buckets = 5; at.dense = 4; at.n_out = 1;
    check_cfg(at, "bilstm 2 layers attention + mask + dropout + bag + dense");
    /* a bag of words and word bigrams beside the summary (nn/bag.h) */
    net_config bg = { .layers = 1, .n_out = 1, .cell = CELL_GRU, .bag_dim = 3, .bag_buckets = 5 };
    check_cfg(bg, "gru + bag, sigmoid");
    bg.bidir = 1; bg.mask = 1; bg.pool = POOL_MEAN; bg.n_out = 3; bg.dropout = 0.2f;
    check_cfg(bg, "bigru mean + mask + bag + dropout, softmax");
    bg.dense = 4; bg.n_out = 1;
    check_cfg(bg, "bigru + bag + hidden dense");
    test_mask_semantics();
    /* adversarial training: trained and frozen embedding, dropout, mask */
    net_config ad = { .layers = 2, .n_out = 1, .cell = CELL_LSTM, .dropout = 0.2f };
    check_adversarial(ad, "adversarial lstm + dropout");
    ad.cell = CELL_GRU; ad.bidir = 1; ad.mask = 1; ad.pool = POOL_MEAN; ad.n_out = 3; ad.layers = 1;
    check_adversarial(ad, "adversarial bigru mean + mask, softmax");
    ad.freeze = 1;
    check_adversarial(ad, "adversarial bigru, frozen embedding");
    ad.bag_dim = 3; ad.bag_buckets = 5;
    check_adversarial(ad, "adversarial bigru, frozen embedding, bag");
    ad.bag_dim = 0;
    ad.pool = POOL_ATTN; ad.freeze = 0;
    check_adversarial(ad, "adversarial bigru attention + mask, softmax");
    /* distillation's soft targets, sigmoid and softmax, at T = 1 and 3 */
    soft_temperature = 3;
    net_config sd = { .layers = 1, .n_out = 1, .cell = CELL_GRU, .bidir = 1, .mask = 1 };
    check_cfg(sd, "soft targets T=3, sigmoid");
    sd.n_out = 3;
    check_cfg(sd, "soft targets T=3, softmax");
    soft_temperature = 1;
    sd.cell = CELL_LSTM; sd.layers = 2; sd.dropout = 0.2f;
    check_cfg(sd, "soft targets T=1, softmax + dropout");
    sd.bag_dim = 2; sd.bag_buckets = 7;
    check_cfg(sd, "soft targets T=1, softmax + dropout + bag");
    soft_temperature = 0;
    /* multi-label: one sigmoid per label, binary cross-entropy each (ova_loss) */
    net_config ml = { .layers = 2, .n_out = 4, .multilabel = 1, .cell = CELL_LSTM };
    check_cfg(ml, "multi-label lstm");
    ml.cell = CELL_GRU; ml.bidir = 1; ml.mask = 1; ml.dense = 5; ml.dropout = 0.2f;
    check_cfg(ml, "multi-label bigru + mask + dense + dropout");
    multilabel_weighted = 1;
    ml.n_out = 2; ml.pool = POOL_MEAN; ml.dropout = 0;
    check_cfg(ml, "multi-label 2 labels, positive weights, mean pooling");
    multilabel_weighted = 0;
    test_ova_loss();
    test_soft_loss();
    test_losses();
    test_init();
    TEST_END();
}
