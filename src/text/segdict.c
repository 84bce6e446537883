/* segdict.c - the Chinese segmentation dictionary (see segdict.h): its
 * words, their key forms in the trie, the HMM counts, and loading.
 *
 * Dictionary words are stored in their key form (text_key, units.h: digit
 * runs -> number classes, U+25CB -> U+3007, Chinese digit runs -> classes)
 * in a trie over code points (trie.h).  Several words may share one key
 * ("1998年" and "2001年" are both "N4年"): the key's frequency is the sum of
 * theirs, a class-based estimate.  Every word also feeds the HMM for
 * unknown words (hmm.h).
 *
 * The words themselves (normalised) are kept in insertion order for
 * serialisation and for "a word added twice keeps its highest frequency":
 * a word whose key is its own text ("plain": CJK ideographs only, the vast
 * majority) is found through its trie node (the node's value), the others
 * through a strmap.  Loading a file into an empty dictionary goes in bulk
 * (bulk_plain).
 */
#include "text/segdict.h"
#include "text/chars.h"
#include "text/hmm.h"
#include "text/normalize.h"
#include "text/route.h"
#include "text/toklist.h"
#include "text/trie.h"
#include "text/units.h"
#include "base/err.h"
#include "base/strmap.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define SEG_ZIPF_C 1e7          /* segdict_add_ranked: freq = C / (rank + 1) */

struct segdict {
    keytrie trie;       /* key forms; node value: 1 + the word whose key and text it is ("plain"), 0: none */
    /* words, in insertion order (normalised) */
    char *arena;        /* their bytes, back to back */
    size_t alen, acap;
    size_t *woff;       /* per word id: offset in arena */
    uint32_t *wlen;     /* ... length */
    double *wfreq;      /* ... frequency */
    size_t nw, wcap;
    strmap lit;         /* the other words (digits, Latin ...): text -> litw */
    uint32_t *litw;     /* per lit id: word id */
    size_t litcap;
    double total;       /* sum of word frequencies */
    int hmm;            /* HMM mode (segdict_set_hmm) */
    seg_hmm hm;         /* HMM statistics (frequency-weighted counts) */
    toklist sc;         /* scratch for loading */
};

/* A word to load in bulk: text (not NUL-terminated), frequency, position. */
typedef struct bent { const char *w; uint32_t len, line; double f; } bent;

segdict *segdict_new(void)
{
    segdict *d = xcalloc(1, sizeof *d);
    trie_init(&d->trie);
    hmm_init(&d->hm);
    strmap_init(&d->lit);
    d->hmm = 1;
    return d;
}

void segdict_free(segdict *d)
{
    if (!d) return;
    trie_free(&d->trie);
    hmm_free(&d->hm);
    strmap_free(&d->lit);
    free(d->litw);
    free(d->arena);
    free(d->woff);
    free(d->wlen);
    free(d->wfreq);
    toklist_free(&d->sc);
    free(d);
}

size_t segdict_size(const segdict *d)
{
    return d ? d->nw : 0;
}

void segdict_set_hmm(segdict *d, int mode)
{
    d->hmm = mode < 0 ? 0 : mode > 2 ? 2 : mode;
}

int segdict_hmm(const segdict *d)
{
    return d ? d->hmm : 0;
}

/* ---- adding words: text, key form, frequency ---- */

/* Clause punctuation (categories Po Ps Pe Pi Pf) as a unit by itself. */
static int punct_unit(const uint32_t *key, const uint32_t *kb, size_t u)
{
    if (kb[u + 1] - kb[u] != 1 || key[kb[u]] >= SEG_KEY_NUM) return 0;
    switch (utf8proc_category((utf8proc_int32_t)key[kb[u]])) {
    case UTF8PROC_CATEGORY_PO: case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
        return 1;
    default:
        return 0;
    }
}

/* A new word w[0..len): its id. */
static uint32_t new_word(segdict *d, const char *w, size_t len)
{
    if (d->nw == d->wcap) {
        d->wcap = d->wcap ? d->wcap * 2 : 4096;
        d->woff = xrealloc(d->woff, d->wcap * sizeof *d->woff);
        d->wlen = xrealloc(d->wlen, d->wcap * sizeof *d->wlen);
        d->wfreq = xrealloc(d->wfreq, d->wcap * sizeof *d->wfreq);
    }
    if (d->alen + len > d->acap) {
        d->acap = 2 * (d->alen + len) + 4096;
        d->arena = xrealloc(d->arena, d->acap);
    }
    memcpy(d->arena + d->alen, w, len);
    d->woff[d->nw] = d->alen;
    d->wlen[d->nw] = (uint32_t)len;
    d->wfreq[d->nw] = 0;
    d->alen += len;
    return (uint32_t)d->nw++;
}

