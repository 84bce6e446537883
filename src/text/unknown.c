/* unknown.c - the known word most like an unknown one (see unknown.h). */
#include "text/unknown.h"
#include "base/err.h"
#include "text/chargrams.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The first UNK_SCAN_QUERIES unknown words are matched by a scan of every
 * known word, the later ones through an index of each n-gram's words.  On
 * mr's 19k words a scan takes 2-2.5 ms a word and builds nothing; the index
 * 30 ms to build (every word's n-grams sorted, then 570k pairs) and 10-20
 * us a word.  A command that predicts a line reads a few unknown words and
 * should not build it: an unknown word added 39 ms to a one-line
 * prediction with the index, 14 with a scan of n-grams computed first
 * (sorted, for a merge), 1-2 now.  A command that reads a file meets
 * hundreds, and every scan before the index is lost there: 4 keeps a line's
 * few words from building it and costs a file 10 ms (12 cost it 30). */
#define UNK_SCAN_QUERIES 4

struct unk_match {
    const vocab *voc;
    double min_cos;
    pthread_mutex_t lock;
    int built;               /* read with acquire: the index below is complete */
    int queries;             /* words matched by the scan (under lock) */
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
    free(u);
}

double unk_match_min_cos(const unk_match *u) { return u->min_cos; }

/* A word's n-grams (text/chargrams.h), the matcher's n, known by their
 * 32-bit hashes.  The index is a sorted array of hashes, built at the first
 * unknown word of a process: a string map of the n-grams took 100 ms for
 * mr's words, 64-bit hashes 55 ms, these 35 ms. */
#define UNK_MAX_GRAMS CHARGRAM_MAX_GRAMS(UNK_MATCH_MINN, UNK_MATCH_MAXN)
static int word_grams_raw(const char *w, size_t len, uint32_t *h)
{
    return chargrams(w, len, UNK_MATCH_MINN, UNK_MATCH_MAXN, h);
}

/* The hashes of the word's distinct n-grams, ascending, in h[]: their
 * count, 0 when the word is too long.  h holds UNK_MAX_GRAMS. */
static int word_grams(const char *w, size_t len, uint32_t *h)
{
    return chargrams_distinct(w, len, UNK_MATCH_MINN, UNK_MATCH_MAXN, h);
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

/* Each n-gram's known words: every known word's (gram, word) pairs in
 * word order, sorted by gram, runs of one gram made into the index. */
static void build_index(unk_match *u)
{
    const vocab *v = u->voc;
    /* at most 4 (UNK_MATCH_MAXN - UNK_MATCH_MINN + 1) n-grams a character
     * with the marks: room for all, untouched pages cost nothing */
    size_t cap = 0, np = 0;
    for (size_t id = VOCAB_UNK + 1; id < v->n; id++) cap += 4 * (strmap_keylen(&v->m, (int32_t)id) + 2);
    uint32_t *pk = xmalloc((cap ? cap : 1) * sizeof *pk);
    int32_t *pw = xmalloc((cap ? cap : 1) * sizeof *pw);
    u->ngrams = xcalloc(v->n ? v->n : 1, sizeof *u->ngrams);
    for (size_t id = VOCAB_UNK + 1; id < v->n; id++) {
        int k = word_grams(vocab_token(v, (int32_t)id), strmap_keylen(&v->m, (int32_t)id), pk + np);
        for (int j = 0; j < k; j++) pw[np + (size_t)j] = (int32_t)id;
        np += (size_t)k;
        u->ngrams[id] = (uint16_t)k;
    }
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

/* The best match of the k distinct grams h by a scan of every known
 * word, nothing built: each word's grams are hashed on the fly and looked
 * up in a small open-addressing table of h, a gram of h counted once per
 * word (seen[] holds the last word that met it), and only a word sharing
 * one has its distinct grams counted (sorted) for the cosine.  Ascending
 * ids: a tie keeps the lower. */
#define UNK_TABLE 512   /* slots, a power of 2 over 2 x UNK_MAX_GRAMS */
static int32_t scan(const unk_match *u, const uint32_t *h, int k, double *best_cos)
{
    int16_t slot[UNK_TABLE];   /* index into h, -1 empty */
    int32_t seen[UNK_MAX_GRAMS];
    memset(slot, 0xFF, sizeof slot);
    for (int j = 0; j < k; j++) {
        unsigned s = h[j] & (UNK_TABLE - 1);
        while (slot[s] >= 0) s = (s + 1) & (UNK_TABLE - 1);
        slot[s] = (int16_t)j;
        seen[j] = VOCAB_PAD;   /* no word scanned */
    }
    const vocab *v = u->voc;
    int32_t best = VOCAB_UNK;
    *best_cos = 0;
    uint32_t g[UNK_MAX_GRAMS];
    for (size_t id = VOCAB_UNK + 1; id < v->n; id++) {
        int m = word_grams_raw(vocab_token(v, (int32_t)id), strmap_keylen(&v->m, (int32_t)id), g), common = 0;
        for (int i = 0; i < m; i++) {
            unsigned s = g[i] & (UNK_TABLE - 1);
            for (int j; (j = slot[s]) >= 0; s = (s + 1) & (UNK_TABLE - 1))
                if (h[j] == g[i]) {
                    common += seen[j] != (int32_t)id;
                    seen[j] = (int32_t)id;
                    break;
                }
        }
        if (!common) continue;
        double c = (double)common / sqrt((double)k * chargrams_sort_unique(g, m));
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
