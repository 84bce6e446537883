/* test_model.c - the model bundle: save/load round trips of every kind
 * (vocab, embed, trained model; bit-identical predictions), model_encode,
 * load errors, seeded initialisation, and a small training run. */
#include "model/model.h"
#include "base/err.h"
#include "nn/nbhead.h"
#include "nn/net.h"
#include "text/chargrams.h"
#include "train/train.h"
#include "test.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "testfiles.h"

static void rm_dir(void)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) unlink(pth(e->d_name));
    closedir(d);
    rmdir(dir);
}

static int32_t tid(const model *m, const char *tok) { return vocab_id(&m->voc, tok, strlen(tok)); }

/* ---- building a bundle in memory ---- */

static const char *const zh_words[] = { "喜欢", "电影", "这部", "好看", "不好看", "非常" };
static const double zh_freq[] = { 1200, 900, 400, 700, 300, 800 };

static void set_labels(model *m, int n, const char *const *names)
{
    m->labels = xcalloc((size_t)n, sizeof *m->labels);
    for (int i = 0; i < n; i++) m->labels[i] = xstrdup(names[i]);
    m->nlabels = n;
}

/* Tokenizer settings, a dictionary and a vocabulary (a "vocab" bundle). */
static void build_base(model *m, int with_dict)
{
    model_init(m);
    m->tok.lang = LANG_AUTO;
    m->tok.normalize = 1;
    m->tok.squeeze = 1;   /* not the default: must survive the round trip */
    if (with_dict) {
        m->dict = segdict_new();
        for (size_t i = 0; i < sizeof zh_words / sizeof *zh_words; i++)
            segdict_add(m->dict, zh_words[i], strlen(zh_words[i]), zh_freq[i]);
        m->dict_source = xstrdup("unit-test dictionary");
    }
    counter c;
    counter_init(&c);
    static const struct { const char *t; int n; } toks[] = {
        { "good", 9 }, { "the", 12 }, { "movie", 7 }, { "bad", 5 }, { "喜欢", 4 }, { "电影", 4 },
        { "我", 3 }, { "soo", 2 }, { "not", 6 }, { "great", 3 }, { "非常", 2 }, { "boring", 1 },
    };
    for (size_t i = 0; i < sizeof toks / sizeof *toks; i++) counter_add(&c, toks[i].t, strlen(toks[i].t), toks[i].n);
    vocab_build(&m->voc, &c, 1, 0);
    m->have_vocab = 1;
    counter_free(&c);
}

/* A trained-model bundle with K labels (2 -> sigmoid head). */
static void build_model(model *m, int nlabels, int layers, int mask, int freeze, int pad_pre, int trunc_pre,
                        uint64_t seed)
{
    static const char *const names2[] = { "neg", "pos" }, *const names3[] = { "neg", "neu", "pos" };
    build_base(m, 1);
    set_labels(m, nlabels, nlabels == 2 ? names2 : names3);
    m->maxlen = 7;
    m->pad_pre = pad_pre;
    m->trunc_pre = trunc_pre;
    net_config nc = { .vocab_size = (int)m->voc.n, .embed_dim = 5, .hidden = 4, .layers = layers,
                      .n_out = nlabels == 2 ? 1 : nlabels, .freeze = freeze, .mask = mask };
    m->net = net_new(&nc);
    rng r;
    rng_seed(&r, seed);
    net_init(m->net, &r, NULL);
    m->emb = m->net->emb;
    m->embed_dim = nc.embed_dim;
    m->train_info = cJSON_CreateObject();
    cJSON_AddNumberToObject(m->train_info, "epochs", 3);
    cJSON_AddStringToObject(m->train_info, "note", "unit test");
}

/* ---- comparisons ---- */

static const char *const sentences[] = {
    "我喜欢这部电影", "这部电影非常好看", "这部电影不好看", "I soooo liked the movie, 非常喜欢!", "",
    "Not GOOD at all... boring", "電影",
};

static void check_same_tokens(model *a, model *b)
{
    tokenizer *ta = model_tokenizer(a), *tb = model_tokenizer(b);
    CHECK(ta != NULL && tb != NULL);
    toklist la = {0}, lb = {0};
    for (size_t s = 0; s < sizeof sentences / sizeof *sentences; s++) {
        toklist_clear(&la);
        toklist_clear(&lb);
        tokenize(ta, sentences[s], strlen(sentences[s]), &la);
        tokenize(tb, sentences[s], strlen(sentences[s]), &lb);
        int same = la.n == lb.n;
        for (size_t i = 0; same && i < la.n; i++) same = strcmp(toklist_get(&la, i), toklist_get(&lb, i)) == 0;
        CHECK_MSG(same, "tokens of '%s' differ after load", sentences[s]);
    }
    toklist_free(&la);
    toklist_free(&lb);
}

static void check_same_vocab(const vocab *a, const vocab *b)
{
    CHECK_INT(b->n, a->n);
    int same = a->n == b->n;
    for (size_t i = 0; same && i < a->n; i++)
        same = strcmp(vocab_token(a, (int32_t)i), vocab_token(b, (int32_t)i)) == 0 && a->counts[i] == b->counts[i] &&
               vocab_id(b, vocab_token(a, (int32_t)i), strlen(vocab_token(a, (int32_t)i))) == (int32_t)i;
    CHECK(same);
    CHECK_INT(vocab_id(b, "never-seen", 10), VOCAB_UNK);
}

static void check_same_base(model *a, model *b)
{
    CHECK_INT(b->tok.lang, a->tok.lang);
    CHECK_INT(b->tok.normalize, a->tok.normalize);
    CHECK_INT(b->tok.squeeze, a->tok.squeeze);
    CHECK_STR(b->dict_source, a->dict_source ? a->dict_source : "none");
    CHECK_INT(b->dict != NULL, a->dict != NULL);
    if (a->dict && b->dict) CHECK_INT(segdict_size(b->dict), segdict_size(a->dict));
    CHECK_INT(b->have_vocab, 1);
    check_same_vocab(&a->voc, &b->voc);
    check_same_tokens(a, b);
}

static int same_floats(const float *a, const float *b, size_t n) { return a && b && memcmp(a, b, n * sizeof *a) == 0; }

