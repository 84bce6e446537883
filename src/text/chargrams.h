/* chargrams.h - a word's character n-grams, hashed: what a word is made
 * of, for the words a model knows and the ones it does not.
 *
 *   word "cat", n = 3..6  ->  the n-grams of "<cat>" (< and > the start and
 *   end marks): "<ca", "cat", "at>", "<cat", "cat>", "<cat>"
 *
 * fastText's subwords (Bojanowski et al. 2017: n = 3..6 between word
 * marks).  Two users: the unknown-word matcher (text/unknown.h) likens an
 * unknown word to known ones by their n-gram sets, and the naive Bayes head
 * (nn/nbhead.h) counts each known word's n-grams as evidence of their own,
 * so that "unwatchable" shares what "watchable" and "unbearable" taught it.
 *
 * An n-gram is known by a 32-bit hash of its bytes (FNV-1a, then murmur3's
 * finaliser to spread it), as fastText knows its n-grams by bucket: of the
 * 135k distinct n-grams of mr's 19k words some 2 pairs (135k^2 / 2^33)
 * share a hash, each pair then counting as one n-gram.
 */
#ifndef SEQSENT_CHARGRAMS_H
#define SEQSENT_CHARGRAMS_H

#include <stddef.h>
#include <stdint.h>
#include "text/vocab.h"

/* Words longer than this (in code points) have no n-grams: a run of
 * symbols or a URL is no word to learn from, and the n-grams of a 1 MB
 * token would cost for nothing. */
#define CHARGRAM_MAX_CHARS 40
#define CHARGRAM_MAX_N 9   /* the longest n-gram asked for */
/* the most n-grams a word has (the marks included) */
#define CHARGRAM_MAX_GRAMS(minn, maxn) (((maxn) - (minn) + 1) * (CHARGRAM_MAX_CHARS + 2))

/* The hashes of word w[0..len)'s n-grams (minn <= n <= maxn code points,
 * 1 <= minn <= maxn <= CHARGRAM_MAX_N) into h[], in the order met, a
 * repeat each time: their count, 0 when the word is too long.  h holds
 * CHARGRAM_MAX_GRAMS(minn, maxn). */
int chargrams(const char *w, size_t len, int minn, int maxn, uint32_t *h);

/* h[0..k) in order, each once: the new count. */
int chargrams_sort_unique(uint32_t *h, int k);

/* chargrams' hashes, ascending, each once: their count. */
int chargrams_distinct(const char *w, size_t len, int minn, int maxn, uint32_t *h);

/* Every known word's distinct n-grams as features: the distinct hashes of
 * voc's words (ids 2..n-1) numbered 0..*F-1 (ascending hash), and word id
 * i's features feat[off[i] .. off[i+1]) (ascending; none for ids 0, 1 and
 * words too long).  off [n+1] and feat are the caller's to free. */
void chargram_features(const vocab *voc, int minn, int maxn, int32_t **off, int32_t **feat, int32_t *F);

#endif
