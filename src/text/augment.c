/* augment.c - perturbed copies of a text (see augment.h).
 *
 *   n tokens in, at most n out; near neighbours per word, found once */
#include "text/augment.h"
#include "base/err.h"
#include "text/chars.h"
#include "text/utf8.h"
#include "text/vocab.h"

#include <string.h>

void augment_opts_default(augment_opts *o)
{
    o->p_drop = 0.1;
    o->p_swap = 0.1;
    o->p_span = 0.25;
    o->span_max = 5;
    o->near = 8;
    o->pool = 20000;
}

void augmenter_init_rows(augmenter *a, const augment_opts *o, const vocab *voc, const float *pool_vectors,
                         augment_row_fn row, const void *ctx, size_t n, int dim)
{
    memset(a, 0, sizeof *a);
    a->o = *o;
    if (a->o.near < 1) a->o.near = 1;
    a->voc = voc;
    a->row = row;
    a->row_ctx = ctx;
    a->n = n;
    a->dim = dim;
    wordspace_init(&a->ws, voc, pool_vectors, n < o->pool ? n : o->pool, dim);
    a->q = falloc((size_t)dim);
    a->nb = xmalloc(n * (size_t)a->o.near * sizeof *a->nb + 1);
    a->nnb = xmalloc(n * sizeof *a->nnb + 1);
    for (size_t i = 0; i < n; i++) a->nnb[i] = -1;
}

void augmenter_init(augmenter *a, const augment_opts *o, const vocab *voc, const float *vectors, size_t n, int dim)
{
    augmenter_init_rows(a, o, voc, vectors, NULL, NULL, n, dim);
    a->vec = vectors;
}

void augmenter_free(augmenter *a)
{
    wordspace_free(&a->ws);
    ffree(a->q);
    free(a->nb);
    free(a->nnb);
    free(a->buf);
    free(a->kept);
    toklist_free(&a->tokens);
    memset(a, 0, sizeof *a);
}

/* A replacement for token t, or NULL when it has none (not in the space,
 * no vector, no neighbour). */
static const char *replacement(augmenter *a, const char *t, rng *r)
{
    int32_t id = strmap_get(&a->voc->m, t, strlen(t));
    if (id <= VOCAB_UNK || (size_t)id >= a->n) return NULL;
    if (a->nnb[id] < 0) {
        int32_t skip[2] = { id, VOCAB_UNK };
        float sims[AUGMENT_NEAR_MAX];
        int k = a->o.near < AUGMENT_NEAR_MAX ? a->o.near : AUGMENT_NEAR_MAX;
        float *v = a->q;
        if (a->row) a->row(a->row_ctx, id, v);
        else memcpy(v, a->vec + (size_t)id * a->dim, (size_t)a->dim * sizeof *v);
        int zero = 1;
        for (int d = 0; d < a->dim && zero; d++) zero = v[d] == 0;
        a->nnb[id] = zero ? 0 : wordspace_nearest(&a->ws, v, k, skip, 2, a->nb + (size_t)id * a->o.near, sims);
    }
    if (!a->nnb[id]) return NULL;
    return vocab_token(a->voc, a->nb[(size_t)id * a->o.near + rng_below(r, (uint64_t)a->nnb[id])]);
}

const toklist *augment_read(augmenter *a, const tokenizer *tk, const char *text)
{
    toklist_clear(&a->tokens);   /* tokenize appends */
    tokenize(tk, text, strlen(text), &a->tokens);
    return &a->tokens;
}

/* The first and the last code point of a token. */
static uint32_t first_cp(const char *s)
{
    uint32_t c = 0;
    dec_utf8((const unsigned char *)s, strlen(s), &c);
    return c;
}

static uint32_t last_cp(const char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) i--;
    if (i > 0) i--;
    uint32_t c = 0;
    dec_utf8((const unsigned char *)s + i, n - i, &c);
    return c;
}

const char *augment_copy(augmenter *a, const toklist *tokens, rng *r)
{
    size_t n = tokens->n, m = 0;
    if (n + 1 > a->kept_cap) {   /* grown once to the longest text: copies are many */
        a->kept_cap = n + 1;
        a->kept = xrealloc(a->kept, a->kept_cap * sizeof *a->kept);
    }
    const char **out = a->kept;
    for (size_t i = 0; i < n; i++) {
        const char *t = toklist_get(tokens, i);
        double u = rng_uniform(r);
        if (u < a->o.p_drop) continue;
        if (u < a->o.p_drop + a->o.p_swap) {
            const char *s = replacement(a, t, r);
            if (s) t = s;
        }
        out[m++] = t;
    }
    size_t from = 0, to = m;
    if (m > 1 && a->o.span_max > 0 && rng_uniform(r) < a->o.p_span) {
        size_t most = (size_t)a->o.span_max < m ? (size_t)a->o.span_max : m;
        size_t len = 1 + rng_below(r, most);
        from = rng_below(r, m - len + 1);
        to = from + len;
    }
    size_t need = 1;
    for (size_t i = from; i < to; i++) need += strlen(out[i]) + 1;
    if (need > a->cap) {
        a->buf = xrealloc(a->buf, need);
        a->cap = need;
    }
    char *p = a->buf;
    for (size_t i = from; i < to; i++) {
        if (i > from && !(is_han(last_cp(out[i - 1])) && is_han(first_cp(out[i])))) *p++ = ' ';
        size_t l = strlen(out[i]);
        memcpy(p, out[i], l);
        p += l;
    }
    *p = 0;
    return a->buf;
}
