/* netfile.c - a network in a model file (see netfile.h): the "network"
 * metadata object, and one tensor per entry of the network's parameter
 * list, stored as f32 or f16 (--half) and borrowed from the map, copied or
 * converted when loaded, or quantized (int8 / bf16) and packed when loaded. */
#include "model/netfile.h"
#include "base/err.h"
#include "base/fileio.h"
#include "base/quant.h"
#include "nn/nbhead.h"

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
        if (net_attention_units(c)) cJSON_AddNumberToObject(j, "attention_units", net_attention_units(c));
        if (c->bag_dim > 0) {   /* a bag of n-grams beside the summary (nn/bag.h) */
            cJSON *b = cJSON_AddObjectToObject(j, "bag");
            cJSON_AddNumberToObject(b, "dim", c->bag_dim);
            cJSON_AddNumberToObject(b, "buckets", c->bag_buckets);
            cJSON_AddNumberToObject(b, "ngrams", 2);   /* words and bag_bigram's hashed word pairs */
        }
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
    if (n->nb) {   /* a naive Bayes head mixed into the output (nn/nbhead.h) */
        const nb_head *h = n->nb;
        cJSON *b = cJSON_AddObjectToObject(j, "naive_bayes");
        cJSON_AddNumberToObject(b, "ngrams", 2);   /* words and exact word pairs */
        cJSON_AddNumberToObject(b, "alpha", h->alpha);
        cJSON_AddNumberToObject(b, "scale", h->scale);
        cJSON_AddNumberToObject(b, "weight", h->weight);
        cJSON_AddNumberToObject(b, "classes", h->C);
        cJSON_AddNumberToObject(b, "pairs", (double)h->npairs);
        if (h->F) {   /* the words' character n-grams (text/chargrams.h) */
            int r[2] = { h->fmin, h->fmax };
            cJSON_AddItemToObject(b, "char_ngrams", cJSON_CreateIntArray(r, 2));
            cJSON_AddNumberToObject(b, "char_features", h->F);
        }
    }
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

/* Quantized storage applies to the matrices (2-D) but the output layer's
 * and attention pooling's: the output's few columns decide the
 * probabilities directly, attention's scores weigh every step, and both
 * are small. */
static int quantized_entry(const net *n, int i)
{
    const param_spec *s = &n->plist.spec[i];
    return s->ndim == 2 && s->w != &n->Wd && s->w != &n->attW && s->w != &n->attv;
}

/* Tables read by rows (the embedding, the bag) are quantized per row, the
 * matrices multiplied per column. */
static int by_rows(const net *n, int i) { return i == 0 || n->plist.spec[i].w == &n->bag; }

/* mf_put a matrix as int8 + scales (the embedding and the bag per row, the
 * embedding's rows from int8_rows on in 4 bits; the others per column) or
 * bf16. */
static void put_quantized(mfile *m, const char *name, const param_spec *s, int by_row, net_store store, int int8_rows)
{
    const int R = (int)s->shape[0], C = (int)s->shape[1];
    if (store == STORE_BF16) {
        uint16_t *b = xmalloc(s->n ? s->n * sizeof *b : 1);
        bf16_row(*s->w, (int)s->n, b);
        mf_put(m, name, DT_BF16, 2, s->shape, b, 1);
        free(b);
        return;
    }
    int8_t *q = xmalloc(s->n ? s->n : 1);
    float *sc = xmalloc(sizeof(float) * (size_t)(by_row ? R : C) + 1);
    char sname[112];
    int R8 = by_row && int8_rows > 0 && int8_rows < R ? int8_rows : R;   /* rows in int8 */
    if (by_row) quant_int8_rows(*s->w, R8, C, q, sc);
    else quant_int8_cols(*s->w, R, C, q, sc);
    int64_t sh8[2] = { R8, C };
    mf_put(m, name, DT_I8, 2, sh8, q, 1);
    if (R8 < R) {   /* the rest of the embedding's rows in 4 bits */
        const size_t rb = (size_t)(C + 1) / 2;
        uint8_t *q4 = xmalloc((size_t)(R - R8) * rb);
        for (int r = R8; r < R; r++) sc[r] = quant_int4_row(*s->w + (size_t)r * C, C, q4 + (size_t)(r - R8) * rb);
        int64_t sh4[2] = { R - R8, (int64_t)rb };
        snprintf(sname, sizeof sname, "%s.q4", name);
        mf_put(m, sname, DT_U8, 2, sh4, q4, 1);
        free(q4);
    }
    snprintf(sname, sizeof sname, "%s.scale", name);
    int64_t ns = by_row ? R : C;
    mf_put(m, sname, DT_F32, 1, &ns, sc, 1);
    free(q);
    free(sc);
}

