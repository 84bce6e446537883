/* text.c - normalisation, units, the English tokenizer, token lists and
 * the tokenizer driver (see text.h).  The segmentation dictionary and the
 * segmenter live in segment.c.
 *
 * tokenize() works on code points: the bytes are decoded and cleaned
 * (decode_clean: invalid UTF-8 -> U+FFFD, format characters dropped,
 * controls -> space or dropped), normalised (nfkc_casefold: a per-character
 * table for the characters that cannot interact with their neighbours, the
 * full utf8proc decomposition + reordering + composition otherwise; with
 * normalize = 0, nfkc_map also keeps the way back to the original
 * characters), then cut into units (scan_units: Han characters one by one,
 * the rest by the English tokenizer).  Without a dictionary every unit is a
 * token; with one, the units of each stretch without white space are
 * collected with their keys (see text.h) and segmented by segdict_path().
 * All temporary arrays are scratch slots of the output toklist, so a
 * tokenizer can be shared between threads and tokenizing allocates nothing
 * once the slots are large enough.
 */
#include "text/text.h"
#include "text/normalize.h"
#include "text/utf8.h"
#include "base/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <utf8proc.h>

struct tokenizer {
    tok_config cfg;
    const segdict *dict;
};

/* ------------------------------------------------------------------ */
/* config                                                             */

void tok_config_default(tok_config *c)
{
    c->lang = LANG_AUTO;
    c->normalize = 1;
    c->squeeze = 0;
    c->num_class = 0;
}

const char *tok_lang_name(tok_lang l)
{
    switch (l) {
    case LANG_ZH: return "zh";
    case LANG_EN: return "en";
    default: return "auto";
    }
}

int tok_lang_parse(const char *s)
{
    if (!s) return -1;
    if (!strcasecmp(s, "auto")) return LANG_AUTO;
    if (!strcasecmp(s, "zh")) return LANG_ZH;
    if (!strcasecmp(s, "en")) return LANG_EN;
    return -1;
}

/* ------------------------------------------------------------------ */
/* code points                                                        */

/* Han characters: CJK Unified Ideographs (+ extensions A-G), compatibility
 * ideographs (+ supplement), and U+3005 (々) / U+3007 (〇). */
static inline int is_han(uint32_t c)
{
    if (c < 0x3005) return 0;
    if (c >= 0x4E00 && c <= 0x9FFF) return 1;
    if (c >= 0x3400 && c <= 0x4DBF) return 1;
    if (c >= 0xF900 && c <= 0xFAFF) return 1;
    if (c >= 0x20000 && c <= 0x3134F) return 1;
    return c == 0x3005 || c == 0x3007;
}

/* ------------------------------------------------------------------ */
/* character classes                                                  */

enum {
    K_SPACE,    /* Z*, controls */
    K_LETTER,   /* L* */
    K_DIGIT,    /* N* */
    K_MARK,     /* M* */
    K_PUNCT,    /* Pc Pd Po Sm Sc Sk: own token, a run of one char is one token */
    K_BRACKET,  /* Ps Pe Pi Pf: own token each */
    K_SYM,      /* So (emoji ...), Co, Cn: own token each */
    K_HAN
};

