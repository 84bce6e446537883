/* chargrams.c - a word's character n-grams, hashed (see chargrams.h). */
#include "text/chargrams.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

/* start and end marks: control bytes, which words do not hold in practice
 * (one that did would at worst share a marked n-gram by chance) */
#define MARK_START '\x01'
#define MARK_END '\x02'

#define FNV_BASIS 2166136261u
#define FNV_PRIME 16777619u
static uint32_t gram_mix(uint32_t h)
{
    h ^= h >> 16; h *= 0x85ebca6bu;
    h ^= h >> 13; h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

int chargrams(const char *w, size_t len, int minn, int maxn, uint32_t *h)
{
    if (len > 4 * CHARGRAM_MAX_CHARS) return 0;
    char buf[4 * CHARGRAM_MAX_CHARS + 2];
    uint16_t pos[CHARGRAM_MAX_CHARS + 3];   /* code points' start offsets in buf, then the end */
    int n = 0;
    buf[0] = MARK_START;
    pos[n++] = 0;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)w[i] & 0xC0) != 0x80) {
            if (n > CHARGRAM_MAX_CHARS) return 0;
            pos[n++] = (uint16_t)(i + 1);
        }
        buf[i + 1] = w[i];
    }
    buf[len + 1] = MARK_END;
    pos[n++] = (uint16_t)(len + 1);
    pos[n] = (uint16_t)(len + 2);
    /* n code points with the marks; a gram is buf[pos[i] .. pos[i + m]),
     * hashed on from the one a character shorter (FNV-1a is a running
     * hash): each start's grams cost its maxn characters, not 3 + 4 + 5 + 6 */
    int k = 0;
    for (int i = 0; i + minn <= n; i++) {
        uint32_t run = FNV_BASIS;
        for (int m = 1; m <= maxn && i + m <= n; m++) {
            for (int b = pos[i + m - 1]; b < pos[i + m]; b++) run = (run ^ (unsigned char)buf[b]) * FNV_PRIME;
            if (m >= minn) h[k++] = gram_mix(run);
        }
    }
    return k;
}

/* insertion sort: a word has a few dozen */
int chargrams_sort_unique(uint32_t *h, int k)
{
    int u = 0;
    for (int i = 0; i < k; i++) {
        uint32_t x = h[i];
        int j = u;
        while (j > 0 && h[j - 1] > x) { h[j] = h[j - 1]; j--; }
        if (j > 0 && h[j - 1] == x) {   /* a repeat: undo the shift */
            memmove(h + j, h + j + 1, (size_t)(u - j) * sizeof *h);
            continue;
        }
        h[j] = x;
        u++;
    }
    return u;
}

int chargrams_distinct(const char *w, size_t len, int minn, int maxn, uint32_t *h)
{
    return chargrams_sort_unique(h, chargrams(w, len, minn, maxn, h));
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The feature of hash x among the ascending keys[0..G) (it is there). */
static int32_t feature_of(const uint32_t *keys, size_t G, uint32_t x)
{
    size_t lo = 0, hi = G;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return (int32_t)lo;
}

void chargram_features(const vocab *voc, int minn, int maxn, int32_t **off_out, int32_t **feat_out, int32_t *F)
{
    const size_t V = voc->n;
    uint32_t g[CHARGRAM_MAX_GRAMS(1, CHARGRAM_MAX_N)];
    int32_t *off = xcalloc(V + 1, sizeof *off);
    /* every word's distinct hashes in word order, then their sorted union */
    size_t cap = 1024, np = 0;
    uint32_t *all = xmalloc(cap * sizeof *all);
    for (size_t id = 0; id < V; id++) {
        int k = id > VOCAB_UNK
                    ? chargrams_distinct(vocab_token(voc, (int32_t)id), strmap_keylen(&voc->m, (int32_t)id), minn, maxn, g)
                    : 0;
        if (np + (size_t)k > cap) {
            while (np + (size_t)k > cap) cap *= 2;
            all = xrealloc(all, cap * sizeof *all);
        }
        memcpy(all + np, g, (size_t)k * sizeof *g);
        np += (size_t)k;
        off[id + 1] = (int32_t)np;
    }
    uint32_t *keys = xmalloc((np ? np : 1) * sizeof *keys);
    memcpy(keys, all, np * sizeof *keys);
    qsort(keys, np, sizeof *keys, cmp_u32);
    size_t G = 0;
    for (size_t i = 0; i < np; i++) if (!G || keys[i] != keys[G - 1]) keys[G++] = keys[i];
    int32_t *feat = xmalloc((np ? np : 1) * sizeof *feat);
    for (size_t i = 0; i < np; i++) feat[i] = feature_of(keys, G, all[i]);   /* ascending within a word: its hashes were */
    free(keys);
    free(all);
    *off_out = off;
    *feat_out = feat;
    *F = (int32_t)G;
}
