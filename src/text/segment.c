/* segment.c - the Chinese segmenter (see segment.h): the dictionary's
 * maximum-probability route, then the HMM for runs of unknown characters.
 *
 * The method is jieba's: build the DAG of all dictionary words in a stretch
 * of units and pick, by dynamic programming from right to left, the path
 * maximising the sum of log(freq / total) over its words (route.h).
 * Optionally, runs of single Han characters left by the path go through a
 * B/M/E/S HMM estimated from the dictionary (hmm.h; unknown words, see
 * segdict_set_hmm).  Working memory is scratch slots of the caller's
 * toklist, so one dictionary serves many threads.
 */
#include "text/segment.h"
#include "text/hmm.h"
#include "text/route.h"
#include "text/trie.h"

#include <stdint.h>
#include <utf8proc.h>

size_t segdict_path(const segdict *d, const uint32_t *key, const uint32_t *kb, size_t n,
                    uint32_t *ends, toklist *sc)
{
    if (!n) return 0;
    if (!segdict_size(d)) {
        for (size_t i = 0; i < n; i++) ends[i] = (uint32_t)i + 1;
        return n;
    }
    size_t nk = kb[n];
    double *route = toklist_scratch(sc, 3, (n + 1) * (sizeof(double) + sizeof(uint32_t) + 4) + nk * sizeof(uint32_t));
    uint32_t *nxt = (uint32_t *)(route + n + 1);
    unsigned char *bp = (unsigned char *)(nxt + n + 1);     /* HMM back pointers: 4 per unit */
    const keytrie *trie = segdict_trie(d);
    const seg_hmm *hm = segdict_hmm_stats(d);
    int mode = segdict_hmm(d);
    seg_route(trie, segdict_total(d), key, kb, n, route, nxt, (uint32_t *)(bp + 4 * (n + 1)));
    size_t nt = 0;
    /* the HMM needs words of one and of several characters to go by (a user
     * dictionary of a few product names alone has no statistics) */
    if (!mode || !hmm_ready(hm)) {
        for (size_t i = 0; i < n; i = nxt[i] & ~SEG_SELF_WORD) ends[nt++] = nxt[i] & ~SEG_SELF_WORD;
        return nt;
    }
    /* runs of single Han characters: to the HMM unless they are a word (and,
     * in mode 1, unless every character is a word by itself) */
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        int unknown = mode == 2;
        while (j < n && (nxt[j] & ~SEG_SELF_WORD) == j + 1 && kb[j + 1] - kb[j] == 1 && hmm_is_han(key[kb[j]])) {
            unknown |= !(nxt[j] & SEG_SELF_WORD);
            j++;
        }
        if (j == i) {
            ends[nt++] = nxt[i] & ~SEG_SELF_WORD;
            i = nxt[i] & ~SEG_SELF_WORD;
            continue;
        }
        const tref *r = NULL;
        if (j - i >= 2 && unknown) {
            uint32_t node = 0;
            for (size_t u = i; u < j; u++) {
                if (!(r = trie_step(trie, node, key[kb[u]]))) break;
                node = r->node & ~TRIE_KIDS;
            }
        }
        if (j - i >= 2 && unknown && !(r && TRIE_IS_WORD(r->w))) {
            /* ends has room: the run's tokens are at most j - i */
            nt += hmm_cut(hm, key, kb, i, j, ends + nt, bp);
        } else if (j - i >= 2 && unknown) {
            ends[nt++] = (uint32_t)j;       /* the run is a word */
        } else {
            for (size_t u = i; u < j; u++) ends[nt++] = (uint32_t)u + 1;
        }
        i = j;
    }
    return nt;
}

void segdict_cut(const segdict *d, const char *s, size_t len, toklist *out)
{
    if (!len) return;
    /* characters: a boundary before every byte that is no continuation byte */
    size_t n = 0;
    for (size_t k = 0; k < len; k++) n += ((unsigned char)s[k] & 0xC0) != 0x80 || k == 0;
    size_t *off = toklist_scratch(out, 7, (n + 1) * (sizeof(size_t) + 3 * sizeof(uint32_t)));
    uint32_t *key = (uint32_t *)(off + n + 1), *kb = key + n, *ends = kb + n + 1;
    n = 0;
    for (size_t k = 0; k < len;) {
        off[n] = k;
        utf8proc_int32_t cp;
        utf8proc_ssize_t m = utf8proc_iterate((const utf8proc_uint8_t *)s + k, (utf8proc_ssize_t)(len - k), &cp);
        if (m <= 0) {           /* not UTF-8: the byte and its continuation bytes */
            cp = 0xFFFD;
            m = 1;
            while (k + (size_t)m < len && ((unsigned char)s[k + (size_t)m] & 0xC0) == 0x80) m++;
        }
        uint32_t c = (uint32_t)cp;
        key[n] = c == 0x25CB ? 0x3007 : c;
        kb[n] = (uint32_t)n;
        n++;
        k += (size_t)m;
    }
    off[n] = len;
    kb[n] = (uint32_t)n;
    size_t nt = segdict_path(d, key, kb, n, ends, out);
    size_t a = 0;
    for (size_t t = 0; t < nt; t++) {
        toklist_push(out, s + off[a], off[ends[t]] - off[a]);
        a = ends[t];
    }
}
