/* text.h - normalisation and tokenization (English words, Chinese segmentation).
 *
 * Pipeline for one text: UTF-8 validation (invalid bytes -> U+FFFD), drop of
 * BOM / zero-width / control characters, Unicode NFKC + case folding
 * (utf8proc), then units: Han characters one by one, everything else as the
 * English/Latin tokenizer cuts it (words, numbers, URLs, emoji, punctuation;
 * these always stay whole).  With a dictionary (segdict), every stretch of
 * units without white space is segmented into the maximum-probability
 * sequence of dictionary words (jieba's DAG + unigram method), where a word
 * may span several units ("2001年", "T恤"); unknown words are handled by an
 * HMM estimated from the dictionary.  Without one, every unit is a token.
 * Tokens come out as UTF-8 strings in a toklist.  No allocation per
 * character: all working memory is scratch space of the toklist.
 */
#ifndef SEQSENT_TEXT_H
#define SEQSENT_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include "text/toklist.h"

typedef enum { LANG_AUTO = 0, LANG_ZH, LANG_EN } tok_lang;

typedef struct tok_config {
    tok_lang lang;      /* AUTO: segment Han runs, tokenize the rest (mixed text works);
                           ZH: same as AUTO; EN: one token per Han character, no dictionary */
    int normalize;      /* 1 (default): NFKC + case folding; 0: tokens carry the original
                           characters (exact substrings of the input but for dropped
                           invisible characters and U+FFFD for invalid bytes) while the
                           cutting still looks at the normalised text */
    int squeeze;        /* 1: squeeze 3+ repeated letters to 2 ("sooo" -> "soo"); default 0 */
    int num_class;      /* 1: dictionary words with numbers match as number classes
                           ("1998年" in the dictionary also joins "2001年", see SEG_KEY_NUM);
                           0 (default): only the literal words.  PKU F1 0.9188 vs 0.9171,
                           but tokens outside a vector vocabulary used as the dictionary */
} tok_config;

void tok_config_default(tok_config *c);
const char *tok_lang_name(tok_lang l);       /* "auto" "zh" "en" */
int tok_lang_parse(const char *s);           /* -1 if unknown */

/* ---- Chinese segmentation dictionary ---- */
typedef struct segdict segdict;

segdict *segdict_new(void);
void segdict_free(segdict *d);
/* Load a dictionary, one word per line: "word", "word freq", "word freq tag"
 * (jieba dict.txt) or "word tag" (jieba user dictionaries: a second field
 * that does not start like a number, i.e. with a digit, '+', '-' or '.', is a
 * part-of-speech tag).  Fields are separated by spaces or tabs; a UTF-8 BOM,
 * blank lines and '\r' are ignored; the tag is not used.  Words without a
 * frequency (or with frequency 0) get SEG_DEFAULT_FREQ.  A word listed twice
 * keeps its highest frequency.  Errors ("path:line: problem", via err_set):
 * unreadable file, invalid UTF-8, a malformed or negative frequency (the
 * lines before the error are loaded).  Into an empty dictionary the words
 * are loaded in bulk (sorted, trie built from common prefixes, hash table
 * written in slot order: jieba's 349k-word dict.txt in about 80 ms), and
 * segdict_serialize then lists them sorted rather than in file order. */
int segdict_load(segdict *d, const char *path);
/* Load a user dictionary (same line format) on top of d, as people do for
 * product names: every word gets at least the frequency that makes it win
 * over the segmentation d gives it now (jieba's suggest_freq: one more than
 * total * product of the probabilities of the current pieces), or the given
 * frequency if that is higher.  Load the main dictionary first. */
int segdict_load_user(segdict *d, const char *path);
/* The user-dictionary rule for one word (already in d or not; not
 * normalised yet). */
void segdict_add_user(segdict *d, const char *word, size_t len, double freq);
#define SEG_DEFAULT_FREQ 1.0
/* Add (or raise) one word (normalised like text_normalize); freq <= 0
 * means "use the default". */
void segdict_add(segdict *d, const char *word, size_t len, double freq);
/* Add words listed in descending frequency order (e.g. a word2vec file's
 * vocabulary): rank r gets the Zipf estimate freq = C / (r + 1).  Into an
 * empty dictionary in bulk, like segdict_load. */
