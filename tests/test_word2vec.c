/* test_word2vec.c - skip-gram training on a synthetic corpus with two
 * topics: words that share contexts must end up closer than words that do
 * not; one thread is reproducible; subsampling and the noise table keep
 * every id in range. */
#include "train/word2vec.h"
#include "base/err.h"
#include "base/tensor.h"
#include "test.h"

#include <stdlib.h>

enum { V = 22, TOPIC = 10 };   /* ids 0, 1 unused (pad, unk); 2..11 topic A, 12..21 topic B */

static double cosine(const float *a, const float *b, int d)
{
    double ab = 0, aa = 0, bb = 0;
    for (int k = 0; k < d; k++) { ab += a[k] * b[k]; aa += a[k] * a[k]; bb += b[k] * b[k]; }
    return ab / (sqrt(aa * bb) + 1e-12);
}

/* 2,000 texts of 8 words, each from one topic */
static int32_t *make_corpus(size_t *n, int64_t *counts)
{
    rng r;
    rng_seed(&r, 42);
    size_t cap = 2000 * 9, k = 0;
    int32_t *c = xmalloc(cap * sizeof *c);
    memset(counts, 0, V * sizeof *counts);
    for (int t = 0; t < 2000; t++) {
        int base = t % 2 ? 2 : 2 + TOPIC;
        for (int j = 0; j < 8; j++) {
            int32_t id = base + (int32_t)rng_below(&r, TOPIC);
            c[k++] = id;
            counts[id]++;
        }
        c[k++] = -1;
    }
    *n = k;
    return c;
}

static void test_topics(void)
{
    int64_t counts[V];
    size_t n;
    int32_t *c = make_corpus(&n, counts);
    w2v_opts o;
    w2v_opts_default(&o);
    o.dim = 16;
    o.epochs = 3;
    float *v = w2v_train(c, n, counts, V, &o, NULL);
    /* within-topic similarity beats across-topic similarity for every word */
    int good = 0;
    for (int a = 2; a < V; a++) {
        double in = 0, out = 0;
        for (int b = 2; b < V; b++) {
            if (b == a) continue;
            double s = cosine(v + a * o.dim, v + b * o.dim, o.dim);
            if ((a < 2 + TOPIC) == (b < 2 + TOPIC)) in += s / (TOPIC - 1);
            else out += s / TOPIC;
        }
        good += in > out + 0.2;
    }
    CHECK_INT(good, V - 2);
    int finite = 1;
    for (size_t k = 0; k < (size_t)V * o.dim; k++) finite &= isfinite(v[k]) != 0;
    CHECK(finite);

    /* one thread: same seed, same bits; another seed, other vectors */
    float *v2 = w2v_train(c, n, counts, V, &o, NULL);
    CHECK(memcmp(v, v2, (size_t)V * o.dim * sizeof *v) == 0);
    o.seed = 2;
    float *v3 = w2v_train(c, n, counts, V, &o, NULL);
    CHECK(memcmp(v, v3, (size_t)V * o.dim * sizeof *v) != 0);

    /* two Hogwild threads still learn the topics */
    o.threads = 2;
    float *v4 = w2v_train(c, n, counts, V, &o, NULL);
    CHECK(cosine(v4 + 2 * o.dim, v4 + 3 * o.dim, o.dim) > cosine(v4 + 2 * o.dim, v4 + 15 * o.dim, o.dim));
    free(v); free(v2); free(v3); free(v4);
    free(c);
}

static void test_edges(void)
{
    /* one-word texts (no context), no trailing separator, subsampling off,
     * a word never seen (count 0): trains without touching out-of-range ids */
    int32_t c[] = { 2, -1, 3, -1, 2, 3, 2 };
    int64_t counts[5] = { 0, 0, 3, 2, 0 };
    w2v_opts o;
    w2v_opts_default(&o);
    o.dim = 4;
    o.sample = 0;
    o.threads = 3;
    float *v = w2v_train(c, sizeof c / sizeof *c, counts, 5, &o, NULL);
    int finite = 1;
    for (int k = 0; k < 5 * 4; k++) finite &= isfinite(v[k]) != 0;
    CHECK(finite);
    free(v);
}

int main(void)
{
    test_topics();
    test_edges();
    TEST_END();
}
