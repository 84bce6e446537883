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
 * (bulk_plain), and so does a model's blob (blob_bulk).
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
#include <float.h>
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
    int plain_hit;      /* a frequency went to a plain word's node other than
                           through the word (see blob_bulk) */
    /* adopted (segdict_adopt): the trie's edges and filter and the HMM's
     * counts are a model file's tables, the words only its blob; read-only
     * until a change rebuilds it from the blob (materialize) */
    const char *blob;
    size_t blen;
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

/* The borrowed parts of an adopted dictionary let go (not freed). */
static void unadopt(segdict *d)
{
    d->trie.edges = NULL;
    d->trie.ecap = d->trie.en = 0;
    d->trie.filt = NULL;
    d->hm.em = NULL;
    d->hm.hn = d->hm.hcap = 0;
    d->blob = NULL;
}

/* Everything d holds (not d). */
static void release(segdict *d)
{
    if (d->blob) unadopt(d);
    trie_free(&d->trie);
    hmm_free(&d->hm);
    strmap_free(&d->lit);
    free(d->litw);
    free(d->arena);
    free(d->woff);
    free(d->wlen);
    free(d->wfreq);
    toklist_free(&d->sc);
}

void segdict_free(segdict *d)
{
    if (!d) return;
    release(d);
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

/* Room for n more words of bytes bytes in all: no regrowth while they are
 * added. */
static void words_reserve(segdict *d, size_t n, size_t bytes)
{
    if (d->nw + n > d->wcap) {
        d->wcap = d->nw + n;
        d->woff = xrealloc(d->woff, d->wcap * sizeof *d->woff);
        d->wlen = xrealloc(d->wlen, d->wcap * sizeof *d->wlen);
        d->wfreq = xrealloc(d->wfreq, d->wcap * sizeof *d->wfreq);
    }
    if (d->alen + bytes > d->acap) {
        d->acap = d->alen + bytes;
        d->arena = xrealloc(d->arena, d->acap ? d->acap : 1);
    }
}

/* A new word w[0..len): its id. */
static uint32_t new_word(segdict *d, const char *w, size_t len)
{
    if (d->nw == d->wcap) words_reserve(d, d->wcap ? d->wcap : 4096, 0);
    if (d->alen + len > d->acap) words_reserve(d, 0, d->alen + len + 4096);
    memcpy(d->arena + d->alen, w, len);
    d->woff[d->nw] = d->alen;
    d->wlen[d->nw] = (uint32_t)len;
    d->wfreq[d->nw] = 0;
    d->alen += len;
    return (uint32_t)d->nw++;
}

/* The word id slot of the other (not plain) word w[0..len) in the strmap;
 * *is_new: just made (the caller sets it). */
static uint32_t *lit_slot(segdict *d, const char *w, size_t len, int *is_new)
{
    int32_t li = strmap_put(&d->lit, w, len, is_new);
    if ((size_t)li >= d->litcap) {
        d->litcap = d->litcap ? 2 * d->litcap : 256;
        d->litw = xrealloc(d->litw, d->litcap * sizeof *d->litw);
    }
    return &d->litw[li];
}

/* The id of the normalised word w[0..len), a new one if it is not there
 * yet.  plain (see add_keyed): found through its trie node, *r = the
 * node's reference; else through the strmap. */
static uint32_t word_id(segdict *d, const char *w, size_t len, const uint32_t *key, size_t klen,
                        int plain, tref **r)
{
    if (plain) {
        *r = trie_put(&d->trie, key, klen);
        uint32_t node = (*r)->node & ~TRIE_KIDS;
        if (!d->trie.val[node]) d->trie.val[node] = new_word(d, w, len) + 1;
        return d->trie.val[node] - 1;
    }
    int is_new;
    uint32_t *id = lit_slot(d, w, len, &is_new);
    if (is_new) *id = new_word(d, w, len);
    return *id;
}

/* Raise word id's frequency to f > 0 if that is higher: its key's
 * frequency, the total and the HMM counts rise by as much, which is
 * returned (0: no rise).  key, kb, n, plain as for add_keyed; r: the key's
 * reference if plain (else found here). */
static double raise_word(segdict *d, uint32_t id, double f, tref *r, const uint32_t *key,
                         const uint32_t *kb, size_t n, int plain)
{
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
    d->plain_hit |= !plain && d->trie.val[node];
    d->trie.freq[node] += f - old;
    r->w = (float)log(d->trie.freq[node]);
    d->total += f - old;
    hmm_count(&d->hm, key, kb, n, f - old);
    return f - old;
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
    uint32_t id = word_id(d, w, len, key, kb[n], plain, &r);
    return raise_word(d, id, f, r, key, kb, n, plain);
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
    d->plain_hit |= d->trie.val[node] != 0;
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

/* Edges the keys of other (not plain) words of bytes bytes in all may
 * need: each word a literal and a class key, of at most a code point a
 * byte when it is normalised (an estimate before: NFKC may expand; more
 * edges only cost the table a regrowth). */
#define OTHER_EDGES(bytes) (2 * (bytes))

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

static void materialize(segdict *d);

void segdict_add(segdict *d, const char *word, size_t len, double freq)
{
    materialize(d);
    add_word(d, word, len, freq > 0 ? freq : SEG_DEFAULT_FREQ, 0);
}

static void bulk_plain(segdict *d, bent *e, size_t n, size_t extra);

void segdict_add_ranked(segdict *d, const char *const *words, size_t n)
{
    materialize(d);
    if (d->trie.nn != 1 || d->nw != 0) {            /* not empty: one by one */
        for (size_t r = 0; r < n; r++)
            if (words[r]) segdict_add(d, words[r], strlen(words[r]), SEG_ZIPF_C / ((double)r + 1));
        return;
    }
    /* empty: the plain words in bulk (see load), then the others */
    bent *pl = xmalloc((n ? n : 1) * sizeof *pl);
    size_t np = 0, other = 0;
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
        } else {
            other += len;
        }
    }
    bulk_plain(d, pl, np, OTHER_EDGES(other));
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
    materialize(d);
    size_t n;
    char *w = NULL;
    uint32_t pk[PLAIN_MAX];
    int plain = plain_han(word, len, pk, PLAIN_MAX) > 0;
    if (!plain) {
        w = text_normalize(word, len, &n);
        word = w;
        len = n;
        /* normalised, it may be plain Han ("\x03\ufeff房间" -> "房间"): then it
         * is that word, found through the trie as a model file's load finds
         * it, not a second entry of the same text */
        plain = plain_han(word, len, pk, PLAIN_MAX) > 0;
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

/* The decimal s[0..len) as strtod reads it, when that can be had without
 * strtod: digits, an optional fraction and exponent (what "%.17g" and
 * integers look like), at most 19 significant digits, a power of ten up to
 * 27.  1: *f set; 0: not handled, ask strtod.  Exact: up to 2^53 and 10^22
 * both operands are doubles and the one division or product rounds once
 * (Clinger's fast path); else, on x86 (when long double has its 64 bits
 * at run time), the 64-bit significand of long double holds both exactly
 * and rounds once, and rounding that result to double again gives the
 * same double unless it lies exactly half-way between two doubles (its 11
 * low significand bits 0x400: the true value is within half a long double
 * unit of it, so on the same side of every other half-way point), which
 * goes to strtod.  tests/test_text.c checks some hard cases; 7.8 million
 * random and half-way ones agreed with strtod bit for bit. */
static int decimal_fast(const char *s, size_t len, double *f)
{
    static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    const char *p = s, *e = s + len;
    uint64_t m = 0;             /* the significant digits */
    int nd = 0, e10 = 0, digits = 0;
    for (; p < e && (unsigned)(*p - '0') < 10u; p++, digits = 1)
        if (m || *p != '0') {
            if (++nd > 19) return 0;
            m = m * 10 + (uint64_t)(*p - '0');
        }
    if (p < e && *p == '.')
        for (p++; p < e && (unsigned)(*p - '0') < 10u; p++, digits = 1) {
            e10--;
            if (m || *p != '0') {
                if (++nd > 19) return 0;
                m = m * 10 + (uint64_t)(*p - '0');
            }
        }
    if (!digits) return 0;
    if (p < e && (*p == 'e' || *p == 'E')) {
        int neg = 0, x = 0, xd = 0;
        if (++p < e && (*p == '+' || *p == '-')) neg = *p++ == '-';
        for (; p < e && (unsigned)(*p - '0') < 10u; p++, xd++)
            if ((x = x * 10 + (*p - '0')) > 1000) return 0;
        if (!xd) return 0;
        e10 += neg ? -x : x;
    }
    if (p != e) return 0;
    if (!m) {
        *f = 0;
        return 1;
    }
    if (m <= (uint64_t)1 << 53 && e10 >= -22 && e10 <= 22) {
        *f = e10 < 0 ? (double)m / p10[-e10] : (double)m * p10[e10];
        return 1;
    }
#if LDBL_MANT_DIG == 64 && (defined(__x86_64__) || defined(__i386__))
    static const long double lp10[] = { 1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L,
                                        1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L,
                                        1e19L, 1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L };
    /* long double really computed to 64 bits (not, e.g., under valgrind,
     * which has double precision only, or with the x87 precision lowered) */
    volatile long double one = 1, eps = LDBL_EPSILON;
    if (e10 >= -27 && e10 <= 27 && one + eps != one) {  /* 5^27 < 2^64: the power is exact */
        long double q = e10 < 0 ? (long double)m / lp10[-e10] : (long double)m * lp10[e10];
        uint64_t sig;
        memcpy(&sig, &q, sizeof sig);   /* x87 format: the significand first */
        if ((sig & 0x7FF) == 0x400) return 0;
        *f = (double)q;
        return 1;
    }
#endif
    return 0;
}

/* A frequency field s[0..len) (s[len] == '\0'): a finite number >= 0 (0:
 * the default). */
static int parse_freq(const char *s, size_t len, double *f)
{
    if (decimal_fast(s, len, f)) return 0;
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

/* ---- bulk loading: a dictionary file or a blob into an empty segdict ----
 *
 * Adding words one by one costs a trie walk (a hash-table access per
 * character) and regrowth of every array and of the edge table, slow for
 * big dictionaries (jieba's dict.txt: 349k words) and a good part of a
 * model's start-up.  Into an empty dictionary, the plain
 * (CJK-ideographs-only) words are loaded in bulk: sort them (usually they
 * are sorted already), count the nodes and edges their common prefixes
 * leave, size the arrays and the table once, then make each node once,
 * linking it straight into the table. */

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

/* Does the Han key key[0..n) have two Chinese digits in a row (a number
 * class key too)? */
static int cdigit_pair(const uint32_t *key, size_t n)
{
    for (size_t q = 1; q < n; q++)
        if (tok_is_cdigit(key[q]) && tok_is_cdigit(key[q - 1])) return 1;
    return 0;
}

/* Characters the plain word ids[k] of d shares at its start with the one
 * before it (0 for the first). */
static size_t lcp_prev(const segdict *d, const uint32_t *ids, size_t k)
{
    if (!k) return 0;
    const char *a = d->arena + d->woff[ids[k - 1]], *b = d->arena + d->woff[ids[k]];
    size_t m = d->wlen[ids[k - 1]] < d->wlen[ids[k]] ? d->wlen[ids[k - 1]] : d->wlen[ids[k]], q = 0;
    while (q < m && a[q] == b[q]) q++;
    return q / 3;
}

/* The trie of the plain words ids[0..n) of d (made, sorted, with their
 * frequencies), built from the common prefixes of neighbours: nodes are
 * made in sorted order, each edge once, straight into a table sized for
 * them at once (with room for extra more nodes and edges: the keys to
 * come), each word's node with its frequency (val: id + 1).  -1 for a word
 * listed twice. */
static int plain_trie(segdict *d, const uint32_t *ids, size_t n, size_t extra)
{
    size_t edges = 0, nodes = 0;
    for (size_t k = 0; k < n; k++) {       /* count: a word's characters after the common prefix */
        size_t L = d->wlen[ids[k]] / 3, lcp = lcp_prev(d, ids, k);
        if (lcp == L) return -1;          /* sorted: only the same word is all a prefix of the next */
        nodes += L - lcp;
        edges += L - lcp - !lcp;          /* the first character: the root's array */
    }
    trie_reserve_nodes(&d->trie, nodes + extra);
    trie_reserve_edges(&d->trie, edges + extra);
    keytrie *t = &d->trie;
    uint32_t path[PLAIN_MAX + 1];
    tref *ref[PLAIN_MAX + 1];             /* the references of the nodes on path */
    path[0] = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t id = ids[k];
        const char *w = d->arena + d->woff[id];
        size_t L = d->wlen[id] / 3, lcp = lcp_prev(d, ids, k);
        for (size_t dep = lcp; dep < L; dep++) {
            if (dep) ref[dep]->node |= TRIE_KIDS;
            path[dep + 1] = trie_new_node(t);
            ref[dep + 1] = trie_link(t, path[dep], utf8_3(w + 3 * dep), path[dep + 1]);
        }
        uint32_t node = path[L];
        t->val[node] = id + 1;
        t->freq[node] += d->wfreq[id];
        ref[L]->w = (float)log(t->freq[node]);
    }
    return 0;
}

/* Words a and b of d by their bytes (then length). */
static int word_cmp(const segdict *d, uint32_t a, uint32_t b)
{
    size_t la = d->wlen[a], lb = d->wlen[b];
    int c = memcmp(d->arena + d->woff[a], d->arena + d->woff[b], la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* Sort the plain words ids[0..n) of d by their bytes (= code points),
 * ties (none in a blob) by id, unless they are sorted already (as files and
 * blobs of bulk-loaded dictionaries are). */
static void sort_ids(const segdict *d, uint32_t *ids, size_t n)
{
    size_t k = 1;
    while (k < n && word_cmp(d, ids[k - 1], ids[k]) <= 0) k++;
    if (k >= n) return;
    bent *b = xmalloc(n * sizeof *b);
    for (k = 0; k < n; k++) b[k] = (bent){ d->arena + d->woff[ids[k]], d->wlen[ids[k]], ids[k], 0 };
    sort_plain(b, n);
    for (k = 0; k < n; k++) ids[k] = b[k].line;
    free(b);
}

/* Add the plain words e[0..n) to the empty dictionary d (word ids in
 * sorted order; e gets sorted), with room in the trie for extra more
 * edges (the other words' keys, added next). */
static void bulk_plain(segdict *d, bent *e, size_t n, size_t extra)
{
    if (!n) return;
    size_t k = 1;
    while (k < n && bent_cmp(&e[k - 1], &e[k]) <= 0) k++;
    if (k < n) sort_plain(e, n);
    /* the words in sorted order, a word listed twice (next to each other
     * now) once with its highest frequency */
    size_t bytes = 0, w0 = d->nw;
    for (k = 0; k < n; k++) bytes += e[k].len;
    words_reserve(d, n, bytes);
    for (k = 0; k < n; k++) {
        if (!k || e[k].len != e[k - 1].len || memcmp(e[k].w, e[k - 1].w, e[k].len))
            new_word(d, e[k].w, e[k].len);
        if (e[k].f > d->wfreq[d->nw - 1]) d->wfreq[d->nw - 1] = e[k].f;
    }
    /* the total and the HMM counts, in id order (no trie needed); the
     * words with a class key too (Chinese digits) in cls */
    size_t nw = d->nw - w0, ncls = 0, clsch = 0;
    uint32_t *ids = xmalloc(nw * sizeof *ids), *cls = xmalloc(nw * sizeof *cls);
    uint32_t key[PLAIN_MAX], kb[PLAIN_MAX + 1];
    for (size_t q = 0; q <= PLAIN_MAX; q++) kb[q] = (uint32_t)q;
    for (size_t id = w0; id < d->nw; id++) {
        size_t L = plain_han(d->arena + d->woff[id], d->wlen[id], key, PLAIN_MAX);
        ids[id - w0] = (uint32_t)id;
        d->total += d->wfreq[id];
        hmm_count(&d->hm, key, kb, L, d->wfreq[id]);
        if (cdigit_pair(key, L)) {
            cls[ncls++] = (uint32_t)id;
            clsch += L;
        }
    }
    plain_trie(d, ids, nw, extra + clsch);
    for (size_t q = 0; q < ncls; q++)
        add_class_key(d, d->arena + d->woff[cls[q]], d->wlen[cls[q]], d->wfreq[cls[q]]);
    free(ids);
    free(cls);
}

static int load(segdict *d, const char *path, int user)
{
    materialize(d);
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
            field[1][flen[1]] = '\0';
            if (strlen(field[1]) != flen[1] || parse_freq(field[1], flen[1], &f) < 0) {
                rc = err_set("%s:%ld: bad frequency '%.40s'", path, lineno, field[1]);
                break;
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
        size_t other = 0;
        for (size_t k = 0; k < not; k++) other += ot[k].len;
        bulk_plain(d, pl, npl, OTHER_EDGES(other));
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

/* "\t%.17g\n" of f into buf (room for 32 bytes): a whole number below
 * 1e15 (jieba's frequencies, the ranks' Zipf estimates rarely) in digits
 * by hand, as %.17g prints it, without printf's cost (50 ms of a model's
 * save with jieba's 349k words). */
static size_t put_freq(char *buf, size_t room, double f)
{
    if (f > 0 && f < 1e15 && f == (double)(int64_t)f) {
        char tmp[24];
        size_t k = 0;
        int64_t v = (int64_t)f;
        do tmp[k++] = (char)('0' + v % 10);
        while ((v /= 10) > 0);
        buf[0] = '\t';
        for (size_t q = 0; q < k; q++) buf[1 + q] = tmp[k - 1 - q];
        buf[k + 1] = '\n';
        return k + 2;
    }
    return (size_t)snprintf(buf, room, "\t%.17g\n", f);
}

char *segdict_serialize(const segdict *d, size_t *len)
{
    if (d->blob) {   /* adopted: the blob it came from (what serialising its words gives) */
        char *b = xmalloc(d->blen + 1);
        memcpy(b, d->blob, d->blen);
        b[d->blen] = '\0';
        if (len) *len = d->blen;
        return b;
    }
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
        n += put_freq(buf + n, cap - n, d->wfreq[id]);
    }
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

/* The line of a blob at *i ("word\tfreq"), *i moved past it: the word
 * w[0..*wl), its frequency *f; the word's length in characters if it is
 * plain (its key in pk), else 0.  -1 + err_set for a bad line. */
static int blob_line(const char *buf, size_t len, size_t *i, size_t lineno, const char **w, size_t *wl,
                     double *f, uint32_t *pk)
{
    const char *p = buf + *i, *nl = memchr(p, '\n', len - *i);
    size_t end = nl ? (size_t)(nl - buf) : len;
    const char *tab = memchr(p, '\t', end - *i);
    size_t fl = tab ? end - (size_t)(tab + 1 - buf) : 0;
    char num[64];
    *w = p;
    *wl = tab ? (size_t)(tab - p) : 0;
    size_t L = *wl <= 3 * PLAIN_MAX ? plain_han(p, *wl, pk, PLAIN_MAX) : 0;
    if (!tab || !*wl || !fl || fl >= sizeof num || memchr(p, '\0', end - *i) || (!L && !valid_utf8(p, *wl)))
        return err_set("segmentation dictionary: line %zu: bad entry", lineno);
    memcpy(num, tab + 1, fl);
    num[fl] = '\0';
    if (parse_freq(num, fl, f) < 0 || !(*f > 0))
        return err_set("segmentation dictionary: line %zu: bad frequency '%s'", lineno, num);
    *i = end + 1;
    return (int)L;
}

/* A blob into the empty dictionary d, exactly as adding its words one by
 * one in blob order does (add_norm), but with the plain words' trie built
 * in bulk (plain_trie): the same word ids (blob order), and every sum of
 * frequencies (a key's, the total, the HMM counts) taken in the same
 * order, so the same doubles.  The one difference: the node of a plain
 * word gets the word's frequency (0 + f) before the other words' are
 * added, not in turn, which changes nothing as long as no other word's
 * frequency goes to such a node (d->plain_hit tells if one did).  -1 +
 * err_set for a bad line; -2 when the blob is good but not done so (not
 * as segdict_serialize writes it): a word listed twice, a plain word's
 * node hit, a word with an empty key (add_keyed leaves it out); the caller
 * then adds the words one by one. */
static int blob_bulk(segdict *d, const char *buf, size_t len)
{
    size_t cap = 1;
    for (const char *p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))); p++) cap++;
    words_reserve(d, cap, len);
    /* every line checked and read: the words made, in blob order (the
     * frequency in wfreq for now); the plain ones listed in pid (are they
     * in sorted order?), the others in oid and in the strmap */
    uint32_t *pid = xmalloc(cap * sizeof *pid), *oid = xmalloc(cap * sizeof *oid);
    size_t npl = 0, noth = 0, pchars = 0, clsch = 0, other = 0, i = 0, lineno = 0;
    int sorted = 1, rc = 0;
    uint32_t pk[PLAIN_MAX], pb[PLAIN_MAX + 1];
    while (i < len) {
        const char *w;
        size_t wl;
        double f;
        int L = blob_line(buf, len, &i, ++lineno, &w, &wl, &f, pk);
        if (L < 0) {
            rc = -1;
            break;
        }
        if (rc) continue;               /* not in bulk: only checking the lines */
        uint32_t id = new_word(d, w, wl);
        d->wfreq[id] = f;
        if (L) {
            if (npl && sorted) sorted = word_cmp(d, pid[npl - 1], id) < 0;
            pid[npl++] = id;
            pchars += (size_t)L;
            if (cdigit_pair(pk, (size_t)L)) clsch += (size_t)L;
        } else {
            int is_new;
            *lit_slot(d, w, wl, &is_new) = id;
            if (!is_new) rc = -2;       /* listed before */
            oid[noth++] = id;
            other += wl;
        }
    }
    if (!rc) {
        if (!sorted) sort_ids(d, pid, npl);
        hmm_reserve(&d->hm, pchars < 0x10000 ? pchars : 0x10000);
        if (plain_trie(d, pid, npl, OTHER_EDGES(other) + clsch) < 0) rc = -2;
    }
    /* in blob order, what add_norm does but for the plain words' own keys:
     * the other words' keys, the class keys, the total, the HMM counts */
    for (size_t q = 0; q <= PLAIN_MAX; q++) pb[q] = (uint32_t)q;
    d->plain_hit = 0;
    for (size_t id = 0, j = 0; !rc && id < d->nw; id++) {
        const char *w = d->arena + d->woff[id];
        size_t wl = d->wlen[id];
        double f = d->wfreq[id];
        if (j < noth && oid[j] == id) {
            const uint32_t *key, *kb;
            size_t u;
            j++;
            text_key(w, wl, 0, &d->sc, &key, &kb, &u);
            if (!u) {
                rc = -2;
                break;
            }
            d->wfreq[id] = 0;           /* raised now, in turn */
            add_class_key(d, w, wl, raise_word(d, (uint32_t)id, f, NULL, key, kb, u, 0));
            continue;
        }
        size_t L = plain_han(w, wl, pk, PLAIN_MAX);
        d->total += f;
        hmm_count(&d->hm, pk, pb, L, f);
        if (cdigit_pair(pk, L)) add_class_key(d, w, wl, f);
    }
    if (d->plain_hit) rc = -2;
    free(pid);
    free(oid);
    return rc;
}

segdict *segdict_deserialize(const char *buf, size_t len)
{
    segdict *d = segdict_new();
    int rc = blob_bulk(d, buf, len);
    if (rc == -2) {                     /* word by word */
        segdict_free(d);
        d = segdict_new();
        uint32_t pk[PLAIN_MAX];
        for (size_t i = 0, lineno = 0; i < len;) {
            const char *w;
            size_t wl;
            double f;
            if ((rc = blob_line(buf, len, &i, ++lineno, &w, &wl, &f, pk)) < 0) break;   /* checked: none */
            add_norm(d, w, wl, f);
        }
    }
    if (rc == -1) {
        segdict_free(d);
        return NULL;
    }
    return d;
}

/* ---- the tables in model files ---- */

void segdict_tables_export(const segdict *d, segdict_tables *t)
{
    const keytrie *tr = &d->trie;
    const seg_hmm *h = &d->hm;
    memset(t, 0, sizeof *t);
    size_t nroot = 0;
    for (size_t c = 0; c < 0x10000; c++) nroot += tr->root[c].node != 0;
    uint32_t *own = xmalloc((3 * nroot + h->hn + 1) * sizeof *own), *r = own, *hc = own + 3 * nroot;
    for (uint32_t c = 0; c < 0x10000; c++) {
        if (!tr->root[c].node) continue;
        r[0] = c;
        r[1] = tr->root[c].node;
        memcpy(&r[2], &tr->root[c].w, 4);
        r += 3;
    }
    for (uint32_t c = 0; c < 0x10000; c++)
        if (h->hidx[c]) hc[h->hidx[c] - 1] = c;
    t->owned_ = own;
    t->root = own;
    t->nroot = nroot;
    t->edges = (const uint32_t *)tr->edges;
    t->ecap = tr->edges ? tr->ecap : 0;
    t->en = tr->en;
    t->filt = tr->filt;
    t->nfilt = tr->filt ? ((size_t)1 << (64 - tr->fshift)) / 64 : 0;
    t->fshift = tr->fshift;
    t->hchars = hc;
    t->hem = h->hn ? &h->em[0][0] : NULL;
    t->hn = h->hn;
    memcpy(t->tag_total, h->tag_total, sizeof t->tag_total);
    memcpy(t->trans, h->trans, sizeof t->trans);
    memcpy(t->start, h->start, sizeof t->start);
    t->total = d->total;
    t->words = d->nw;
}

void segdict_tables_release(segdict_tables *t)
{
    free(t->owned_);
    memset(t, 0, sizeof *t);
}

_Static_assert(sizeof(edge) == 16 && sizeof(tref) == 8, "the edge table is stored as it is laid out");

segdict *segdict_adopt(const char *blob, size_t len, const segdict_tables *t)
{
    /* what trie_step and hmm_cut index or loop over must be in range: root
     * and HMM characters in the BMP, HMM rows in em, a filter as big as its
     * shift says, and an edge table with an empty slot (a miss ends) */
    if (t->nroot > 0x10000 || t->en >= (t->ecap ? t->ecap : 1) || t->ecap >= ((size_t)1 << 32) ||
        (t->ecap && (!t->edges || !t->filt || t->fshift < 6 || t->fshift > 58 ||
                     t->nfilt != ((size_t)1 << (64 - t->fshift)) / 64)) ||
        t->hn > 0x10000 || (t->nroot && !t->root) || (t->hn && (!t->hchars || !t->hem)) || !isfinite(t->total) ||
        t->words > len)
        return err_set("dictionary tables: inconsistent sizes"), NULL;
    const edge *e = (const edge *)t->edges;
    size_t used = 0;
    for (size_t i = 0; i < t->ecap; i++) used += e[i].key != TRIE_EMPTY;
    if (used != t->en) return err_set("dictionary tables: the edge table holds %zu edges, not %zu", used, t->en), NULL;
    segdict *d = segdict_new();
    for (size_t i = 0; i < t->nroot; i++) {
        const uint32_t *r = t->root + 3 * i;
        if (r[0] >= 0x10000 || !r[1]) {
            segdict_free(d);
            return err_set("dictionary tables: bad root entry %zu", i), NULL;
        }
        d->trie.root[r[0]].node = r[1];
        memcpy(&d->trie.root[r[0]].w, &r[2], 4);
    }
    for (size_t i = 0; i < t->hn; i++) {
        if (t->hchars[i] >= 0x10000) {
            segdict_free(d);
            return err_set("dictionary tables: bad HMM character %zu", i), NULL;
        }
        d->hm.hidx[t->hchars[i]] = (uint32_t)i + 1;
    }
    free(d->trie.edges);   /* segdict_new's (none so far) */
    free(d->trie.filt);
    d->trie.edges = (edge *)e;
    d->trie.ecap = t->ecap;
    d->trie.en = t->en;
    d->trie.emapped = 0;
    d->trie.filt = (uint64_t *)t->filt;
    d->trie.fshift = t->fshift;
    d->hm.em = (double(*)[4])t->hem;
    d->hm.hn = d->hm.hcap = t->hn;
    memcpy(d->hm.tag_total, t->tag_total, sizeof t->tag_total);
    memcpy(d->hm.trans, t->trans, sizeof t->trans);
    memcpy(d->hm.start, t->start, sizeof t->start);
    d->total = t->total;
    d->nw = t->words;
    d->blob = blob;
    d->blen = len;
    return d;
}

int segdict_adopted(const segdict *d)
{
    return d && d->blob;
}

/* An adopted dictionary about to change: rebuilt from its blob, as
 * segdict_deserialize makes it (the blob was checked when the tables were
 * written from it). */
static void materialize(segdict *d)
{
    if (!d->blob) return;
    segdict *full = segdict_deserialize(d->blob, d->blen);
    if (!full) {   /* cannot happen for a blob the tables were made from */
        fprintf(stderr, "seqsent: internal error: a model's dictionary blob does not read back: %s\n", err_msg());
        abort();
    }
    int mode = d->hmm;
    release(d);
    *d = *full;
    d->hmm = mode;
    free(full);
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