/* Add an already normalised word w[0..len) with frequency f > 0 and key
 * key[0..kb[n]) (n units); plain: the key is the word's code points (then
 * the trie node identifies the word, no lookup by text).  A known word
 * keeps the higher frequency. */
static double add_keyed(segdict *d, const char *w, size_t len, double f, const uint32_t *key,
                        const uint32_t *kb, size_t n, int plain)
{
    if (!len || !n || !(f > 0) || !isfinite(f) || len > UINT32_MAX) return 0;
    tref *r = NULL;
    uint32_t id;
    if (plain) {
        r = trie_put(&d->trie, key, kb[n]);
        uint32_t node = r->node & ~TRIE_KIDS;
        if (!d->trie.val[node]) d->trie.val[node] = new_word(d, w, len) + 1;
        id = d->trie.val[node] - 1;
    } else {
        int is_new;
        int32_t li = strmap_put(&d->lit, w, len, &is_new);
        if (is_new) {
            if ((size_t)li >= d->litcap) {
                d->litcap = d->litcap ? 2 * d->litcap : 256;
                d->litw = xrealloc(d->litw, d->litcap * sizeof *d->litw);
            }
            d->litw[li] = new_word(d, w, len);
        }
        id = d->litw[li];
    }
    double old = d->wfreq[id];
    if (f <= old) return 0;
    d->wfreq[id] = f;
    if (!plain) {
        /* a word of several units never starts or ends with clause
         * punctuation: such entries ("，还" in the PKU word list) are noise,
         * kept in the list but not used for segmentation */
        if (n > 1 && (punct_unit(key, kb, 0) || punct_unit(key, kb, n - 1))) return 0;
        r = trie_put(&d->trie, key, kb[n]);
    }
    uint32_t node = r->node & ~TRIE_KIDS;
    d->trie.freq[node] += f - old;
    r->w = (float)log(d->trie.freq[node]);
    d->total += f - old;
    hmm_count(&d->hm, key, kb, n, f - old);
    return f - old;
}

/* Does the normalised word w[0..len) have a number class key (an ASCII
 * digit, or two Chinese digits in a row)? */
static int has_number(const char *w, size_t len)
{
    uint32_t prev = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)w[i];
        if ((unsigned)c - '0' < 10u) return 1;
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)w + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0) return 0;
        if (tok_is_cdigit((uint32_t)cp) && tok_is_cdigit(prev)) return 1;
        prev = (uint32_t)cp;
        i += (size_t)k;
    }
    return 0;
}

/* The number-class key of word w[0..len) (see SEG_KEY_NUM), whose
 * frequency rose by df: the key's frequency rises by as much. */
static void add_class_key(segdict *d, const char *w, size_t len, double df)
{
    if (!(df > 0) || !has_number(w, len)) return;
    const uint32_t *key, *kb;
    size_t n;
    text_key(w, len, 1, &d->sc, &key, &kb, &n);
    if (!n || (n > 1 && (punct_unit(key, kb, 0) || punct_unit(key, kb, n - 1)))) return;
    tref *r = trie_put(&d->trie, key, kb[n]);
    uint32_t node = r->node & ~TRIE_KIDS;
    d->trie.freq[node] += df;
    r->w = (float)log(d->trie.freq[node]);
}

/* A word whose bytes are CJK unified ideographs only is its own normal
 * form and its key is its code points; decode it into key.  0 otherwise. */
static size_t plain_han(const char *w, size_t len, uint32_t *key, size_t cap)
{
    const unsigned char *s = (const unsigned char *)w;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 3) {
        if (i + 3 > len || n == cap) return 0;
        unsigned a = s[i], b = s[i + 1], c = s[i + 2];
        if ((a & 0xF0) != 0xE0 || (b & 0xC0) != 0x80 || (c & 0xC0) != 0x80) return 0;
        uint32_t cp = ((a & 0x0Fu) << 12) | ((b & 0x3Fu) << 6) | (c & 0x3Fu);
        if (!((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF))) return 0;
        key[n++] = cp;
    }
    return n;
}

#define PLAIN_MAX 64

