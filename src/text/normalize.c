/* normalize.c - cleaning, NFKC + case folding, and the map back to the
 * original characters (see normalize.h).
 *
 * utf8proc normalises whole strings; doing that for every text would cost
 * a full decomposition + reordering + composition per character.  Most
 * characters cannot interact with their neighbours, so the fast path maps
 * them one by one: ASCII and the unified ideographs inline (trivial_fold),
 * the rest of the BMP through a table filled as characters are first met
 * (nfkc_tab: computing all 65,536 entries at once was 2-3 ms of every
 * command's start, for the few dozen a text needs).  Only a text
 * that holds a character which may compose or be reordered takes the exact
 * path, the plain algorithm.  Both paths are one loop (nfkc_run) over one
 * growable output (nbuf) with one decomposition step (nb_decompose), so
 * they cannot drift apart; text_nfkc_map uses the same pieces per chunk.
 */
#include "text/normalize.h"
#include "text/utf8.h"
#include "base/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <pthread.h>
#include <utf8proc.h>

size_t text_decode_clean(const char *text, size_t len, uint32_t *d)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, n = 0;
    int bad = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            bad = 0;
            if (c >= 0x20 && c != 0x7F) d[n++] = c;
            else if (c >= '\t' && c <= '\r') d[n++] = ' ';
            continue;
        }
        uint32_t x;
        size_t k = dec_utf8(s + i, len - i, &x);
        if (!k) {
            i++;
            if (!bad) d[n++] = 0xFFFD;
            bad = 1;
            continue;
        }
        i += k;
        bad = 0;
        if (x >= 0x3000 && x < 0xA000) { d[n++] = x; continue; }   /* CJK: fast path */
        switch (utf8proc_category((utf8proc_int32_t)x)) {
        case UTF8PROC_CATEGORY_CF:
            continue;
        case UTF8PROC_CATEGORY_CC:
            if (x == 0x85) d[n++] = ' ';
            continue;
        default:
            d[n++] = x;
        }
    }
    return n;
}

#define NFKC_CF_OPTS (UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE)

/* Canonical ordering of combining marks (as utf8proc_decompose does). */
static void canonical_order(uint32_t *b, size_t n)
{
    size_t pos = 0;
    while (pos + 1 < n) {
        uint32_t c1 = b[pos], c2 = b[pos + 1];
        if (c1 < 0x300 && c2 < 0x300) { pos++; continue; }   /* no marks below U+0300 */
        int cc1 = utf8proc_get_property((utf8proc_int32_t)c1)->combining_class;
        int cc2 = utf8proc_get_property((utf8proc_int32_t)c2)->combining_class;
        if (cc1 > cc2 && cc2 > 0) {
            b[pos] = c2;
            b[pos + 1] = c1;
            if (pos > 0) pos--; else pos++;
        } else {
            pos++;
        }
    }
}

/* Canonical ordering, then canonical composition of the decomposed
 * b[0..n): the new length (n if utf8proc refuses, which valid input never
 * makes it do). */
static size_t compose(uint32_t *b, size_t n)
{
    canonical_order(b, n);
    utf8proc_ssize_t r = utf8proc_normalize_utf32((utf8proc_int32_t *)b, (utf8proc_ssize_t)n, UTF8PROC_COMPOSE);
    return r >= 0 ? (size_t)r : n;
}

/* May c take part in a canonical composition as the second character
 * (or be reordered)?  Conservative: every combining mark, the Hangul
 * vowel / trailing jamo and the scripts whose vowel signs compose. */
static int may_compose(uint32_t c)
{
    if (c < 0x300) return 0;
    if ((c >= 0x0900 && c < 0x1200) || (c >= 0x1B00 && c < 0x1B80) || (c >= 0x11000 && c < 0x11A00)) return 1;
    return utf8proc_get_property((utf8proc_int32_t)c)->combining_class != 0;
}

/* NFKC + case folding of each BMP character by itself, when it is one
 * character that cannot interact with its neighbours (no mark first, nor a
 * possible second of a composition): then the normal form of a text without
 * such characters is the concatenation of these.  An entry is 0 until its
 * character is first met, then NFKC_NONE (no entry) or the character + 1;
 * threads may fill the same entry at once, with the same value (relaxed
 * atomics: each entry is one aligned word). */
#define NFKC_NONE 0xFFFFFFFFu
static uint32_t *nfkc_tab;
static pthread_once_t nfkc_once = PTHREAD_ONCE_INIT;

