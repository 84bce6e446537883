/* net.c - the network: allocation, initialisation, forward, backward, I/O. */
#include "net.h"
#include "dense.h"
#include "err.h"
#include "loss.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

net *net_new(const net_config *cfg)
{
    net *n = xcalloc(1, sizeof *n);
    n->cfg = *cfg;
    int E = cfg->embed_dim, H = cfg->hidden, K = cfg->n_out;
    n->emb = fzeros((size_t)cfg->vocab_size * E);
    n->lstm = xcalloc(cfg->layers, sizeof *n->lstm);
    for (int l = 0; l < cfg->layers; l++) {
        lstm_params *p = &n->lstm[l];
        p->C = l ? H : E;
        p->H = H;
        p->W = fzeros((size_t)p->C * 4 * H);
        p->U = fzeros((size_t)H * 4 * H);
        p->b = fzeros((size_t)4 * H);
    }
    n->Wd = fzeros((size_t)H * K);
    n->bd = fzeros(K);
    return n;
}

void net_init(net *n, rng *r, const float *init_emb)
{
    const net_config *c = &n->cfg;
    size_t ve = (size_t)c->vocab_size * c->embed_dim;
    if (init_emb) memcpy(n->emb, init_emb, ve * sizeof(float));
    else {
        init_uniform(r, n->emb, ve, 0.05f);
        memset(n->emb, 0, sizeof(float) * c->embed_dim);   /* padding row */
    }
    for (int l = 0; l < c->layers; l++) {
        lstm_params *p = &n->lstm[l];
        init_glorot_uniform(r, p->W, p->C, 4 * p->H);
        init_orthogonal(r, p->U, p->H, 4 * p->H);
        memset(p->b, 0, sizeof(float) * 4 * p->H);
        for (int j = 0; j < p->H; j++) p->b[p->H + j] = 1.0f;   /* unit_forget_bias */
    }
    init_glorot_uniform(r, n->Wd, c->hidden, c->n_out);
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
    free(n->d_lstm);
    n->params = NULL;
}

