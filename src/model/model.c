/* model.c - the model bundle <-> model file (see model.h). */
#include "model/model.h"
#include "nn/nbhead.h"
#include "model/netfile.h"
#include "base/quant.h"
#include "text/t2s.h"
#include "text/unknown.h"
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void model_init(model *m)
{
    memset(m, 0, sizeof *m);
    tok_config_default(&m->tok);
    m->pad_pre = m->trunc_pre = 1;
}

void model_free(model *m)
{
    tokenizer_free(m->tk);
    segdict_free(m->dict);
    free(m->dict_source);
    unk_match_free(m->unk);
    if (m->have_vocab) vocab_free(&m->voc);
    if (m->emb_owned) ffree(m->emb);
    cJSON_Delete(m->embed_info);
    for (int i = 0; i < m->nlabels; i++) free(m->labels[i]);
    free(m->labels);
    net_free(m->net);
    net_free(m->pretrained);
    model_drop_members(m);
    cJSON_Delete(m->train_info);
    mf_free(m->file);
    memset(m, 0, sizeof *m);
}

void model_drop_members(model *m)
{
    for (int i = 0; i < m->nmembers; i++) {
        net_free(m->members[i]);
        cJSON_Delete(m->member_info[i]);
    }
    free(m->members);
    free(m->member_info);
    m->members = NULL;
    m->member_info = NULL;
    m->nmembers = 0;
}

const char *model_kind(const model *m)
{
    return m->net ? (m->net->cfg.lm ? "lm" : "model") : m->emb ? "embed" : "vocab";
}

int model_check_classifier(const model *m, const char *path)
{
    if (m->net && m->net->cfg.lm)
        return err_set("%s: a language model (seqsent pretrain), not a classifier; fine-tune one from it: "
                       "seqsent train DATA --from %s -o MODEL", path, path);
    if (!m->net || m->nlabels < 2) return err_set("%s: not a trained model (kind '%s')", path, model_kind(m));
    return 0;
}

tokenizer *model_tokenizer(model *m)
{
    if (!m->tk) m->tk = tokenizer_new(&m->tok, m->dict);
    return m->tk;
}

int model_set_nb_weight(model *m, double w)
{
    int k = 0;
    for (int i = 0; i < model_nets(m); i++) {
        struct nb_head *h = model_net(m, i)->nb;   /* its own, whether the file is mapped or not */
        if (h) {
            h->weight = w;
            k++;
        }
    }
    return k;
}

void model_set_match_unknown(model *m, double min_cos)
{
    unk_match_free(m->unk);
    m->unk = min_cos > 0 ? unk_match_new(&m->voc, min_cos) : NULL;
    m->match_unknown = min_cos > 0 ? min_cos : 0;
}

int model_label_index(const model *m, const char *label)
{
    for (int i = 0; i < m->nlabels; i++)
        if (strcmp(m->labels[i], label) == 0) return i;
    return -1;
}

size_t model_encode(const model *m, const char *text, size_t len, toklist *scratch,
                    int32_t **idbuf, size_t *idcap, int32_t *out)
{
    toklist_clear(scratch);
    tokenize(m->tk, text, len, scratch);
    if (scratch->n > *idcap) {
        *idcap = scratch->n * 2;
        *idbuf = xrealloc(*idbuf, *idcap * sizeof **idbuf);
    }
    for (size_t i = 0; i < scratch->n; i++) {
        const char *t = toklist_get(scratch, i);
        size_t len = strlen(t);
        int32_t id = strmap_get(&m->voc.m, t, len);
        (*idbuf)[i] = id >= 0 ? id : m->unk ? unk_match_id(m->unk, t, len, NULL) : VOCAB_UNK;
    }
    pad_sequence(*idbuf, scratch->n, m->maxlen, m->pad_pre, m->trunc_pre, VOCAB_PAD, out);
    return scratch->n;
}

/* ---- writing ---- */

/* The dictionary's lookup tables (segdict.h, copied into f), their sizes
 * and sums in tk.tables: loading a model then builds nothing. */