static int nets_identical(const net *a, const net *b)
{
    const net_config *c = &a->cfg;
    if (memcmp(&a->cfg, &b->cfg, sizeof a->cfg) != 0) return 0;
    int ok = same_floats(a->emb, b->emb, (size_t)c->vocab_size * c->embed_dim);
    for (int l = 0; l < c->layers; l++) {
        const cell_params *p = &a->rnn[l], *q = &b->rnn[l];
        ok &= p->C == q->C && p->H == q->H;
        ok &= same_floats(p->W, q->W, (size_t)p->C * 4 * p->H);
        ok &= same_floats(p->U, q->U, (size_t)p->H * 4 * p->H);
        ok &= same_floats(p->b, q->b, (size_t)4 * p->H);
    }
    ok &= same_floats(a->Wd, b->Wd, (size_t)c->hidden * c->n_out);
    ok &= same_floats(a->bd, b->bd, (size_t)c->n_out);
    return ok;
}

/* Probabilities [B, K] of a fixed batch of id rows (malloc'ed). */
static float *predict_ids(const net *n, int B, int T, const int32_t *ids)
{
    net_ws w;
    net_ws_alloc(&w, &n->cfg, T, B);
    net_forward(n, &w, B, T, ids);
    float *p = xmalloc(sizeof(float) * (size_t)B * n->cfg.n_out);
    memcpy(p, w.probs, sizeof(float) * (size_t)B * n->cfg.n_out);
    net_ws_free(&w);
    return p;
}

/* Encode every test sentence with m and predict: [S, K] probabilities. */
static float *predict_texts(model *m, int32_t **ids_out)
{
    enum { S = sizeof sentences / sizeof *sentences };
    model_tokenizer(m);
    int T = m->maxlen;
    int32_t *ids = xmalloc(sizeof *ids * S * (size_t)T);
    toklist tl = {0};
    int32_t *idbuf = NULL;
    size_t idcap = 0;
    for (int s = 0; s < S; s++)
        model_encode(m, sentences[s], strlen(sentences[s]), &tl, &idbuf, &idcap, ids + (size_t)s * T);
    toklist_free(&tl);
    free(idbuf);
    float *p = predict_ids(m->net, S, T, ids);
    *ids_out = ids;
    return p;
}

/* ---- tests ---- */

static void round_trip_model(int nlabels, int layers, int mask, int freeze, int pad_pre, int trunc_pre,
                             uint64_t seed, const char *file)
{
    model a;
    build_model(&a, nlabels, layers, mask, freeze, pad_pre, trunc_pre, seed);
    CHECK_STR(model_kind(&a), "model");
    char path[256];
    snprintf(path, sizeof path, "%s", pth(file));
    CHECK_MSG(model_save(&a, path) == 0, "model_save: %s", err_msg());

    enum { B = 5 };
    const int T = a.maxlen, V = (int)a.voc.n, K = a.net->cfg.n_out;
    int32_t ids[B * 7];
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            int len = 2 + b;   /* real tokens at the end (pre) or start (post) */
            int real = pad_pre ? t >= T - len : t < len;
            ids[b * T + t] = real ? 1 + (b * 7 + t * 3) % (V - 1) : 0;
        }
    float *pa = predict_ids(a.net, B, T, ids);
    int32_t *ta_ids;
    float *sa = predict_texts(&a, &ta_ids);
    int finite = 1;
    for (int i = 0; i < B * K; i++) finite &= pa[i] >= 0 && pa[i] <= 1;
    CHECK(finite);

    for (int copy = 0; copy <= 1; copy++) {
        model b;
        int rc = model_load(&b, path, copy);
        CHECK_MSG(rc == 0, "model_load(%s, %d): %s", file, copy, err_msg());
        if (rc) continue;
        CHECK_STR(model_kind(&b), "model");
        check_same_base(&a, &b);
        CHECK_INT(b.nlabels, nlabels);
        for (int i = 0; i < nlabels && i < b.nlabels; i++) CHECK_STR(b.labels[i], a.labels[i]);
        CHECK_INT(model_label_index(&b, "pos"), nlabels - 1);
        CHECK_INT(model_label_index(&b, "neg"), 0);
        CHECK_INT(model_label_index(&b, "nope"), -1);
        CHECK_INT(b.maxlen, a.maxlen);
        CHECK_INT(b.pad_pre, a.pad_pre);
        CHECK_INT(b.trunc_pre, a.trunc_pre);
        CHECK(b.net != NULL);
        if (!b.net) { model_free(&b); continue; }
        CHECK_INT(b.net->borrowed, !copy);
        CHECK_INT(b.net->cfg.vocab_size, a.net->cfg.vocab_size);
        CHECK_INT(b.net->cfg.embed_dim, a.net->cfg.embed_dim);
        CHECK_INT(b.net->cfg.hidden, a.net->cfg.hidden);
        CHECK_INT(b.net->cfg.layers, a.net->cfg.layers);
        CHECK_INT(b.net->cfg.n_out, a.net->cfg.n_out);
        CHECK_INT(b.net->cfg.freeze, a.net->cfg.freeze);
        CHECK_INT(b.net->cfg.mask, a.net->cfg.mask);
        CHECK_MSG(nets_identical(a.net, b.net), "%s copy=%d: weights differ after load", file, copy);
        CHECK_INT(b.embed_dim, a.net->cfg.embed_dim);
        CHECK(b.emb == b.net->emb);
        /* training metadata kept */
        const cJSON *ep = cJSON_GetObjectItemCaseSensitive(b.train_info, "epochs");
        CHECK(cJSON_IsNumber(ep) && ep->valueint == 3);
        CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b.train_info, "note")), "unit test");

        /* the "model save/load round trip (bit-identical predictions)" requirement */
        float *pb = predict_ids(b.net, B, T, ids);
        CHECK_MSG(memcmp(pa, pb, sizeof(float) * B * K) == 0, "%s copy=%d: predictions differ", file, copy);
        free(pb);
        int32_t *tb_ids;
        float *sb = predict_texts(&b, &tb_ids);
        enum { S = sizeof sentences / sizeof *sentences };
        CHECK(memcmp(ta_ids, tb_ids, sizeof(int32_t) * S * T) == 0);
        CHECK_MSG(memcmp(sa, sb, sizeof(float) * S * K) == 0, "%s copy=%d: text predictions differ", file, copy);
        free(sb);
        free(tb_ids);

        /* a loaded model saved again loads to the same predictions */
        char again[256];
        snprintf(again, sizeof again, "%s", pth("again.ssm"));
        CHECK_MSG(model_save(&b, again) == 0, "model_save(loaded): %s", err_msg());
        model c;
        if (model_load(&c, again, 1) == 0) {
            CHECK(nets_identical(a.net, c.net));
            check_same_vocab(&a.voc, &c.voc);
            CHECK_INT(c.maxlen, a.maxlen);
            CHECK_INT(c.nlabels, nlabels);
            float *pc = predict_ids(c.net, B, T, ids);
            CHECK(memcmp(pa, pc, sizeof(float) * B * K) == 0);
            free(pc);
            model_free(&c);
        } else {
            CHECK_MSG(0, "reload of a re-saved model: %s", err_msg());
        }
        unlink(again);
        /* saving over the very file the weights are mapped from (copy = 0
         * borrows them from the map): the atomic replace must not disturb
         * the live mapping, and the new file must hold the same model */
        char self[256];
        snprintf(self, sizeof self, "%s", pth("self.ssm"));
        if (copy == 0) {
            CHECK_INT(model_save(&a, self), 0);
            model s;
            if (model_load(&s, self, 0) == 0) {
                CHECK_MSG(model_save(&s, self) == 0, "save over own source: %s", err_msg());
                float *ps = predict_ids(s.net, B, T, ids);
                CHECK(memcmp(pa, ps, sizeof(float) * B * K) == 0);
                free(ps);
                model_free(&s);
                if (model_load(&s, self, 1) == 0) {
                    CHECK(nets_identical(a.net, s.net));
                    model_free(&s);
                } else CHECK_MSG(0, "reload after save over own source: %s", err_msg());
            } else CHECK_MSG(0, "%s", err_msg());
            unlink(self);
        }
        model_free(&b);
    }
    free(pa);
    free(sa);
    free(ta_ids);
    model_free(&a);
}

