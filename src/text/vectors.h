/* vectors.h - pretrained word vectors in word2vec text or binary format.
 *
 * Files may be plain or gzip (detected by magic bytes), with or without the
 * "count dim" header line.  The loader streams the file and keeps only the
 * rows of wanted words, so memory is O(wanted x dim), never the whole file.
 */
#ifndef SEQSENT_VECTORS_H
#define SEQSENT_VECTORS_H

#include <stddef.h>
#include <stdint.h>
#include "base/strmap.h"
#include "text/vocab.h"

typedef struct vec_stats {
    long dim;               /* vector dimension */
    long header_count;      /* count from the header line, -1 when absent */
    long rows;              /* vector rows in the file */
    long found;             /* wanted words that had a vector */
    long duplicates;        /* rows whose word appeared before (first one kept) */
} vec_stats;

/* Load the vectors of the words in `want` (id = row of the output).
 * expect_dim > 0: the file must have that dimension; 0: take it from the file.
 * *out gets a want->n x dim float matrix (rows of words not found are zero),
 * *found (if not NULL) a want->n byte array, 1 where a vector was found.
 * Every row is checked for its number of fields; the numbers of kept rows
 * are parsed and checked (non-numbers, NaN, Inf are errors).  A header
 * whose count disagrees with the rows is an error, as is a truncated .gz.
 * Errors: "path:line: problem", returns -1. */
int vectors_load(const char *path, const strmap *want, long expect_dim,
                 float **out, unsigned char **found, vec_stats *st);

/* Read only the words, in file order (the vectors-as-dictionary mode:
 * word2vec files list words by descending frequency).  Words are added to
 * *words (already present ones keep their id).  *dim gets the dimension. */
int vectors_words(const char *path, strmap *words, long *dim);

/* Write word2vec vectors: "count dim", then rows first..n-1 of vec [n,dim]
 * with the vocabulary's tokens, as text (%.6g) or raw little-endian float32
 * (binary).  path "-" = stdout; otherwise written atomically.  -1 +
 * err_set on error (errno EPIPE when stdout's reader went away). */
int vectors_write(const char *path, const vocab *voc, size_t first, const float *vec, int dim, int binary);

#endif