void net_put_tensors(const net *n, mfile *m, const char *prefix, net_store store, int int8_rows)
{
    char full[96];
    for (int i = 0; i < n->plist.n; i++) {
        const param_spec *s = &n->plist.spec[i];
        pname(full, sizeof full, prefix, s->name);
        if ((store == STORE_INT8 || store == STORE_BF16) && quantized_entry(n, i))
            put_quantized(m, full, s, by_rows(n, i), store, i == 0 ? int8_rows : 0);
        else
            put_float(m, full, s->ndim, s->shape, *s->w, store == STORE_F16);
    }
    if (n->nb) {   /* f32 whatever the store: small, and its sums want the bits */
        const nb_head *h = n->nb;
        int64_t lshape[2] = { h->V + h->npairs + h->F, h->C }, pshape[2] = { h->npairs, 2 }, c = h->C;
        mf_put(m, pname(full, sizeof full, prefix, "nb.logp"), DT_F32, 2, lshape, h->logp, 0);
        mf_put(m, pname(full, sizeof full, prefix, "nb.prior"), DT_F32, 1, &c, h->prior, 0);
        if (h->npairs) mf_put(m, pname(full, sizeof full, prefix, "nb.pairs"), DT_I32, 2, pshape, h->pairs, 0);
        if (h->F) {
            int64_t oshape = h->V + 1, fshape = h->foff[h->V];
            mf_put(m, pname(full, sizeof full, prefix, "nb.char_off"), DT_I32, 1, &oshape, h->foff, 0);
            if (fshape) mf_put(m, pname(full, sizeof full, prefix, "nb.char_feat"), DT_I32, 1, &fshape, h->ffeat, 0);
        }
    }
}

void net_to_mfile(const net *n, mfile *m, net_store store, int int8_rows)
{
    cJSON_DeleteItemFromObject(m->meta, "network");
    cJSON_AddItemToObject(m->meta, "network", net_config_json(n));
    net_put_tensors(n, m, "", store, int8_rows);
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
    if (c->pool == POOL_ATTN && !c->lm && json_int(j, "attention_units", 1, 1 << 16, -1, &c->attn) < 0) return -1;
    const cJSON *bag = cJSON_GetObjectItemCaseSensitive(j, "bag");
    if (bag && !c->lm) {
        if (json_int(bag, "dim", 1, 1 << 16, -1, &c->bag_dim) < 0 || json_int(bag, "buckets", 1, 1 << 28, -1, &c->bag_buckets) < 0)
            return -1;
        const cJSON *ng = cJSON_GetObjectItemCaseSensitive(bag, "ngrams");
        if (!cJSON_IsNumber(ng) || ng->valuedouble != 2)
            return err_set("network.bag: n-grams other than words and word bigrams (a newer seqsent's model?)");
        if ((int64_t)c->vocab_size + c->bag_buckets > (1LL << 30)) return err_set("network: bag: too many rows");
    }
    const cJSON *dr = cJSON_GetObjectItemCaseSensitive(j, "dropout");
    c->dropout = cJSON_IsNumber(dr) && dr->valuedouble > 0 && dr->valuedouble < 1 ? (float)dr->valuedouble : 0;
    return 0;
}

/* Entry i of a quantized network from its tensor t (i8 or bf16): the
 * embedding and the bag stay in the map, the other matrices are packed. */
