/* route.h - the maximum-probability route through the DAG of dictionary
 * words (jieba's method, a unigram model).
 *
 * Every dictionary word that starts at a unit is an edge of the DAG; the
 * route maximises the sum of log(freq / total) over its words, by dynamic
 * programming from right to left.  A unit that is no dictionary word
 * scores like a word of frequency SEG_OOV_FREQ (jieba: 1).  Ties go to the
 * longer word.  The segmenter (segment.c) follows the route; the
 * dictionary (segdict.c) asks how probable the current route is to give a
 * user's word a frequency that beats it.
 */
#ifndef SEQSENT_ROUTE_H
#define SEQSENT_ROUTE_H

#include <stddef.h>
#include <stdint.h>
#include "text/trie.h"

#define SEG_SELF_WORD 0x80000000u  /* in nxt[i]: unit i by itself is a word */

/* Best log probability of the units key[kb[u]..kb[u+1]), u < n, under the
 * trie t of a dictionary whose frequencies sum to total, by dynamic
 * programming from the right: route[i] for units i..n-1 (n + 1 entries),
 * nxt[i] the end of the first word, with SEG_SELF_WORD when unit i is a
 * word by itself (nxt may be NULL).  ku: scratch of kb[n] entries. */
void seg_route(const keytrie *t, double total, const uint32_t *key, const uint32_t *kb, size_t n,
               double *route, uint32_t *nxt, uint32_t *ku);

#endif
