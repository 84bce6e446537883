/* segment.h - the Chinese segmenter: the best sequence of dictionary words
 * for a stretch of units (segdict_path, used by tokenize()) or for a plain
 * run of Han characters (segdict_cut).
 *
 * The words are the maximum-probability route through the dictionary's
 * words (jieba's DAG + unigram method, route.h), with runs of unknown
 * single characters re-cut by the dictionary's HMM (hmm.h).  Reentrant:
 * scratch memory lives in the toklist passed in.
 */
#ifndef SEQSENT_SEGMENT_H
#define SEQSENT_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include "text/segdict.h"
#include "text/toklist.h"

/* Best segmentation of n units whose keys are key[kb[u]..kb[u+1]): writes
 * the end unit of every token, in order, to ends (room for n) and returns
 * the number of tokens.  d may be NULL (one token per unit).  Dictionary
 * words of several units never start or end with clause punctuation
 * (Po Ps Pe Pi Pf: "，还" in the PKU list is noise).  Scratch: slot 3 of sc. */
size_t segdict_path(const segdict *d, const uint32_t *key, const uint32_t *kb, size_t n,
                    uint32_t *ends, toklist *sc);

/* Segment one run of Han characters s[0..len) (UTF-8, already normalised)
 * into the maximum-probability sequence of dictionary words (jieba method)
 * and append the words to out.  d may be NULL or empty: one token per
 * character.  Reentrant (scratch memory lives in out).  Every character is
 * one unit here; tokenize() also joins numbers and Latin words with Han
 * characters when a dictionary word says so ("2000年", "T恤"). */
void segdict_cut(const segdict *d, const char *s, size_t len, toklist *out);

#endif
