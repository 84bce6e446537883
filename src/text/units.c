/* units.c - cutting normalised text into units, emitting tokens and
 * collecting units with their keys for the segmenter (see units.h).
 *
 * One pass over the code points: units_scan dispatches on the character
 * class (chars.h) to the English rules (english.h) and hands every unit to
 * unit_out, which either emits it as a token or appends it and its key to
 * the collected units.  It never calls the segmenter: with a dictionary it
 * returns at the end of each stretch without white space, and the caller
 * (tokenize.c) segments the stretch, so that this file stays below the
 * dictionary, which cuts its own words into units with text_key.  All
 * arrays are scratch slots of the toklist (see toklist.h).
 */
#include "text/units.h"
#include "text/chars.h"
#include "text/english.h"
#include "text/normalize.h"
#include "text/utf8.h"

#include <stddef.h>
#include <stdint.h>

/* A token: with normalize = 0, the original characters c[a..b) came
 * from, minus those an earlier token took (a character that normalises to
 * several, like "ﬁ" -> "fi", may be cut inside: it goes out once). */
void unit_emit(unitrun *x, size_t a, size_t b, int squeeze)
{
    toklist *t = x->out;
    const uint32_t *c = x->c;
    if (x->orig) {
        size_t s = x->os[a], e = x->oe[b - 1];
        if (s < x->last) s = x->last;
        if (s >= e) return;     /* inside an original character already out */
        x->last = e;
        c = x->orig;
        a = s;
        b = e;
    }
    char *p = toklist_reserve(t, 4 * (b - a) + 1), *q = p;
    for (size_t i = a; i < b; i++) {
        if (squeeze && i >= a + 2 && c[i] == c[i - 1] && c[i] == c[i - 2] && char_class(c[i]) == K_LETTER)
            continue;
        q += enc_utf8(c[i], q);
    }
    *q = '\0';
    toklist_commit(t, (size_t)(q - p));
}

/* Room for one more unit of up to len key code points. */
static inline void unit_room(unitrun *x, size_t len)
{
    if (x->nu + 2 > x->ucap) {
        x->ucap = x->ucap ? 2 * x->ucap : 256;
        x->u = toklist_scratch(x->out, 2, x->ucap * sizeof *x->u);
        x->kb = toklist_scratch(x->out, 7, 2 * x->ucap * sizeof *x->kb);   /* kb, then token ends */
    }
    if (x->nk + len > x->kcap) {
        x->kcap = 2 * (x->nk + len) + 256;
        x->key = toklist_scratch(x->out, 5, x->kcap * sizeof *x->key);
    }
}

/* A unit c[a..b) that is not a single Han character: a token at once, or
 * collected for the segmenter with its key (see units.h). */
static void unit_out(unitrun *x, size_t a, size_t b, int squeeze)
{
    if (!x->collect) {
        unit_emit(x, a, b, squeeze);
        return;
    }
    unit_room(x, b - a);
    const uint32_t *c = x->c;
    uint32_t *key = x->key, k = (uint32_t)x->nk;
    x->u[x->nu].a = a;
    x->u[x->nu].b = b;
    x->u[x->nu].squeeze = squeeze;
    x->kb[x->nu] = k;
    if (x->numcls && b - a >= 2 && cdigit_run(c, a, b) == b) {
        key[k++] = SEG_KEY_CNUM + (uint32_t)(b - a < 5 ? b - a : 5);
    } else {
        for (size_t j = a; j < b;) {
            uint32_t y = c[j];
            if (x->numcls && y - '0' < 10u) {   /* digits, with . , : between digits */
                uint32_t digits = 1;    /* of the integer part */
                int frac = 0;
                j++;
                while (j < b && (c[j] - '0' < 10u ||
                       ((c[j] == '.' || c[j] == ',' || c[j] == ':') && j + 1 < b && c[j + 1] - '0' < 10u))) {
                    if (c[j] == '.' || c[j] == ':') frac = 1;
                    else if (!frac && c[j] != ',') digits++;
                    j++;
                }
                key[k++] = SEG_KEY_NUM + (digits < 5 ? digits : 5);
                continue;
            }
            key[k++] = y == 0x25CB ? 0x3007 : y;
            j++;
        }
    }
    x->nk = k;
    x->nu++;
    x->kb[x->nu] = k;
}

/* A single Han character c[i] (the common case, kept short). */
static inline void han_out(unitrun *x, size_t i)
{
    if (!x->collect) {
        unit_emit(x, i, i + 1, 0);
        return;
    }
    if (x->nu + 2 > x->ucap || x->nk + 1 > x->kcap) unit_room(x, 1);
    x->u[x->nu].a = i;
    x->u[x->nu].b = i + 1;
    x->u[x->nu].squeeze = 0;
    x->kb[x->nu] = (uint32_t)x->nk;
    x->key[x->nk++] = x->c[i];
    x->kb[++x->nu] = (uint32_t)x->nk;
}