static void test_model_round_trip(void)
{
    round_trip_model(2, 1, 1, 0, 1, 1, 42, "bin.ssm");
    round_trip_model(3, 2, 0, 1, 0, 0, 7, "three.ssm");
    round_trip_model(3, 1, 1, 0, 1, 0, 99, "three_b.ssm");
}

static void test_segmentation_round_trip(void)
{
    model a;
    build_base(&a, 1);
    CHECK_MSG(model_save(&a, pth("seg.ssm")) == 0, "%s", err_msg());
    model b;
    CHECK_MSG(model_load(&b, pth("seg.ssm"), 0) == 0, "%s", err_msg());
    CHECK(segdict_adopted(b.dict));   /* its tables used where they are, nothing built */
    /* the expected segmentation with the dictionary, before and after */
    model *ms[2] = { &a, &b };
    for (int i = 0; i < 2; i++) {
        toklist tl = {0};
        const char *s = "我喜欢这部电影";
        tokenize(model_tokenizer(ms[i]), s, strlen(s), &tl);
        CHECK_INT(tl.n, 4);
        if (tl.n == 4) {
            CHECK_STR(toklist_get(&tl, 0), "我");
            CHECK_STR(toklist_get(&tl, 1), "喜欢");
            CHECK_STR(toklist_get(&tl, 2), "这部");
            CHECK_STR(toklist_get(&tl, 3), "电影");
        }
        toklist_free(&tl);
    }
    model_free(&a);
    model_free(&b);
}

static void test_vocab_bundle(void)
{
    model a;
    build_base(&a, 0);
    a.tok.lang = LANG_EN;
    a.tok.normalize = 0;
    a.tok.squeeze = 0;
    CHECK_STR(model_kind(&a), "vocab");
    CHECK_MSG(model_save(&a, pth("vocab.ssm")) == 0, "%s", err_msg());
    for (int copy = 0; copy <= 1; copy++) {
        model b;
        int rc = model_load(&b, pth("vocab.ssm"), copy);
        CHECK_MSG(rc == 0, "%s", err_msg());
        if (rc) continue;
        CHECK_STR(model_kind(&b), "vocab");
        CHECK(b.net == NULL);
        CHECK(b.emb == NULL);
        CHECK_INT(b.embed_dim, 0);
        CHECK(b.dict == NULL);
        CHECK_INT(b.nlabels, 0);
        check_same_base(&a, &b);
        model_free(&b);
    }
    model_free(&a);

    /* with a dictionary, and with an empty one */
    build_base(&a, 1);
    CHECK_MSG(model_save(&a, pth("vocab2.ssm")) == 0, "%s", err_msg());
    model b;
    if (model_load(&b, pth("vocab2.ssm"), 0) == 0) {
        CHECK_STR(model_kind(&b), "vocab");
        check_same_base(&a, &b);
        model_free(&b);
    } else CHECK_MSG(0, "%s", err_msg());
    model_free(&a);

    build_base(&a, 0);
    a.dict = segdict_new();
    a.dict_source = xstrdup("empty.txt");
    CHECK_MSG(model_save(&a, pth("vocab3.ssm")) == 0, "%s", err_msg());
    if (model_load(&b, pth("vocab3.ssm"), 0) == 0) {
        CHECK(b.dict != NULL);
        if (b.dict) CHECK_INT(segdict_size(b.dict), 0);
        check_same_base(&a, &b);
        model_free(&b);
    } else CHECK_MSG(0, "empty dictionary: %s", err_msg());
    model_free(&a);

    /* an empty bundle is a vocab bundle too */
    model_init(&a);
    CHECK_STR(model_kind(&a), "vocab");
    CHECK_INT(a.pad_pre, 1);
    CHECK_INT(a.trunc_pre, 1);
    CHECK(a.net == NULL && a.dict == NULL);
    model_free(&a);
}

static void test_embed_bundle(void)
{
    model a;
    build_base(&a, 1);
    const int E = 6;
    size_t VE = a.voc.n * (size_t)E;
    a.emb = fzeros(VE);
    for (size_t i = E; i < VE; i++) a.emb[i] = (float)((double)(i % 97) / 97.0 - 0.5) * 0.37f;
    a.emb_owned = 1;
    a.embed_dim = E;
    a.embed_info = cJSON_CreateObject();
    cJSON_AddStringToObject(a.embed_info, "source", "vectors.txt");
    cJSON_AddNumberToObject(a.embed_info, "coverage", 0.75);
    CHECK_STR(model_kind(&a), "embed");
    CHECK_MSG(model_save(&a, pth("embed.ssm")) == 0, "%s", err_msg());
    for (int copy = 0; copy <= 1; copy++) {
        model b;
        int rc = model_load(&b, pth("embed.ssm"), copy);
        CHECK_MSG(rc == 0, "%s", err_msg());
        if (rc) continue;
        CHECK_STR(model_kind(&b), "embed");
        CHECK(b.net == NULL);
        CHECK_INT(b.embed_dim, E);
        CHECK(same_floats(a.emb, b.emb, VE));
        CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b.embed_info, "source")), "vectors.txt");
        const cJSON *cov = cJSON_GetObjectItemCaseSensitive(b.embed_info, "coverage");
        CHECK(cJSON_IsNumber(cov) && cov->valuedouble == 0.75);
        check_same_base(&a, &b);
        /* an embed bundle saved again stays an embed bundle */
        CHECK_MSG(model_save(&b, pth("embed2.ssm")) == 0, "%s", err_msg());
        model c;
        if (model_load(&c, pth("embed2.ssm"), 1) == 0) {
            CHECK_STR(model_kind(&c), "embed");
            CHECK(same_floats(a.emb, c.emb, VE));
            model_free(&c);
        } else CHECK_MSG(0, "%s", err_msg());
        model_free(&b);
    }
    model_free(&a);
}

