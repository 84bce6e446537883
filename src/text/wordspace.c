/* wordspace.c - cosine neighbours and analogies (see wordspace.h).
 *
 *   n words, dim dimensions, k answers */
#include "text/wordspace.h"
#include "base/err.h"
#include "base/tensor.h"

#include <math.h>
#include <string.h>

void wordspace_init(wordspace *w, const vocab *voc, const float *vectors, size_t n, int dim)
{
    w->voc = voc;
    w->n = n;
    w->dim = dim;
    w->unit = falloc(n * (size_t)dim);
    for (size_t i = 0; i < n; i++) {
        const float *v = vectors + i * dim;
        float *u = w->unit + i * dim;
        double s = 0;
        for (int d = 0; d < dim; d++) s += (double)v[d] * v[d];
        float inv = s > 0 ? (float)(1 / sqrt(s)) : 0.0f;
        for (int d = 0; d < dim; d++) u[d] = v[d] * inv;
    }
}

void wordspace_free(wordspace *w)
{
    ffree(w->unit);
    memset(w, 0, sizeof *w);
}

static int zero_row(const wordspace *w, size_t i)
{
    const float *u = w->unit + i * w->dim;
    for (int d = 0; d < w->dim; d++) if (u[d] != 0) return 0;
    return 1;
}

int32_t wordspace_id(const wordspace *w, const char *word)
{
    int32_t id = strmap_get(&w->voc->m, word, strlen(word));
    return id < 0 || (size_t)id >= w->n || zero_row(w, (size_t)id) ? -1 : id;
}

int wordspace_nearest(const wordspace *w, const float *q, int k, const int32_t *skip, int nskip, int32_t *ids,
                      float *sims)
{
    double s = 0;
    for (int d = 0; d < w->dim; d++) s += (double)q[d] * q[d];
    const float inv = s > 0 ? (float)(1 / sqrt(s)) : 0.0f;
    int have = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (zero_row(w, i)) continue;
        int skipped = 0;
        for (int j = 0; j < nskip; j++) skipped |= skip[j] == (int32_t)i;
        if (skipped) continue;
        const float *u = w->unit + i * w->dim;
        float sim = 0;
        for (int d = 0; d < w->dim; d++) sim += u[d] * q[d];
        sim *= inv;
        /* insert into the sorted top k (ties: the lower id stays first) */
        if (have == k && sim <= sims[k - 1]) continue;
        int at = have < k ? have++ : k - 1;
        while (at > 0 && sims[at - 1] < sim) {
            sims[at] = sims[at - 1];
            ids[at] = ids[at - 1];
            at--;
        }
        sims[at] = sim;
        ids[at] = (int32_t)i;
    }
    return have;
}

void wordspace_analogy(const wordspace *w, int32_t a, int32_t b, int32_t c, float *q)
{
    const float *ua = w->unit + (size_t)a * w->dim, *ub = w->unit + (size_t)b * w->dim,
                *uc = w->unit + (size_t)c * w->dim;
    for (int d = 0; d < w->dim; d++) q[d] = ub[d] - ua[d] + uc[d];
}
