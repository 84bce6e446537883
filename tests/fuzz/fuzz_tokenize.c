/* fuzz_tokenize.c - libFuzzer harness for normalisation, the tokenizer and
 * the segmentation dictionary (src/text/normalize.c, src/text/units.c, src/text/segdict.c).
 *
 * Input: byte 0 = mode and tokenizer settings, the rest = the payload.
 *   mode 0, 1: tokenize the payload (12 settings: lang x normalize x
 *              squeeze) with a small built-in dictionary or none
 *   mode 2:    segdict_deserialize(payload) (the blob in model files), then
 *              tokenize a fixed mixed text and the payload with it
 *   mode 3:    the payload as a dictionary file (segdict_load), or as a user
 *              dictionary on top of the built-in one (segdict_load_user)
 * Oracles besides the sanitizers:
 *  - tokenizing with a fresh token list and with one reused from the
 *    previous input (scratch memory) gives the same tokens;
 *  - every token is non-empty, NUL-free and valid UTF-8 (invalid input
 *    becomes U+FFFD); with normalisation, no token holds white space;
 *  - text_normalize returns valid UTF-8 of the length it reports;
 *  - a dictionary that loads serialises and deserialises to the same
 *    segmentation.
 *    (A user-dictionary word that normalises to a known word, "\x03\ufeff房间"
 *    beside "房间", was once a second entry that a model file's round trip
 *    merged; tests/test_text.c keeps that case.)
 */
#include "base/err.h"
#include "fuzz_common.h"
#include "text/normalize.h"
#include "text/segdict.h"
#include "text/tokenize.h"

static segdict *base_dict;
static tokenizer *tks[2][3][2][2];   /* [dict][lang][normalize][squeeze] */
static toklist reused;               /* scratch carried from input to input */
static fuzz_file file;

static const char *const WORDS[] = {
    "房间", "干净", "服务员", "非常", "热情", "这个", "酒店", "中国", "中国人", "人民",
    "不错", "很", "好", "2000年", "t恤", "卡拉ok", "北京", "北京大学", "大学", "生活",
    "早餐", "一般", "价格", "便宜", "位置", "没有", "不", "是", "的", "了", NULL
};

static void init(void)
{
    base_dict = segdict_new();
    for (int i = 0; WORDS[i]; i++) segdict_add(base_dict, WORDS[i], strlen(WORDS[i]), 10.0 + i);
    for (int d = 0; d < 2; d++)
        for (int l = 0; l < 3; l++)
            for (int n = 0; n < 2; n++)
                for (int s = 0; s < 2; s++) {
                    tok_config c;
                    tok_config_default(&c);
                    c.lang = (tok_lang)l;
                    c.normalize = n;
                    c.squeeze = s;
                    tks[d][l][n][s] = tokenizer_new(&c, d ? base_dict : NULL);
                }
}

static void describe(const toklist *t, fbuf *out)
{
    for (size_t i = 0; i < t->n; i++) {
        const char *s = toklist_get(t, i);
        fbuf_field(out, s, strlen(s));
    }
}

static void check_tokens(const toklist *t, int normalize)
{
    for (size_t i = 0; i < t->n; i++) {
        const char *s = toklist_get(t, i);
        size_t len = strlen(s);
        size_t stored = (i + 1 < t->n ? t->off[i + 1] : t->len) - t->off[i] - 1;
        FUZZ_ASSERT(len > 0, "empty token %zu", i);
        FUZZ_ASSERT(len == stored, "token %zu holds a NUL byte (%zu of %zu bytes)", i, len, stored);
        FUZZ_ASSERT(fuzz_utf8_valid((const unsigned char *)s, len), "token %zu is not valid UTF-8", i);
        if (normalize)
            for (size_t k = 0; k < len; k++)
                FUZZ_ASSERT(s[k] != ' ' && s[k] != '\t' && s[k] != '\n' && s[k] != '\r',
                            "white space in token %zu '%s'", i, s);
    }
}