static int ids_eq(const int32_t *got, const int32_t *want, int n)
{
    int ok = memcmp(got, want, sizeof *got * (size_t)n) == 0;
    if (!ok) {
        fprintf(stderr, "ids: got");
        for (int i = 0; i < n; i++) fprintf(stderr, " %d", got[i]);
        fprintf(stderr, ", want");
        for (int i = 0; i < n; i++) fprintf(stderr, " %d", want[i]);
        fprintf(stderr, "\n");
    }
    return ok;
}

static void test_encode(void)
{
    model m;
    build_base(&m, 1);
    m.maxlen = 5;
    CHECK_INT(m.pad_pre, 1);     /* model_init defaults: Keras' "pre" */
    CHECK_INT(m.trunc_pre, 1);
    model_tokenizer(&m);
    toklist tl = {0};
    int32_t *idbuf = NULL, out[5];
    size_t idcap = 0;
    const int32_t g = tid(&m, "good"), mv = tid(&m, "movie"), the = tid(&m, "the"), bad = tid(&m, "bad"),
                  nt = tid(&m, "not"), gr = tid(&m, "great");
    CHECK(g > 1 && mv > 1 && the > 1 && bad > 1 && nt > 1 && gr > 1);

#define ENC(s) model_encode(&m, (s), strlen(s), &tl, &idbuf, &idcap, out)
    /* unknown word -> 1, pre padding by default */
    CHECK_INT(ENC("good zzyzx movie"), 3);
    { const int32_t w[] = { 0, 0, g, VOCAB_UNK, mv }; CHECK(ids_eq(out, w, 5)); }
    /* normalisation (case folding) before lookup */
    CHECK_INT(ENC("GOOD Movie"), 2);
    { const int32_t w[] = { 0, 0, 0, g, mv }; CHECK(ids_eq(out, w, 5)); }
    /* squeeze: "sooooo" -> "soo" is in the vocabulary */
    CHECK_INT(ENC("sooooo"), 1);
    { const int32_t w[] = { 0, 0, 0, 0, tid(&m, "soo") }; CHECK(ids_eq(out, w, 5)); }
    CHECK(tid(&m, "soo") > 1);
    /* empty text: all padding */
    CHECK_INT(ENC(""), 0);
    { const int32_t w[] = { 0, 0, 0, 0, 0 }; CHECK(ids_eq(out, w, 5)); }
    /* Chinese: segmented with the dictionary; 这部 is not in the vocabulary */
    CHECK_INT(ENC("我喜欢这部电影"), 4);
    { const int32_t w[] = { 0, tid(&m, "我"), tid(&m, "喜欢"), VOCAB_UNK, tid(&m, "电影") }; CHECK(ids_eq(out, w, 5)); }
    /* n == maxlen */
    CHECK_INT(ENC("the good bad not great"), 5);
    { const int32_t w[] = { the, g, bad, nt, gr }; CHECK(ids_eq(out, w, 5)); }
    /* too long: truncating "pre" keeps the end */
    const char *longer = "the movie was not good and not great but bad";
    /* tokens: the movie was(unk) not good and(unk) not great but(unk) bad */
    CHECK_INT(ENC(longer), 10);
    { const int32_t w[] = { VOCAB_UNK, nt, gr, VOCAB_UNK, bad }; CHECK(ids_eq(out, w, 5)); }
    CHECK(idcap >= 10);

    /* post padding / truncating */
    m.pad_pre = 0;
    CHECK_INT(ENC("good zzyzx movie"), 3);
    { const int32_t w[] = { g, VOCAB_UNK, mv, 0, 0 }; CHECK(ids_eq(out, w, 5)); }
    CHECK_INT(ENC(longer), 10);   /* truncating still pre */
    { const int32_t w[] = { VOCAB_UNK, nt, gr, VOCAB_UNK, bad }; CHECK(ids_eq(out, w, 5)); }
    m.trunc_pre = 0;
    CHECK_INT(ENC(longer), 10);
    { const int32_t w[] = { the, mv, VOCAB_UNK, nt, g }; CHECK(ids_eq(out, w, 5)); }
    m.pad_pre = 1;
    CHECK_INT(ENC(longer), 10);
    { const int32_t w[] = { the, mv, VOCAB_UNK, nt, g }; CHECK(ids_eq(out, w, 5)); }
    CHECK_INT(ENC("bad"), 1);
    { const int32_t w[] = { 0, 0, 0, 0, bad }; CHECK(ids_eq(out, w, 5)); }
    /* idbuf holds the unpadded ids of the last call */
    CHECK_INT(idbuf[0], bad);
#undef ENC

    /* the padding settings survive a save/load of a trained bundle */
    toklist_free(&tl);
    free(idbuf);
    model_free(&m);
}

static int contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

