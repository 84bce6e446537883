/* unknown.c - the known word most like an unknown one (see unknown.h). */
#include "text/unknown.h"
#include "base/err.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Words longer than this (in code points) are neither indexed nor matched:
 * a run of symbols or a URL is no misspelt word, and the n-grams of a
 * 1 MB token would cost for nothing. */
#define UNK_MAX_CHARS 40
/* start and end marks: control bytes, which words do not hold in practice
 * (one that did would at worst share a marked n-gram by chance) */
#define MARK_START '\x01'
#define MARK_END '\x02'

/* The first UNK_SCAN_QUERIES unknown words are matched by a scan of every
 * known word's n-grams, the later ones through an index of each n-gram's
 * words.  On mr's 19k words: the words' n-grams 12 ms (once, for both;
 * most of it sorting each word's, the rest first touches of pages), a scan
 * 2.5 ms a word, the index 23 ms to build (sorting 570k pairs, and more
 * pages) and 10-20 us a word: a command that predicts one line reads a
 * few unknown words and should not build it (one line with an unknown
 * word: 53 -> 28 ms).  Both give the same answers. */
#define UNK_SCAN_QUERIES 4

struct unk_match {
    const vocab *voc;
    double min_cos;
    pthread_mutex_t lock;
    int built;               /* read with acquire: the index below is complete */
    int queries;             /* words matched by the scan (under lock) */
    /* the scan's: every known word's n-grams, word by word (freed for the index) */
    uint32_t *wg;            /* word id's ascending hashes: wg[wg_off[id] .. wg_off[id] + ngrams[id]) */
    size_t *wg_off;          /* [voc n] */
    size_t np;               /* pairs */
    /* the index */
    size_t G;                /* distinct n-grams of the known words */
    uint32_t *key;           /* [G] their hashes, ascending */
    size_t *off;             /* [G + 1]: gram g's words are post[off[g] .. off[g+1]) */
    int32_t *post;           /* word ids, ascending within a gram */
    uint16_t *ngrams;        /* [voc n]: each word's distinct n-gram count (0: not indexed) */
};

unk_match *unk_match_new(const vocab *voc, double min_cos)
{
    unk_match *u = xcalloc(1, sizeof *u);
    u->voc = voc;
    u->min_cos = min_cos;
    pthread_mutex_init(&u->lock, NULL);
    return u;
}

void unk_match_free(unk_match *u)
{
    if (!u) return;
    pthread_mutex_destroy(&u->lock);
    free(u->key);
    free(u->off);
    free(u->post);
    free(u->ngrams);
    free(u->wg);
    free(u->wg_off);
    free(u);
}

double unk_match_min_cos(const unk_match *u) { return u->min_cos; }

/* An n-gram is known by a 32-bit hash of its bytes (FNV-1a, then
 * murmur3's finaliser to spread it), as fastText knows its n-grams by
 * bucket: of the 135k distinct n-grams of mr's 19k words, some 2 pairs
 * (135k^2 / 2^33) share a hash, each pair then counting as one n-gram: a
 * count of 1 in a few cosines.  The index is a sorted array of hashes,
 * built at the first unknown word of a process: a string map of the
 * n-grams took 100 ms for mr's words, 64-bit hashes 55 ms, these 35 ms. */
#define FNV_BASIS 2166136261u
#define FNV_PRIME 16777619u
static uint32_t gram_mix(uint32_t h)
{
    h ^= h >> 16; h *= 0x85ebca6bu;
    h ^= h >> 13; h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

/* The hashes of the word's distinct n-grams, ascending, in h[]: their
 * count, 0 when the word is too long.  h holds UNK_MAX_GRAMS. */
#define UNK_MAX_GRAMS (4 * (UNK_MAX_CHARS + 2))
static int word_grams(const char *w, size_t len, uint32_t *h)
{
    if (len > 4 * UNK_MAX_CHARS) return 0;
    char buf[4 * UNK_MAX_CHARS + 2];
    uint16_t pos[UNK_MAX_CHARS + 3];   /* code points' start offsets in buf, then the end */
    int n = 0;
    buf[0] = MARK_START;
    pos[n++] = 0;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)w[i] & 0xC0) != 0x80) {
            if (n > UNK_MAX_CHARS) return 0;
            pos[n++] = (uint16_t)(i + 1);
        }
        buf[i + 1] = w[i];
    }
    buf[len + 1] = MARK_END;
    pos[n++] = (uint16_t)(len + 1);
    pos[n] = (uint16_t)(len + 2);
    /* n code points with the marks; a gram is buf[pos[i] .. pos[i + m]),
     * hashed on from the one a character shorter (FNV-1a is a running
     * hash): each start's grams cost its 6 characters, not 3 + 4 + 5 + 6 */
    int k = 0;
    for (int i = 0; i + UNK_MATCH_MINN <= n; i++) {
        uint32_t run = FNV_BASIS;
        for (int m = 1; m <= UNK_MATCH_MAXN && i + m <= n; m++) {
            for (int b = pos[i + m - 1]; b < pos[i + m]; b++) run = (run ^ (unsigned char)buf[b]) * FNV_PRIME;
            if (m >= UNK_MATCH_MINN) h[k++] = gram_mix(run);
        }
    }
    /* in order, each once (insertion sort: a word has a few dozen) */
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