static void nfkc_tab_init(void)
{
    nfkc_tab = xcalloc(0x10000, sizeof *nfkc_tab);   /* zero pages, touched as used */
}

/* The entry of BMP character x (what nfkc_tab holds for it). */
static uint32_t nfkc_entry(uint32_t x)
{
    utf8proc_int32_t buf[32];
    if (x >= 0xD800 && x <= 0xDFFF) return NFKC_NONE;
    if (may_compose(x)) return NFKC_NONE;
    int lbc = 0;
    utf8proc_ssize_t k = utf8proc_decompose_char((utf8proc_int32_t)x, buf, 32, NFKC_CF_OPTS, &lbc);
    if (k < 1 || k > 32) return NFKC_NONE;
    if (may_compose((uint32_t)buf[0]) && k == 1) return NFKC_NONE;
    if (k > 1) {
        if (utf8proc_get_property(buf[0])->combining_class != 0) return NFKC_NONE;
        if (compose((uint32_t *)buf, (size_t)k) != 1) return NFKC_NONE;
    }
    if (may_compose((uint32_t)buf[0])) return NFKC_NONE;
    return (uint32_t)buf[0] + 1;
}

static inline uint32_t nfkc_lookup(uint32_t *tab, uint32_t x)
{
    uint32_t v = __atomic_load_n(&tab[x], __ATOMIC_RELAXED);
    if (!v) {
        v = nfkc_entry(x);
        __atomic_store_n(&tab[x], v, __ATOMIC_RELAXED);
    }
    return v;
}

/* Characters whose NFKC + case folding is known without utf8proc: ASCII
 * (letters lowered) and the unified ideographs (themselves).  1 if x was
 * one of them and *out has its image. */
static inline int trivial_fold(uint32_t x, uint32_t *out)
{
    if (x < 0x80) {
        *out = (x - 'A' < 26u) ? x + 32 : x;
        return 1;
    }
    if ((x >= 0x4E00 && x <= 0x9FFF) || (x >= 0x3400 && x <= 0x4DBF)) {
        *out = x;
        return 1;
    }
    return 0;
}

/* The output of a normalisation: d[0..m) in scratch slot 1 of sc, room
 * for cap; with map, the map back to the source in slots 4 (os) and 6
 * (oe), grown in step with d. */
typedef struct nbuf {
    toklist *sc;
    uint32_t *d;
    size_t *os, *oe;
    size_t m, cap;
    int map;
} nbuf;

static void nb_resize(nbuf *b, size_t cap)
{
    b->cap = cap;
    b->d = toklist_scratch(b->sc, 1, cap * sizeof *b->d);
    if (b->map) {
        b->os = toklist_scratch(b->sc, 4, cap * sizeof *b->os);
        b->oe = toklist_scratch(b->sc, 6, cap * sizeof *b->oe);
    }
}

/* An empty output for a text of n code points (most map to one). */
static void nb_init(nbuf *b, toklist *sc, size_t n, int map)
{
    b->sc = sc;
    b->os = b->oe = NULL;
    b->m = 0;
    b->map = map;
    nb_resize(b, n + n / 4 + 16);
}

/* Room for one more code point. */
static inline void nb_room(nbuf *b)
{
    if (b->m == b->cap) nb_resize(b, 2 * b->cap);
}

/* Append utf8proc's NFKC + case folding decomposition of x. */
static void nb_decompose(nbuf *b, uint32_t x)
{
    for (;;) {
        int lbc = 0;
        utf8proc_ssize_t k = utf8proc_decompose_char((utf8proc_int32_t)x, (utf8proc_int32_t *)b->d + b->m,
                                                     (utf8proc_ssize_t)(b->cap - b->m), NFKC_CF_OPTS, &lbc);
        if (k < 0) {                /* cannot happen for valid code points */
            nb_room(b);
            b->d[b->m++] = 0xFFFD;
            return;
        }
        if ((size_t)k <= b->cap - b->m) {
            b->m += (size_t)k;
            return;
        }
        nb_resize(b, 2 * b->cap + (size_t)k);
    }
}

/* NFKC + case folding of src[0..n) into scratch slot 1 of sc (*out, length
 * returned).  Fast (exact = 0): per character, through the table where
 * trivial_fold does not know it, and by utf8proc's decomposition of the
 * character alone otherwise; a text where that yields a character that may
 * compose starts again the exact way.  Exact: decompose everything, order
 * the marks, compose. */