/* Tokenize text twice (fresh and reused list), check and compare. */
static void tok_both(const tokenizer *tk, int normalize, const char *text, size_t len)
{
    toklist fresh = {0};
    tokenize(tk, text, len, &fresh);
    check_tokens(&fresh, normalize);
    toklist_clear(&reused);
    tokenize(tk, text, len, &reused);
    fbuf a = {0}, b = {0};
    describe(&fresh, &a);
    describe(&reused, &b);
    fuzz_same(&a, &b, "tokens (fresh list vs reused list)");
    fbuf_free(&a);
    fbuf_free(&b);
    toklist_free(&fresh);
}

static const char MIXED[] = "房间很干净，服务员也非常热情。I didn't enjoy it!! 2001年买的T恤 卡拉OK http://x.cn :) 北京大学生活";

/* A dictionary that loaded: check it survives serialisation, tokenize with it. */
static void use_dict(segdict *d, const char *extra, size_t extra_len)
{
    size_t blen;
    char *blob = segdict_serialize(d, &blen);
    segdict *d2 = segdict_deserialize(blob, blen);
    FUZZ_ASSERT(d2 != NULL, "a serialised dictionary does not load back: %s", err_msg());
    FUZZ_ASSERT(segdict_size(d2) == segdict_size(d), "size %zu -> %zu", segdict_size(d), segdict_size(d2));
    tok_config c;
    tok_config_default(&c);
    tokenizer *t1 = tokenizer_new(&c, d), *t2 = tokenizer_new(&c, d2);
    toklist a = {0}, b = {0};
    tokenize(t1, MIXED, sizeof MIXED - 1, &a);
    tokenize(t2, MIXED, sizeof MIXED - 1, &b);
    check_tokens(&a, 1);
    fbuf fa = {0}, fb = {0};
    describe(&a, &fa);
    describe(&b, &fb);
    fuzz_same(&fa, &fb, "segmentation before/after serialisation");
    fbuf_free(&fa);
    fbuf_free(&fb);
    tok_both(t1, 1, extra, extra_len);
    toklist_free(&a);
    toklist_free(&b);
    tokenizer_free(t1);
    tokenizer_free(t2);
    segdict_free(d2);
    free(blob);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!base_dict) init();
    if (size < 1) return 0;
    uint8_t m = data[0];
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    switch (m & 3) {
    case 0:
    case 1: {
        int d = m & 1, l = (m >> 2) % 3, nz = (m >> 4) & 1, sq = (m >> 5) & 1;
        tok_both(tks[d][l][nz][sq], nz, p, n);
        size_t olen = 0;
        char *norm = text_normalize(p, n, &olen);
        FUZZ_ASSERT(norm && strlen(norm) == olen, "text_normalize length %zu vs %zu", norm ? strlen(norm) : 0, olen);
        FUZZ_ASSERT(fuzz_utf8_valid((unsigned char *)norm, olen), "text_normalize gave invalid UTF-8");
        free(norm);
        break;
    }
    case 2: {
        segdict *d = segdict_deserialize(p, n);
        if (d) {
            if (m & 4) segdict_set_hmm(d, 1);
            use_dict(d, p, n);
            segdict_free(d);
        }
        break;
    }
    case 3: {
        const char *path = fuzz_file_set(&file, p, n);
        segdict *d = segdict_new();
        int rc;
        if (m & 4) {
            for (int i = 0; WORDS[i]; i++) segdict_add(d, WORDS[i], strlen(WORDS[i]), 10.0 + i);
            rc = segdict_load_user(d, path);
        } else {
            rc = segdict_load(d, path);
        }
        if (rc == 0) {
            if (m & 8) segdict_set_hmm(d, 1);
            use_dict(d, p, n);
        }
        segdict_free(d);
        break;
    }
    }
    err_clear();
    return 0;
}