/* A word c[a..b): split off clitics ("don't" -> "do" "n't"), squeeze. */
static void emit_word(unitrun *x, size_t a, size_t b)
{
    int sq = x->squeeze;
    size_t cut[4];
    int nc = 0;
    size_t end = b;
    while (nc < 3) {
        size_t k = en_clitic_len(x->c + a, end - a);
        if (!k || end - k == a) break;
        end -= k;
        cut[nc++] = end;
    }
    unit_out(x, a, end, sq);
    for (int q = nc - 1; q >= 0; q--) unit_out(x, cut[q], q ? cut[q - 1] : b, 0);
}

/* The sizes of the unit arrays are kept in step: slot 2 holds ucap units,
 * slot 7 2 * ucap boundaries. */
void units_begin(unitrun *x)
{
    toklist *o = x->out;
    size_t uc = o->scratch_cap[2] / sizeof *x->u, kc = o->scratch_cap[7] / (2 * sizeof *x->kb);
    x->ucap = uc < kc ? uc : kc;
    x->u = o->scratch[2];
    x->kb = o->scratch[7];
    x->key = o->scratch[5];
    x->kcap = o->scratch_cap[5] / sizeof *x->key;
    if (x->ucap < 2 || x->kcap < 1) {
        x->ucap = 0;
        x->kcap = 0;
    }
}

/* Units go out through unit_out, single Han characters (most of Chinese
 * text) through the shorter han_out. */
size_t units_scan(unitrun *x, size_t s, size_t e)
{
    uint32_t *c = x->c;
    size_t i = s;
    while (i < e) {
        uint32_t y = c[i];
        size_t j;
        if ((y >= 0x4E00 && y <= 0x9FFF) || y == 0x3007 || y == 0x25CB) {
            if (x->numcls && tok_is_cdigit(y) && (j = cdigit_run(c, i, e))) {
                unit_out(x, i, j, 0);
                i = j;
                continue;
            }
        }
        if (y >= 0x4E00 && y <= 0x9FFF) {           /* fast path: CJK ideographs */
            j = i + 1;
            if (j < e && c[j] >= 0x300 && !(c[j] >= 0x4E00 && c[j] <= 0x9FFF)) j = absorb_marks(c, j, e);
            if (j == i + 1) han_out(x, i);
            else unit_out(x, i, j, 0);
            i = j;
            continue;
        }
        int k = y == ' ' ? K_SPACE : char_class(y);
        if (k == K_SPACE) {
            if (x->stretch && x->nu) return i;      /* the end of a stretch */
            i++;
            continue;
        }
        if (k == K_HAN) {
            j = absorb_marks(c, i + 1, e);
            unit_out(x, i, j, 0);
            i = j;
            continue;
        }
        if (k == K_LETTER || k == K_DIGIT) {
            if ((j = en_scan_url(c, i, e)) || (j = en_scan_abbrev(c, i, e)) ||
                (y == 'o' || y == 'O' ? (j = en_scan_emoticon(c, i, e)) : 0)) {
                unit_out(x, i, j, 0);
            } else {
                j = en_scan_word(c, i, e, x->normalize);
                emit_word(x, i, j);
            }
            i = j;
            continue;
        }
        if ((y == '@' || y == '#') && (j = en_scan_tag(c, i, e))) {
            unit_out(x, i, j, 0);
            i = j;
            continue;
        }
        if ((k == K_PUNCT || k == K_BRACKET) && (j = en_scan_emoticon(c, i, e))) {
            unit_out(x, i, j, 0);
            i = j;
            continue;
        }
        j = i + 1;
        if (k == K_PUNCT) {
            while (j < e && c[j] == y) j++;             /* "..." "!!!" "——" */
        } else if (k == K_SYM && is_regional(y) && j < e && is_regional(c[j])) {
            j++;                                        /* flag: a pair of regional indicators */
        }
        j = absorb_marks(c, j, e);
        unit_out(x, i, j, 0);
        i = j;
    }
    return e;
}

size_t text_key(const char *w, size_t len, int num_class, toklist *sc, const uint32_t **key,
                const uint32_t **kb, size_t *nunits)
{
    uint32_t *raw = toklist_scratch(sc, 0, (len + 1) * sizeof *raw);
    size_t n = text_decode_clean(w, len, raw);
    /* the settings of tok_config_default, every unit collected */
    unitrun x = { .out = sc, .c = raw, .n = n, .normalize = 1, .squeeze = 0, .numcls = num_class != 0,
                  .collect = 1, .stretch = 0 };
    units_begin(&x);
    unit_room(&x, 1);
    x.kb[0] = 0;
    units_scan(&x, 0, n);
    *key = x.key;
    *kb = x.kb;
    *nunits = x.nu;
    return x.nk;
}