static int load_quantized(net *n, int i, const mf_tensor *t, const mfile *m, const char *full)
{
    const param_spec *s = &n->plist.spec[i];
    const precision p = t->dtype == DT_I8 ? PREC_INT8 : PREC_BF16;
    if (!quantized_entry(n, i)) return err_set("tensor '%s' cannot be %s", full, mf_dtype_name(t->dtype));
    if (n->prec && n->prec != (int)p) return err_set("tensor '%s': int8 and bf16 mixed in one network", full);
    n->prec = p;
    const uint8_t *q4 = NULL;
    int64_t rows = s->shape[0];
    if (i == 0 && p == PREC_INT8) {   /* the rarer rows in 4 bits? */
        char qname[112];
        snprintf(qname, sizeof qname, "%s.q4", full);
        const mf_tensor *t4 = mf_get(m, qname);
        if (t4) {
            rows = t->shape[0];
            if (t->ndim != 2 || rows < 0 || rows > s->shape[0] || t4->dtype != DT_U8 || t4->ndim != 2 ||
                t4->shape[0] != s->shape[0] - rows || t4->shape[1] != (s->shape[1] + 1) / 2)
                return err_set("tensor '%s' has the wrong shape", qname);
            q4 = t4->data;
        }
    }
    if (t->ndim != 2 || t->shape[0] != rows || t->shape[1] != s->shape[1])
        return err_set("tensor '%s' has the wrong shape", full);
    const float *sc = NULL;
    if (p == PREC_INT8) {
        char sname[112];
        snprintf(sname, sizeof sname, "%s.scale", full);
        if (!(sc = mf_get_checked(m, sname, DT_F32, (size_t)(by_rows(n, i) ? s->shape[0] : s->shape[1])))) return -1;
    }
    if (s->w == &n->bag) {   /* rows dequantized as the bag reads them */
        n->bag_lp = t->data;
        n->bag_scale = sc;
        return 0;
    }
    if (i == 0) {   /* the embedding: rows are dequantized when the inference table needs them */
        n->emb_lp = t->data;
        n->emb_scale = sc;
        n->emb_rows8 = (int)rows;
        n->emb_q4 = q4;
        return 0;
    }
    if (!n->qw) n->qw = xcalloc((size_t)n->plist.n, sizeof *n->qw);
    n->qw[i] = p == PREC_INT8 ? qmat_int8(t->data, sc, (int)s->shape[0], (int)s->shape[1])
                              : qmat_bf16(t->data, (int)s->shape[0], (int)s->shape[1]);
    /* where the network's code looks for it */
    const int nr = n->cfg.layers * net_directions(&n->cfg);
    for (int k = 0; k < nr; k++) {
        if (s->w == &n->rnn[k].W) n->rnn[k].Wq = n->qw[i];
        if (s->w == &n->rnn[k].U) n->rnn[k].Uq = n->qw[i];
    }
    if (s->w == &n->W1) n->W1q = n->qw[i];
    return 0;
}

/* A naive Bayes head (nn/nbhead.h) from its "naive_bayes" object and its
 * tensors: borrowed from the map or copied. */
static nb_head *nbhead_from_json(const cJSON *j, const mfile *m, const char *prefix, const net_config *c, int copy)
{
    int C, ng;
    double np;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "alpha"), *sc = cJSON_GetObjectItemCaseSensitive(j, "scale"),
                *wt = cJSON_GetObjectItemCaseSensitive(j, "weight"), *pr = cJSON_GetObjectItemCaseSensitive(j, "pairs");
    if (json_int(j, "ngrams", 1, 64, -1, &ng) < 0 || json_int(j, "classes", 2, 1 << 20, -1, &C) < 0) return NULL;
    if (ng != 2) { err_set("network.naive_bayes: n-grams other than words and word pairs (a newer seqsent's model?)"); return NULL; }
    if (C != (c->n_out == 1 ? 2 : c->n_out)) { err_set("network.naive_bayes: %d classes for %d outputs", C, c->n_out); return NULL; }
    if (!cJSON_IsNumber(a) || !cJSON_IsNumber(sc) || !cJSON_IsNumber(wt) || !cJSON_IsNumber(pr) || !(a->valuedouble > 0) ||
        !(sc->valuedouble > 0) || !(wt->valuedouble >= 0 && wt->valuedouble <= 1) || (np = pr->valuedouble) < 0 ||
        np != (double)(int64_t)np || np > (double)(1 << 30)) {
        err_set("network.naive_bayes: alpha, scale, weight or pairs missing or out of range");
        return NULL;
    }
    /* the words' character n-grams: none in a file from before them */
    const cJSON *cg = cJSON_GetObjectItemCaseSensitive(j, "char_ngrams");
    int fmin = 0, fmax = 0, F = 0;
    if (cg) {
        const cJSON *lo = cJSON_GetArrayItem(cg, 0), *hi = cJSON_GetArrayItem(cg, 1);
        if (!cJSON_IsArray(cg) || cJSON_GetArraySize(cg) != 2 || !cJSON_IsNumber(lo) || !cJSON_IsNumber(hi) ||
            (fmin = lo->valueint) < 1 || (fmax = hi->valueint) < fmin || fmax > 64 ||
            json_int(j, "char_features", 1, INT32_MAX, -1, &F) < 0) {
            err_set("network.naive_bayes: char_ngrams [min, max] or char_features missing or out of range");
            return NULL;
        }
    }
    char full[96];
    const size_t V = (size_t)c->vocab_size, P = (size_t)np;
    const float *logp = mf_get_checked(m, pname(full, sizeof full, prefix, "nb.logp"), DT_F32, (V + P + (size_t)F) * (size_t)C);
    const float *prior = logp ? mf_get_checked(m, pname(full, sizeof full, prefix, "nb.prior"), DT_F32, (size_t)C) : NULL;
    const int32_t *pairs = prior && P ? mf_get_checked(m, pname(full, sizeof full, prefix, "nb.pairs"), DT_I32, 2 * P) : NULL;
    if (!prior || (P && !pairs)) return NULL;
    if (P && !nbhead_pairs_valid(pairs, (int64_t)P, (int32_t)V)) {
        err_set("tensor '%snb.pairs': not ascending pairs of word ids", prefix);
        return NULL;
    }
    const int32_t *foff = NULL, *ffeat = NULL;
    size_t nf = 0;
    if (F) {
        if (!(foff = mf_get_checked(m, pname(full, sizeof full, prefix, "nb.char_off"), DT_I32, V + 1))) return NULL;
        nf = foff[V] > 0 ? (size_t)foff[V] : 0;
        if (nf && !(ffeat = mf_get_checked(m, pname(full, sizeof full, prefix, "nb.char_feat"), DT_I32, nf))) return NULL;
        if (!nbhead_wordfeats_valid(foff, ffeat, (int32_t)V, F)) {
            err_set("tensors '%snb.char_off', '%snb.char_feat': not a table of each word's features", prefix, prefix);
            return NULL;
        }
    }
    nb_head *h = xcalloc(1, sizeof *h);
    h->C = C;
    h->V = (int32_t)V;
    h->npairs = (int64_t)P;
    h->F = F;
    h->fmin = fmin;
    h->fmax = fmax;
    h->alpha = a->valuedouble;
    h->scale = sc->valuedouble;
    h->weight = wt->valuedouble;
    h->borrowed = !copy;
    if (copy) {
        h->logp = xmalloc((V + P + (size_t)F) * (size_t)C * sizeof *h->logp);
        memcpy(h->logp, logp, (V + P + (size_t)F) * (size_t)C * sizeof *h->logp);
        if (F) {
            h->foff = xmalloc((V + 1) * sizeof *h->foff);
            memcpy(h->foff, foff, (V + 1) * sizeof *h->foff);
            h->ffeat = xmalloc((nf ? nf : 1) * sizeof *h->ffeat);
            if (nf) memcpy(h->ffeat, ffeat, nf * sizeof *h->ffeat);
        }
        h->prior = xmalloc((size_t)C * sizeof *h->prior);
        memcpy(h->prior, prior, (size_t)C * sizeof *h->prior);
        h->pairs = xmalloc((P ? P : 1) * 2 * sizeof *h->pairs);
        if (P) memcpy(h->pairs, pairs, P * 2 * sizeof *h->pairs);
    } else {
        h->logp = (float *)logp;
        h->prior = (float *)prior;
        h->pairs = (int32_t *)pairs;
        h->foff = (int32_t *)foff;
        h->ffeat = (int32_t *)ffeat;
    }
    return h;
}

