/* encode.h - a data set as the network reads it.
 *
 *   ids [n, T] int32, row-major: text i tokenized with the model's
 *       tokenizer, mapped to vocabulary ids (0 = <pad>, 1 = <unk>) and
 *       padded / truncated to T = the model's maxlen on the sides it says;
 *   y   [n] class ids (indices into m->labels), NULL without labels (a
 *       multi-label model: each row's first label);
 *   soft [n, K] a multi-label model's targets: 1 where the row has label k,
 *       else 0 (K = the labels), or a teacher's probabilities (distill);
 *   len [n] real tokens per row after truncation (<= T): bucketing sorts by it.
 *
 * Why up front: tokenizing is the slow part of reading text, and an epoch
 * then only copies rows.
 */
#ifndef SEQSENT_ENCODE_H
#define SEQSENT_ENCODE_H

#include <stddef.h>
#include <stdint.h>
#include "text/csv.h"
#include "model/model.h"

typedef struct encoded {
    int32_t *ids;
    int32_t *y;           /* NULL when unlabeled */
    size_t n;
    int T;
    size_t tokens;        /* real tokens before truncation */
    size_t unknown;       /* of which mapped to <unk> */
    int32_t *len;         /* [n] real tokens per row after truncation */
    float *soft;          /* [n, K] distillation targets (a teacher's probabilities), a multi-label
                           * model's label sets (0/1), or NULL */
    int K;                /* their width: the network's outputs */
    int multi;            /* soft holds label sets (the model is multi-label) */
} encoded;

/* Tokenize, map and pad every text of d with the model's settings.  With
 * labels, a label the model does not know is an error "path:line: ...",
 * and so are several labels on a row for a single-label model. */
int encode_dataset(model *m, const dataset *d, int with_labels, encoded *out);
void encoded_free(encoded *e);

#endif
