/* vocab.h - token counts, the id vocabulary, and Keras-style padding.
 *
 * Ids: 0 = padding, 1 = unknown, then tokens by count (descending), ties by
 * token bytes (ascending), so the same data always gives the same ids.
 */
#ifndef SEQSENT_VOCAB_H
#define SEQSENT_VOCAB_H

#include <stddef.h>
#include <stdint.h>
#include "base/strmap.h"

#define VOCAB_PAD 0
#define VOCAB_UNK 1
#define VOCAB_PAD_TOKEN "<pad>"
#define VOCAB_UNK_TOKEN "<unk>"

typedef struct counter {
    strmap m;
    int64_t *cnt;
    size_t cap;
    int64_t total;
} counter;

void counter_init(counter *c);
void counter_free(counter *c);
void counter_add(counter *c, const char *tok, size_t len, int64_t n);

typedef struct vocab {
    strmap m;            /* token -> id */
    int64_t *counts;     /* [n] training counts (0 for pad/unk) */
    size_t n;
    size_t cap;          /* counts allocated by vocab_add (0: n, or unknown) */
    int borrowed;        /* tokens and counts are a model file's (vocab_adopt) */
} vocab;

/* From counts: tokens with count >= min_count, at most max_size ids in all
 * (0 = no limit), pad and unk included. */
void vocab_build(vocab *v, const counter *c, int64_t min_count, size_t max_size);
void vocab_free(vocab *v);
/* Add a token at the next id (used when reading a listing). */
int32_t vocab_add(vocab *v, const char *tok, size_t len, int64_t count);
/* A model's vocabulary: the n tokens NUL-terminated back to back in
 * tokens[0..bytes), in id order, and their counts, neither copied (they
 * must outlive v: the model file's map; a vocab_add of a new token copies
 * them first).  -1 if tokens is not n tokens, -2 if a token is there twice
 * (v is then freed). */
int vocab_adopt(vocab *v, const char *tokens, size_t bytes, const int64_t *counts, size_t n);
static inline int32_t vocab_id(const vocab *v, const char *tok, size_t len)
{
    int32_t id = strmap_get(&v->m, tok, len);
    return id < 0 ? VOCAB_UNK : id;
}
static inline const char *vocab_token(const vocab *v, int32_t id) { return strmap_key(&v->m, id); }

/* Plain listing "token<TAB>count\n", in id order, pad and unk omitted. */
int vocab_write_text(const vocab *v, const char *path);
/* Read such a listing (count column optional); ids follow the file order
 * after pad and unk.  Errors: "path:line: problem". */
int vocab_read_text(vocab *v, const char *path);

/* Keras pad_sequences for one sequence: ids[0..n) -> out[0..maxlen).
 * pad_pre: padding at the start; trunc_pre: drop tokens from the start. */
void pad_sequence(const int32_t *ids, size_t n, int maxlen, int pad_pre, int trunc_pre,
                  int32_t value, int32_t *out);

#endif
