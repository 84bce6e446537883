/* augment.h - perturbed copies of a text: a larger transfer set for
 * distillation (Tang et al. 2019, "Distilling Task-Specific Knowledge from
 * BERT into Simple Neural Networks", section 3.2).
 *
 * A small labelled set is a poor transfer set: the teacher learnt those
 * very texts and its probabilities on them are close to their labels, so
 * the student learns little more than the labels.  On copies that differ
 * from every text the teacher saw, its probabilities say how it judges new
 * text, and that is what the student is to learn.
 *
 * A copy of a text's tokens [n], each token in turn (p_drop + p_swap <= 1):
 *   with probability p_drop       left out (their masking: our networks
 *                                 have no mask token, and a dropped word is
 *                                 what the teacher reads best without it);
 *   with probability p_swap       replaced by one of its `near` nearest
 *                                 words by cosine in a word space (their
 *                                 replacement by a word of the same part of
 *                                 speech: here the teacher's embedding says
 *                                 which words are used alike; "good" and
 *                                 "bad" are neighbours, and the teacher
 *                                 tells the student what that changes);
 *   else kept;
 * then with probability p_span only a span of 1..span_max of the tokens
 * (uniform length and start) is kept (their n-gram sampling).  The tokens
 * are joined with a space, but for none between two Han characters
 * (Chinese is written without).  A token outside the space is never a
 * replacement's source, and only its first `pool` words (the most frequent:
 * ids are by count) are replacements.
 */
#ifndef SEQSENT_AUGMENT_H
#define SEQSENT_AUGMENT_H

#include <stddef.h>
#include <stdint.h>
#include "base/tensor.h"
#include "text/tokenize.h"
#include "text/toklist.h"
#include "text/wordspace.h"

enum { AUGMENT_NEAR_MAX = 64 };

typedef struct augment_opts {
    double p_drop, p_swap, p_span;
    int span_max;       /* longest span kept by p_span */
    int near;           /* a replacement is one of the word's `near` nearest (<= AUGMENT_NEAR_MAX) */
    size_t pool;        /* replacements are among the space's first `pool` words */
} augment_opts;

/* Tang et al.'s: 0.1, 0.1, 0.25, spans of 1-5; 8 neighbours of the 20,000
 * most frequent words. */
void augment_opts_default(augment_opts *o);

/* Writes id's vector [dim] to out. */
typedef void (*augment_row_fn)(const void *ctx, int32_t id, float *out);

typedef struct augmenter {
    augment_opts o;
    wordspace ws;       /* the pool's rows */
    const vocab *voc;   /* borrowed: token -> id of the vectors' rows */
    augment_row_fn row; /* a source word's vector, from row_ctx (NULL: vec's row) */
    const void *row_ctx;
    const float *vec;   /* borrowed [n, dim]: augmenter_init's vectors */
    float *q;           /* [dim] the source word's vector */
    size_t n;
    int dim;
    int32_t *nb;        /* [n, near] neighbours, found at a word's first draw */
    int *nnb;           /* [n] how many (-1: not yet looked up) */
    toklist tokens;     /* the text augment_read read last */
    const char **kept;  /* the copy's tokens, before joining [kept_cap] */
    size_t kept_cap;
    char *buf;          /* the copy's text */
    size_t cap;
} augmenter;

/* vectors [n, dim] of voc's ids (borrowed: must outlive a). */
void augmenter_init(augmenter *a, const augment_opts *o, const vocab *voc, const float *vectors, size_t n, int dim);
/* The same without the n rows at hand: pool_vectors [min(n, o->pool),
 * dim] (copied: the replacements' rows), and row(ctx, id, out) a source
 * word's vector when it is first looked up (ctx borrowed) -- so a large
 * vocabulary of wide rows (an ensemble's networks side by side) is never
 * held whole. */
void augmenter_init_rows(augmenter *a, const augment_opts *o, const vocab *voc, const float *pool_vectors,
                         augment_row_fn row, const void *ctx, size_t n, int dim);
void augmenter_free(augmenter *a);
/* The tokens of text by tk (in a, valid until the next call): the source
 * of the copies of a text. */
const toklist *augment_read(augmenter *a, const tokenizer *tk, const char *text);
/* One copy of the tokens, drawn with r: a NUL-terminated text in a's
 * buffer (valid until the next call).  Deterministic given r's state. */
const char *augment_copy(augmenter *a, const toklist *tokens, rng *r);

#endif