/* Add a normalised word: its key, then add_keyed. */
static void add_norm(segdict *d, const char *w, size_t len, double f)
{
    uint32_t pk[PLAIN_MAX], pb[PLAIN_MAX + 1];
    size_t n = plain_han(w, len, pk, PLAIN_MAX);
    if (n) {
        for (size_t i = 0; i <= n; i++) pb[i] = (uint32_t)i;
        add_class_key(d, w, len, add_keyed(d, w, len, f, pk, pb, n, 1));
        return;
    }
    const uint32_t *key, *kb;
    text_key(w, len, 0, &d->sc, &key, &kb, &n);
    add_class_key(d, w, len, add_keyed(d, w, len, f, key, kb, n, 0));
}

/* Normalise word[0..len) (unless it is plain Han) and add it. */
static void add_word(segdict *d, const char *word, size_t len, double f, int user)
{
    uint32_t pk[PLAIN_MAX];
    if (user) {
        segdict_add_user(d, word, len, f);
        return;
    }
    if (plain_han(word, len, pk, PLAIN_MAX)) {
        add_norm(d, word, len, f);
        return;
    }
    size_t n;
    char *w = text_normalize(word, len, &n);
    add_norm(d, w, n, f);
    free(w);
}

void segdict_add(segdict *d, const char *word, size_t len, double freq)
{
    add_word(d, word, len, freq > 0 ? freq : SEG_DEFAULT_FREQ, 0);
}

static void bulk_plain(segdict *d, bent *e, size_t n);

void segdict_add_ranked(segdict *d, const char *const *words, size_t n)
{
    if (d->trie.nn != 1 || d->nw != 0) {            /* not empty: one by one */
        for (size_t r = 0; r < n; r++)
            if (words[r]) segdict_add(d, words[r], strlen(words[r]), SEG_ZIPF_C / ((double)r + 1));
        return;
    }
    /* empty: the plain words in bulk (see load), then the others */
    bent *pl = xmalloc((n ? n : 1) * sizeof *pl);
    size_t np = 0;
    uint32_t pk[PLAIN_MAX];
    for (size_t r = 0; r < n; r++) {
        if (!words[r]) continue;
        size_t len = strlen(words[r]);
        if (len <= 3 * PLAIN_MAX && plain_han(words[r], len, pk, PLAIN_MAX)) {
            pl[np].w = words[r];
            pl[np].len = (uint32_t)len;
            pl[np].line = (uint32_t)np;
            pl[np].f = SEG_ZIPF_C / ((double)r + 1);
            np++;
        }
    }
    bulk_plain(d, pl, np);
    free(pl);
    for (size_t r = 0; r < n; r++) {
        if (!words[r]) continue;
        size_t len = strlen(words[r]);
        if (!(len <= 3 * PLAIN_MAX && plain_han(words[r], len, pk, PLAIN_MAX)))
            segdict_add(d, words[r], len, SEG_ZIPF_C / ((double)r + 1));
    }
}

void segdict_add_user(segdict *d, const char *word, size_t len, double freq)
{
    size_t n;
    char *w = NULL;
    uint32_t pk[PLAIN_MAX];
    int plain = plain_han(word, len, pk, PLAIN_MAX) > 0;
    if (!plain) {
        w = text_normalize(word, len, &n);
        word = w;
        len = n;
    }
    const uint32_t *key, *kb;
    text_key(word, len, 0, &d->sc, &key, &kb, &n);
    if (n) {
        double f = freq > 0 ? freq : SEG_DEFAULT_FREQ;
        if (d->total > 0) {
            /* jieba suggest_freq: P(word) must beat the product of the
             * probabilities of the pieces the dictionary cuts it into */
            double *route = toklist_scratch(&d->sc, 6, (n + 1) * sizeof *route + kb[n] * sizeof(uint32_t));
            seg_route(&d->trie, d->total, key, kb, n, route, NULL, (uint32_t *)(route + n + 1));
            double s = floor(exp(route[0] + log(d->total))) + 1;
            if (isfinite(s) && s > f) f = s;
        }
        add_class_key(d, word, len, add_keyed(d, word, len, f, key, kb, n, plain));
    }
    free(w);
}

/* ---- dictionary files ---- */

static int valid_utf8(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if ((unsigned char)s[i] < 0x80) { i++; continue; }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0) return 0;
        i += (size_t)k;
    }
    return 1;
}

/* A frequency field: a finite number >= 0 (0: the default). */
static int parse_freq(const char *s, double *f)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v) || v < 0) return -1;
    *f = v;
    return 0;
}

