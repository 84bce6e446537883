/* chars.h - character classes of the tokenizer.
 *
 * Every decision of the unit scanners (english.c, units.c) starts from the
 * class of a code point: letter, digit, mark, punctuation, bracket, symbol,
 * space or Han.  They are asked once or more per character, so everything
 * here is inline, with ASCII and the unified ideographs answered before
 * utf8proc's category table is consulted.  The Chinese digits are here too:
 * the tokenizer joins runs of them and the dictionary gives words with such
 * runs a number class (units.h), and both must agree on what a digit is.
 */
#ifndef SEQSENT_CHARS_H
#define SEQSENT_CHARS_H

#include <stddef.h>
#include <stdint.h>
#include <utf8proc.h>

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

/* The class (K_*) of code point c. */
static inline int char_class(uint32_t c)
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
static inline int is_emoji_mod(uint32_t c) { return c >= 0x1F3FB && c <= 0x1F3FF; }
static inline int is_regional(uint32_t c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }

/* Chinese digits: 〇 (and its stand-in ○ U+25CB), 零 and 一 .. 九 (shared by
 * the tokenizer's numeral runs and the dictionary's number classes). */
static inline int tok_is_cdigit(uint32_t y)
{
    switch (y) {
    case 0x3007: case 0x25CB: case 0x96F6: case 0x4E00: case 0x4E8C: case 0x4E09: case 0x56DB:
    case 0x4E94: case 0x516D: case 0x4E03: case 0x516B: case 0x4E5D:
        return 1;
    default:
        return 0;
    }
}

/* A run of two or more Chinese digits at c[i] ("一九九八", "二○○一"), up
 * to e: its end, else 0.  (Numerals with a place value, 十 百 千 万 亿,
 * are left to the dictionary: as one unit with the digits they made PKU F1
 * worse.) */
static inline size_t cdigit_run(const uint32_t *c, size_t i, size_t e)
{
    if (!tok_is_cdigit(c[i])) return 0;
    size_t j = i + 1;
    while (j < e && tok_is_cdigit(c[j])) j++;
    return j - i >= 2 ? j : 0;
}

/* Marks, variation selectors and skin-tone modifiers stay with the token:
 * the end of those from c[j], up to e. */
static inline size_t absorb_marks(const uint32_t *c, size_t j, size_t e)
{
    while (j < e && (is_emoji_mod(c[j]) || char_class(c[j]) == K_MARK)) j++;
    return j;
}

#endif
