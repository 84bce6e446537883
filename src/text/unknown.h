/* unknown.h - a word the vocabulary does not have, read as the known word
 * most like it by its character n-grams.
 *
 * A model knows only its training text's words; on mr, 5.7% of the test
 * tokens and 61% of the test sentences have a word the training split never
 * had ("inhabited", "repetitively", "critics'"), and each such word reads as
 * <unk>.  fastText gives an unknown word the sum of its character n-gram
 * vectors (Bojanowski et al. 2017: n = 3..6 with word-boundary marks); a
 * word-level network has no vectors for n-grams, but it has rows for known
 * words, so the unknown word takes the row of the known word whose n-gram
 * set is the most like its own ("inhabited" -> "inhabit", "critics'" ->
 * "critics"), when they are alike enough; else it stays <unk>.
 *
 * Likeness is the cosine of the two words' n-gram sets, |A & B| /
 * sqrt(|A| |B|): A, B the distinct n-grams (n = UNK_MATCH_MINN..MAXN, in
 * code points) of the word between a start and an end mark.  A tie goes to
 * the lower id (the more frequent word), so the answer is a function of
 * the vocabulary, the word and the threshold only.
 *
 * The first few unknown words of a process are matched by a scan of every
 * known word's n-grams, the later ones through an index of each n-gram's
 * known words (built once, under a lock: one index may serve several
 * threads): a command that reads a line or two need not build it.  Both
 * give the same answers.
 */
#ifndef SEQSENT_UNKNOWN_H
#define SEQSENT_UNKNOWN_H

#include <stddef.h>
#include <stdint.h>
#include "text/vocab.h"

#define UNK_MATCH_MINN 3
#define UNK_MATCH_MAXN 6

typedef struct unk_match unk_match;

/* A matcher over voc's words (ids 2..n-1; voc must outlive it and not
 * change), for unknown words whose cosine with their best match is at
 * least min_cos (0 < min_cos <= 1).  Builds nothing yet. */
unk_match *unk_match_new(const vocab *voc, double min_cos);
void unk_match_free(unk_match *u);
double unk_match_min_cos(const unk_match *u);

/* The id for token tok[0..len) that voc does not have: its best match's,
 * or VOCAB_UNK when none reaches min_cos.  *cos (when not NULL) gets the
 * best cosine found (0 when none).  Thread-safe. */
int32_t unk_match_id(unk_match *u, const char *tok, size_t len, double *cos);

#endif