static void put_dict_tables(const segdict *d, mfile *f, cJSON *tk)
{
    segdict_tables t;
    segdict_tables_export(d, &t);
    cJSON *tj = cJSON_AddObjectToObject(tk, "tables");
    cJSON_AddNumberToObject(tj, "layout", SEGDICT_TABLES_LAYOUT);
    cJSON_AddNumberToObject(tj, "words", (double)t.words);
    cJSON_AddNumberToObject(tj, "total", t.total);
    cJSON_AddNumberToObject(tj, "edges", (double)t.en);
    cJSON_AddNumberToObject(tj, "filter_shift", t.fshift);
    cJSON_AddItemToObject(tj, "hmm_tags", cJSON_CreateDoubleArray(t.tag_total, 4));
    cJSON_AddItemToObject(tj, "hmm_trans", cJSON_CreateDoubleArray(&t.trans[0][0], 16));
    cJSON_AddItemToObject(tj, "hmm_start", cJSON_CreateDoubleArray(t.start, 4));
    mf_put(f, "tokenizer.root", DT_I32, 2, (int64_t[]){ (int64_t)t.nroot, 3 }, t.root, 1);
    mf_put(f, "tokenizer.edges", DT_I32, 2, (int64_t[]){ (int64_t)t.ecap, 4 }, t.edges, 1);
    mf_put(f, "tokenizer.filter", DT_I64, 1, (int64_t[]){ (int64_t)t.nfilt }, t.filt, 1);
    mf_put(f, "tokenizer.hmm.chars", DT_I32, 1, (int64_t[]){ (int64_t)t.hn }, t.hchars, 1);
    mf_put(f, "tokenizer.hmm.counts", DT_I64, 2, (int64_t[]){ (int64_t)t.hn, 4 }, t.hem, 1);
    segdict_tables_release(&t);
}

/* The tokenizer settings and its dictionary (a blob, copied into f). */
static void put_tokenizer(const model *m, mfile *f)
{
    cJSON *tk = cJSON_AddObjectToObject(f->meta, "tokenizer");
    cJSON_AddStringToObject(tk, "lang", tok_lang_name(m->tok.lang));
    cJSON_AddBoolToObject(tk, "normalize", m->tok.normalize);
    cJSON_AddBoolToObject(tk, "squeeze", m->tok.squeeze);
    if (m->tok.t2s) cJSON_AddBoolToObject(tk, "t2s", 1);   /* only when set: older files stay byte-identical */
    cJSON_AddStringToObject(tk, "dictionary", m->dict_source ? m->dict_source : "none");
    cJSON_AddNumberToObject(tk, "dictionary_words", m->dict ? (double)segdict_size(m->dict) : 0);
    if (!m->dict) return;
    size_t len;
    char *blob = segdict_serialize(m->dict, &len);
    int64_t s = (int64_t)len;
    mf_put(f, "tokenizer.dict", DT_U8, 1, &s, blob, 1);
    /* the lookup tables of the dictionary a reader makes of the blob (not
     * of m->dict, which may have summed frequencies in another order) */
    segdict *rd = segdict_adopted(m->dict) ? m->dict : segdict_deserialize(blob, len);
    free(blob);
    if (rd) put_dict_tables(rd, f, tk);
    if (rd != m->dict) segdict_free(rd);
}

/* The vocabulary: tokens NUL-separated in id order, and their counts. */
static void put_vocab(const model *m, mfile *f)
{
    cJSON *vj = cJSON_AddObjectToObject(f->meta, "vocab");
    cJSON_AddNumberToObject(vj, "size", (double)m->voc.n);
    cJSON_AddNumberToObject(vj, "pad_id", VOCAB_PAD);
    cJSON_AddNumberToObject(vj, "unk_id", VOCAB_UNK);
    if (m->match_unknown > 0) {   /* older readers ignore it: unknown words are <unk> there */
        cJSON *mu = cJSON_AddObjectToObject(vj, "match_unknown");
        cJSON_AddNumberToObject(mu, "min_cosine", m->match_unknown);
        cJSON_AddItemToObject(mu, "ngrams", cJSON_CreateIntArray((const int[]){ UNK_MATCH_MINN, UNK_MATCH_MAXN }, 2));
    }
    size_t blen = 0;
    for (size_t i = 0; i < m->voc.n; i++) blen += strmap_keylen(&m->voc.m, (int32_t)i) + 1;
    char *blob = xmalloc(blen ? blen : 1), *p = blob;
    for (size_t i = 0; i < m->voc.n; i++) {
        size_t l = strmap_keylen(&m->voc.m, (int32_t)i);
        memcpy(p, vocab_token(&m->voc, (int32_t)i), l + 1);
        p += l + 1;
    }
    int64_t s = (int64_t)blen;
    mf_put(f, "vocab.tokens", DT_U8, 1, &s, blob, 1);
    free(blob);
    s = (int64_t)m->voc.n;
    mf_put(f, "vocab.counts", DT_I64, 1, &s, m->voc.counts, 0);
}