static int kls(uint32_t c)
{
    if (c < 0x80) {
        if ((c | 0x20) - 'a' < 26u) return K_LETTER;
        if (c - '0' < 10u) return K_DIGIT;
        if (c <= ' ' || c == 0x7F) return K_SPACE;
        if (c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}') return K_BRACKET;
        return K_PUNCT;
    }
    if (is_han(c)) return K_HAN;
    switch (utf8proc_category((utf8proc_int32_t)c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
        return K_LETTER;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return K_MARK;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return K_DIGIT;
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PO:
    case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC: case UTF8PROC_CATEGORY_SK:
        return K_PUNCT;
    case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
        return K_BRACKET;
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF:
        return K_SPACE;
    default:
        return K_SYM;
    }
}

static inline int is_word_k(int k) { return k == K_LETTER || k == K_DIGIT || k == K_MARK; }
static inline int is_alnum_k(int k) { return k == K_LETTER || k == K_DIGIT; }
static inline uint32_t lower_ascii(uint32_t c) { return (c - 'A' < 26u) ? c + 32 : c; }
static inline int is_apos(uint32_t c) { return c == '\'' || c == 0x2019; }

/* ------------------------------------------------------------------ */
/* English tokenizer                                                  */

typedef struct unit {
    size_t a, b;        /* c[a..b) */
    int squeeze;        /* emit with squeeze when it is a token by itself */
} unit;

typedef struct run_ctx {
    const tokenizer *tk;
    toklist *out;
    uint32_t *c;        /* whole text, code points (mutable scratch) */
    size_t n;           /* its length */
    const uint32_t *orig;   /* normalize = 0: the original (cleaned) code points */
    const size_t *os, *oe;  /* ... and the map c[k] -> orig[os[k]..oe[k]) */
    size_t last;        /* end in orig of the last token emitted */
    const segdict *dict;    /* units are collected and segmented (else emitted) */
    int keep;           /* text_key: collect all units, never flush */
    int numcls;         /* number classes in the keys (tok_config.num_class) */
    unit *u;            /* collected units (scratch slot 2) */
    size_t nu, ucap;
    uint32_t *kb;       /* their boundaries in key (slot 7; 2 * ucap entries) */
    uint32_t *key;      /* their key code points (slot 5) */
    size_t nk, kcap;
} run_ctx;

/* Push c[a..b) as one token; with squeeze, the 3rd and later copies of a
 * repeated letter are left out.  normalize = 0: the original characters of
 * c[a..b) (each original character once). */
static void emit(run_ctx *x, size_t a, size_t b, int squeeze)
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
        if (squeeze && i >= a + 2 && c[i] == c[i - 1] && c[i] == c[i - 2] && kls(c[i]) == K_LETTER)
            continue;
        q += enc_utf8(c[i], q);
    }
    *q = '\0';
    toklist_commit(t, (size_t)(q - p));
}

/* Length of a Penn-Treebank clitic at the end of w[0..L): n't 's 'm 'd 'll
 * 're 've (the apostrophe may be U+2019); 0 if none. */
static size_t clitic_len(const uint32_t *w, size_t L)
{
    if (L >= 4 && is_apos(w[L - 2]) && lower_ascii(w[L - 1]) == 't' && lower_ascii(w[L - 3]) == 'n' &&
        (kls(w[L - 4]) == K_LETTER || kls(w[L - 4]) == K_MARK))
        return 3;
    if (L >= 3 && is_apos(w[L - 2])) {
        uint32_t s = lower_ascii(w[L - 1]);
        if ((s == 's' || s == 'm' || s == 'd') && (kls(w[L - 3]) == K_LETTER || kls(w[L - 3]) == K_MARK))
            return 2;
    }
    if (L >= 4 && is_apos(w[L - 3])) {
        uint32_t a = lower_ascii(w[L - 2]), b = lower_ascii(w[L - 1]);
        if (((a == 'l' && b == 'l') || (a == 'r' && b == 'e') || (a == 'v' && b == 'e')) &&
            (kls(w[L - 4]) == K_LETTER || kls(w[L - 4]) == K_MARK))
            return 3;
    }
    return 0;
}

/* A run of two or more Chinese digits at i ("一九九八", "二○○一"): its end,
 * else 0.  (Numerals with a place value, 十 百 千 万 亿, are left to the
 * dictionary: as one unit with the digits they made PKU F1 worse.) */
static inline size_t cdigit_run(const uint32_t *c, size_t i, size_t e)
{
    if (!tok_is_cdigit(c[i])) return 0;
    size_t j = i + 1;
    while (j < e && tok_is_cdigit(c[j])) j++;
    return j - i >= 2 ? j : 0;
}

static void flush(run_ctx *x);

/* Room for one more unit of up to len key code points. */
static inline void unit_room(run_ctx *x, size_t len)
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
 * collected for the segmenter with its key (see text.h). */
