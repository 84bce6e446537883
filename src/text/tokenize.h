/* tokenize.h - the tokenizer: settings, the tokenizer object, tokenize().
 *
 * Pipeline for one text, and the file of each step:
 *   normalize.h  UTF-8 validation (invalid bytes -> U+FFFD), drop of BOM /
 *                zero-width / control characters, Unicode NFKC + case
 *                folding (utf8proc);
 *   units.h      units: Han characters one by one, everything else as the
 *                English/Latin tokenizer cuts it (english.h: words,
 *                numbers, URLs, emoji, punctuation; these always stay whole);
 *   segment.h    with a dictionary (segdict.h), every stretch of units
 *                without white space is segmented into the maximum-
 *                probability sequence of dictionary words (jieba's DAG +
 *                unigram method), where a word may span several units
 *                ("2001年", "T恤"); unknown words are handled by an HMM
 *                estimated from the dictionary.  Without one, every unit is
 *                a token.
 * Tokens come out as UTF-8 strings in a toklist (toklist.h).  No allocation
 * per character: all working memory is scratch space of the toklist.
 */
#ifndef SEQSENT_TOKENIZE_H
#define SEQSENT_TOKENIZE_H

#include <stddef.h>
#include "text/segdict.h"
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
    int t2s;            /* 1: traditional Chinese converted to simplified first (OpenCC,
                           t2s.h; check t2s_ready() before); default 0 */
} tok_config;

void tok_config_default(tok_config *c);
const char *tok_lang_name(tok_lang l);       /* "auto" "zh" "en" */
int tok_lang_parse(const char *s);           /* -1 if unknown */

typedef struct tokenizer tokenizer;

/* Whether text[0..len) holds a Han character; and whether a set of texts
 * is Chinese data: at least one text in ten of the first 10000 (and at
 * least one) has a Han character.  Used to choose a default dictionary. */
int text_has_han(const char *text, size_t len);
int texts_are_chinese(char *const *texts, size_t n);

/* dict may be NULL (Chinese falls back to one token per character).  The
 * tokenizer keeps a pointer to dict; it must outlive the tokenizer. */
tokenizer *tokenizer_new(const tok_config *cfg, const segdict *dict);
void tokenizer_free(tokenizer *t);
/* Tokenize text[0..len) and append the tokens to out.  Reentrant: several
 * threads may share one tokenizer with distinct toklists.  Never fails:
 * invalid UTF-8 is replaced by U+FFFD. */
void tokenize(const tokenizer *t, const char *text, size_t len, toklist *out);

#endif