/* A trained model: network(s), labels, sequence settings, training record;
 * an ensemble's member k's tensors are named "m<k>.<name>". */
static void put_trained(const model *m, mfile *f, int store)
{
    cJSON *meta = f->meta;
    net_to_mfile(m->net, f, (net_store)store, m->int8_rows);
    cJSON *lab = cJSON_AddArrayToObject(meta, "labels");
    for (int i = 0; i < m->nlabels; i++) cJSON_AddItemToArray(lab, cJSON_CreateString(m->labels[i]));
    cJSON *sq = cJSON_AddObjectToObject(meta, "sequence");
    cJSON_AddNumberToObject(sq, "maxlen", m->maxlen);
    cJSON_AddStringToObject(sq, "padding", m->pad_pre ? "pre" : "post");
    cJSON_AddStringToObject(sq, "truncating", m->trunc_pre ? "pre" : "post");
    if (m->train_info) cJSON_AddItemToObject(meta, "training", cJSON_Duplicate(m->train_info, 1));
    if (!m->nmembers) return;
    cJSON *arr = cJSON_AddArrayToObject(meta, "members");
    for (int k = 0; k < m->nmembers; k++) {
        char prefix[24];
        snprintf(prefix, sizeof prefix, "m%d.", k + 1);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToObject(e, "network", net_config_json(m->members[k]));
        if (m->member_info[k]) cJSON_AddItemToObject(e, "training", cJSON_Duplicate(m->member_info[k], 1));
        cJSON_AddItemToArray(arr, e);
        net_put_tensors(m->members[k], f, prefix, (net_store)store, m->int8_rows);
    }
}

/* What a quantized file holds, for info and for the loaders' messages. */
static void put_quantization(mfile *f, int store, const model *m)
{
    cJSON *q = cJSON_AddObjectToObject(f->meta, "quantization");
    int i8 = store == STORE_INT8;
    cJSON_AddStringToObject(q, "precision", i8 ? "int8" : "bf16");
    cJSON_AddStringToObject(q, "matrices", i8 ? "int8, a scale per output column; the embedding a scale per row"
                                              : "bfloat16 (round to nearest even)");
    if (i8 && m->int8_rows > 0 && (size_t)m->int8_rows < m->voc.n) {
        cJSON *e = cJSON_AddObjectToObject(q, "embedding");
        cJSON_AddNumberToObject(e, "int8_rows", m->int8_rows);
        cJSON_AddNumberToObject(e, "int4_rows", (double)(m->voc.n - (size_t)m->int8_rows));
        cJSON_AddStringToObject(e, "rule", "rows 0..int8_rows-1 (the most frequent words) int8, the rest 4 bits (-7..7), a scale per row");
    }
    cJSON_AddStringToObject(q, "kept_f32", "biases and the output layer");
    cJSON_AddStringToObject(q, "activations", i8 ? "int8 with a scale per row, computed at run time; int32 sums, then f32"
                                                 : "bfloat16; f32 sums");
}

mfile *model_to_mfile(const model *m, int store)
{
    mfile *f = mf_new();
    cJSON_AddStringToObject(f->meta, "seqsent_version", SEQSENT_VERSION);
    cJSON_AddStringToObject(f->meta, "kind", model_kind(m));
    put_tokenizer(m, f);
    put_vocab(m, f);
    if (m->embed_info) cJSON_AddItemToObject(f->meta, "embedding", cJSON_Duplicate(m->embed_info, 1));
    if (m->net) {
        if (store == STORE_INT8 || store == STORE_BF16) put_quantization(f, store, m);
        put_trained(m, f, store);
    } else if (m->emb) {
        int64_t sh[2] = { (int64_t)m->voc.n, m->embed_dim };
        mf_put(f, "embedding", DT_F32, 2, sh, m->emb, 0);
    }
    return f;
}

int model_save(const model *m, const char *path)
{
    mfile *f = model_to_mfile(m, m->store);
    int rc = mf_write(f, path);
    mf_free(f);
    return rc;
}

/* ---- reading ---- */

static const char *jstr(const cJSON *o, const char *key, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : dflt;
}

/* The dictionary from its tables (put_dict_tables), or NULL when the file
 * has none, of another layout, or they do not fit (the caller then reads
 * the blob: the same dictionary, built). */
