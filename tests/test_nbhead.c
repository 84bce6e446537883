/* test_nbhead.c - the naive Bayes head (nn/nbhead.h): its smoothed log
 * probabilities against counts worked out by hand, a row's logits against
 * a brute force over its distinct words and pairs (padding, <unk>, repeats
 * and pairs never seen), the mix of a softmax and of a sigmoid network
 * alike, weight 0 changing nothing, and the fit choosing the head when it
 * knows what the network does not, and not when it knows nothing; the
 * words' own features (character n-grams) counted once a row however many
 * of its words share one, those no row had dropped, in the logits once. */
#include "nn/nbhead.h"
#include "base/err.h"
#include "base/tensor.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { T = 6, V = 8 };

/* Four rows over words 2..7 (0 = padding, 1 = <unk>), classes 0 1 0 1:
 *   row 0  pad pad 2 3 2 3   class 0: words {2,3}, pairs {(2,3),(3,2)}
 *   row 1  pad 4 5 4 1 5     class 1: words {4,5}, pairs {(4,5),(5,4)} ((4,1), (1,5): <unk>)
 *   row 2  pad pad pad 2 6 7 class 0: words {2,6,7}, pairs {(2,6),(6,7)}
 *   row 3  pad pad pad pad 4 3 class 1: words {3,4}, pairs {(4,3)} */
static const int32_t ROWS[4 * T] = {
    0, 0, 2, 3, 2, 3,
    0, 4, 5, 4, 1, 5,
    0, 0, 0, 2, 6, 7,
    0, 0, 0, 0, 4, 3,
};
static const int32_t Y[4] = { 0, 1, 0, 1 };

static int32_t row_of_pair(const nb_head *h, int32_t a, int32_t b)
{
    for (int64_t i = 0; i < h->npairs; i++)
        if (h->pairs[2 * i] == a && h->pairs[2 * i + 1] == b) return (int32_t)(V + i);
    return -1;
}

static void test_counts(void)
{
    nb_head *h = nbhead_count(ROWS, Y, 4, T, V, 2, 1.0, NULL);
    CHECK_INT(h->npairs, 7);   /* (2,3) (3,2) (4,5) (5,4) (2,6) (6,7) (4,3) */
    for (int64_t i = 1; i < h->npairs; i++)   /* ascending */
        CHECK(h->pairs[2 * i - 2] < h->pairs[2 * i] ||
              (h->pairs[2 * i - 2] == h->pairs[2 * i] && h->pairs[2 * i - 1] < h->pairs[2 * i + 1]));
    /* features: 6 words (2..7) + 7 pairs = 13; class 0's n-grams: words
     * 2,3 + 2,6,7 = 5 and pairs 2 + 2 = 4: 9; class 1's: 4,5 + 3,4 = 4
     * words and 2 + 1 = 3 pairs: 7 */
    double z0 = log(9 + 13.0), z1 = log(7 + 13.0);
    CHECK_NEAR(h->logp[2 * 2 + 0], log(2 + 1.0) - z0, 1e-6);   /* word 2: twice in class 0 (once a row) */
    CHECK_NEAR(h->logp[2 * 2 + 1], log(0 + 1.0) - z1, 1e-6);
    CHECK_NEAR(h->logp[3 * 2 + 0], log(1 + 1.0) - z0, 1e-6);   /* word 3: rows 0 and 3 */
    CHECK_NEAR(h->logp[3 * 2 + 1], log(1 + 1.0) - z1, 1e-6);
    CHECK_NEAR(h->logp[4 * 2 + 1], log(2 + 1.0) - z1, 1e-6);   /* word 4: twice in row 1, once counted */
    int32_t g = row_of_pair(h, 2, 3);
    CHECK(g >= V);
    if (g >= V) {
        CHECK_NEAR(h->logp[g * 2 + 0], log(1 + 1.0) - z0, 1e-6);   /* (2,3): twice in row 0, once counted */
        CHECK_NEAR(h->logp[g * 2 + 1], log(0 + 1.0) - z1, 1e-6);
    }
    CHECK_INT(row_of_pair(h, 4, 1), -1);   /* <unk> makes no pair */
    CHECK(nbhead_pairs_valid(h->pairs, h->npairs, V));   /* what a file's loader checks */
    static const int32_t unsorted[] = { 3, 2, 2, 3 }, unk[] = { 1, 2 }, beyond[] = { 2, V };
    CHECK(!nbhead_pairs_valid(unsorted, 2, V) && !nbhead_pairs_valid(unk, 1, V) && !nbhead_pairs_valid(beyond, 1, V));
    CHECK_NEAR(h->prior[0], log(3 / 6.0), 1e-6);   /* (2 rows + 1) / (4 + 2 classes) */
    nbhead_free(h);
}