void net_free(net *n)
{
    if (!n) return;
    free_grads(n);
    if (!n->borrowed) {
        ffree(n->emb);
        for (int l = 0; l < n->cfg.layers; l++) {
            ffree(n->lstm[l].W); ffree(n->lstm[l].U); ffree(n->lstm[l].b);
        }
        ffree(n->Wd); ffree(n->bd);
    }
    free(n->lstm);
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

static void alloc_grads(net *n, int moments)
{
    const net_config *c = &n->cfg;
    n->params = xcalloc(2 + 3 * c->layers + 1, sizeof *n->params);
    n->d_lstm = xcalloc(c->layers, sizeof *n->d_lstm);
    n->d_emb = NULL;
    if (!c->freeze) {
        add_param(n, "embedding", n->emb, (size_t)c->vocab_size * c->embed_dim, &n->d_emb, moments);
        n->touched = xmalloc((size_t)c->vocab_size * sizeof *n->touched);
        n->is_touched = xcalloc((size_t)c->vocab_size, 1);
        n->ntouched = 0;
    }
    for (int l = 0; l < c->layers; l++) {
        lstm_params *p = &n->lstm[l], *d = &n->d_lstm[l];
        d->C = p->C; d->H = p->H;
        char name[48];
        snprintf(name, sizeof name, "lstm.%d.W", l);
        add_param(n, name, p->W, (size_t)p->C * 4 * p->H, &d->W, moments);
        snprintf(name, sizeof name, "lstm.%d.U", l);
        add_param(n, name, p->U, (size_t)p->H * 4 * p->H, &d->U, moments);
        snprintf(name, sizeof name, "lstm.%d.b", l);
        add_param(n, name, p->b, (size_t)4 * p->H, &d->b, moments);
    }
    add_param(n, "dense.W", n->Wd, (size_t)c->hidden * c->n_out, &n->dWd, moments);
    add_param(n, "dense.b", n->bd, (size_t)c->n_out, &n->dbd, moments);
}

void net_alloc_grads(net *n) { alloc_grads(n, 1); }

net *net_shadow(const net *n)
{
    net *s = xcalloc(1, sizeof *s);
    s->cfg = n->cfg;
    s->emb = n->emb;
    s->lstm = xcalloc(n->cfg.layers, sizeof *s->lstm);
    memcpy(s->lstm, n->lstm, n->cfg.layers * sizeof *s->lstm);
    s->Wd = n->Wd;
    s->bd = n->bd;
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

void net_ws_alloc(net_ws *w, const net_config *c, int maxT, int maxB)
{
    memset(w, 0, sizeof *w);
    w->maxT = maxT;
    w->maxB = maxB;
    w->layers = c->layers;
    size_t tb = (size_t)maxT * maxB;
    int wide = c->embed_dim > c->hidden ? c->embed_dim : c->hidden;
    w->x0 = fzeros(tb * c->embed_dim);
    w->dbuf[0] = fzeros(tb * wide);
    w->dbuf[1] = fzeros(tb * wide);
    w->cache = xcalloc(c->layers, sizeof *w->cache);
    for (int l = 0; l < c->layers; l++) lstm_cache_alloc(&w->cache[l], maxT, maxB, c->hidden);
    w->logits = fzeros((size_t)maxB * c->n_out);
    w->probs = fzeros((size_t)maxB * c->n_out);
    w->dlogits = fzeros((size_t)maxB * c->n_out);
    w->dhlast = fzeros((size_t)maxB * c->hidden);
    w->mask = xcalloc(tb, 1);
}

void net_ws_free(net_ws *w)
{
    ffree(w->x0); ffree(w->dbuf[0]); ffree(w->dbuf[1]);
    for (int l = 0; l < w->layers; l++) lstm_cache_free(&w->cache[l]);
    free(w->cache);
    free(w->mask);
    ffree(w->logits); ffree(w->probs); ffree(w->dlogits); ffree(w->dhlast);
    memset(w, 0, sizeof *w);
}

/* Embedding lookup and, with masking on, the time-major mask of real tokens. */
static void forward_body(const net *n, net_ws *w, int B, int T, const int32_t *ids)
{
    const net_config *c = &n->cfg;
    embedding_forward(B, T, c->embed_dim, ids, n->emb, w->x0);
    const unsigned char *mask = NULL;
    if (c->mask) {
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++) w->mask[(size_t)t * B + b] = ids[(size_t)b * T + t] != 0;
        mask = w->mask;
    }
    const float *x = w->x0;
    for (int l = 0; l < c->layers; l++) {
        lstm_forward(&n->lstm[l], T, B, x, mask, &w->cache[l]);
        x = w->cache[l].h;
    }
    /* the top layer's last step is the sequence summary */
    const float *hlast = w->cache[c->layers - 1].h + (size_t)(T - 1) * B * c->hidden;
    dense_forward(B, c->hidden, c->n_out, hlast, n->Wd, n->bd, w->logits);
}

void net_forward(const net *n, net_ws *w, int B, int T, const int32_t *ids)
{
    forward_body(n, w, B, T, ids);
    net_loss(n, w, B, NULL);
}

double net_loss(const net *n, net_ws *w, int B, const int32_t *y)
{
    int K = n->cfg.n_out;
    if (!y) {   /* probabilities only */
        if (K == 1) {
            for (int b = 0; b < B; b++) {
                int32_t z = 0;
                bce_loss(1, w->logits + b, &z, w->probs + b, NULL);
            }
        } else {
            for (int b = 0; b < B; b++) {
                int32_t z = 0;
                softmax_ce_loss(1, K, w->logits + (size_t)b * K, &z, w->probs + (size_t)b * K, NULL);
            }
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

double net_forward_backward(net *n, net_ws *w, int B, int T, const int32_t *ids, const int32_t *y,
                            double grad_scale)
{
    const net_config *c = &n->cfg;
    const int H = c->hidden, K = c->n_out, L = c->layers;
    forward_body(n, w, B, T, ids);
    double loss = K == 1 ? bce_loss(B, w->logits, y, w->probs, w->dlogits)
                         : softmax_ce_loss(B, K, w->logits, y, w->probs, w->dlogits);
    if (grad_scale != 1.0)
        for (int i = 0; i < B * K; i++) w->dlogits[i] *= (float)grad_scale;
    const float *hlast = w->cache[L - 1].h + (size_t)(T - 1) * B * H;
    dense_backward(B, H, K, hlast, n->Wd, w->dlogits, n->dWd, n->dbd, w->dhlast);
    /* gradient wrt every output of the top layer: only the last step is used */
    float *dH = w->dbuf[0];
    memset(dH, 0, sizeof(float) * (size_t)(T - 1) * B * H);
    memcpy(dH + (size_t)(T - 1) * B * H, w->dhlast, sizeof(float) * B * H);
    const unsigned char *mask = c->mask ? w->mask : NULL;
    for (int l = L - 1; l >= 0; l--) {
        const float *x = l ? w->cache[l - 1].h : w->x0;
        float *dX = w->dbuf[(L - l) & 1];
        int need_dx = l > 0 || !c->freeze;
        lstm_backward(&n->lstm[l], &n->d_lstm[l], T, B, x, mask, &w->cache[l], dH, need_dx ? dX : NULL);
        dH = dX;
    }
    if (!c->freeze) {
        embedding_backward(B, T, c->embed_dim, ids, dH, n->d_emb);
        for (int i = 0; i < B * T; i++)
            if (!n->is_touched[ids[i]]) {
                n->is_touched[ids[i]] = 1;
                n->touched[n->ntouched++] = ids[i];
            }
    }
    return loss;
}

/* ---- model file I/O ---- */

void net_to_mfile(const net *n, mfile *m)
{
    const net_config *c = &n->cfg;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "cell", "lstm");
    cJSON_AddNumberToObject(j, "layers", c->layers);
    cJSON_AddNumberToObject(j, "hidden", c->hidden);
    cJSON_AddNumberToObject(j, "embed_dim", c->embed_dim);
    cJSON_AddNumberToObject(j, "vocab_size", c->vocab_size);
    cJSON_AddNumberToObject(j, "outputs", c->n_out);
    cJSON_AddStringToObject(j, "output_activation", c->n_out == 1 ? "sigmoid" : "softmax");
    cJSON_AddBoolToObject(j, "freeze_embedding", c->freeze);
    cJSON_AddBoolToObject(j, "mask", c->mask);
    cJSON_DeleteItemFromObject(m->meta, "network");
    cJSON_AddItemToObject(m->meta, "network", j);
    int64_t s[2];
    s[0] = c->vocab_size; s[1] = c->embed_dim;
    mf_put(m, "embedding", DT_F32, 2, s, n->emb, 0);
    for (int l = 0; l < c->layers; l++) {
        char name[64];
        const lstm_params *p = &n->lstm[l];
        snprintf(name, sizeof name, "lstm.%d.W", l);
        s[0] = p->C; s[1] = 4 * p->H;
        mf_put(m, name, DT_F32, 2, s, p->W, 0);
        snprintf(name, sizeof name, "lstm.%d.U", l);
        s[0] = p->H;
        mf_put(m, name, DT_F32, 2, s, p->U, 0);
        snprintf(name, sizeof name, "lstm.%d.b", l);
        s[0] = 4 * p->H;
        mf_put(m, name, DT_F32, 1, s, p->b, 0);
    }
    s[0] = c->hidden; s[1] = c->n_out;
    mf_put(m, "dense.W", DT_F32, 2, s, n->Wd, 0);
    s[0] = c->n_out;
    mf_put(m, "dense.b", DT_F32, 1, s, n->bd, 0);
}

static int json_int(const cJSON *o, const char *key, int lo, int hi, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi)
        return err_set("network.%s missing or out of range", key);
    *out = (int)v->valuedouble;
    return 0;
}

static float *tensor_f32(const mfile *m, const char *name, size_t count, int copy)
{
    const float *p = mf_get_checked(m, name, DT_F32, count);
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
    const cJSON *cell = cJSON_GetObjectItemCaseSensitive(j, "cell");
    if (!cJSON_IsString(cell) || strcmp(cell->valuestring, "lstm") != 0) {
        err_set("unsupported cell type '%s'", cJSON_IsString(cell) ? cell->valuestring : "?");
        return NULL;
    }
    net_config c = {0};
    if (json_int(j, "layers", 1, 64, &c.layers) < 0 || json_int(j, "hidden", 1, 1 << 16, &c.hidden) < 0 ||
        json_int(j, "embed_dim", 1, 1 << 16, &c.embed_dim) < 0 ||
        json_int(j, "vocab_size", 2, 1 << 30, &c.vocab_size) < 0 ||
        json_int(j, "outputs", 1, 1 << 20, &c.n_out) < 0)
        return NULL;
    c.freeze = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "freeze_embedding"));
    c.mask = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "mask"));
    net *n = xcalloc(1, sizeof *n);
    n->cfg = c;
    n->borrowed = !copy;
    n->lstm = xcalloc(c.layers, sizeof *n->lstm);
    int H = c.hidden, ok = 1;
    n->emb = tensor_f32(m, "embedding", (size_t)c.vocab_size * c.embed_dim, copy);
    ok &= n->emb != NULL;
    for (int l = 0; ok && l < c.layers; l++) {
        char name[64];
        lstm_params *p = &n->lstm[l];
        p->C = l ? H : c.embed_dim;
        p->H = H;
        snprintf(name, sizeof name, "lstm.%d.W", l);
        ok &= (p->W = tensor_f32(m, name, (size_t)p->C * 4 * H, copy)) != NULL;
        snprintf(name, sizeof name, "lstm.%d.U", l);
        ok &= ok && (p->U = tensor_f32(m, name, (size_t)H * 4 * H, copy)) != NULL;
        snprintf(name, sizeof name, "lstm.%d.b", l);
        ok &= ok && (p->b = tensor_f32(m, name, (size_t)4 * H, copy)) != NULL;
    }
    ok = ok && (n->Wd = tensor_f32(m, "dense.W", (size_t)H * c.n_out, copy)) != NULL;
    ok = ok && (n->bd = tensor_f32(m, "dense.b", (size_t)c.n_out, copy)) != NULL;
    if (!ok) {
        /* free what was copied; net_free handles NULLs */
        net_free(n);
        return NULL;
    }
    return n;
}