static segdict *dict_adopt(const mfile *f, const cJSON *tk, const mf_tensor *blob)
{
    const cJSON *tj = cJSON_GetObjectItemCaseSensitive(tk, "tables");
    const cJSON *lay = cJSON_GetObjectItemCaseSensitive(tj, "layout");
    if (!cJSON_IsNumber(lay) || lay->valuedouble != SEGDICT_TABLES_LAYOUT) return NULL;
    const mf_tensor *root = mf_get(f, "tokenizer.root"), *edges = mf_get(f, "tokenizer.edges"),
                    *filt = mf_get(f, "tokenizer.filter"), *hc = mf_get(f, "tokenizer.hmm.chars"),
                    *hem = mf_get(f, "tokenizer.hmm.counts");
    if (!root || !edges || !filt || !hc || !hem || root->dtype != DT_I32 || root->ndim != 2 || root->shape[1] != 3 ||
        edges->dtype != DT_I32 || edges->ndim != 2 || edges->shape[1] != 4 || filt->dtype != DT_I64 ||
        filt->ndim != 1 || hc->dtype != DT_I32 || hc->ndim != 1 || hem->dtype != DT_I64 || hem->ndim != 2 ||
        hem->shape[0] != hc->shape[0] || hem->shape[1] != 4)
        return NULL;
    segdict_tables t = { 0 };
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(tj, "words"), *tot = cJSON_GetObjectItemCaseSensitive(tj, "total"),
                *en = cJSON_GetObjectItemCaseSensitive(tj, "edges"), *fs = cJSON_GetObjectItemCaseSensitive(tj, "filter_shift");
    double sums[24];
    const char *const arrays[] = { "hmm_tags", "hmm_trans", "hmm_start" };
    const int lens[] = { 4, 16, 4 };
    for (int a = 0, k = 0; a < 3; a++) {
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(tj, arrays[a]);
        if (cJSON_GetArraySize(arr) != lens[a]) return NULL;
        for (int i = 0; i < lens[a]; i++) {
            const cJSON *v = cJSON_GetArrayItem(arr, i);
            if (!cJSON_IsNumber(v)) return NULL;
            sums[k++] = v->valuedouble;
        }
    }
    if (!cJSON_IsNumber(w) || !cJSON_IsNumber(tot) || !cJSON_IsNumber(en) || !cJSON_IsNumber(fs) ||
        w->valuedouble < 0 || w->valuedouble > 1e12 || en->valuedouble < 0 || en->valuedouble > 1e12 ||
        fs->valuedouble < 0 || fs->valuedouble > 64)
        return NULL;
    t.root = root->data;
    t.nroot = (size_t)root->shape[0];
    t.edges = edges->data;
    t.ecap = (size_t)edges->shape[0];
    t.en = (size_t)en->valuedouble;
    t.filt = filt->data;
    t.nfilt = (size_t)filt->shape[0];
    t.fshift = (int)fs->valuedouble;
    t.hchars = hc->data;
    t.hem = hem->data;
    t.hn = (size_t)hc->shape[0];
    memcpy(t.tag_total, sums, sizeof t.tag_total);
    memcpy(t.trans, sums + 4, sizeof t.trans);
    memcpy(t.start, sums + 20, sizeof t.start);
    t.total = tot->valuedouble;
    t.words = (size_t)w->valuedouble;
    return segdict_adopt(blob->data, blob->nbytes, &t);
}

