/* netfile.c - a network in a model file (see netfile.h): the "network"
 * metadata object, and one tensor per entry of the network's parameter
 * list, stored as f32 or f16 (--half) and borrowed from the map, copied or
 * converted when loaded. */
#include "model/netfile.h"
#include "base/err.h"
#include "base/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (!c->lm) {   /* the classifier's summary and head */
        cJSON_AddNumberToObject(j, "dense", c->dense);
        cJSON_AddStringToObject(j, "pool", pool_name(c->pool));
    }
    cJSON_AddNumberToObject(j, "embed_dim", c->embed_dim);
    cJSON_AddNumberToObject(j, "vocab_size", c->vocab_size);
    if (c->lm) {   /* a language model (pretrain): what it predicts and how it was trained */
        cJSON_AddStringToObject(j, "objective", c->bidir ? "next and previous token" : "next token");
        cJSON_AddStringToObject(j, "output_layer", "sampled softmax");
        cJSON_AddNumberToObject(j, "samples", c->lm_samples);
        cJSON_AddBoolToObject(j, "tied_embeddings", c->lm_tie);
    } else {
        cJSON_AddNumberToObject(j, "outputs", c->n_out);
        cJSON_AddStringToObject(j, "output_activation", c->multilabel ? OUTPUT_MULTILABEL
                                                        : c->n_out == 1 ? "sigmoid" : "softmax");
    }
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
    char full[96];
    for (int i = 0; i < n->plist.n; i++) {
        const param_spec *s = &n->plist.spec[i];
        put_float(m, pname(full, sizeof full, prefix, s->name), s->ndim, s->shape, *s->w, half);
    }
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

/* The inverse of net_config_json. */
static int config_from_json(const cJSON *j, net_config *c)
{
    if (!cJSON_IsObject(j)) return err_set("network description is not an object");
    const cJSON *cell = cJSON_GetObjectItemCaseSensitive(j, "cell");
    int ct = cJSON_IsString(cell) ? cell_parse(cell->valuestring) : -1;
    if (ct < 0) return err_set("unsupported cell type '%s'", cJSON_IsString(cell) ? cell->valuestring : "?");
    memset(c, 0, sizeof *c);
    c->cell = (cell_type)ct;
    if (json_int(j, "layers", 1, 64, -1, &c->layers) < 0 || json_int(j, "hidden", 1, 1 << 16, -1, &c->hidden) < 0 ||
        json_int(j, "embed_dim", 1, 1 << 16, -1, &c->embed_dim) < 0 ||
        json_int(j, "vocab_size", 2, 1 << 30, -1, &c->vocab_size) < 0 ||
        json_int(j, "dense", 0, 1 << 16, 0, &c->dense) < 0)
        return -1;
    c->lm = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "objective"));
    if (c->lm) {
        if (json_int(j, "samples", 1, 1 << 24, -1, &c->lm_samples) < 0) return -1;
        c->lm_tie = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "tied_embeddings"));
        if (c->lm_tie && c->hidden != c->embed_dim) return err_set("network: tied embeddings need hidden = embed_dim");
    } else if (json_int(j, "outputs", 1, 1 << 20, -1, &c->n_out) < 0) {
        return -1;
    } else {
        const cJSON *act = cJSON_GetObjectItemCaseSensitive(j, "output_activation");
        c->multilabel = cJSON_IsString(act) && !strcmp(act->valuestring, OUTPUT_MULTILABEL);
        if (c->multilabel && c->n_out < 2) return err_set("network: a multi-label output needs 2 or more labels");
    }
    c->freeze = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "freeze_embedding"));
    c->mask = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "mask"));
    c->bidir = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "bidirectional"));
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(j, "pool");
    c->pool = cJSON_IsString(pl) ? pool_parse(pl->valuestring) : POOL_LAST;
    if (c->pool < 0) return err_set("unsupported pooling '%s'", pl->valuestring);
    const cJSON *dr = cJSON_GetObjectItemCaseSensitive(j, "dropout");
    c->dropout = cJSON_IsNumber(dr) && dr->valuedouble > 0 && dr->valuedouble < 1 ? (float)dr->valuedouble : 0;
    return 0;
}

net *net_from_json(const cJSON *j, const mfile *m, const char *prefix, int copy)
{
    net_config c;
    if (config_from_json(j, &c) < 0) return NULL;
    net *n = net_shell(&c);
    /* weights stored as f16 (--half) are converted, so never borrowed; the
     * first tensor (the embedding) tells */
    char full[96];
    const mf_tensor *first = mf_get(m, pname(full, sizeof full, prefix, n->plist.spec[0].name));
    int half = first && first->dtype == DT_F16;
    if (half) copy = 1;
    n->borrowed = !copy;
    for (int i = 0; i < n->plist.n; i++) {
        const param_spec *s = &n->plist.spec[i];
        if (!(*s->w = tensor_f32(m, prefix, s->name, s->n, copy, half))) {
            net_free(n);   /* frees the copies made so far */
            return NULL;
        }
    }
    return n;
}
