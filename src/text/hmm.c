/* hmm.c - counting and Viterbi decoding of the unknown-word HMM (see
 * hmm.h).
 *
 * The model is kept as raw frequency-weighted counts, not probabilities:
 * words are added one at a time as the dictionary grows (and raised when
 * a word's frequency rises), so the probabilities are worked out at
 * decoding time, which only runs on the rare runs of unknown characters.
 */
#include "text/hmm.h"
#include "base/err.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { T_B, T_M, T_E, T_S };

void hmm_init(seg_hmm *h)
{
    memset(h, 0, sizeof *h);
    h->hidx = xcalloc(0x10000, sizeof *h->hidx);
}

void hmm_free(seg_hmm *h)
{
    free(h->hidx);
    free(h->em);
}

void hmm_reserve(seg_hmm *h, size_t n)
{
    if (h->hn + n > h->hcap) {
        h->hcap = h->hn + n;
        h->em = xrealloc(h->em, h->hcap * sizeof *h->em);
    }
}

int hmm_ready(const seg_hmm *h)
{
    return h->tag_total[T_S] > 0 && h->tag_total[T_B] > 0;
}

/* HMM counts of a word of n units (key[kb[u]..kb[u+1])) with weight w:
 * only words made of single Han characters take part. */
void hmm_count(seg_hmm *h, const uint32_t *key, const uint32_t *kb, size_t n, double w)
{
    if (!n) return;
    for (size_t u = 0; u < n; u++)
        if (kb[u + 1] - kb[u] != 1 || !hmm_is_han(key[kb[u]])) return;
    for (size_t u = 0; u < n; u++) {
        uint32_t c = key[kb[u]];
        int t = n == 1 ? T_S : u == 0 ? T_B : u + 1 == n ? T_E : T_M;
        if (!h->hidx[c]) {
            if (h->hn == h->hcap) {
                h->hcap = h->hcap ? h->hcap * 2 : 1024;
                h->em = xrealloc(h->em, h->hcap * sizeof *h->em);
            }
            memset(h->em[h->hn], 0, sizeof h->em[h->hn]);
            h->hidx[c] = (uint32_t)++h->hn;
        }
        h->em[h->hidx[c] - 1][t] += w;
        h->tag_total[t] += w;
        if (u + 1 < n) h->trans[t][u + 2 == n ? T_E : T_M] += w;
    }
    h->start[n == 1 ? T_S : T_B] += w;
}

#define HMM_ALPHA 0.5           /* add-alpha smoothing of the emissions */

/* Viterbi over the Han characters key[kb[a]], ..., key[kb[b-1]] (single
 * units): the tag sequence starts with B or S, ends with E or S; the words
 * end at E and S.  Writes the token ends (unit indices) to ends (room for
 * b - a), returns how many.  bp: 4 * (b - a) bytes of back pointers. */
size_t hmm_cut(const seg_hmm *h, const uint32_t *key, const uint32_t *kb, size_t a, size_t b,
               uint32_t *ends, unsigned char *bp)
{
    size_t n = b - a;
    if (n == 0) return 0;   /* no units, no words (and v below would be unset) */
    double v[4], nv[4], em[4], lt[4][4], ls[4];
    double V = (double)h->hn + 1;
    for (int t = 0; t < 4; t++)
        for (int u = 0; u < 4; u++) lt[t][u] = -INFINITY;
    double sb = h->start[T_B] + HMM_ALPHA, ss = h->start[T_S] + HMM_ALPHA;
    ls[T_B] = log(sb / (sb + ss));
    ls[T_S] = log(ss / (sb + ss));
    ls[T_M] = ls[T_E] = -INFINITY;
    double bm = h->trans[T_B][T_M] + HMM_ALPHA, be = h->trans[T_B][T_E] + HMM_ALPHA;
    double mm = h->trans[T_M][T_M] + HMM_ALPHA, me = h->trans[T_M][T_E] + HMM_ALPHA;
    lt[T_B][T_M] = log(bm / (bm + be));
    lt[T_B][T_E] = log(be / (bm + be));
    lt[T_M][T_M] = log(mm / (mm + me));
    lt[T_M][T_E] = log(me / (mm + me));
    lt[T_E][T_B] = lt[T_S][T_B] = ls[T_B];
    lt[T_E][T_S] = lt[T_S][T_S] = ls[T_S];
    for (size_t i = 0; i < n; i++) {
        uint32_t c = key[kb[a + i]];
        const double *cnt = c < 0x10000 && h->hidx[c] ? h->em[h->hidx[c] - 1] : NULL;
        for (int t = 0; t < 4; t++)
            em[t] = log(((cnt ? cnt[t] : 0) + HMM_ALPHA) / (h->tag_total[t] + HMM_ALPHA * V));
        if (i == 0) {
            for (int t = 0; t < 4; t++) v[t] = ls[t] + em[t];
            continue;
        }
        for (int t = 0; t < 4; t++) {
            double best = -INFINITY;
            int arg = 0;
            for (int u = 0; u < 4; u++) {
                double s = v[u] + lt[u][t];
                if (s > best) { best = s; arg = u; }
            }
            nv[t] = best + em[t];
            bp[i * 4 + (size_t)t] = (unsigned char)arg;
        }
        memcpy(v, nv, sizeof v);
    }
    int t = v[T_E] >= v[T_S] ? T_E : T_S;
    if (n == 1) t = T_S;
    /* back-track from the right: token ends into the tail of ends[0..n),
     * then moved to the front */
    size_t k = n;
    for (size_t i = n; i-- > 0;) {
        if (t == T_E || t == T_S) ends[--k] = (uint32_t)(a + i + 1);
        if (i > 0) t = bp[i * 4 + (size_t)t];
    }
    memmove(ends, ends + k, (n - k) * sizeof *ends);
    return n - k;
}