static inline int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* A second field that starts like a number is a frequency, else a tag. */
static inline int looks_numeric(const char *s)
{
    return (*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.';
}

/* ---- bulk loading: a dictionary file into an empty segdict ----
 *
 * Adding words one by one costs a random hash-table access per character,
 * slow for big dictionaries (jieba's dict.txt: 349k words).  Into an empty
 * dictionary, the plain (CJK-ideographs-only) words are loaded in bulk: sort
 * them (usually they are sorted already), build the trie nodes from the
 * common prefixes of neighbours, then insert the edges into the hash table
 * in the order of their slots, so that the table is written sequentially. */

static int bent_cmp(const void *pa, const void *pb)
{
    const bent *x = pa, *y = pb;
    size_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->w, y->w, m);
    if (c) return c;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static inline uint32_t utf8_3(const char *p)
{
    const unsigned char *s = (const unsigned char *)p;
    return ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
}

/* Sort the plain words b[0..n) (code point order = byte order): by their
 * first two characters (radix), then each group by insertion sort (groups
 * are small, and already sorted in sorted files). */
static void sort_plain(bent *b, size_t n)
{
    bent *tmp = xmalloc((n ? n : 1) * sizeof *tmp);
    uint32_t *k2 = xmalloc((n ? n : 1) * sizeof *k2), *kt = xmalloc((n ? n : 1) * sizeof *kt);
    for (size_t i = 0; i < n; i++)
        k2[i] = (utf8_3(b[i].w) << 16) | (b[i].len >= 6 ? utf8_3(b[i].w + 3) : 0);
    size_t *cnt = xmalloc(((size_t)1 << 16) * sizeof *cnt);
    for (int sh = 0; sh < 32; sh += 16) {
        memset(cnt, 0, ((size_t)1 << 16) * sizeof *cnt);
        for (size_t i = 0; i < n; i++) cnt[(k2[i] >> sh) & 0xFFFF]++;
        size_t sum = 0;
        for (size_t v = 0; v < (1 << 16); v++) {
            size_t c = cnt[v];
            cnt[v] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t to = cnt[(k2[i] >> sh) & 0xFFFF]++;
            tmp[to] = b[i];
            kt[to] = k2[i];
        }
        memcpy(b, tmp, n * sizeof *b);
        memcpy(k2, kt, n * sizeof *k2);
    }
    for (size_t i = 1; i < n; i++) {
        if (k2[i] != k2[i - 1] || bent_cmp(&b[i - 1], &b[i]) <= 0) continue;
        bent x = b[i];
        size_t j = i;
        while (j > 0 && k2[j - 1] == k2[i] && bent_cmp(&b[j - 1], &x) > 0) {
            b[j] = b[j - 1];
            j--;
        }
        b[j] = x;
    }
    free(cnt);
    free(tmp);
    free(k2);
    free(kt);
}

/* Add the plain words e[0..n) to the empty dictionary d (word ids in
 * sorted order; e gets sorted). */
static void bulk_plain(segdict *d, bent *e, size_t n)
{
    if (!n) return;
    bent *srt = e;              /* sorted in place */
    int sorted = 1;
    for (size_t k = 1; k < n && sorted; k++) sorted = bent_cmp(&srt[k - 1], &srt[k]) <= 0;
    if (!sorted) sort_plain(srt, n);
    /* trie nodes from the common prefixes; edges listed */
    size_t chars = 0;
    for (size_t k = 0; k < n; k++) chars += e[k].len / 3;
    edge *ed = xmalloc((chars + 1) * sizeof *ed);          /* the edges made (r.node: the child) */
    uint32_t *rootc = xmalloc((chars + 1) * sizeof *rootc);  /* root children made */
    uint32_t *wnode = xmalloc(n * sizeof *wnode);          /* per new word: its node */
    size_t ncls = 0;            /* then: the words with a class key too (Chinese digits) */
    size_t ne = 0, nr = 0, base = d->trie.nn, w0 = d->nw;
    trie_reserve_nodes(&d->trie, chars + 1);  /* room for the nodes at once */
    unsigned char *kids = xcalloc(base + chars + 1, 1);
    uint32_t path[PLAIN_MAX + 1];
    path[0] = 0;
    const bent *prev = NULL;
    /* words in sorted order: then nodes, words and their arrays are all
     * visited in the order they are made */
    for (size_t k = 0; k < n; k++) {
        const bent *b = &srt[k];
        if (k + 8 < n) __builtin_prefetch(srt[k + 8].w);
        size_t L = b->len / 3, lcp = 0;
        if (prev) {
            size_t m = prev->len < b->len ? prev->len : b->len, q = 0;
            while (q < m && prev->w[q] == b->w[q]) q++;
            lcp = q / 3;
        }
        for (size_t dep = lcp; dep < L; dep++) {
            uint32_t ch = utf8_3(b->w + 3 * dep), parent = path[dep], child = trie_new_node(&d->trie);
            if (!parent) {
                d->trie.root[ch].node = child;
                d->trie.root[ch].w = TRIE_NOWORD;
                rootc[nr++] = ch;
            } else {
                ed[ne].key = ((uint64_t)parent << 21) | ch;
                ed[ne++].r.node = child;
                kids[parent] = 1;
            }
            path[dep + 1] = child;
        }
        uint32_t node = path[L];
        if (!d->trie.val[node]) {          /* a word listed twice: next to each other now */
            d->trie.val[node] = new_word(d, b->w, b->len) + 1;
            wnode[d->nw - 1 - w0] = node;
        }
        uint32_t id = d->trie.val[node] - 1;
        if (b->f > d->wfreq[id]) d->wfreq[id] = b->f;
        prev = b;
    }
    /* frequencies and HMM counts of the words */
    uint32_t key[PLAIN_MAX], kb[PLAIN_MAX + 1];
    for (size_t id = w0; id < d->nw; id++) {
        size_t L = d->wlen[id] / 3;
        for (size_t q = 0; q < L; q++) {
            key[q] = utf8_3(d->arena + d->woff[id] + 3 * q);
            kb[q] = (uint32_t)q;
        }
        kb[L] = (uint32_t)L;
        uint32_t node = wnode[id - w0];
        d->trie.freq[node] += d->wfreq[id];
        d->total += d->wfreq[id];
        hmm_count(&d->hm, key, kb, L, d->wfreq[id]);
        for (size_t q = 1; q < L; q++)
            if (tok_is_cdigit(key[q]) && tok_is_cdigit(key[q - 1])) {
                wnode[ncls++] = (uint32_t)id;   /* ncls <= id - w0: entry read */
                break;
            }
    }
    /* root references */
    for (size_t q = 0; q < nr; q++) {
        tref *r = &d->trie.root[rootc[q]];
        uint32_t node = r->node;
        r->w = d->trie.freq[node] > 0 ? (float)log(d->trie.freq[node]) : TRIE_NOWORD;
        if (kids[node]) r->node |= TRIE_KIDS;
    }
    /* edges, in the order of their slots */
    for (size_t q = 0; q < ne; q++) {       /* children in creation order: sequential */
        uint32_t child = ed[q].r.node;
        ed[q].r.node = child | (kids[child] ? TRIE_KIDS : 0);
        ed[q].r.w = d->trie.freq[child] > 0 ? (float)log(d->trie.freq[child]) : TRIE_NOWORD;
    }
    trie_add_edges(&d->trie, ed, ne);
    free(ed);
    for (size_t q = 0; q < ncls; q++)
        add_class_key(d, d->arena + d->woff[wnode[q]], d->wlen[wnode[q]], d->wfreq[wnode[q]]);
    free(wnode);
    free(rootc);
    free(kids);
}

static int load(segdict *d, const char *path, int user)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return err_set("%s: %s", path, strerror(errno));
    /* the whole file at once: one read, no per-line stdio */
    size_t cap = 1 << 16, len = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0) break;
    }
    int rc = 0;
    if (ferror(fp)) rc = err_set("%s: %s", path, strerror(errno));
    fclose(fp);
    buf[len] = '\0';
    /* into an empty dictionary, plain words go in bulk (bulk_plain) */
    int bulk = !user && d->trie.nn == 1 && d->nw == 0;
    bent *pl = NULL, *ot = NULL;
    size_t npl = 0, plcap = 0, not = 0, otcap = 0;
    size_t i = 0;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) i = 3;
    long lineno = 0;
    while (!rc && i < len) {
        lineno++;
        char *p = buf + i, *nl = memchr(p, '\n', len - i), *end = nl ? nl : buf + len;
        i = (size_t)(end - buf) + 1;
        char *field[3];
        size_t flen[3];
        int nf = 0;
        while (p < end && nf < 3) {
            while (p < end && is_ws(*p)) p++;
            if (p == end) break;
            field[nf] = p;
            while (p < end && !is_ws(*p)) p++;
            flen[nf] = (size_t)(p - field[nf]);
            nf++;
        }
        if (!nf) continue;
        uint32_t pk[PLAIN_MAX];
        int plain = bulk && flen[0] <= 3 * PLAIN_MAX && plain_han(field[0], flen[0], pk, PLAIN_MAX);
        if (!plain && !valid_utf8(field[0], flen[0])) {
            rc = err_set("%s:%ld: invalid UTF-8 (the dictionary must be UTF-8)", path, lineno);
            break;
        }
        double f = 0;
        if (nf >= 2 && looks_numeric(field[1])) {
            const char *q = field[1], *qe = q + flen[1];
            uint64_t v = 0;
            while (q < qe && *q >= '0' && *q <= '9' && v < ((uint64_t)1 << 50)) v = v * 10 + (uint64_t)(*q++ - '0');
            if (q == qe) {
                f = (double)v;              /* the usual case: an integer */
            } else {
                field[1][flen[1]] = '\0';
                if (strlen(field[1]) != flen[1] || parse_freq(field[1], &f) < 0) {
                    rc = err_set("%s:%ld: bad frequency '%.40s'", path, lineno, field[1]);
                    break;
                }
            }
        }
        f = f > 0 ? f : SEG_DEFAULT_FREQ;
        if (!bulk) {
            add_word(d, field[0], flen[0], f, user);
            continue;
        }
        /* bulk: plain words in pl, the others (added after them) in ot */
        bent **lst = plain ? &pl : &ot;
        size_t *cnt = plain ? &npl : &not, *lcap = plain ? &plcap : &otcap;
        if (*cnt == *lcap) {
            *lcap = *lcap ? 2 * *lcap : 4096;
            *lst = xrealloc(*lst, *lcap * sizeof **lst);
        }
        (*lst)[*cnt].w = field[0];
        (*lst)[*cnt].len = (uint32_t)flen[0];
        (*lst)[*cnt].line = (uint32_t)*cnt;
        (*lst)[*cnt].f = f;
        (*cnt)++;
    }
    if (bulk) {
        bulk_plain(d, pl, npl);
        for (size_t k = 0; k < not; k++) add_word(d, ot[k].w, ot[k].len, ot[k].f, 0);
        free(pl);
        free(ot);
    }
    free(buf);
    return rc;
}