void segdict_add_ranked(segdict *d, const char *const *words, size_t n);
size_t segdict_size(const segdict *d);
/* Serialise to / from a byte blob stored in the model file ("word\tfreq\n"
 * lines, normalised words, in insertion order; bulk loads sorted).
 * deserialize returns NULL + err_set on bad data. */
char *segdict_serialize(const segdict *d, size_t *len);
segdict *segdict_deserialize(const char *buf, size_t len);

/* Segment one run of Han characters s[0..len) (UTF-8, already normalised)
 * into the maximum-probability sequence of dictionary words (jieba method)
 * and append the words to out.  d may be NULL or empty: one token per
 * character.  Reentrant (scratch memory lives in out).  Every character is
 * one unit here; tokenize() also joins numbers and Latin words with Han
 * characters when a dictionary word says so ("2000年", "T恤"). */
void segdict_cut(const segdict *d, const char *s, size_t len, toklist *out);

/* Unknown words: a B/M/E/S hidden Markov model (Viterbi) whose emission
 * and transition probabilities are estimated from the dictionary itself
 * (every word tagged B M..M E or S, weighted by its frequency, add-1/2
 * smoothing); no outside training data.  It re-cuts runs of two or more
 * single Han characters left by the dictionary path that are no dictionary
 * word together:
 *   0  off;
 *   1  (default) only runs with a character that is no word by itself (an
 *      unknown character: names, transliterations): PKU F1 0.9178 -> 0.9188;
 *   2  every run, as jieba does: with a dictionary-estimated model this
 *      joins far too much (PKU F1 0.8377), kept for comparison.
 * Other values are clamped.  segdict_hmm() gives the mode (0 for NULL).  The
 * HMM is not used while the dictionary has no single-character word or no
 * longer one (nothing to estimate it from). */
void segdict_set_hmm(segdict *d, int mode);
int segdict_hmm(const segdict *d);

/* ---- tokenizer ---- */
typedef struct tokenizer tokenizer;

/* dict may be NULL (Chinese falls back to one token per character).  The
 * tokenizer keeps a pointer to dict; it must outlive the tokenizer. */
tokenizer *tokenizer_new(const tok_config *cfg, const segdict *dict);
void tokenizer_free(tokenizer *t);
/* Tokenize text[0..len) and append the tokens to out.  Reentrant: several
 * threads may share one tokenizer with distinct toklists.  Never fails:
 * invalid UTF-8 is replaced by U+FFFD. */
void tokenize(const tokenizer *t, const char *text, size_t len, toklist *out);

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

#include "text/normalize.h"   /* text_normalize (for now) */

/* ---- internals shared by text.c and segment.c (no stable API) ----
 *
 * The segmenter works on units: a Han character, a Latin word, a number, a
 * URL, an emoji, a punctuation run ... as the English tokenizer cuts them.
 * tokenize() segments every space-free stretch of units with the dictionary
 * (when there is one), so dictionary words may join units ("2000年", "T恤",
 * "卡拉ok").  Lookups use the key form of the units: a unit's code points,
 * with U+25CB WHITE CIRCLE replaced by U+3007 IDEOGRAPHIC NUMBER ZERO (the
 * usual stand-in for it in GB2312 text).  With number classes
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
 * words (literal: frequency of the word; class: sum over its words). */
#define SEG_KEY_NUM 0x110000u
#define SEG_KEY_CNUM (SEG_KEY_NUM + 8)

/* Key of a normalised word w[0..len) (num_class: with number classes): the
 * units cut as tokenize() cuts them, their key code points.  *key gets the key (length returned), *kb the
 * unit boundaries in the key (*nunits + 1 entries); both arrays live in
 * scratch slots of sc (valid until its next use). */
size_t text_key(const char *w, size_t len, int num_class, toklist *sc, const uint32_t **key,
                const uint32_t **kb, size_t *nunits);

/* Best segmentation of n units whose keys are key[kb[u]..kb[u+1]): writes
 * the end unit of every token, in order, to ends (room for n) and returns
 * the number of tokens.  d may be NULL (one token per unit).  Dictionary
 * words of several units never start or end with clause punctuation
 * (Po Ps Pe Pi Pf: "，还" in the PKU list is noise).  Scratch: slot 3 of sc. */
size_t segdict_path(const segdict *d, const uint32_t *key, const uint32_t *kb, size_t n,
                    uint32_t *ends, toklist *sc);

#endif