static void test_load_errors(void)
{
    model m;
    const char *p;

    p = pth("not_a_model.ssm");
    spit(p, "this is plain text, not a model\n", 32);
    err_clear();
    CHECK_INT(model_load(&m, p, 0), -1);
    CHECK_MSG(contains(err_msg(), p), "got '%s'", err_msg());
    CHECK(m.net == NULL && m.file == NULL);
    model_free(&m);   /* safe after a failed load */

    p = pth("empty.ssm");
    spit(p, "", 0);
    CHECK_INT(model_load(&m, p, 1), -1);
    CHECK_MSG(contains(err_msg(), p), "got '%s'", err_msg());

    p = pth("missing.ssm");
    CHECK_INT(model_load(&m, p, 1), -1);
    CHECK_MSG(contains(err_msg(), p), "got '%s'", err_msg());

    /* a good model, then damaged copies of it */
    model a;
    build_model(&a, 2, 1, 1, 0, 1, 1, 5);
    char good[256];
    snprintf(good, sizeof good, "%s", pth("good.ssm"));
    CHECK_INT(model_save(&a, good), 0);
    model_free(&a);
    size_t n;
    unsigned char *img = slurp(good, &n);
    CHECK(img && n > 200);
    if (!img) return;
    const size_t cuts[] = { n / 2, n - 1, n - 8, 64, 20 };
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        p = pth("truncated.ssm");
        spit(p, img, cuts[i]);
        err_clear();
        CHECK_INT(model_load(&m, p, i % 2), -1);
        CHECK_MSG(contains(err_msg(), p), "cut at %zu: got '%s'", cuts[i], err_msg());
        CHECK(m.net == NULL);
        model_free(&m);
    }
    /* one flipped byte inside the tensor data */
    img[n - 40] ^= 0x10;
    p = pth("flipped.ssm");
    spit(p, img, n);
    CHECK_INT(model_load(&m, p, 0), -1);
    CHECK_MSG(contains(err_msg(), p), "got '%s'", err_msg());
    CHECK_MSG(contains(err_msg(), "checksum"), "got '%s'", err_msg());
    free(img);

    /* a valid container that holds no model */
    mfile *f = mf_new();
    cJSON_AddStringToObject(f->meta, "kind", "something else");
    p = pth("container.ssm");
    CHECK_INT(mf_write(f, p), 0);
    mf_free(f);
    CHECK_INT(model_load(&m, p, 0), -1);
    CHECK_MSG(contains(err_msg(), p), "got '%s'", err_msg());
    CHECK_MSG(contains(err_msg(), "tokenizer"), "got '%s'", err_msg());

    /* the good file still loads */
    CHECK_MSG(model_load(&m, good, 0) == 0, "%s", err_msg());
    model_free(&m);
}

static void test_determinism(void)
{
    model a, b, c;
    build_model(&a, 3, 2, 1, 0, 1, 1, 1234);
    build_model(&b, 3, 2, 1, 0, 1, 1, 1234);
    build_model(&c, 3, 2, 1, 0, 1, 1, 1235);
    CHECK(nets_identical(a.net, b.net));
    CHECK(!nets_identical(a.net, c.net));
    const net_config *nc = &a.net->cfg;
    size_t VE = (size_t)nc->vocab_size * nc->embed_dim;
    CHECK(memcmp(a.net->emb, c.net->emb, VE * sizeof(float)) != 0);
    CHECK(memcmp(a.net->rnn[0].W, c.net->rnn[0].W, sizeof(float) * nc->embed_dim * 4 * nc->hidden) != 0);
    CHECK(memcmp(a.net->rnn[1].U, c.net->rnn[1].U, sizeof(float) * nc->hidden * 4 * nc->hidden) != 0);
    CHECK(memcmp(a.net->Wd, c.net->Wd, sizeof(float) * nc->hidden * nc->n_out) != 0);
    /* Keras initialisation details: padding row zero, |emb| < 0.05, forget bias 1 */
    int pad0 = 1, small = 1, bias = 1;
    for (int e = 0; e < nc->embed_dim; e++) pad0 &= a.net->emb[e] == 0.0f;
    for (size_t i = 0; i < VE; i++) small &= a.net->emb[i] > -0.05f && a.net->emb[i] < 0.05f;
    for (int l = 0; l < nc->layers; l++)
        for (int j = 0; j < 4 * nc->hidden; j++)
            bias &= a.net->rnn[l].b[j] == (j >= nc->hidden && j < 2 * nc->hidden ? 1.0f : 0.0f);
    CHECK(pad0);
    CHECK(small);
    CHECK(bias);
    /* same weights -> same predictions */
    int32_t ids[2 * 7] = { 0, 0, 0, 2, 3, 4, 5, 1, 2, 3, 4, 5, 6, 7 };
    float *pa = predict_ids(a.net, 2, 7, ids), *pb = predict_ids(b.net, 2, 7, ids), *pc = predict_ids(c.net, 2, 7, ids);
    CHECK(memcmp(pa, pb, sizeof(float) * 2 * 3) == 0);
    CHECK(memcmp(pa, pc, sizeof(float) * 2 * 3) != 0);
    free(pa); free(pb); free(pc);
    model_free(&a);
    model_free(&b);
    model_free(&c);
}

/* n rows of T ids over V: random tokens from 2..V-1 other than 5, random
 * lengths, pre-padded; label 1 iff id 5 is placed in the row. */
static void synth(encoded *e, size_t n, int T, int V, rng *r)
{
    memset(e, 0, sizeof *e);
    e->n = n;
    e->T = T;
    e->ids = xcalloc(n * (size_t)T, sizeof *e->ids);
    e->y = xcalloc(n, sizeof *e->y);
    e->len = xcalloc(n, sizeof *e->len);
    for (size_t i = 0; i < n; i++) {
        int len = 2 + (int)rng_below(r, (uint64_t)T - 1);   /* 2..T */
        int32_t *row = e->ids + i * T;
        for (int t = T - len; t < T; t++) {
            int32_t id;
            do id = 2 + (int32_t)rng_below(r, (uint64_t)V - 2); while (id == 5);
            row[t] = id;
        }
        e->y[i] = (int32_t)(i % 2);
        if (e->y[i]) row[T - len + (int)rng_below(r, (uint64_t)len)] = 5;
        e->tokens += (size_t)len;
        e->len[i] = len;
    }
}