static int load_body(model *m, const char *path, int copy)
{
    mfile *f = m->file;
    const cJSON *tk = cJSON_GetObjectItemCaseSensitive(f->meta, "tokenizer");
    if (!cJSON_IsObject(tk)) return err_set("%s: model has no tokenizer settings", path);
    int lang = tok_lang_parse(jstr(tk, "lang", "auto"));
    if (lang < 0) return err_set("%s: unknown tokenizer language '%s'", path, jstr(tk, "lang", ""));
    m->tok.lang = (tok_lang)lang;
    m->tok.normalize = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(tk, "normalize"));
    m->tok.squeeze = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tk, "squeeze"));
    m->tok.t2s = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tk, "t2s"));
    if (m->tok.t2s && t2s_ready() < 0) return err_prefix("%s: converts traditional Chinese (--t2s)", path);
    m->dict_source = xstrdup(jstr(tk, "dictionary", "none"));
    const mf_tensor *d = mf_get(f, "tokenizer.dict");
    if (d) {
        if (d->dtype != DT_U8) return err_set("%s: tensor 'tokenizer.dict' is not bytes", path);
        m->dict = dict_adopt(f, tk, d);   /* its tables used where they are */
        if (!m->dict && !(m->dict = segdict_deserialize(d->data, d->nbytes)))
            return err_prefix("%s: dictionary", path);
    }

    const mf_tensor *vt = mf_get(f, "vocab.tokens");
    if (!vt || vt->dtype != DT_U8) return err_set("%s: model has no vocabulary", path);
    const mf_tensor *vc = mf_get(f, "vocab.counts");
    if (!vc || vc->dtype != DT_I64) return err_set("%s: model has no vocabulary counts", path);
    if (vc->ndim != 1 || vc->shape[0] < 2 || vc->nbytes != (size_t)vc->shape[0] * sizeof(int64_t))
        return err_set("%s: corrupt vocabulary counts (shape)", path);
    /* tokens and counts used where they are, in the file's map (which
     * lives as long as the model): no copies */
    int rc = vocab_adopt(&m->voc, vt->data, vt->nbytes, vc->data, (size_t)vc->shape[0]);
    if (rc == -2) return err_set("%s: corrupt vocabulary (duplicate token)", path);
    if (rc < 0) return err_set("%s: corrupt vocabulary", path);
    m->have_vocab = 1;
    const cJSON *mu = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f->meta, "vocab"), "match_unknown");
    if (mu) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(mu, "min_cosine");
        const cJSON *ng = cJSON_GetObjectItemCaseSensitive(mu, "ngrams");
        if (!cJSON_IsNumber(c) || !(c->valuedouble > 0 && c->valuedouble <= 1))
            return err_set("%s: corrupt vocabulary settings (match_unknown.min_cosine)", path);
        if (cJSON_GetArraySize(ng) != 2 || cJSON_GetArrayItem(ng, 0)->valuedouble != UNK_MATCH_MINN ||
            cJSON_GetArrayItem(ng, 1)->valuedouble != UNK_MATCH_MAXN)
            return err_set("%s: unknown words are matched by n-grams this seqsent does not make "
                           "(it makes %d to %d); use the seqsent that wrote the file", path, UNK_MATCH_MINN, UNK_MATCH_MAXN);
        model_set_match_unknown(m, c->valuedouble);
    }

    const cJSON *ej = cJSON_GetObjectItemCaseSensitive(f->meta, "embedding");
    if (ej) m->embed_info = cJSON_Duplicate(ej, 1);
    const cJSON *tj = cJSON_GetObjectItemCaseSensitive(f->meta, "training");
    if (tj) m->train_info = cJSON_Duplicate(tj, 1);

    const cJSON *qj = cJSON_GetObjectItemCaseSensitive(f->meta, "quantization");
    if (qj && copy)
        return err_set("%s: a quantized model (%s, seqsent quantize): it can be used by eval, predict, encode and "
                       "serve, not trained, distilled from with --from, or joined in an ensemble; use the f32 model "
                       "it was made from", path, jstr(qj, "precision", "?"));
    if (cJSON_GetObjectItemCaseSensitive(f->meta, "network")) {
        m->net = net_from_mfile(f, copy);
        if (!m->net) return err_prefix("%s", path);
        if ((size_t)m->net->cfg.vocab_size != m->voc.n)
            return err_set("%s: network vocabulary size %d differs from the vocabulary's %zu",
                           path, m->net->cfg.vocab_size, m->voc.n);
        m->emb = m->net->emb;   /* NULL when quantized (m->net->emb_lp) */
        m->embed_dim = m->net->cfg.embed_dim;
        m->prec = m->net->prec;
        const cJSON *lab = cJSON_GetObjectItemCaseSensitive(f->meta, "labels");
        int nl = cJSON_GetArraySize(lab);
        m->multilabel = m->net->cfg.multilabel;
        int want = m->net->cfg.lm ? 0 : m->net->cfg.n_out == 1 && !m->multilabel ? 2 : m->net->cfg.n_out;   /* a language model has none */
        if (!cJSON_IsArray(lab) || nl != want)
            return err_set("%s: model has %d labels, its network %d outputs", path, nl, m->net->cfg.n_out);
        m->labels = xcalloc(nl, sizeof *m->labels);
        for (int i = 0; i < nl; i++) {
            const cJSON *s = cJSON_GetArrayItem(lab, i);
            if (!cJSON_IsString(s)) return err_set("%s: label %d is not a string", path, i);
            m->labels[m->nlabels++] = xstrdup(s->valuestring);
        }
        const cJSON *mem = cJSON_GetObjectItemCaseSensitive(f->meta, "members");
        if (mem) {
            int nm = cJSON_GetArraySize(mem);
            if (!cJSON_IsArray(mem) || nm < 1 || nm > 1000) return err_set("%s: bad ensemble member list", path);
            m->members = xcalloc(nm, sizeof *m->members);
            m->member_info = xcalloc(nm, sizeof *m->member_info);
            for (int k = 0; k < nm; k++) {
                const cJSON *e = cJSON_GetArrayItem(mem, k);
                char prefix[24];
                snprintf(prefix, sizeof prefix, "m%d.", k + 1);
                net *mn = net_from_json(cJSON_GetObjectItemCaseSensitive(e, "network"), f, prefix, copy);
                if (!mn) return err_prefix("%s: ensemble member %d", path, k + 1);
                m->members[m->nmembers] = mn;
                const cJSON *ti = cJSON_GetObjectItemCaseSensitive(e, "training");
                m->member_info[m->nmembers++] = ti ? cJSON_Duplicate(ti, 1) : NULL;
                if ((size_t)mn->cfg.vocab_size != m->voc.n || mn->cfg.n_out != m->net->cfg.n_out ||
                    mn->cfg.multilabel != m->net->cfg.multilabel)
                    return err_set("%s: ensemble member %d does not fit the vocabulary or the labels", path, k + 1);
            }
        }
        const cJSON *sq = cJSON_GetObjectItemCaseSensitive(f->meta, "sequence");
        const cJSON *ml = cJSON_GetObjectItemCaseSensitive(sq, "maxlen");
        if (!cJSON_IsNumber(ml) || ml->valuedouble < 1 || ml->valuedouble > 1e6)
            return err_set("%s: model has no valid sequence.maxlen", path);
        m->maxlen = (int)ml->valuedouble;
        m->pad_pre = strcmp(jstr(sq, "padding", "pre"), "post") != 0;
        m->trunc_pre = strcmp(jstr(sq, "truncating", "pre"), "post") != 0;
    } else if (mf_get(f, "embedding")) {
        const mf_tensor *e = mf_get(f, "embedding");
        if (e->ndim != 2 || (size_t)e->shape[0] != m->voc.n || e->dtype != DT_F32)
            return err_set("%s: embedding shape does not match the vocabulary", path);
        m->embed_dim = (int)e->shape[1];
        m->emb = (float *)e->data;   /* borrowed from the map */
    }
    return 0;
}