static void unit_out(run_ctx *x, size_t a, size_t b, int squeeze)
{
    if (!x->dict && !x->keep) {
        emit(x, a, b, squeeze);
        return;
    }
    if (x->nu && x->u[x->nu - 1].b != a && !x->keep) flush(x);
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
static inline void han_out(run_ctx *x, size_t i)
{
    if (!x->dict && !x->keep) {
        emit(x, i, i + 1, 0);
        return;
    }
    if (x->nu && x->u[x->nu - 1].b != i && !x->keep) flush(x);
    if (x->nu + 2 > x->ucap || x->nk + 1 > x->kcap) unit_room(x, 1);
    x->u[x->nu].a = i;
    x->u[x->nu].b = i + 1;
    x->u[x->nu].squeeze = 0;
    x->kb[x->nu] = (uint32_t)x->nk;
    x->key[x->nk++] = x->c[i];
    x->kb[++x->nu] = (uint32_t)x->nk;
}

/* Segment the collected units (one stretch without spaces) and emit. */
static void flush(run_ctx *x)
{
    size_t nu = x->nu;
    if (!nu) return;
    x->nu = 0;
    x->nk = 0;
    const unit *u = x->u;
    if (nu == 1) {
        emit(x, u[0].a, u[0].b, u[0].squeeze);
        return;
    }
    uint32_t *ends = x->kb + nu + 1;       /* room: 2 * ucap >= 2 * nu + 1 */
    size_t nt = segdict_path(x->dict, x->key, x->kb, nu, ends, x->out);
    size_t a = 0;
    for (size_t t = 0; t < nt; t++) {
        size_t b = ends[t];
        if (b == a + 1) emit(x, u[a].a, u[a].b, u[a].squeeze);
        else emit(x, u[a].a, u[b - 1].b, 0);
        a = b;
    }
}

/* A word c[a..b): split off clitics ("don't" -> "do" "n't"), squeeze. */
static void emit_word(run_ctx *x, size_t a, size_t b)
{
    int sq = x->tk->cfg.squeeze;
    size_t cut[4];
    int nc = 0;
    size_t end = b;
    while (nc < 3) {
        size_t k = clitic_len(x->c + a, end - a);
        if (!k || end - k == a) break;
        end -= k;
        cut[nc++] = end;
    }
    unit_out(x, a, end, sq);
    for (int q = nc - 1; q >= 0; q--) unit_out(x, cut[q], q ? cut[q - 1] : b, 0);
}

/* Word / number starting at i (a letter or digit): letters, digits, marks;
 * apostrophes between letters, '.' ',' ':' between digits, '-' '_' between
 * letters/digits; a '%' after a digit. */
static size_t scan_word(run_ctx *x, size_t i, size_t e)
{
    uint32_t *c = x->c;
    size_t j = i;
    for (;;) {
        while (j < e && is_word_k(kls(c[j]))) j++;
        if (j + 1 >= e) break;
        uint32_t y = c[j];
        int kp = kls(c[j - 1]), kn = kls(c[j + 1]);
        if (is_apos(y) && (kp == K_LETTER || kp == K_MARK) && kn == K_LETTER) {
            if (y != '\'' && x->tk->cfg.normalize) c[j] = '\'';
            j++;
            continue;
        }
        if ((y == '.' || y == ',' || y == ':') && kp == K_DIGIT && kn == K_DIGIT) { j++; continue; }
        if ((y == '-' || y == '_') && (is_alnum_k(kp) || kp == K_MARK) && is_alnum_k(kn)) { j++; continue; }
        break;
    }
    if (j < e && c[j] == '%' && kls(c[j - 1]) == K_DIGIT) j++;
    return j;
}

/* Abbreviation like "u.s." / "e.g.": (letter '.'){2,}, not followed by a
 * letter or digit.  Returns the end or 0. */
static size_t scan_abbrev(const uint32_t *c, size_t i, size_t e)
{
    size_t j = i;
    while (j + 1 < e && kls(c[j]) == K_LETTER && c[j + 1] == '.') j += 2;
    if (j - i < 4) return 0;
    if (j < e && is_word_k(kls(c[j]))) return 0;
    return j;
}

static int match_ci(const uint32_t *c, size_t i, size_t e, const char *s)
{
    size_t k = 0;
    for (; s[k]; k++)
        if (i + k >= e || lower_ascii(c[i + k]) != (unsigned char)s[k]) return 0;
    return (int)k;
}

/* URL starting at i ("http://", "https://", "ftp://", "www."); end or 0. */
static size_t scan_url(const uint32_t *c, size_t i, size_t e)
{
    int p = match_ci(c, i, e, "http://");
    if (!p) p = match_ci(c, i, e, "https://");
    if (!p) p = match_ci(c, i, e, "ftp://");
    if (!p && (p = match_ci(c, i, e, "www.")) && !(i + 4 < e && is_alnum_k(kls(c[i + 4])))) p = 0;
    if (!p) return 0;
    size_t j = i + (size_t)p;
    while (j < e) {
        uint32_t y = c[j];
        if (y < 0x80) {
            if (y <= ' ' || y == 0x7F || y == '<' || y == '>' || y == '"' || y == '`') break;
        } else if (!is_word_k(kls(y))) {
            break;
        }
        j++;
    }
    long bal[3] = {0, 0, 0};    /* ( ) [ ] { } balance */
    for (size_t k = i; k < j; k++) {
        uint32_t y = c[k];
        if (y == '(' || y == ')') bal[0] += y == '(' ? 1 : -1;
        else if (y == '[' || y == ']') bal[1] += y == '[' ? 1 : -1;
        else if (y == '{' || y == '}') bal[2] += y == '{' ? 1 : -1;
    }
    for (;;) {                  /* trailing punctuation belongs to the sentence */
        if (j <= i + (size_t)p) break;
        uint32_t y = c[j - 1];
        if (y == '.' || y == ',' || y == ';' || y == ':' || y == '!' || y == '?' || y == '\'') { j--; continue; }
        int b = y == ')' ? 0 : y == ']' ? 1 : y == '}' ? 2 : -1;
        if (b >= 0 && bal[b] < 0) {     /* unbalanced closing bracket */
            bal[b]++;
            j--;
            continue;
        }
        break;
    }
    return j > i + (size_t)p ? j : 0;
}

/* Emoticons, lower case (matched ASCII-case-insensitively).  '=' entries
 * need a space (or the start) before them. */
static const char *const emoticons[] = {
    ":)", ":-)", ":(", ":-(", ";)", ";-)", ";(", ":d", ":-d", ";d", ";-d",
    ":p", ":-p", ";p", ";-p", ":o", ":-o", ":/", ":-/", ":\\", ":-\\", ":|", ":-|",
    ":*", ":-*", ":'(", ":'-(", ":')", ":'-)", ":]", ":[", ":}", ":{", ":>", ":<",
    ":3", ":s", ":$", ":@", ":x", ":-x", ":^)", ">:(", ">:-(", ">:)", ">:-)",
    "=)", "=(", "=d", "=p", "=]", "=[", "=/",
    "<3", "</3", "^_^", "^^", "^.^", "^-^", "-_-", "-.-", ">_<", ">.<", ";_;", "o.o",
    NULL
};

static size_t scan_emoticon(const uint32_t *c, size_t i, size_t e)
{
    uint32_t f = lower_ascii(c[i]);
    if (!(f == ':' || f == ';' || f == '=' || f == '<' || f == '>' || f == '^' || f == '-' || f == 'o'))
        return 0;
    size_t best = 0;
    for (const char *const *em = emoticons; *em; em++) {
        size_t k = (size_t)match_ci(c, i, e, *em);
        if (k <= best) continue;
        if ((*em)[0] == '=' && i > 0 && kls(c[i - 1]) != K_SPACE) continue;
        best = k;
    }
    if (!best) return 0;
    size_t j = i + best;
    uint32_t last = lower_ascii(c[j - 1]);
    if (last == ')' || last == '(' || last == ']' || last == '[' || last == 'd' || last == 'p')
        while (j < e && c[j] == c[j - 1]) j++;          /* ":)))" */
    if (j < e) {                /* ":p" in ":people" is no emoticon, nor ":(" in ":(1)" */
        int k = kls(c[j]);
        if (k == K_LETTER || k == K_DIGIT) return 0;
    }
    return j;
}

/* @mention / #hashtag at i; end or 0. */
static size_t scan_tag(const uint32_t *c, size_t i, size_t e)
{
    if (i > 0 && is_word_k(kls(c[i - 1]))) return 0;  /* e-mail, C# */
    size_t j = i + 1;
    int letters = 0;
    while (j < e) {
        int k = kls(c[j]);
        if (k == K_LETTER) letters = 1;
        else if (!(k == K_DIGIT || k == K_MARK || c[j] == '_')) break;
        j++;
    }
    if (j == i + 1) return 0;
    if (c[i] == '#' && !letters) return 0;            /* "#1" */
    return j;
}

static inline int is_emoji_mod(uint32_t c) { return c >= 0x1F3FB && c <= 0x1F3FF; }
static inline int is_regional(uint32_t c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }

/* Marks, variation selectors and skin-tone modifiers stay with the token. */
static size_t absorb_marks(const uint32_t *c, size_t j, size_t e)
{
    while (j < e && (is_emoji_mod(c[j]) || kls(c[j]) == K_MARK)) j++;
    return j;
}

/* Cut c[s..e) into units (unit_out): Han characters one by one (a run of
 * Chinese digits as one unit), the rest by the English tokenizer. */
static void scan_units(run_ctx *x, size_t s, size_t e)
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
        if (y == ' ') { i++; continue; }
        int k = kls(y);
        if (k == K_SPACE) { i++; continue; }
        if (k == K_HAN) {
            j = absorb_marks(c, i + 1, e);
            unit_out(x, i, j, 0);
            i = j;
            continue;
        }
        if (k == K_LETTER || k == K_DIGIT) {
            if ((j = scan_url(c, i, e)) || (j = scan_abbrev(c, i, e)) ||
                (y == 'o' || y == 'O' ? (j = scan_emoticon(c, i, e)) : 0)) {
                unit_out(x, i, j, 0);
            } else {
                j = scan_word(x, i, e);
                emit_word(x, i, j);
            }
            i = j;
            continue;
        }
        if ((y == '@' || y == '#') && (j = scan_tag(c, i, e))) {
            unit_out(x, i, j, 0);
            i = j;
            continue;
        }
        if ((k == K_PUNCT || k == K_BRACKET) && (j = scan_emoticon(c, i, e))) {
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
}

/* ------------------------------------------------------------------ */
/* tokenizer driver                                                   */

tokenizer *tokenizer_new(const tok_config *cfg, const segdict *dict)
{
    tokenizer *t = xcalloc(1, sizeof *t);
    if (cfg) t->cfg = *cfg;
    else tok_config_default(&t->cfg);
    t->dict = dict;
    return t;
}

void tokenizer_free(tokenizer *t)
{
    free(t);
}

/* Take over the unit arrays left in the scratch slots (sizes kept in
 * step: slot 2 holds ucap units, slot 7 2 * ucap boundaries). */
static void scratch_units(run_ctx *x)
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

void tokenize(const tokenizer *t, const char *text, size_t len, toklist *out)
{
    if (!text || !len) return;
    uint32_t *raw = toklist_scratch(out, 0, (len + 1) * sizeof *raw);
    size_t n = text_decode_clean(text, len, raw);
    uint32_t *c = raw;
    run_ctx x = { .tk = t, .out = out };
    if (t->cfg.normalize) {
        n = text_nfkc_casefold(out, raw, n, &c);
    } else {
        size_t *os, *oe;
        n = text_nfkc_map(out, raw, n, &c, &os, &oe);
        x.orig = raw;
        x.os = os;
        x.oe = oe;
    }
    x.c = c;
    x.n = n;
    x.numcls = t->cfg.num_class != 0;
    if (t->cfg.lang != LANG_EN && segdict_size(t->dict)) x.dict = t->dict;
    scratch_units(&x);
    scan_units(&x, 0, n);
    flush(&x);
}

size_t text_key(const char *w, size_t len, int num_class, toklist *sc, const uint32_t **key,
                const uint32_t **kb, size_t *nunits)
{
    tokenizer tk;
    tok_config_default(&tk.cfg);
    tk.dict = NULL;
    uint32_t *raw = toklist_scratch(sc, 0, (len + 1) * sizeof *raw);
    size_t n = text_decode_clean(w, len, raw);
    run_ctx x = { .tk = &tk, .out = sc, .c = raw, .n = n, .keep = 1, .numcls = num_class != 0 };
    scratch_units(&x);
    unit_room(&x, 1);
    x.kb[0] = 0;
    scan_units(&x, 0, n);
    *key = x.key;
    *kb = x.kb;
    *nunits = x.nu;
    return x.nk;
}
