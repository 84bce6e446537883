/* units.h - cutting normalised text into units, and the key form of units.
 *
 * A unit is what the segmenter treats as one symbol: a Han character, or a
 * Latin word, a number, a URL, an emoji, a punctuation run ... as the
 * English tokenizer cuts them (english.h).  Units are the bridge between
 * the tokenizer and the Chinese segmenter: without a dictionary every unit
 * is a token (units_scan emits it at once); with one, the units of each
 * stretch without white space are collected with their keys and the
 * segmenter (segment.h) joins them into words, which may span several
 * units ("2000年", "T恤", "卡拉ok").  The dictionary cuts its own words the
 * same way (text_key), so that both sides agree on the units.
 *
 * Lookups use the key form of the units: a unit's code points, with U+25CB
 * WHITE CIRCLE replaced by U+3007 IDEOGRAPHIC NUMBER ZERO (the usual
 * stand-in for it in GB2312 text).  With number classes
 * (tok_config.num_class), also every run of ASCII digits (with '.' ',' ':'
 * between digits) replaced by a number class of its shape: SEG_KEY_NUM + k,
 * k = the digits of the
 * integer part ("1,000.5": 4), 5 for 5 or more.  So "N4年" learnt from
 * "1998年" in the dictionary also matches "2001年" but not "20年" (a
 * class-based estimate from the dictionary: which shapes of numbers a
 * suffix attaches to is what the dictionary shows; the frequency of a key
 * is the sum over its words), and a run of two or more Chinese digits
 * (〇 ○ 零 一 .. 九) is one unit, a number written digit by digit, with
 * the class SEG_KEY_CNUM + min(length, 5): "一九九八年" in the dictionary
 * also matches "二○○一年".  The dictionary holds both key forms of such
 * words (literal: frequency of the word; class: sum over its words).
 */
#ifndef SEQSENT_UNITS_H
#define SEQSENT_UNITS_H

#include <stddef.h>
#include <stdint.h>
#include "text/toklist.h"

#define SEG_KEY_NUM 0x110000u
#define SEG_KEY_CNUM (SEG_KEY_NUM + 8)

typedef struct unit {
    size_t a, b;        /* c[a..b) */
    int squeeze;        /* emit with squeeze when it is a token by itself */
} unit;

/* The state of cutting one text (internal to the tokenizer; the caller
 * fills the fields up to `stretch`, then calls units_begin). */
typedef struct unitrun {
    toklist *out;           /* tokens and scratch */
    uint32_t *c;            /* whole text, code points (mutable scratch) */
    size_t n;               /* its length */
    const uint32_t *orig;   /* normalize = 0: the original (cleaned) code points */
    const size_t *os, *oe;  /* ... and the map c[k] -> orig[os[k]..oe[k]) */
    int normalize;          /* tok_config.normalize: apostrophes in words become '\'' */
    int squeeze;            /* tok_config.squeeze */
    int numcls;             /* number classes in the keys (tok_config.num_class) */
    int collect;            /* units are collected with their keys (else emitted) */
    int stretch;            /* units_scan returns at the end of each stretch */
    /* filled by units_begin / units_scan */
    size_t last;            /* end in orig of the last token emitted */
    unit *u;                /* collected units (scratch slot 2) */
    size_t nu, ucap;
    uint32_t *kb;           /* their boundaries in key (slot 7; 2 * ucap entries:
                               the second half is room for the segmenter's token ends) */
    uint32_t *key;          /* their key code points (slot 5) */
    size_t nk, kcap;
} unitrun;

/* Take over the unit arrays left in the scratch slots of x->out. */
void units_begin(unitrun *x);

/* Cut c[s..e) into units: Han characters one by one (a run of Chinese
 * digits as one unit with number classes), the rest by the English
 * tokenizer.  Each unit is emitted as a token, or collected (x->collect);
 * with x->stretch, returns when it meets white space after collected units
 * (the end of a stretch: segment and clear them, then call again from the
 * position returned), else returns e. */
size_t units_scan(unitrun *x, size_t s, size_t e);

/* Push c[a..b) as one token; with squeeze, the 3rd and later copies of a
 * repeated letter are left out.  normalize = 0: the original characters of
 * c[a..b) (each original character once). */
void unit_emit(unitrun *x, size_t a, size_t b, int squeeze);

/* Key of a normalised word w[0..len) (num_class: with number classes): the
 * units cut as tokenize() cuts them, their key code points.  *key gets the key (length returned), *kb the
 * unit boundaries in the key (*nunits + 1 entries); both arrays live in
 * scratch slots of sc (valid until its next use). */
size_t text_key(const char *w, size_t len, int num_class, toklist *sc, const uint32_t **key,
                const uint32_t **kb, size_t *nunits);

#endif