/* The tensors MODEL_LAZY leaves for their rows' first use: the embeddings
 * (an ensemble member's "m2.embedding") and bags, most of a big model's
 * bytes, of which a short input reads a few rows. */
static int lazy_tensor(const char *name)
{
    size_t n = strlen(name);
    for (const char *const *s = (const char *const[]){ "embedding", "embedding.q4", "bag", NULL }; *s; s++) {
        size_t k = strlen(*s);
        if (n >= k && !strcmp(name + n - k, *s) && (n == k || name[n - k - 1] == '.')) return 1;
    }
    return 0;
}

static int need_bytes(void *ctx, const void *p, size_t n)
{
    return mf_need(ctx, p, n);
}

int model_load(model *m, const char *path, int flags)
{
    model_init(m);
    const int copy_weights = flags & MODEL_COPY, lazy = (flags & MODEL_LAZY) && !copy_weights;
    /* the checksum runs on other threads while the model is read; a file
     * that fails it is corrupt, whatever else is wrong with it */
    m->file = lazy ? mf_read_lazy(path, lazy_tensor) : mf_read_begin(path);
    if (!m->file) return -1;
    int rc = load_body(m, path, copy_weights);
    if (rc == 0 && m->file->blk)   /* rows checked as they are used */
        for (int i = 0; i < model_nets(m); i++) {
            net *n = (net *)model_net(m, i);
            n->emb_check = need_bytes;
            n->emb_check_ctx = m->file;
        }
    if (mf_verify(m->file) < 0) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", err_msg());
        model_free(m);
        return err_set("%s", msg);
    }
    if (rc == 0) {
        model_tokenizer(m);   /* model_encode needs it; building it is cheap */
        return 0;
    }
    {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", err_msg());
        model_free(m);
        return err_set("%s", msg);
    }
}
