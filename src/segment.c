/* segment.c - the Chinese segmentation dictionary and the segmenter (see
 * text.h).
 *
 * The method is jieba's (without its HMM for unknown words): every word and
 * every proper prefix of a word is a key of one strmap (prefixes that are no
 * word have frequency 0), so the dictionary words starting at a character
 * are found by extending the candidate one character at a time until the
 * string is no longer a key.  Dynamic programming from right to left then
 * picks the segmentation maximising the sum of log(freq / total) over its
 * words.  A character that is no dictionary word scores like a word of
 * frequency SEG_OOV_FREQ (jieba: 1).  Ties go to the longer word.
 *
 * Frequencies: "word freq" lines keep theirs; a word given without one gets
 * SEG_DEFAULT_FREQ.  A word added twice keeps its highest frequency.
 */
#include "text.h"
#include "err.h"
#include "strmap.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define SEG_DEFAULT_FREQ 1.0    /* word listed without a frequency */
#define SEG_OOV_FREQ 1.0        /* a character that is no dictionary word */
#define SEG_ZIPF_C 1e7          /* segdict_add_ranked: freq = C / (rank + 1) */

struct segdict {
    strmap map;         /* words and their prefixes */
    double *freq;       /* per map id; 0: only a prefix */
    double *logf;       /* per map id: log(freq) for words */
    size_t cap;         /* of freq / logf */
    size_t nwords;
    double total;       /* sum of word frequencies */
};

segdict *segdict_new(void)
{
    segdict *d = xcalloc(1, sizeof *d);
    strmap_init(&d->map);
    return d;
}

void segdict_free(segdict *d)
{
    if (!d) return;
    strmap_free(&d->map);
    free(d->freq);
    free(d->logf);
    free(d);
}

size_t segdict_size(const segdict *d)
{
    return d ? d->nwords : 0;
}

static int32_t put_key(segdict *d, const char *s, size_t len)
{
    int32_t id = strmap_put(&d->map, s, len, NULL);
    if (d->map.n > d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        while (cap < d->map.n) cap *= 2;
        d->freq = xrealloc(d->freq, cap * sizeof *d->freq);
        d->logf = xrealloc(d->logf, cap * sizeof *d->logf);
        memset(d->freq + d->cap, 0, (cap - d->cap) * sizeof *d->freq);
        memset(d->logf + d->cap, 0, (cap - d->cap) * sizeof *d->logf);
        d->cap = cap;
    }
    return id;
}

/* Add an already normalised word with frequency f > 0. */
static void add_raw(segdict *d, const char *w, size_t len, double f)
{
    if (!len || !(f > 0) || !isfinite(f)) return;
    for (size_t k = 1; k < len; k++)
        if (((unsigned char)w[k] & 0xC0) != 0x80) put_key(d, w, k);
    int32_t id = put_key(d, w, len);
    double old = d->freq[id];
    if (f <= old) return;
    if (old == 0) d->nwords++;
    d->total += f - old;
    d->freq[id] = f;
    d->logf[id] = log(f);
}

void segdict_add(segdict *d, const char *word, size_t len, double freq)
{
    size_t n;
    char *w = text_normalize(word, len, &n);
    add_raw(d, w, n, freq > 0 ? freq : SEG_DEFAULT_FREQ);
    free(w);
}

void segdict_add_ranked(segdict *d, const char *const *words, size_t n)
{
    for (size_t r = 0; r < n; r++)
        if (words[r]) segdict_add(d, words[r], strlen(words[r]), SEG_ZIPF_C / ((double)r + 1));
}

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

int segdict_load(segdict *d, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return err_set("%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    long lineno = 0;
    int rc = 0;
    while ((got = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        char *p = line, *end = line + got;
        if (lineno == 1 && got >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
        char *field[3];
        size_t flen[3];
        int nf = 0;
        while (p < end && nf < 3) {
            while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\v' || *p == '\f')) p++;
            if (p == end) break;
            field[nf] = p;
            while (p < end && !(*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\v' || *p == '\f')) p++;
            flen[nf] = (size_t)(p - field[nf]);
            nf++;
        }
        if (!nf) continue;
        if (!valid_utf8(field[0], flen[0])) {
            rc = err_set("%s:%ld: invalid UTF-8 (the dictionary must be UTF-8)", path, lineno);
            break;
        }
        double f = 0;
        if (nf >= 2) {
            field[1][flen[1]] = '\0';
            if (strlen(field[1]) != flen[1] || parse_freq(field[1], &f) < 0) {
                rc = err_set("%s:%ld: bad frequency '%.40s'", path, lineno, field[1]);
                break;
            }
        }
        segdict_add(d, field[0], flen[0], f);
    }
    if (!rc && ferror(fp)) rc = err_set("%s: %s", path, strerror(errno));
    free(line);
    fclose(fp);
    return rc;
}

char *segdict_serialize(const segdict *d, size_t *len)
{
    size_t cap = d->map.arena_len + d->nwords * 26 + 1, n = 0;
    char *buf = xmalloc(cap);
    for (size_t id = 0; id < d->map.n; id++) {
        if (!(d->freq[id] > 0)) continue;
        size_t kl = strmap_keylen(&d->map, (int32_t)id);
        if (n + kl + 32 > cap) {
            cap = 2 * cap + kl + 32;
            buf = xrealloc(buf, cap);
        }
        memcpy(buf + n, strmap_key(&d->map, (int32_t)id), kl);
        n += kl;
        n += (size_t)snprintf(buf + n, cap - n, "\t%.17g\n", d->freq[id]);
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
        add_raw(d, buf + i, wl, f);
        i = e + 1;
    }
    return d;
}

void segdict_cut(const segdict *d, const char *s, size_t len, toklist *out)
{
    if (!len) return;
    /* characters: a boundary before every byte that is no continuation byte */
    size_t n = 0;
    for (size_t k = 0; k < len; k++) n += k == 0 || ((unsigned char)s[k] & 0xC0) != 0x80;
    size_t *off = toklist_scratch(out, 3, (n + 1) * (2 * sizeof(size_t) + sizeof(double)));
    size_t *nxt = off + n + 1;
    double *route = (double *)(nxt + n + 1);
    n = 0;
    for (size_t k = 0; k < len; k++)
        if (k == 0 || ((unsigned char)s[k] & 0xC0) != 0x80) off[n++] = k;
    off[n] = len;

    if (!d || !d->nwords) {
        for (size_t i = 0; i < n; i++) toklist_push(out, s + off[i], off[i + 1] - off[i]);
        return;
    }

    const strmap *m = &d->map;
    double lt = log(d->total), oov = log(SEG_OOV_FREQ) - lt;
    route[n] = 0;
    for (size_t i = n; i-- > 0;) {
        const char *p = s + off[i];
        size_t bj = i + 1;
        double best = oov + route[i + 1];
        int32_t id = strmap_get(m, p, off[i + 1] - off[i]);
        if (id >= 0) {
            if (d->freq[id] > 0) best = d->logf[id] - lt + route[i + 1];
            for (size_t j = i + 2; j <= n; j++) {
                id = strmap_get(m, p, off[j] - off[i]);
                if (id < 0) break;
                if (d->freq[id] > 0) {
                    double sc = d->logf[id] - lt + route[j];
                    if (sc >= best) {
                        best = sc;
                        bj = j;
                    }
                }
            }
        }
        route[i] = best;
        nxt[i] = bj;
    }
    for (size_t i = 0; i < n; i = nxt[i]) toklist_push(out, s + off[i], off[nxt[i]] - off[i]);
}