int segdict_load(segdict *d, const char *path)
{
    return load(d, path, 0);
}

int segdict_load_user(segdict *d, const char *path)
{
    return load(d, path, 1);
}

/* ---- the blob in model files ---- */

char *segdict_serialize(const segdict *d, size_t *len)
{
    size_t cap = d->alen + d->nw * 26 + 1, n = 0;
    char *buf = xmalloc(cap);
    for (size_t id = 0; id < d->nw; id++) {
        size_t kl = d->wlen[id];
        if (n + kl + 32 > cap) {
            cap = 2 * cap + kl + 32;
            buf = xrealloc(buf, cap);
        }
        memcpy(buf + n, d->arena + d->woff[id], kl);
        n += kl;
        n += (size_t)snprintf(buf + n, cap - n, "\t%.17g\n", d->wfreq[id]);
    }
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

segdict *segdict_deserialize(const char *buf, size_t len)
{
    segdict *d = segdict_new();
    size_t i = 0, lineno = 0;
    char num[64];
    while (i < len) {
        lineno++;
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - buf) : len;
        const char *tab = memchr(buf + i, '\t', e - i);
        size_t wl = tab ? (size_t)(tab - (buf + i)) : 0;
        size_t fl = tab ? e - (size_t)(tab + 1 - buf) : 0;
        double f = 0;
        if (!tab || !wl || !fl || fl >= sizeof num || memchr(buf + i, '\0', e - i) ||
            !valid_utf8(buf + i, wl)) {
            segdict_free(d);
            err_set("segmentation dictionary: line %zu: bad entry", lineno);
            return NULL;
        }
        memcpy(num, tab + 1, fl);
        num[fl] = '\0';
        if (parse_freq(num, &f) < 0 || !(f > 0)) {
            segdict_free(d);
            err_set("segmentation dictionary: line %zu: bad frequency '%s'", lineno, num);
            return NULL;
        }
        add_norm(d, buf + i, wl, f);
        i = e + 1;
    }
    return d;
}

/* ---- for the segmenter ---- */

const keytrie *segdict_trie(const segdict *d)
{
    return &d->trie;
}

const seg_hmm *segdict_hmm_stats(const segdict *d)
{
    return &d->hm;
}

double segdict_total(const segdict *d)
{
    return d->total;
}