/* Sort the pairs (key[i], id[i]) by key, stably (ids stay ascending within
 * a key): least significant byte first, 4 passes whose 256 buckets stay in
 * the cache (16-bit digits were slower: their counts and scattered writes
 * miss it). */
static void sort_pairs(uint32_t *key, int32_t *id, size_t n)
{
    uint32_t *k2 = xmalloc((n ? n : 1) * sizeof *k2);
    int32_t *i2 = xmalloc((n ? n : 1) * sizeof *i2);
    size_t cnt[4][257];
    memset(cnt, 0, sizeof cnt);
    for (size_t i = 0; i < n; i++)   /* every pass's counts in one read */
        for (int d = 0; d < 4; d++) cnt[d][((key[i] >> (8 * d)) & 0xFF) + 1]++;
    for (int d = 0; d < 4; d++) {
        size_t *c = cnt[d];
        for (int b = 0; b < 256; b++) c[b + 1] += c[b];
        for (size_t i = 0; i < n; i++) {
            size_t at = c[(key[i] >> (8 * d)) & 0xFF]++;
            k2[at] = key[i];
            i2[at] = id[i];
        }
        uint32_t *tk = key; key = k2; k2 = tk;
        int32_t *ti = id; id = i2; i2 = ti;
    }
    /* 4 swaps: key and id are the caller's arrays again, sorted */
    free(k2);
    free(i2);
}

/* Every known word's n-grams, in word order: the scan's, and the keys of
 * the pairs the index sorts (their words are written then: pages the scan
 * never touches cost nothing). */
static void word_ngrams(unk_match *u)
{
    const vocab *v = u->voc;
    /* at most 4 (UNK_MATCH_MAXN - UNK_MATCH_MINN + 1) n-grams a character
     * with the marks: room for all, untouched pages cost nothing */
    size_t cap = 0, np = 0;
    for (size_t id = VOCAB_UNK + 1; id < v->n; id++) cap += 4 * (strmap_keylen(&v->m, (int32_t)id) + 2);
    uint32_t *pk = xmalloc((cap ? cap : 1) * sizeof *pk);
    u->ngrams = xcalloc(v->n ? v->n : 1, sizeof *u->ngrams);
    u->wg_off = xcalloc(v->n ? v->n : 1, sizeof *u->wg_off);
    for (size_t id = VOCAB_UNK + 1; id < v->n; id++) {
        u->wg_off[id] = np;
        int k = word_grams(vocab_token(v, (int32_t)id), strmap_keylen(&v->m, (int32_t)id), pk + np);
        np += (size_t)k;
        u->ngrams[id] = (uint16_t)k;
    }
    u->wg = pk;
    u->np = np;
}

/* Each n-gram's known words: the (gram, word) pairs in word order, sorted
 * by gram, runs of one gram made into the index. */
static void build_index(unk_match *u)
{
    uint32_t *pk = u->wg;
    size_t np = u->np;
    int32_t *pw = xmalloc((np ? np : 1) * sizeof *pw);
    for (size_t id = VOCAB_UNK + 1; id < u->voc->n; id++)
        for (size_t j = u->wg_off[id], e = j + u->ngrams[id]; j < e; j++) pw[j] = (int32_t)id;
    sort_pairs(pk, pw, np);
    size_t G = 0;
    for (size_t i = 0; i < np; i++) G += !i || pk[i] != pk[i - 1];
    u->G = G;
    u->key = xmalloc((G ? G : 1) * sizeof *u->key);
    u->off = xmalloc((G + 1) * sizeof *u->off);
    for (size_t i = 0, g = 0; i < np; i++)
        if (!i || pk[i] != pk[i - 1]) {
            u->key[g] = pk[i];
            u->off[g++] = i;
        }
    u->off[G] = np;
    u->post = pw;   /* sorted with the keys: each gram's words, ascending */
    free(pk);
    free(u->wg_off);
    u->wg = NULL;
    u->wg_off = NULL;
}

