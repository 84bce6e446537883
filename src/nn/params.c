/* params.c - the parameter list: allocation, initialisers, gradients,
 * shadows, zeroing and summing (see params.h). */
#include "nn/params.h"
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- initialisers (Keras defaults) ---- */

void pinit_zeros(float *w, const param_spec *s, rng *r)
{
    (void)r;
    memset(w, 0, s->n * sizeof(float));
}

void pinit_embedding(float *w, const param_spec *s, rng *r)
{
    init_uniform(r, w, s->n, 0.05f);
    memset(w, 0, sizeof(float) * (size_t)s->shape[1]);   /* padding row */
}

void pinit_glorot(float *w, const param_spec *s, rng *r)
{
    init_glorot_uniform(r, w, (int)s->shape[0], (int)s->shape[1]);
}

void pinit_orthogonal(float *w, const param_spec *s, rng *r)
{
    init_orthogonal(r, w, (int)s->shape[0], (int)s->shape[1]);
}

/* ---- the list ---- */

void params_add(param_list *pl, const char *name, int64_t rows, int64_t cols, param_init_fn *init, int flags,
                float **w, float **g)
{
    if (pl->n == pl->cap) {
        pl->cap = pl->cap ? 2 * pl->cap : 16;
        pl->spec = xrealloc(pl->spec, (size_t)pl->cap * sizeof *pl->spec);
    }
    param_spec *s = &pl->spec[pl->n++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->ndim = cols ? 2 : 1;
    s->shape[0] = rows;
    s->shape[1] = cols;
    s->n = (size_t)rows * (size_t)(cols ? cols : 1);
    s->init = init;
    s->flags = flags;
    s->w = w;
    s->g = g;
}

void params_alloc(param_list *pl)
{
    for (int i = 0; i < pl->n; i++) *pl->spec[i].w = fzeros(pl->spec[i].n);
}

void params_share(param_list *pl, const param_list *src)
{
    for (int i = 0; i < pl->n; i++) *pl->spec[i].w = *src->spec[i].w;
}

void params_free_weights(param_list *pl)
{
    for (int i = 0; i < pl->n; i++) {
        ffree(*pl->spec[i].w);
        *pl->spec[i].w = NULL;
    }
}

void params_alloc_grads(param_list *pl, int moments)
{
    pl->trained = xcalloc((size_t)pl->n, sizeof *pl->trained);
    pl->ntrained = 0;
    for (int i = 0; i < pl->n; i++) {
        param_spec *s = &pl->spec[i];
        if (!(s->flags & PARAM_TRAIN)) continue;
        param *p = &pl->trained[pl->ntrained++];
        snprintf(p->name, sizeof p->name, "%s", s->name);
        p->lr_scale = 1.0f;
        p->w = *s->w;
        p->n = s->n;
        p->g = *s->g = fzeros(s->n);
        p->decay = (s->flags & PARAM_DECAY) != 0;
        if (moments) param_alloc_moments(p);
        if (s->flags & PARAM_SPARSE) {
            s->rows.row = xmalloc((size_t)s->shape[0] * sizeof *s->rows.row);
            s->rows.in = xcalloc((size_t)s->shape[0], 1);
            s->rows.n = 0;
        }
    }
}

void params_free_grads(param_list *pl)
{
    for (int i = 0; i < pl->n; i++) {
        param_spec *s = &pl->spec[i];
        free(s->rows.row);
        free(s->rows.in);
        memset(&s->rows, 0, sizeof s->rows);
        if (s->g) *s->g = NULL;
    }
    for (int i = 0; i < pl->ntrained; i++) {
        ffree(pl->trained[i].g);
        param_free_moments(&pl->trained[i]);
    }
    free(pl->trained);
    pl->trained = NULL;
    pl->ntrained = 0;
}

void params_free(param_list *pl)
{
    params_free_grads(pl);
    free(pl->spec);
    memset(pl, 0, sizeof *pl);
}

/* A tensor's values per row (a vector: 1). */
static size_t spec_cols(const param_spec *s) { return (size_t)(s->shape[1] ? s->shape[1] : 1); }

void params_zero_grads(param_list *pl)
{
    for (int i = 0; i < pl->n; i++) {
        param_spec *s = &pl->spec[i];
        if (!(s->flags & PARAM_TRAIN)) continue;
        float *g = *s->g;
        if (s->flags & PARAM_SPARSE) {   /* only the rows written since the last zeroing */
            const size_t cols = spec_cols(s);
            for (size_t k = 0; k < s->rows.n; k++) {
                memset(g + (size_t)s->rows.row[k] * cols, 0, cols * sizeof(float));
                s->rows.in[s->rows.row[k]] = 0;
            }
            s->rows.n = 0;
        } else {
            memset(g, 0, s->n * sizeof(float));
        }
    }
}

void params_add_grads(param_list *dst, const param_list *src)
{
    for (int i = 0; i < dst->n; i++) {
        param_spec *ds = &dst->spec[i];
        const param_spec *ss = &src->spec[i];
        if (!(ds->flags & PARAM_TRAIN)) continue;
        float *d = *ds->g;
        const float *s = *ss->g;
        if (ds->flags & PARAM_SPARSE) {   /* only the rows src wrote */
            const size_t cols = spec_cols(ds);
            for (size_t k = 0; k < ss->rows.n; k++) {
                int32_t row = ss->rows.row[k];
                float *dr = d + (size_t)row * cols;
                const float *sr = s + (size_t)row * cols;
                for (size_t e = 0; e < cols; e++) dr[e] += sr[e];
                rowset_add(&ds->rows, &row, 1);
            }
        } else {
            for (size_t k = 0; k < ds->n; k++) d[k] += s[k];
        }
    }
}

size_t params_grads_bytes(const param_list *pl)
{
    size_t b = 0;
    for (int i = 0; i < pl->n; i++) {
        const param_spec *s = &pl->spec[i];
        if (!(s->flags & PARAM_TRAIN)) continue;
        if (s->flags & PARAM_SPARSE) b += sizeof(uint32_t) + s->rows.n * (sizeof(int32_t) + spec_cols(s) * sizeof(float));
        else b += s->n * sizeof(float);
    }
    return b;
}

void params_grads_pack(const param_list *pl, unsigned char *buf)
{
    for (int i = 0; i < pl->n; i++) {
        const param_spec *s = &pl->spec[i];
        if (!(s->flags & PARAM_TRAIN)) continue;
        const float *g = *s->g;
        if (!(s->flags & PARAM_SPARSE)) {
            memcpy(buf, g, s->n * sizeof(float));
            buf += s->n * sizeof(float);
            continue;
        }
        uint32_t nr = (uint32_t)s->rows.n;
        size_t cols = spec_cols(s);
        memcpy(buf, &nr, sizeof nr);
        buf += sizeof nr;
        memcpy(buf, s->rows.row, nr * sizeof(int32_t));
        buf += nr * sizeof(int32_t);
        for (size_t k = 0; k < nr; k++, buf += cols * sizeof(float))
            memcpy(buf, g + (size_t)s->rows.row[k] * cols, cols * sizeof(float));
    }
}

int params_grads_unpack(param_list *pl, const unsigned char *buf, size_t len)
{
    const unsigned char *end = buf + len;
    for (int i = 0; i < pl->n; i++) {
        param_spec *s = &pl->spec[i];
        if (!(s->flags & PARAM_TRAIN)) continue;
        float *g = *s->g;
        if (!(s->flags & PARAM_SPARSE)) {
            if ((size_t)(end - buf) < s->n * sizeof(float)) return -1;
            memcpy(g, buf, s->n * sizeof(float));
            buf += s->n * sizeof(float);
            continue;
        }
        uint32_t nr;
        size_t cols = spec_cols(s);
        if ((size_t)(end - buf) < sizeof nr) return -1;
        memcpy(&nr, buf, sizeof nr);
        buf += sizeof nr;
        if (nr > (uint64_t)s->shape[0] || (size_t)(end - buf) < nr * (sizeof(int32_t) + cols * sizeof(float))) return -1;
        const unsigned char *vals = buf + nr * sizeof(int32_t);
        for (size_t k = 0; k < nr; k++) {
            int32_t row;
            memcpy(&row, buf + k * sizeof row, sizeof row);
            if (row < 0 || row >= s->shape[0]) return -1;
            memcpy(g + (size_t)row * cols, vals + k * cols * sizeof(float), cols * sizeof(float));
            rowset_add(&s->rows, &row, 1);
        }
        buf = vals + nr * cols * sizeof(float);
    }
    return buf == end ? 0 : -1;
}

void rowset_add(rowset *s, const int32_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!s->in[ids[i]]) {
            s->in[ids[i]] = 1;
            s->row[s->n++] = ids[i];
        }
}

size_t params_count(const param_list *pl, int trained_only)
{
    size_t n = 0;
    for (int i = 0; i < pl->n; i++)
        if (!trained_only || (pl->spec[i].flags & PARAM_TRAIN)) n += pl->spec[i].n;
    return n;
}

int params_copy_matching(param_list *dst, const param_list *src)
{
    int copied = 0;
    for (int i = 0; i < dst->n; i++) {
        param_spec *d = &dst->spec[i];
        for (int j = 0; j < src->n; j++) {
            const param_spec *s = &src->spec[j];
            if (strcmp(d->name, s->name) || d->n != s->n || d->shape[0] != s->shape[0] || d->shape[1] != s->shape[1])
                continue;
            memcpy(*d->w, *s->w, d->n * sizeof(float));
            copied++;
            break;
        }
    }
    return copied;
}
