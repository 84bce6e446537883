/* bag.c - the bag of n-grams forward and backward (see bag.h). */
#include "nn/bag.h"

#include <string.h>

int32_t bag_bigram(int32_t a, int32_t b, int32_t NB)
{
    /* the pair as 64 bits through murmur3's finalizer: every bit of both
     * ids reaches the low bits the modulo keeps */
    uint64_t h = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return (int32_t)(h % (uint64_t)NB);
}

int bag_ngrams(const int32_t *ids, int T, int32_t V, int32_t NB, int32_t *grams)
{
    int n = 0;
    for (int t = 0; t < T; t++) {
        if (!ids[t]) continue;
        grams[n++] = ids[t];
        if (t + 1 < T && ids[t + 1]) grams[n++] = V + bag_bigram(ids[t], ids[t + 1], NB);
    }
    return n;
}

void bag_forward(int B, int T, int G, int32_t V, int32_t NB, const int32_t *ids, const float *table, bag_row_fn *rowf,
                 const void *ctx, float *tmp, float *out, int ldo, int32_t *grams, int32_t *count)
{
    for (int b = 0; b < B; b++) {
        int32_t *gr = grams + (size_t)b * 2 * T;
        const int n = count[b] = bag_ngrams(ids + (size_t)b * T, T, V, NB, gr);
        float *o = out + (size_t)b * ldo;
        memset(o, 0, sizeof(float) * G);
        for (int k = 0; k < n; k++) {
            const float *row = table ? table + (size_t)gr[k] * G : tmp;
            if (!table) rowf(ctx, gr[k], tmp);
            for (int g = 0; g < G; g++) o[g] += row[g];
        }
        if (n)
            for (int g = 0; g < G; g++) o[g] /= (float)n;
    }
}

void bag_backward(int B, int T, int G, const int32_t *grams, const int32_t *count, const float *dout, int ldd,
                  float *dtable, rowset *rows)
{
    for (int b = 0; b < B; b++) {
        const int32_t *gr = grams + (size_t)b * 2 * T;
        const int n = count[b];
        if (!n) continue;
        const float *d = dout + (size_t)b * ldd;
        for (int k = 0; k < n; k++) {
            float *row = dtable + (size_t)gr[k] * G;
            for (int g = 0; g < G; g++) row[g] += d[g] / (float)n;
        }
        rowset_add(rows, gr, (size_t)n);
    }
}