net *net_from_json(const cJSON *j, const mfile *m, const char *prefix, int copy)
{
    net_config c;
    if (config_from_json(j, &c) < 0) return NULL;
    net *n = net_shell(&c);
    /* weights stored as f16 (--half) are converted, so never borrowed; the
     * first tensor (the embedding) tells; a quantized network's (i8, bf16)
     * are always borrowed (its matrices packed) */
    char full[96];
    const mf_tensor *first = mf_get(m, pname(full, sizeof full, prefix, n->plist.spec[0].name));
    int half = first && first->dtype == DT_F16;
    int lowp = first && (first->dtype == DT_I8 || first->dtype == DT_BF16);
    if (half) copy = 1;
    if (lowp && copy) {
        err_set("a quantized (%s) network is for inference only", first->dtype == DT_I8 ? "int8" : "bf16");
        net_free(n);
        return NULL;
    }
    if (lowp && c.lm) {
        err_set("a language model cannot be quantized");
        net_free(n);
        return NULL;
    }
    n->borrowed = !copy;
    for (int i = 0; i < n->plist.n; i++) {
        const param_spec *s = &n->plist.spec[i];
        const mf_tensor *t = lowp ? mf_get(m, pname(full, sizeof full, prefix, s->name)) : NULL;
        if (t && (t->dtype == DT_I8 || t->dtype == DT_BF16)) {
            if (load_quantized(n, i, t, m, full) < 0) {
                net_free(n);
                return NULL;
            }
            continue;
        }
        if (!(*s->w = tensor_f32(m, prefix, s->name, s->n, copy, half))) {
            net_free(n);   /* frees the copies made so far */
            return NULL;
        }
    }
    const cJSON *nb = cJSON_GetObjectItemCaseSensitive(j, "naive_bayes");
    if (nb && (c.lm || c.multilabel || !(n->nb = nbhead_from_json(nb, m, prefix, &c, copy)))) {
        if (c.lm || c.multilabel) err_set("network.naive_bayes: only a single-label classifier has one");
        net_free(n);
        return NULL;
    }
    return n;
}