static void test_train_smoke(void)
{
    enum { V = 12, T = 8, NTR = 200, NTE = 200, EPOCHS = 6 };
    model m;
    model_init(&m);
    counter c;
    counter_init(&c);
    char tok[16];
    for (int i = 2; i < V; i++) {   /* a vocabulary whose ids are 2..V-1 */
        snprintf(tok, sizeof tok, "w%02d", i);
        counter_add(&c, tok, strlen(tok), 100 - i);
    }
    vocab_build(&m.voc, &c, 1, 0);
    m.have_vocab = 1;
    counter_free(&c);
    CHECK_INT(m.voc.n, V);
    static const char *const names[] = { "absent", "present" };
    set_labels(&m, 2, names);
    m.maxlen = T;
    net_config nc = { .vocab_size = V, .embed_dim = 8, .hidden = 8, .layers = 1, .n_out = 1, .mask = 1 };
    m.net = net_new(&nc);
    rng r;
    rng_seed(&r, 2024);
    net_init(m.net, &r, NULL);
    m.emb = m.net->emb;
    m.embed_dim = nc.embed_dim;

    encoded tr, te;
    synth(&tr, NTR, T, V, &r);
    synth(&te, NTE, T, V, &r);

    eval_result before;
    evaluate(&m, &te, 64, 1, &before, NULL);

    train_opts o = { .epochs = EPOCHS, .batch = 16, .lr = 0.01, .seed = 3, .quiet = 1 };
    int rc = train_run(&m, &tr, &te, &o, NULL);   /* speed is for benchmarks, not tests */
    CHECK_MSG(rc == 0, "train_run: %s", err_msg());

    eval_result er;
    float *probs = xmalloc(sizeof(float) * NTE);
    evaluate(&m, &te, 64, 1, &er, probs);
    double acc = er.accuracy;
    CHECK_MSG(er.accuracy >= 0.9, "held-out accuracy %.3f after %d epochs (%.3f before)", er.accuracy,
              EPOCHS, before.accuracy);
    CHECK(er.loss < before.loss);
    CHECK_INT(er.n, NTE);
    CHECK_INT(er.K, 2);
    long total = 0;
    for (int i = 0; i < 4; i++) total += er.confusion[i];
    CHECK_INT(total, NTE);
    CHECK_INT(er.confusion[0] + er.confusion[1], NTE / 2);   /* true class 0 row */
    /* several workers and another batch size: the same figures */
    {
        eval_result e3;
        float *p3 = xmalloc(sizeof(float) * NTE);
        evaluate(&m, &te, 24, 3, &e3, p3);
        double maxd = 0;
        for (int i = 0; i < NTE; i++) maxd = fmax(maxd, fabs((double)p3[i] - probs[i]));
        CHECK_MSG(maxd < 1e-5, "threads=3 batch=24: probabilities differ by %g", maxd);
        CHECK_NEAR(e3.accuracy, er.accuracy, 1e-12);
        CHECK_NEAR(e3.loss, er.loss, 1e-5);
        CHECK(memcmp(e3.confusion, er.confusion, 4 * sizeof *er.confusion) == 0);
        free(p3);
        eval_result_free(&e3);
    }
    eval_result trr;
    evaluate(&m, &tr, 64, 1, &trr, NULL);
    CHECK_MSG(trr.accuracy >= 0.9, "training accuracy %.3f", trr.accuracy);
    eval_result_free(&trr);

    /* history recorded, one entry per epoch, with validation figures */
    const cJSON *hist = cJSON_GetObjectItemCaseSensitive(m.train_info, "history");
    CHECK(cJSON_IsArray(hist) && cJSON_GetArraySize(hist) == EPOCHS);
    const cJSON *last = cJSON_GetArrayItem(hist, EPOCHS - 1);
    CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(last, "loss")));
    const cJSON *va = cJSON_GetObjectItemCaseSensitive(last, "val_accuracy");
    CHECK(cJSON_IsNumber(va) && fabs(va->valuedouble - er.accuracy) < 1e-12);

    /* the trained model, saved and loaded, predicts bit-identically */
    CHECK_MSG(model_save(&m, pth("trained.ssm")) == 0, "%s", err_msg());
    for (int copy = 0; copy <= 1; copy++) {
        model b;
        if (model_load(&b, pth("trained.ssm"), copy) != 0) { CHECK_MSG(0, "%s", err_msg()); continue; }
        eval_result eb;
        float *pb = xmalloc(sizeof(float) * NTE);
        evaluate(&b, &te, 64, 1, &eb, pb);
        CHECK(memcmp(probs, pb, sizeof(float) * NTE) == 0);
        CHECK(eb.accuracy == er.accuracy);
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(b.train_info, "history");
        CHECK(cJSON_IsArray(h) && cJSON_GetArraySize(h) == EPOCHS);
        free(pb);
        eval_result_free(&eb);
        model_free(&b);
    }
    free(probs);
    eval_result_free(&er);
    eval_result_free(&before);

    /* the same seeds train to the same weights */
    model m2;
    model_init(&m2);
    m2.net = net_new(&nc);
    rng_seed(&r, 2024);
    net_init(m2.net, &r, NULL);
    rc = train_run(&m2, &tr, &te, &o, NULL);
    CHECK_INT(rc, 0);
    CHECK_MSG(nets_identical(m.net, m2.net), "two identical training runs differ");
    model_free(&m2);

    /* data-parallel training (2 workers), batches bucketed by length, learns the task too */
    model_init(&m2);
    set_labels(&m2, 2, names);
    m2.net = net_new(&nc);
    rng_seed(&r, 2024);
    net_init(m2.net, &r, NULL);
    train_opts o2 = o;
    o2.threads = 2;
    o2.bucket = 1;
    rc = train_run(&m2, &tr, NULL, &o2, NULL);
    CHECK_MSG(rc == 0, "train_run threads=2: %s", err_msg());
    eval_result e2;
    evaluate(&m2, &te, 64, 2, &e2, NULL);
    CHECK_MSG(e2.accuracy >= 0.9, "threads=2: held-out accuracy %.3f", e2.accuracy);
    eval_result_free(&e2);
    model_free(&m2);

    encoded_free(&tr);
    encoded_free(&te);
    model_free(&m);
    fprintf(stderr, "training smoke test: held-out accuracy %.3f\n", acc);
}


/* ---- inference shortcuts (nn/infer.h, fwd_pool_infer) ---- */

/* n rows of T ids over V, random lengths 0..T (some empty), padded before
 * (pre) or after. */
static void random_rows(int32_t *ids, int n, int T, int V, int pre, rng *r)
{
    memset(ids, 0, sizeof *ids * (size_t)n * T);
    for (int i = 0; i < n; i++) {
        int len = (int)rng_below(r, (uint64_t)T + 1), at = pre ? T - len : 0;
        for (int t = 0; t < len; t++) ids[(size_t)i * T + at + t] = 1 + (int32_t)rng_below(r, (uint64_t)V - 1);
    }
}

/* probs [n,K] of the inference path: a pool of batches of maxB on threads */
static void infer_probs(const model *m, int n, int T, const int32_t *ids, int maxB, int threads, float *probs)
{
    fwd_pool *p = fwd_pool_new_model(m, T, maxB, threads);
    fwd_pool_infer(p);
    fwd_pool_run_sorted(p, n, T, ids, probs);
    fwd_pool_free(p);
}

