/* wordspace.h - nearest neighbours and analogies over word vectors
 * (fastText's `nn` and `analogies`).
 *
 *   words: a vocabulary (token <-> id), vectors [n, dim]
 *   every row is scaled to unit length once, so cosine similarity is a dot
 *   product; a query is a vector (a word's, or b - a + c for "a is to b as c
 *   is to ?", Mikolov et al. 2013, each term unit length first), and the
 *   answer the k rows of highest cosine, ties by id, excluding the given ids.
 *   Rows of zeros (words without a vector, padding) are never answers.
 */
#ifndef SEQSENT_WORDSPACE_H
#define SEQSENT_WORDSPACE_H

#include <stddef.h>
#include <stdint.h>
#include "text/vocab.h"

typedef struct wordspace {
    const vocab *voc;   /* borrowed */
    float *unit;        /* [n, dim] rows of unit length (0 rows stay 0) */
    size_t n;
    int dim;
} wordspace;

/* From vectors [n, dim] of voc's ids (copied). */
void wordspace_init(wordspace *w, const vocab *voc, const float *vectors, size_t n, int dim);
void wordspace_free(wordspace *w);
/* The id of a word, or -1 when it has no vector. */
int32_t wordspace_id(const wordspace *w, const char *word);
/* The k best rows for query q [dim] (need not be unit length) into ids [k]
 * and sims [k], best first, skipping the nskip ids of skip; returns how
 * many (< k when the space is small). */
int wordspace_nearest(const wordspace *w, const float *q, int k, const int32_t *skip, int nskip, int32_t *ids,
                      float *sims);
/* q [dim] = unit(b) - unit(a) + unit(c). */
void wordspace_analogy(const wordspace *w, int32_t a, int32_t b, int32_t c, float *q);

#endif