/* z = prior + the sum over the row's distinct words and known pairs. */
static void brute_logits(const nb_head *h, const int32_t *row, double *z)
{
    for (int c = 0; c < h->C; c++) z[c] = h->prior[c];
    for (int t = 0; t < T; t++) {
        int32_t x = row[t], seen = 0;
        if (x < 2) continue;
        for (int u = 0; u < t; u++) seen |= row[u] == x;
        if (!seen)
            for (int c = 0; c < h->C; c++) z[c] += h->logp[x * h->C + c];
        if (t + 1 < T && row[t + 1] >= 2) {
            int again = 0;
            for (int u = 0; u < t; u++) again |= row[u] == x && row[u + 1] == row[t + 1];
            int32_t g = row_of_pair(h, x, row[t + 1]);
            if (!again && g >= 0)
                for (int c = 0; c < h->C; c++) z[c] += h->logp[g * h->C + c];
        }
    }
}

static void test_logits(void)
{
    nb_head *h = nbhead_count(ROWS, Y, 4, T, V, 2, 0.5, NULL);
    static const int32_t q[][T] = {
        { 0, 0, 2, 3, 2, 3 },   /* a training row */
        { 2, 3, 7, 6, 1, 1 },   /* (3,7), (7,6) never seen; <unk> */
        { 0, 0, 0, 0, 0, 0 },   /* padding only: the prior */
        { 5, 4, 5, 4, 5, 4 },   /* repeats */
    };
    for (int i = 0; i < 4; i++) {
        float z[2];
        double want[2];
        nbhead_logits(h, q[i], T, z);
        brute_logits(h, q[i], want);
        CHECK_NEAR(z[0], want[0], 1e-4);
        CHECK_NEAR(z[1], want[1], 1e-4);
    }
    float z[2];
    nbhead_logits(h, q[3], T, z);
    CHECK(z[1] > z[0]);   /* 4 and 5 are class 1's words */
    nbhead_free(h);
}

static void test_mix(void)
{
    nb_head *h = nbhead_count(ROWS, Y, 4, T, V, 2, 1.0, NULL);
    float soft2[2 * 2] = { 0.7f, 0.3f, 0.2f, 0.8f }, sig[2] = { 0.3f, 0.8f };
    h->weight = 0;
    nbhead_mix(h, 2, T, ROWS, soft2, 2);
    CHECK(soft2[0] == 0.7f && soft2[3] == 0.8f);   /* weight 0: untouched */
    h->weight = 0.4;
    h->scale = 0.5;
    nbhead_mix(h, 2, T, ROWS, soft2, 2);
    nbhead_mix(h, 2, T, ROWS, sig, 1);
    CHECK_NEAR(soft2[0] + soft2[1], 1, 1e-6);
    CHECK_NEAR(sig[0], soft2[1], 1e-6);   /* a sigmoid's probability is the second class's */
    CHECK_NEAR(sig[1], soft2[3], 1e-6);
    float z[2];
    nbhead_logits(h, ROWS, T, z);
    double q1 = 1 / (1 + exp(-0.5 * (z[1] - z[0])));
    CHECK_NEAR(sig[0], 0.6 * 0.3 + 0.4 * q1, 1e-6);
    nbhead_free(h);
}

