/* tokenize.c - the tokenizer driver (see tokenize.h): settings, and the
 * steps of tokenize() put together.
 *
 * tokenize() works on code points: the bytes are decoded and cleaned,
 * normalised (normalize.h; with normalize = 0, text_nfkc_map also keeps the
 * way back to the original characters), then cut into units (units.h:
 * Han characters one by one, the rest by the English tokenizer).  Without
 * a dictionary every unit is a token; with one, the units of each stretch
 * without white space are collected with their keys and segmented by
 * segdict_path() here, the only place that knows both the units and the
 * segmenter.  All temporary arrays are scratch slots of the output toklist,
 * so a tokenizer can be shared between threads and tokenizing allocates
 * nothing once the slots are large enough.
 */
#include "text/tokenize.h"
#include "text/normalize.h"
#include "text/segment.h"
#include "text/units.h"
#include "text/t2s.h"
#include "text/chars.h"
#include "text/utf8.h"
#include "base/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct tokenizer {
    tok_config cfg;
    const segdict *dict;
};

void tok_config_default(tok_config *c)
{
    c->lang = LANG_AUTO;
    c->normalize = 1;
    c->squeeze = 0;
    c->num_class = 0;
    c->t2s = 0;
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

int text_has_han(const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text, *e = p + len;
    while (p < e) {
        uint32_t c;
        size_t k = *p < 0x80 ? 1 : dec_utf8(p, (size_t)(e - p), &c);
        if (k <= 1) k = 1;   /* ASCII or an invalid byte: not Han */
        else if (is_han(c)) return 1;
        p += k;
    }
    return 0;
}

int texts_are_chinese(char *const *texts, size_t n)
{
    size_t look = n < 10000 ? n : 10000, han = 0;
    for (size_t i = 0; i < look; i++)
        if (texts[i] && text_has_han(texts[i], strlen(texts[i]))) han++;
    return han > 0 && han * 10 >= look;
}

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

/* Segment the collected units (one stretch without spaces) with d and
 * emit the words. */
static void flush(unitrun *x, const segdict *d)
{
    size_t nu = x->nu;
    if (!nu) return;
    x->nu = 0;
    x->nk = 0;
    const unit *u = x->u;
    if (nu == 1) {
        unit_emit(x, u[0].a, u[0].b, u[0].squeeze);
        return;
    }
    uint32_t *ends = x->kb + nu + 1;       /* room: 2 * ucap >= 2 * nu + 1 */
    size_t nt = segdict_path(d, x->key, x->kb, nu, ends, x->out);
    size_t a = 0;
    for (size_t t = 0; t < nt; t++) {
        size_t b = ends[t];
        if (b == a + 1) unit_emit(x, u[a].a, u[a].b, u[a].squeeze);
        else unit_emit(x, u[a].a, u[b - 1].b, 0);
        a = b;
    }
}

void tokenize(const tokenizer *t, const char *text, size_t len, toklist *out)
{
    if (!text || !len) return;
    size_t clen;
    char *conv = t->cfg.t2s ? t2s_convert(text, len, &clen) : NULL;
    if (conv) {
        text = conv;
        len = clen;
    }
    uint32_t *raw = toklist_scratch(out, 0, (len + 1) * sizeof *raw);
    size_t n = text_decode_clean(text, len, raw);
    uint32_t *c = raw;
    unitrun x = { .out = out, .normalize = t->cfg.normalize, .squeeze = t->cfg.squeeze,
                  .numcls = t->cfg.num_class != 0 };
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
    const segdict *dict = t->cfg.lang != LANG_EN && segdict_size(t->dict) ? t->dict : NULL;
    x.collect = x.stretch = dict != NULL;
    units_begin(&x);
    size_t i = 0;
    do {
        i = units_scan(&x, i, n);
        flush(&x, dict);
    } while (i < n);
    free(conv);
}