static size_t nfkc_run(toklist *sc, const uint32_t *src, size_t n, uint32_t **out, int exact)
{
    uint32_t *tab = exact ? NULL : nfkc_tab;
    nbuf b;
    nb_init(&b, sc, n, 0);
    int slow = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = src[i];
        nb_room(&b);
        if (trivial_fold(x, &b.d[b.m])) {
            b.m++;
            continue;
        }
        uint32_t v;
        if (tab && x < 0x10000 && (v = nfkc_lookup(tab, x)) != NFKC_NONE) {
            b.d[b.m++] = v - 1;
            continue;
        }
        size_t m0 = b.m;
        nb_decompose(&b, x);
        slow = 1;
        if (!exact)
            for (size_t q = m0; q < b.m; q++)
                if (may_compose(b.d[q])) return nfkc_run(sc, src, n, out, 1);
    }
    if (exact && slow) b.m = compose(b.d, b.m);
    *out = b.d;
    return b.m;
}

size_t text_nfkc_casefold(toklist *sc, const uint32_t *src, size_t n, uint32_t **out)
{
    pthread_once(&nfkc_once, nfkc_tab_init);
    return nfkc_run(sc, src, n, out, 0);
}

size_t text_nfkc_map(toklist *sc, const uint32_t *src, size_t n, uint32_t **out, size_t **osp,
                     size_t **oep)
{
    nbuf b;
    nb_init(&b, sc, n, 1);
    for (size_t j = 0; j < n;) {
        uint32_t x = src[j];
        nb_room(&b);
        if (trivial_fold(x, &b.d[b.m])) {
            b.os[b.m] = j;
            b.oe[b.m++] = j + 1;
            j++;
            continue;
        }
        size_t j2 = j + 1, m0 = b.m;
        /* marks go with the character before them, unless it is a space
         * (the token would take the space along) */
        if (utf8proc_category((utf8proc_int32_t)x) != UTF8PROC_CATEGORY_ZS)
            while (j2 < n && src[j2] >= 0x300 && utf8proc_get_property((utf8proc_int32_t)src[j2])->combining_class)
                j2++;
        for (size_t q = j; q < j2; q++) nb_decompose(&b, src[q]);
        if (b.m - m0 > 1) b.m = m0 + compose(b.d + m0, b.m - m0);
        for (size_t k = m0; k < b.m; k++) {
            b.os[k] = j;
            b.oe[k] = j2;
        }
        j = j2;
    }
    *out = b.d;
    *osp = b.os;
    *oep = b.oe;
    return b.m;
}

/* Cleaning and NFKC + case folding of s[0..len) as code points in
 * tmp's scratch: *c gets them, the return value how many. */
static size_t normal_form(toklist *tmp, const char *s, size_t len, uint32_t **c)
{
    uint32_t *raw = toklist_scratch(tmp, 0, (len + 1) * sizeof *raw);
    return text_nfkc_casefold(tmp, raw, text_decode_clean(s, len, raw), c);
}

char *text_normalize(const char *s, size_t len, size_t *outlen)
{
    toklist tmp = {0};
    uint32_t *c;
    size_t n = normal_form(&tmp, s, len, &c);
    char *r = xmalloc(4 * n + 1), *p = r;
    for (size_t i = 0; i < n; i++) p += enc_utf8(c[i], p);
    *p = '\0';
    if (outlen) *outlen = (size_t)(p - r);
    toklist_free(&tmp);
    return r;
}

char *text_match_key(const char *s, size_t len, size_t prefix_chars, size_t *nchars, size_t *prefix_bytes,
                     size_t *outlen)
{
    toklist tmp = {0};
    uint32_t *c;
    size_t n = normal_form(&tmp, s, len, &c);
    char *r = xmalloc(4 * n + 1), *p = r;
    size_t k = 0, pb = 0;
    for (size_t i = 0; i < n; i++) {
        utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c[i]);
        if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_NO) continue;   /* L*, M*, N* only */
        p += enc_utf8(c[i], p);
        if (++k == prefix_chars) pb = (size_t)(p - r);
    }
    *p = '\0';
    if (k < prefix_chars) pb = (size_t)(p - r);
    *nchars = k;
    if (prefix_bytes) *prefix_bytes = pb;
    if (outlen) *outlen = (size_t)(p - r);
    toklist_free(&tmp);
    return r;
}