/* Rows whose class is word 2 or 3 somewhere among noise words 4..7: a
 * network that guesses (0.5) gains from the head; one that is right and
 * sure gains nothing, and the head is left out (weight 0). */
static void test_fit(void)
{
    enum { N = 400 };
    int32_t *ids = xmalloc(N * T * sizeof *ids), y[N];
    float guess[N * 2], sure[N * 2];
    rng r;
    rng_seed(&r, 3);
    for (int i = 0; i < N; i++) {
        y[i] = (int32_t)rng_below(&r, 2);
        for (int t = 0; t < T; t++) ids[i * T + t] = 4 + (int32_t)rng_below(&r, 4);
        ids[i * T + rng_below(&r, T)] = 2 + y[i];
        guess[2 * i] = guess[2 * i + 1] = 0.5f;
        sure[2 * i + y[i]] = 1;
        sure[2 * i + 1 - y[i]] = 0;
    }
    nb_head *h = nbhead_count(ids, y, N / 2, T, V, 2, 1.0, NULL);   /* counted on the first half, fitted on the second */
    double l0, l1;
    nbhead_fit(h, ids + N / 2 * T, y + N / 2, N / 2, T, guess + N, 2, NAN, NAN, &l0, &l1);
    CHECK(h->weight >= 0.5);
    CHECK_NEAR(l0, log(2.0), 1e-6);
    CHECK(l1 < 0.3);
    const double free_w = h->weight, free_s = h->scale, free_l = l1;
    /* a weight given (train --naive-bayes-weight): kept, the scale chosen
     * with it, a log loss no lower than the free choice's; both given:
     * both kept, the loss the mixture's at them */
    double l0w, l1w;
    nbhead_fit(h, ids + N / 2 * T, y + N / 2, N / 2, T, guess + N, 2, 0.25, NAN, &l0w, &l1w);
    CHECK_NEAR(h->weight, 0.25, 0);
    CHECK(h->scale >= 0.01 && h->scale <= 1);
    CHECK_NEAR(l0w, l0, 0);
    CHECK(l1w >= free_l && l1w < l0);
    nbhead_fit(h, ids + N / 2 * T, y + N / 2, N / 2, T, guess + N, 2, free_w, free_s, &l0w, &l1w);
    CHECK_NEAR(h->weight, free_w, 0);
    CHECK_NEAR(h->scale, free_s, 0);
    CHECK_NEAR(l1w, free_l, 1e-12);
    nbhead_fit(h, ids + N / 2 * T, y + N / 2, N / 2, T, guess + N, 2, NAN, 0.037, &l0w, &l1w);
    CHECK_NEAR(h->scale, 0.037, 0);   /* off the grid: as given */
    CHECK(h->weight > 0);
    nbhead_fit(h, ids + N / 2 * T, y + N / 2, N / 2, T, sure + N, 2, NAN, NAN, &l0, &l1);
    CHECK_NEAR(h->weight, 0, 0);
    CHECK_NEAR(l1, l0, 0);
    nbhead_fit(h, ids + N / 2 * T, y + N / 2, N / 2, T, sure + N, 2, 0.5, 0.3, &l0, &l1);
    CHECK_NEAR(h->weight, 0.5, 0);   /* given, even where it does not help */
    CHECK(l1 > l0);
    nbhead_free(h);
    free(ids);
}

/* Word features: 2 -> {0,1}, 3 -> {1}, 4 -> {2}, 5 -> {2}, 6 -> none,
 * 7 -> {3}; feature 4 is no word's in a row (dropped).  By row:
 *   row 0 (class 0) words {2,3}: features {0,1} (1 twice: once)
 *   row 1 (class 1) words {4,5}: {2} (twice: once)
 *   row 2 (class 0) words {2,6,7}: {0,1,3}
 *   row 3 (class 1) words {3,4}: {1,2}
 * class 0: f0 2, f1 2, f3 1 (5); class 1: f1 1, f2 2 (3).  Features in all:
 * 6 words + 7 pairs + 4 = 17; class totals 9 + 5 = 14 and 7 + 3 = 10. */
