/* text.h - normalisation and tokenization (English words, Chinese segmentation).
 *
 * Pipeline for one text: UTF-8 validation (invalid bytes -> U+FFFD), drop of
 * BOM / zero-width / control characters, Unicode NFKC + case folding
 * (utf8proc), then a split into runs by script: Han runs go to the
 * dictionary segmenter (segdict), everything else to the English/Latin
 * tokenizer.  Tokens come out as UTF-8 strings in a toklist.
 */
#ifndef SEQSENT_TEXT_H
#define SEQSENT_TEXT_H

#include <stddef.h>

typedef enum { LANG_AUTO = 0, LANG_ZH, LANG_EN } tok_lang;

typedef struct tok_config {
    tok_lang lang;      /* AUTO: segment Han runs, tokenize the rest (mixed text works) */
    int normalize;      /* 1 (default): NFKC + case folding; 0: keep original chars */
    int squeeze;        /* 1: squeeze 3+ repeated letters to 2 ("sooo" -> "soo") */
} tok_config;

void tok_config_default(tok_config *c);
const char *tok_lang_name(tok_lang l);       /* "auto" "zh" "en" */
int tok_lang_parse(const char *s);           /* -1 if unknown */

/* ---- Chinese segmentation dictionary ---- */
typedef struct segdict segdict;

segdict *segdict_new(void);
void segdict_free(segdict *d);
/* Load "word [freq [tag]]" lines (jieba dict.txt format); words without a
 * frequency get a default.  Errors: "path:line: problem". */
int segdict_load(segdict *d, const char *path);
/* Add (or raise) one word; freq <= 0 means "use the default". */
void segdict_add(segdict *d, const char *word, size_t len, double freq);
/* Add words listed in descending frequency order (e.g. a word2vec file's
 * vocabulary): rank r gets the Zipf estimate freq = C / (r + 1). */
void segdict_add_ranked(segdict *d, const char *const *words, size_t n);
size_t segdict_size(const segdict *d);
/* Serialise to / from a byte blob stored in the model file ("word\tfreq\n"
 * lines, normalised words).  deserialize returns NULL + err_set on bad data. */
char *segdict_serialize(const segdict *d, size_t *len);
segdict *segdict_deserialize(const char *buf, size_t len);

/* ---- token lists ---- */
typedef struct toklist {
    char *buf;          /* tokens, each NUL-terminated, back to back */
    size_t len, cap;
    size_t *off;        /* n offsets into buf */
    size_t n, ncap;
} toklist;

void toklist_clear(toklist *t);      /* keep memory, drop tokens */
void toklist_free(toklist *t);
void toklist_push(toklist *t, const char *s, size_t len);
static inline const char *toklist_get(const toklist *t, size_t i) { return t->buf + t->off[i]; }

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

#endif
