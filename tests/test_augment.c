/* test_augment.c - perturbed copies of a text (text/augment.h): the
 * joining (a space, none between Han characters), each perturbation alone
 * at probability 1 (every word dropped; every word replaced by its nearest
 * word, worked out by hand; the span's bounds), the pool limit, rates at
 * probability 0.5, copies fixed by the generator's seed, and texts read
 * by a tokenizer one after the other (each copy of its own text), and
 * rows given by a function beside a copied pool (what distill passes). */
#include "text/augment.h"
#include "base/err.h"
#include "test.h"

#include <stdlib.h>

/* ids by count: good 2, great 3, bad 4, awful 5, movie 6, 很 7, 好 8 */
static const char *const words[] = { "good", "great", "bad", "awful", "movie", "很", "好" };
static const int64_t counts[] = { 10, 9, 8, 7, 6, 5, 4 };
enum { NW = 9, DIM = 3 };
static const float vecs[NW * DIM] = {
    0, 0, 0,          /* <pad> */
    1, 1, 1,          /* <unk>: never a replacement */
    1, 0, 0,          /* good: nearest great (0.994), then 好 (0.83), 很 (0.71) */
    0.9f, 0.1f, 0,    /* great: nearest good */
    0, 1, 0,          /* bad: nearest awful (0.994) */
    0, 0.9f, 0.1f,    /* awful: nearest bad */
    0, 0, 1,          /* movie: nearest awful (0.11) */
    0.5f, 0.5f, 0,    /* 很 */
    0.6f, 0.4f, 0,    /* 好 */
};

static void make_vocab(vocab *v)
{
    counter c;
    counter_init(&c);
    for (int i = 0; i < 7; i++) counter_add(&c, words[i], strlen(words[i]), counts[i]);
    vocab_build(v, &c, 1, 0);
    counter_free(&c);
}

static void tokens(toklist *t, const char *const *w, int n)
{
    toklist_clear(t);
    for (int i = 0; i < n; i++) toklist_push(t, w[i], strlen(w[i]));
}

static void test_row(const void *ctx, int32_t id, float *out)
{
    memcpy(out, (const float *)ctx + (size_t)id * DIM, DIM * sizeof *out);
}

static augment_opts none(void)
{
    augment_opts o;
    augment_opts_default(&o);
    o.p_drop = o.p_swap = o.p_span = 0;
    return o;
}