static const int32_t WF_OFF[V + 1] = { 0, 0, 0, 2, 3, 4, 5, 5, 6 };
static const int32_t WF_FEAT[6] = { 0, 1, 1, 2, 2, 3 };

static void test_wordfeats(void)
{
    nb_wordfeats wf = { 5, WF_OFF, WF_FEAT, 3, 6 };
    nb_head *h = nbhead_count(ROWS, Y, 4, T, V, 2, 1.0, &wf);
    CHECK_INT(h->F, 4);
    CHECK_INT(h->fmin, 3);
    CHECK_INT(h->fmax, 6);
    CHECK_INT(h->npairs, 7);
    CHECK(h->foff[2] == 0 && h->foff[3] == 2 && h->foff[V] == 6);
    CHECK(h->ffeat[0] == 0 && h->ffeat[1] == 1 && h->ffeat[5] == 3);
    CHECK(nbhead_wordfeats_valid(h->foff, h->ffeat, V, h->F));
    double z0 = log(14 + 17.0), z1 = log(10 + 17.0);
    const int64_t f0 = V + h->npairs;
    CHECK_NEAR(h->logp[2 * 2 + 0], log(2 + 1.0) - z0, 1e-6);   /* word 2, as without features but for the totals */
    CHECK_NEAR(h->logp[(f0 + 0) * 2 + 0], log(2 + 1.0) - z0, 1e-6);
    CHECK_NEAR(h->logp[(f0 + 1) * 2 + 0], log(2 + 1.0) - z0, 1e-6);   /* row 0 has it twice: counted once */
    CHECK_NEAR(h->logp[(f0 + 1) * 2 + 1], log(1 + 1.0) - z1, 1e-6);
    CHECK_NEAR(h->logp[(f0 + 2) * 2 + 1], log(2 + 1.0) - z1, 1e-6);
    CHECK_NEAR(h->logp[(f0 + 3) * 2 + 0], log(1 + 1.0) - z0, 1e-6);
    CHECK_NEAR(h->logp[(f0 + 3) * 2 + 1], log(0 + 1.0) - z1, 1e-6);
    /* logits: the words' and pairs' as a head without features, plus each
     * distinct feature once */
    static const int32_t q[T] = { 5, 4, 5, 4, 2, 3 };   /* features {2} once, {0,1} */
    float z[2];
    double want[2];
    nbhead_logits(h, q, T, z);
    brute_logits(h, q, want);
    for (int c = 0; c < 2; c++) {
        want[c] += h->logp[(f0 + 0) * 2 + c] + h->logp[(f0 + 1) * 2 + c] + h->logp[(f0 + 2) * 2 + c];
        CHECK_NEAR(z[c], want[c], 1e-4);
    }
    /* nbhead_mix and nbhead_fit read the same logits: the mix of one row */
    float pr[2] = { 0.5f, 0.5f };
    h->weight = 0.5;
    h->scale = 1;
    nbhead_mix(h, 1, T, q, pr, 2);
    CHECK_NEAR(pr[1], 0.25 + 0.5 / (1 + exp(-(z[1] - z[0]))), 1e-6);
    static const int32_t bad_start[V + 1] = { 1, 1, 1, 2, 3, 4, 5, 5, 6 }, down[V + 1] = { 0, 0, 0, 2, 1, 4, 5, 5, 6 };
    static const int32_t beyond[6] = { 0, 1, 1, 2, 2, 4 };
    CHECK(!nbhead_wordfeats_valid(bad_start, WF_FEAT, V, 4) && !nbhead_wordfeats_valid(down, WF_FEAT, V, 4) &&
          !nbhead_wordfeats_valid(WF_OFF, beyond, V, 4));
    nbhead_free(h);
}

int main(void)
{
    test_counts();
    test_wordfeats();
    test_logits();
    test_mix();
    test_fit();
    TEST_END();
}
