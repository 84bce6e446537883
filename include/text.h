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
    tok_lang lang;      /* AUTO: segment Han runs, tokenize the rest (mixed text works);
                           ZH: same as AUTO; EN: one token per Han character, no dictionary */
    int normalize;      /* 1 (default): NFKC + case folding; 0: keep original chars */
    int squeeze;        /* 1: squeeze 3+ repeated letters to 2 ("sooo" -> "soo"); default 0 */
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
#define TOKLIST_SCRATCH 4

typedef struct toklist {
    char *buf;          /* tokens, each NUL-terminated, back to back */
    size_t len, cap;
    size_t *off;        /* n offsets into buf */
    size_t n, ncap;
    /* Scratch memory reused by tokenize() / segdict_cut() between calls, so
     * that tokenizing needs no allocation in the steady state (internal; see
     * toklist_scratch).  A zeroed toklist ({0}) is a valid empty list. */
    void *scratch[TOKLIST_SCRATCH];
    size_t scratch_cap[TOKLIST_SCRATCH];
} toklist;

void toklist_clear(toklist *t);      /* keep memory, drop tokens */
void toklist_free(toklist *t);       /* frees tokens and scratch; leaves a zeroed list */
void toklist_push(toklist *t, const char *s, size_t len);
static inline const char *toklist_get(const toklist *t, size_t i) { return t->buf + t->off[i]; }
/* Scratch slot (0..TOKLIST_SCRATCH-1) grown to at least `bytes`, contents
 * kept (realloc).  Slots 0-2: tokenize(), slot 3: segdict_cut(). */
void *toklist_scratch(toklist *t, int slot, size_t bytes);

/* Segment one run of Han characters s[0..len) (UTF-8, already normalised)
 * into the maximum-probability sequence of dictionary words (jieba method)
 * and append the words to out.  d may be NULL or empty: one token per
 * character.  Reentrant (scratch memory lives in out). */
void segdict_cut(const segdict *d, const char *s, size_t len, toklist *out);

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

/* The normalisation tokenize() applies with normalize = 1, as a string:
 * invalid UTF-8 -> U+FFFD, BOM / zero-width / format characters dropped,
 * control characters -> ' ' (\t \n \r ...) or dropped, NFKC + case folding.
 * Returns a malloc'ed NUL-terminated string; *outlen (if not NULL) gets its
 * length.  Use it to bring words from other sources (vectors, dictionaries)
 * to the form of tokens. */
char *text_normalize(const char *s, size_t len, size_t *outlen);

#endif