/* The index of gram hash x, or -1. */
static long find_gram(const unk_match *u, uint32_t x)
{
    size_t lo = 0, hi = u->G;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (u->key[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo < u->G && u->key[lo] == x ? (long)lo : -1;
}

/* The best match of the k grams h (ascending) by the scan: each known
 * word's ascending grams merged with them.  Ascending ids: a tie keeps the
 * lower. */
static int32_t scan(const unk_match *u, const uint32_t *h, int k, double *best_cos)
{
    int32_t best = VOCAB_UNK;
    *best_cos = 0;
    for (size_t id = VOCAB_UNK + 1; id < u->voc->n; id++) {
        const uint32_t *g = u->wg + u->wg_off[id];
        int m = u->ngrams[id], a = 0, b = 0, common = 0;
        while (a < k && b < m) {   /* without branches: which side moves is data, not a guess */
            uint32_t x = h[a], y = g[b];
            common += x == y;
            a += x <= y;
            b += y <= x;
        }
        if (!common) continue;
        double c = (double)common / sqrt((double)k * m);
        if (c > *best_cos) {
            *best_cos = c;
            best = (int32_t)id;
        }
    }
    return best;
}

/* The best match through the index: |A & B| of every known word B sharing
 * an n-gram, a count per word (a word is in a gram's list once, and k <=
 * UNK_MAX_GRAMS < 256), the words met listed once.  Counting, not sorting
 * the lists' union: a common gram ("ing") lists thousands of words, and
 * sorting them was most of an English prediction's time. */
static int32_t lookup(const unk_match *u, const uint32_t *h, int k, double *best_cos)
{
    long gid[UNK_MAX_GRAMS];
    size_t total = 0;
    *best_cos = 0;
    for (int j = 0; j < k; j++) {
        gid[j] = find_gram(u, h[j]);
        if (gid[j] >= 0) total += u->off[gid[j] + 1] - u->off[gid[j]];
    }
    if (!total) return VOCAB_UNK;
    uint8_t *count = xcalloc(u->voc->n, 1);
    int32_t *met = xmalloc(total * sizeof *met);
    size_t n = 0;
    for (int j = 0; j < k; j++)
        if (gid[j] >= 0)
            for (size_t i = u->off[gid[j]], b = u->off[gid[j] + 1]; i < b; i++) {
                int32_t id = u->post[i];
                if (!count[id]++) met[n++] = id;
            }
    int32_t best = VOCAB_UNK;
    for (size_t i = 0; i < n; i++) {
        int32_t id = met[i];
        double c = (double)count[id] / sqrt((double)k * u->ngrams[id]);
        if (c > *best_cos || (c == *best_cos && id < best)) {   /* a tie goes to the lower id */
            *best_cos = c;
            best = id;
        }
    }
    free(met);
    free(count);
    return best;
}

int32_t unk_match_id(unk_match *u, const char *tok, size_t len, double *cos)
{
    if (cos) *cos = 0;
    uint32_t h[UNK_MAX_GRAMS];
    int k = word_grams(tok, len, h);
    if (!k) return VOCAB_UNK;
    int32_t best;
    double best_cos;
    if (__atomic_load_n(&u->built, __ATOMIC_ACQUIRE)) {
        best = lookup(u, h, k, &best_cos);
    } else {
        pthread_mutex_lock(&u->lock);
        if (!u->built) {
            if (!u->ngrams) word_ngrams(u);
            if (u->queries++ == UNK_SCAN_QUERIES) {
                build_index(u);
                __atomic_store_n(&u->built, 1, __ATOMIC_RELEASE);
            }
        }
        if (u->built) best = lookup(u, h, k, &best_cos);
        else best = scan(u, h, k, &best_cos);
        pthread_mutex_unlock(&u->lock);
    }
    if (cos) *cos = best_cos;
    /* a hair below the threshold counts: 0.6 must admit 3 / sqrt(5 x 5) */
    return best_cos >= u->min_cos - 1e-12 ? best : VOCAB_UNK;
}