/* A row's probabilities through the inference shortcuts are the same bits
 * whatever batch size, thread count, batch-mates, order or subset it runs
 * with, and equal the full path (embedding, BLAS) within 1e-5. */
static void test_infer_invariance(void)
{
    enum { N = 70, T = 23, V = 300 };
    static const int batches[] = { 1, 5, 16, 33, 256 }, threads[] = { 1, 2, 3 };
    int configs = 0, bits_ok = 0, tol_ok = 0, sub_ok = 0;
    float worst = 0;
    for (int cell = 0; cell < 3; cell++)
        for (int bidir = 0; bidir < 2; bidir++)
            for (int mask = 0; mask < 2; mask++)
                for (int pool = 0; pool <= POOL_ATTN; pool++) {
                    if (pool == POOL_ATTN && cell == CELL_RNN) continue;   /* attention: the gated cells suffice */
                    const int pre = pool != 1 || !bidir, dense = pool == 2 ? 7 : 0, K = cell == 2 ? 3 : 1;
                    model m;
                    memset(&m, 0, sizeof m);
                    net_config nc = { .vocab_size = V, .embed_dim = 19, .hidden = 21, .layers = 2, .n_out = K,
                                      .mask = mask, .cell = (cell_type)cell, .bidir = bidir, .dense = dense,
                                      .pool = pool, .attn = pool == POOL_ATTN && mask ? 5 : 0 };
                    m.net = net_new(&nc);
                    rng r;
                    rng_seed(&r, 100 + (uint64_t)configs);
                    net_init(m.net, &r, NULL);
                    /* gated cells: larger recurrent weights than Keras's initialisation,
                     * states far from 0 (not SimpleRNN, which turns chaotic and
                     * amplifies any rounding difference) */
                    for (int i = 0; cell != CELL_RNN && i < nc.layers * (bidir + 1); i++)
                        for (int j = 0; j < 21 * cell_gates((cell_type)cell) * 21; j++) m.net->rnn[i].U[j] *= 2.0f;
                    int32_t *ids = xmalloc(sizeof *ids * N * T), *sub = xmalloc(sizeof *sub * N * T);
                    random_rows(ids, N, T, V, pre, &r);
                    float *ref = xmalloc(sizeof(float) * N * K), *got = xmalloc(sizeof(float) * N * K);
                    float *plain = xmalloc(sizeof(float) * N * K);
                    infer_probs(&m, N, T, ids, 256, 1, ref);
                    int same = 1;
                    for (size_t b = 0; b < sizeof batches / sizeof *batches; b++)
                        for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
                            infer_probs(&m, N, T, ids, batches[b], threads[t], got);
                            same &= memcmp(ref, got, sizeof(float) * N * K) == 0;
                        }
                    bits_ok += same;
                    /* every third row, in reverse order: each row's bits as in the whole run */
                    int ns = 0;
                    for (int i = N - 1; i >= 0; i -= 3) memcpy(sub + (size_t)ns++ * T, ids + (size_t)i * T, sizeof *sub * T);
                    infer_probs(&m, ns, T, sub, 4, 2, got);
                    int sub_same = 1;
                    for (int j = 0; j < ns; j++)
                        sub_same &= memcmp(got + (size_t)j * K, ref + (size_t)(N - 1 - 3 * j) * K, sizeof(float) * K) == 0;
                    sub_ok += sub_same;
                    /* the full fp32 path */
                    fwd_pool *p = fwd_pool_new_model(&m, T, N, 1);
                    fwd_pool_run(p, N, T, ids, plain);
                    fwd_pool_free(p);
                    float d = 0;
                    for (int i = 0; i < N * K; i++) d = fabsf(plain[i] - ref[i]) > d ? fabsf(plain[i] - ref[i]) : d;
                    worst = d > worst ? d : worst;
                    tol_ok += d <= 1e-5f;
                    if (!same || !sub_same || d > 1e-5f)
                        fprintf(stderr, "infer config cell %d bidir %d mask %d pool %d: bits %d subset %d, max diff %g\n",
                                cell, bidir, mask, pool, same, sub_same, d);
                    free(ids); free(sub); free(ref); free(got); free(plain);
                    net_free(m.net);
                    configs++;
                }
    CHECK_INT(bits_ok, configs);
    CHECK_INT(sub_ok, configs);
    CHECK_INT(tol_ok, configs);
    fprintf(stderr, "inference shortcuts: %d configurations, max |p - full path| %.3g\n", configs, worst);
}

/* MODEL_LAZY: the embedding's rows are checked as they are first used.  A
 * byte flipped in one word's row leaves the other rows usable (the same
 * probabilities as the whole model's) and makes the inference that needs
 * that row fail with "checksum mismatch", through the lookup tables and
 * through the plain path alike; a flip outside the embedding fails the
 * load. */
