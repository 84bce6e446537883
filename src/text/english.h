/* english.h - the English tokenizer's rules, one function per kind of unit.
 *
 * The tokenizer (units.c) walks a normalised text and, at each character
 * that may start a unit, asks these rules where the unit ends: a word or
 * number with its inner apostrophes and separators, an abbreviation, a URL,
 * an emoticon, an @mention / #hashtag; en_clitic_len splits contractions
 * off a word.  All work on code points c[i..e) with e the end of the text
 * (a rule may look at c[i - 1] for context) and return the end of the unit,
 * or 0 when the rule does not apply.  Character classes are in chars.h.
 */
#ifndef SEQSENT_ENGLISH_H
#define SEQSENT_ENGLISH_H

#include <stddef.h>
#include <stdint.h>

/* Length of a Penn-Treebank clitic at the end of w[0..L): n't 's 'm 'd 'll
 * 're 've (the apostrophe may be U+2019); 0 if none. */
size_t en_clitic_len(const uint32_t *w, size_t L);

/* Word / number starting at i (a letter or digit): letters, digits, marks;
 * apostrophes between letters, '.' ',' ':' between digits, '-' '_' between
 * letters/digits; a '%' after a digit.  With normalize, an inner U+2019
 * apostrophe is replaced by '\'' in c. */
size_t en_scan_word(uint32_t *c, size_t i, size_t e, int normalize);

/* Abbreviation like "u.s." / "e.g.": (letter '.'){2,}, not followed by a
 * letter or digit. */
size_t en_scan_abbrev(const uint32_t *c, size_t i, size_t e);

/* URL starting at i ("http://", "https://", "ftp://", "www."), without the
 * sentence's punctuation after it. */
size_t en_scan_url(const uint32_t *c, size_t i, size_t e);

/* Emoticon starting at i (":)", ":-(", "<3", "^_^" ..., ":)))"). */
size_t en_scan_emoticon(const uint32_t *c, size_t i, size_t e);

/* @mention / #hashtag at i (not inside a word: e-mail, C#; "#1" is none). */
size_t en_scan_tag(const uint32_t *c, size_t i, size_t e);

#endif
