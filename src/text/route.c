/* route.c - the maximum-probability route over the DAG of dictionary words
 * (see route.h).
 *
 * The DAG is never built: walking the trie from unit i (trie_step, one
 * memory access per code point) lists the words that start there, and the
 * key-position -> unit table ku tells where a word that ends at a key
 * position ends in units (a unit may have a key of several code points).
 */
#include "text/route.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define SEG_OOV_FREQ 1.0        /* a unit that is no dictionary word */

void seg_route(const keytrie *t, double total, const uint32_t *key, const uint32_t *kb, size_t n,
               double *route, uint32_t *nxt, uint32_t *ku)
{
    double lt = log(total > 0 ? total : 1), oov = log(SEG_OOV_FREQ) - lt;
    size_t nk = kb[n];
    /* ku[k]: 1 + the unit that ends with key position k, else 0 */
    memset(ku, 0, nk * sizeof *ku);
    for (size_t u = 0; u < n; u++) ku[kb[u + 1] - 1] = (uint32_t)u + 1;
    route[n] = 0;
    for (size_t i = n; i-- > 0;) {
        double best = oov + route[i + 1];
        uint32_t bj = (uint32_t)i + 1, node = 0;
        for (size_t k = kb[i]; k < nk; k++) {
            const tref *r = trie_step(t, node, key[k]);
            if (!r) break;
            uint32_t e = ku[k];
            if (e && TRIE_IS_WORD(r->w)) {
                double sc = (double)r->w - lt + route[e];
                if (e == i + 1) {
                    best = sc;
                    bj = e | SEG_SELF_WORD;
                } else if (sc >= best) {
                    best = sc;
                    bj = e;
                }
            }
            if (!(r->node & TRIE_KIDS)) break;
            node = r->node & ~TRIE_KIDS;
        }
        route[i] = best;
        if (nxt) nxt[i] = bj;
    }
}