static void test_lazy_rows(void)
{
    model a;
    build_base(&a, 1);
    static const char *const names2[] = { "neg", "pos" };
    set_labels(&a, 2, names2);
    a.maxlen = 6;
    /* rows of 200 KB: the middle byte of a row lies in a 64 KiB block
     * within the row, which no other row shares */
    net_config nc = { .vocab_size = (int)a.voc.n, .embed_dim = 50000, .hidden = 4, .layers = 1, .n_out = 1, .mask = 1 };
    a.net = net_new(&nc);
    rng r;
    rng_seed(&r, 5);
    net_init(a.net, &r, NULL);
    a.emb = a.net->emb;
    a.embed_dim = nc.embed_dim;
    const char *good = pth("lazy.ssm"), *bad = pth("lazy-bad.ssm");
    CHECK_MSG(model_save(&a, good) == 0, "%s", err_msg());
    const int T = a.maxlen, movie = tid(&a, "movie"), the = tid(&a, "the"), bad_id = tid(&a, "bad");
    CHECK(movie > 0 && the > 0 && bad_id > 0);
    int32_t without[2 * 6] = { 0, 0, 0, 0, the, bad_id, 0, 0, 0, 0, 0, the };
    int32_t with[6] = { 0, 0, 0, the, movie, bad_id };
    float ref[2], got[2], one;
    infer_probs(&a, 2, T, without, 8, 1, ref);

    size_t n;
    unsigned char *img = slurp(good, &n);
    mfile *f = mf_read(good);
    size_t at = f ? (size_t)((const unsigned char *)mf_get(f, "embedding")->data - (const unsigned char *)f->map) : 0;
    mf_free(f);
    img[at + (size_t)movie * nc.embed_dim * sizeof(float) + 100000] ^= 0x10;
    spit(bad, img, n);
    char want[600];
    snprintf(want, sizeof want, "%s: checksum mismatch (file is corrupt)", bad);

    model b;
    CHECK_MSG(model_load(&b, bad, MODEL_LAZY) == 0, "%s", err_msg());
    CHECK(b.net && b.net->emb_check != NULL);
    if (b.net) {
        for (int threads = 1; threads <= 2; threads++) {
            fwd_pool *p = fwd_pool_new_model(&b, T, 8, threads);
            fwd_pool_infer(p);
            CHECK_INT(fwd_pool_run_sorted(p, 2, T, without, got), 0);
            CHECK(memcmp(got, ref, sizeof ref) == 0);
            CHECK_INT(fwd_pool_run_sorted(p, 1, T, with, &one), -1);
            CHECK_MSG(strncmp(err_msg(), want, strlen(want)) == 0, "%s", err_msg());
            CHECK_INT(fwd_pool_run_sorted(p, 2, T, without, got), 0);   /* still usable, same bits */
            CHECK(memcmp(got, ref, sizeof ref) == 0);
            fwd_pool_free(p);
        }
        fwd_pool *p = fwd_pool_new_model(&b, T, 8, 1);   /* the plain path (no lookup tables) */
        CHECK_INT(fwd_pool_run(p, 1, T, with, &one), -1);
        CHECK_INT(fwd_pool_run(p, 2, T, without, got), 0);
        fwd_pool_free(p);
    }
    model_free(&b);
    /* every other way of loading checks the whole file */
    for (int flags = 0; flags <= MODEL_COPY; flags++) {
        CHECK_INT(model_load(&b, bad, flags), -1);
        CHECK_MSG(strcmp(err_msg(), want) == 0, "%s", err_msg());
    }
    /* a flip in the dense layer: the lazy load fails at once */
    img[at + (size_t)movie * nc.embed_dim * sizeof(float) + 100000] ^= 0x10;   /* back */
    f = mf_read(good);
    at = f ? (size_t)((const unsigned char *)mf_get(f, "dense.W")->data - (const unsigned char *)f->map) : 0;
    mf_free(f);
    img[at + 1] ^= 0x10;
    spit(bad, img, n);
    CHECK_INT(model_load(&b, bad, MODEL_LAZY), -1);
    CHECK_MSG(strcmp(err_msg(), want) == 0, "%s", err_msg());
    /* the intact file: the same probabilities lazily */
    CHECK_MSG(model_load(&b, good, MODEL_LAZY) == 0, "%s", err_msg());
    infer_probs(&b, 2, T, without, 8, 2, got);
    CHECK(memcmp(got, ref, sizeof ref) == 0);
    model_free(&b);
    free(img);
    model_free(&a);
}

/* A naive Bayes head with the words' character n-grams: saved and loaded
 * (mapped and copied) it mixes the same probabilities; a word -> n-grams
 * table that falls, or names an n-gram beyond F, is refused by name. */
static void test_nb_chargrams(void)
{
    model a;
    build_model(&a, 2, 1, 1, 0, 1, 1, 11);
    enum { N = 6 };
    const int T = a.maxlen, V = (int)a.voc.n;
    int32_t ids[N * 7], y[N];
    for (int i = 0; i < N; i++) {
        y[i] = i % 2;
        for (int t = 0; t < T; t++) ids[i * T + t] = t < 2 ? 0 : 2 + (i * 5 + t * 3) % (V - 2);
    }
    int32_t *off, *feat, F;
    chargram_features(&a.voc, 2, 4, &off, &feat, &F);
    nb_wordfeats wf = { F, off, feat, 2, 4 };
    a.net->nb = nbhead_count(ids, y, N, T, V, 2, 1.0, &wf);
    free(off);
    free(feat);
    a.net->nb->weight = 0.5;
    a.net->nb->scale = 0.3;
    CHECK(a.net->nb->F > 0);
    float *pa = predict_ids(a.net, N, T, ids), *p0 = predict_ids(a.net, N, T, ids);
    nbhead_mix(a.net->nb, N, T, ids, pa, 1);   /* the network's, then the head's mixed in */
    CHECK(memcmp(pa, p0, N * sizeof *pa) != 0);
    free(p0);
    CHECK_MSG(model_save(&a, pth("nbc.ssm")) == 0, "%s", err_msg());
    for (int copy = 0; copy <= 1; copy++) {
        model b;
        int rc = model_load(&b, pth("nbc.ssm"), copy);
        CHECK_MSG(rc == 0, "model_load(nbc.ssm, %d): %s", copy, err_msg());
        if (rc) continue;
        const nb_head *h = b.net->nb;
        CHECK(h && h->F == a.net->nb->F && h->fmin == 2 && h->fmax == 4);
        if (h) CHECK(!memcmp(h->foff, a.net->nb->foff, ((size_t)V + 1) * sizeof *h->foff));
        float *pb = predict_ids(b.net, N, T, ids);
        if (h) nbhead_mix(h, N, T, ids, pb, 1);
        CHECK_MSG(!memcmp(pa, pb, N * sizeof *pa), "copy=%d: the head's mix differs after load", copy);
        free(pb);
        model_free(&b);
    }
    free(pa);
    /* a table that falls, then one naming n-gram F */
    for (int bad = 0; bad < 2; bad++) {
        nb_head *h = a.net->nb;
        int32_t keep_off = h->foff[3], keep_feat = h->ffeat[0];
        if (bad == 0) h->foff[3] = h->foff[V] + 1;
        else h->ffeat[0] = h->F;
        CHECK_MSG(model_save(&a, pth("nbbad.ssm")) == 0, "%s", err_msg());
        model b;
        CHECK(model_load(&b, pth("nbbad.ssm"), 0) != 0);
        CHECK_MSG(strstr(err_msg(), "nb.char_off") != NULL, "bad=%d: %s", bad, err_msg());
        h->foff[3] = keep_off;
        h->ffeat[0] = keep_feat;
    }
    model_free(&a);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/seqsent-model-XXXXXX");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
    blas_set_threads(1);
    test_model_round_trip();
    test_segmentation_round_trip();
    test_vocab_bundle();
    test_embed_bundle();
    test_encode();
    test_load_errors();
    test_determinism();
    test_train_smoke();
    test_infer_invariance();
    test_lazy_rows();
    test_nb_chargrams();
    rm_dir();
    TEST_END();
}
