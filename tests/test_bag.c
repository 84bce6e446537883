/* test_bag.c - the bag of n-grams (nn/bag.h), worked out by hand: which
 * n-gram rows a padded row has, the mean forward and the spread-out
 * backward, and the bigram hash pinned to its values (a model file's bag
 * rows are only right if the hash never changes). */
#include "test.h"
#include "nn/bag.h"

#include <stdlib.h>

int main(void)
{
    enum { V = 10, NB = 7, T = 6, G = 2 };
    /* the hash: in range, order matters, and pinned (the model file's "ngrams": 2 scheme) */
    int in_range = 1;
    for (int a = 0; a < 50; a++)
        for (int b = 0; b < 50; b++) {
            int32_t h = bag_bigram(a, b, NB);
            in_range &= h >= 0 && h < NB;
        }
    CHECK(in_range);
    CHECK_INT(bag_bigram(3, 4, 131072), 113904);   /* murmur3 fmix64 of a << 32 | b, mod NB: worked out in Python */
    CHECK_INT(bag_bigram(4, 3, 131072), 82271);
    CHECK_INT(bag_bigram(2, 1000000, 131072), 128276);
    int spread = 0;   /* 64 pairs over 131072 buckets: no two in one */
    for (int a = 0; a < 8; a++)
        for (int b = 0; b < 8; b++)
            for (int c = 0; c < 8; c++)
                for (int d = 0; d < 8; d++)
                    spread += (a != c || b != d) && bag_bigram(a, b, 131072) == bag_bigram(c, d, 131072);
    CHECK_INT(spread, 0);

    /* n-grams: real tokens and pairs of adjacent real tokens; padding (0) neither */
    int32_t pre[T] = { 0, 0, 3, 4, 1, 5 }, post[T] = { 3, 4, 0, 0, 0, 0 }, pad[T] = { 0 }, one[T] = { 0, 0, 0, 0, 0, 9 };
    int32_t g[2 * T];
    CHECK_INT(bag_ngrams(pre, T, V, NB, g), 7);
    CHECK_INT(g[0], 3);
    CHECK_INT(g[1], V + bag_bigram(3, 4, NB));
    CHECK_INT(g[2], 4);
    CHECK_INT(g[3], V + bag_bigram(4, 1, NB));   /* <unk> is a word like any other */
    CHECK_INT(g[4], 1);
    CHECK_INT(g[5], V + bag_bigram(1, 5, NB));
    CHECK_INT(g[6], 5);
    CHECK_INT(bag_ngrams(post, T, V, NB, g), 3);   /* padding after the text */
    CHECK_INT(g[1], V + bag_bigram(3, 4, NB));
    CHECK_INT(bag_ngrams(pad, T, V, NB, g), 0);
    CHECK_INT(bag_ngrams(one, T, V, NB, g), 1);

    /* forward: the mean of the rows; a row of padding: zeros; output row stride ldo */
    float table[(V + NB) * G];
    for (int i = 0; i < (V + NB) * G; i++) table[i] = (float)(i % 11) - 5.0f;
    int32_t ids[3 * T];
    memcpy(ids, pre, sizeof pre);
    memcpy(ids + T, pad, sizeof pad);
    memcpy(ids + 2 * T, one, sizeof one);
    enum { LD = 5 };
    float out[3 * LD];
    for (int i = 0; i < 3 * LD; i++) out[i] = 99;
    int32_t grams[3 * 2 * T], count[3];
    bag_forward(3, T, G, V, NB, ids, table, NULL, NULL, NULL, out, LD, grams, count);
    CHECK_INT(count[0], 7);
    CHECK_INT(count[1], 0);
    CHECK_INT(count[2], 1);
    for (int k = 0; k < G; k++) {
        double s = 0;
        for (int j = 0; j < 7; j++) s += table[grams[j] * G + k];
        CHECK_NEAR(out[k], s / 7, 1e-6);
        CHECK(out[LD + k] == 0);
        CHECK(out[2 * LD + k] == table[9 * G + k]);
    }
    CHECK(out[G] == 99 && out[LD - 1] == 99);   /* beyond G: the caller's (the summary's) */

    /* backward: dout / count into each n-gram's row; rows recorded once */
    float dout[3 * LD], dtable[(V + NB) * G];
    for (int i = 0; i < 3 * LD; i++) dout[i] = (float)(i + 1);
    memset(dtable, 0, sizeof dtable);
    rowset rows = { calloc(V + NB, sizeof(int32_t)), 0, calloc(V + NB, 1) };
    bag_backward(3, T, G, grams, count, dout, LD, dtable, &rows);
    CHECK_NEAR(dtable[3 * G], 1.0 / 7, 1e-6);
    CHECK_NEAR(dtable[3 * G + 1], 2.0 / 7, 1e-6);
    CHECK_NEAR(dtable[9 * G], dout[2 * LD], 1e-6);   /* row 3's one word */
    CHECK(dtable[2 * G] == 0 && dtable[0] == 0);       /* ids not in any row, and padding */
    CHECK_INT(rows.n, 8);                              /* 7 n-grams of row 1 (all distinct), id 9 of row 3 */
    free(rows.row);
    free(rows.in);
    TEST_END();
}
