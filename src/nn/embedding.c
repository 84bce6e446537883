/* embedding.c - embedding lookup forward and backward, padding mask (see embedding.h). */
#include "nn/embedding.h"

#include <string.h>

void embedding_forward(int B, int T, int E, const int32_t *ids, const float *table, float *X)
{
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            memcpy(X + ((size_t)t * B + b) * E, table + (size_t)ids[(size_t)b * T + t] * E,
                   sizeof(float) * E);
}

void embedding_backward(int B, int T, int E, const int32_t *ids, const float *dX, float *dtable, rowset *rows)
{
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            float *row = dtable + (size_t)ids[(size_t)b * T + t] * E;
            const float *d = dX + ((size_t)t * B + b) * E;
            for (int e = 0; e < E; e++) row[e] += d[e];
        }
    rowset_add(rows, ids, (size_t)B * T);
}

void embedding_mask(int B, int T, const int32_t *ids, unsigned char *mask)
{
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) mask[(size_t)t * B + b] = ids[(size_t)b * T + t] != 0;
}