int main(void)
{
    vocab v;
    make_vocab(&v);
    CHECK_INT(strmap_get(&v.m, "good", 4), 2);
    CHECK_INT(strmap_get(&v.m, "好", strlen("好")), 8);
    toklist t = { 0 };
    rng r;
    rng_seed(&r, 1);
    augmenter a;

    /* defaults: Tang et al.'s */
    augment_opts o;
    augment_opts_default(&o);
    CHECK_NEAR(o.p_drop, 0.1, 0);
    CHECK_NEAR(o.p_swap, 0.1, 0);
    CHECK_NEAR(o.p_span, 0.25, 0);
    CHECK_INT(o.span_max, 5);

    /* nothing perturbed: the tokens joined, no space between Han characters */
    o = none();
    augmenter_init(&a, &o, &v, vecs, NW, DIM);
    static const char *const mixed[] = { "good", "movie", "很", "好", "!", "ok", "好", "x" };
    tokens(&t, mixed, 8);
    CHECK_STR(augment_copy(&a, &t, &r), "good movie 很好 ! ok 好 x");
    static const char *const one[] = { "solo" };
    tokens(&t, one, 1);
    CHECK_STR(augment_copy(&a, &t, &r), "solo");
    tokens(&t, one, 0);
    CHECK_STR(augment_copy(&a, &t, &r), "");
    augmenter_free(&a);

    /* every word dropped: nothing left */
    o = none();
    o.p_drop = 1;
    augmenter_init(&a, &o, &v, vecs, NW, DIM);
    tokens(&t, mixed, 8);
    CHECK_STR(augment_copy(&a, &t, &r), "");
    augmenter_free(&a);

    /* every word replaced by its nearest; words outside the space and
     * <unk> stay */
    o = none();
    o.p_swap = 1;
    o.near = 1;
    augmenter_init(&a, &o, &v, vecs, NW, DIM);
    static const char *const sw[] = { "good", "great", "bad", "awful", "movie", "zzz", "<unk>" };
    tokens(&t, sw, 7);
    CHECK_STR(augment_copy(&a, &t, &r), "great good awful bad awful zzz <unk>");
    augmenter_free(&a);

    /* replacements only from the pool (the first 4 ids: good, great) */
    o.pool = 4;
    augmenter_init(&a, &o, &v, vecs, NW, DIM);
    static const char *const pw[] = { "bad", "good", "好" };
    tokens(&t, pw, 3);
    CHECK_STR(augment_copy(&a, &t, &r), "great great great");   /* 好: great 0.89, good 0.83 */
    augmenter_free(&a);

    /* near 2: good becomes great or 好, both in 200 draws, nothing else */
    o = none();
    o.p_swap = 1;
    o.near = 2;
    augmenter_init(&a, &o, &v, vecs, NW, DIM);
    static const char *const gw[] = { "good" };
    tokens(&t, gw, 1);
    int great = 0, hao = 0, other = 0;
    for (int i = 0; i < 200; i++) {
        const char *s = augment_copy(&a, &t, &r);
        if (!strcmp(s, "great")) great++;
        else if (!strcmp(s, "好")) hao++;
        else other++;
    }
    CHECK(great > 50 && hao > 50);
    CHECK_INT(other, 0);
    augmenter_free(&a);

    /* spans: 1..2 adjacent tokens, every length and start drawn */
    o = none();
    o.p_span = 1;
    o.span_max = 2;
    augmenter_init(&a, &o, &v, vecs, NW, DIM);
    static const char *const sp[] = { "a", "b", "c", "d", "e" };
    static const char *const ok[] = { "a", "b", "c", "d", "e", "a b", "b c", "c d", "d e" };
    tokens(&t, sp, 5);
    int seen[9] = { 0 }, bad = 0;
    for (int i = 0; i < 500; i++) {
        const char *s = augment_copy(&a, &t, &r);
        int k = 0;
        while (k < 9 && strcmp(s, ok[k])) k++;
        if (k == 9) bad++;
        else seen[k]++;
    }
    CHECK_INT(bad, 0);
    int all = 1;
    for (int k = 0; k < 9; k++) all &= seen[k] > 0;
    CHECK(all);
    augmenter_free(&a);

    /* rates: half the words dropped, in about half the draws */
    o = none();
    o.p_drop = 0.5;
    augmenter_init(&a, &o, &v, vecs, NW, DIM);
    static const char *const ten[] = { "q", "q", "q", "q", "q", "q", "q", "q", "q", "q" };
    tokens(&t, ten, 10);
    size_t kept = 0;
    for (int i = 0; i < 200; i++) kept += (strlen(augment_copy(&a, &t, &r)) + 1) / 2;
    CHECK_MSG(kept > 850 && kept < 1150, "kept %zu of 2000", kept);
    augmenter_free(&a);

    /* the default mix: the same seed, the same copies; another seed, others */
    augment_opts_default(&o);
    augmenter_init(&a, &o, &v, vecs, NW, DIM);
    static const char *const text[] = { "good", "movie", "but", "bad", "ending", "and", "awful", "music", "!" };
    tokens(&t, text, 9);
    char *first[20];
    rng_seed(&r, 7);
    for (int i = 0; i < 20; i++) first[i] = xstrdup(augment_copy(&a, &t, &r));
    rng_seed(&r, 7);
    int same = 1, changed = 0;
    for (int i = 0; i < 20; i++) same &= !strcmp(first[i], augment_copy(&a, &t, &r));
    CHECK(same);
    rng_seed(&r, 8);
    for (int i = 0; i < 20; i++) changed |= strcmp(first[i], augment_copy(&a, &t, &r)) != 0;
    CHECK(changed);
    for (int i = 0; i < 20; i++) free(first[i]);
    augmenter_free(&a);

    /* rows from a function, the pool's copied at init: the copies of the
     * matrix form (the default mix above, seed 7), though the pool's
     * buffer is wiped after init and only 4 rows are pooled */
    augment_opts_default(&o);
    o.pool = 4;
    augmenter b;
    augmenter_init(&a, &o, &v, vecs, NW, DIM);
    float pool[4 * DIM];
    memcpy(pool, vecs, sizeof pool);
    augmenter_init_rows(&b, &o, &v, pool, test_row, vecs, NW, DIM);
    memset(pool, 0, sizeof pool);
    tokens(&t, text, 9);
    rng s1, s2;
    rng_seed(&s1, 7);
    rng_seed(&s2, 7);
    same = 1;
    int swapped = 0;
    for (int i = 0; i < 50; i++) {
        const char *x = augment_copy(&a, &t, &s1);
        swapped |= strstr(x, "great") != NULL;   /* good's neighbour in the pool */
        same &= !strcmp(x, augment_copy(&b, &t, &s2));
    }
    CHECK(same);
    CHECK(swapped);
    augmenter_free(&a);
    augmenter_free(&b);

    /* texts read one after the other: each copy is of its own text only */
    o = none();
    augmenter_init(&a, &o, &v, vecs, NW, DIM);
    tok_config tc;
    tok_config_default(&tc);
    tokenizer *tk = tokenizer_new(&tc, NULL);
    CHECK_INT(augment_read(&a, tk, "Good movie!")->n, 3);
    CHECK_STR(augment_copy(&a, &a.tokens, &r), "good movie !");
    CHECK_INT(augment_read(&a, tk, "很好")->n, 2);   /* no dictionary: a token per character */
    CHECK_STR(augment_copy(&a, &a.tokens, &r), "很好");
    tokenizer_free(tk);
    augmenter_free(&a);

    toklist_free(&t);
    vocab_free(&v);
    TEST_END();
}
