/* toklist.h - token lists: the output of the tokenizer, and the scratch
 * memory it works in.
 *
 * Tokens are UTF-8 strings stored back to back in one buffer with an array
 * of offsets, so that a list of any length costs two allocations that are
 * reused from text to text (toklist_clear keeps them).  The list also owns
 * the tokenizer's working memory: TOKLIST_SCRATCH numbered slots that
 * tokenize(), segdict_cut() and text_key() grow and reuse, so a tokenizer
 * object holds no per-call state (several threads may share one, each with
 * its own toklist) and tokenizing allocates nothing in the steady state.
 * This is the lowest file of src/text: it uses nothing else of it.
 */
#ifndef SEQSENT_TOKLIST_H
#define SEQSENT_TOKLIST_H

#include <stddef.h>

/* Scratch slots, by user (a slot's contents live until its next use):
 *   0  decoded code points            (tokenize, text_key)
 *   1  normalised code points         (text_nfkc_casefold, text_nfkc_map)
 *   2  collected units                (units: unit_room)
 *   3  route, next word, back pointers (segdict_path)
 *   4  map to the original: starts    (text_nfkc_map)
 *   5  unit keys                      (units)
 *   6  map to the original: ends      (text_nfkc_map; segdict_add_user's route
 *                                      on the dictionary's own toklist)
 *   7  unit boundaries + token ends   (units, tokenize; segdict_cut) */
#define TOKLIST_SCRATCH 8

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
 * kept (realloc).  All slots are used by tokenize() / segdict_cut() /
 * text_key() (internal). */
void *toklist_scratch(toklist *t, int slot, size_t bytes);

/* Writing a token in place (for the tokenizer, which encodes code points
 * straight into the buffer): toklist_reserve makes room for one more token
 * of up to `bytes` bytes (NUL included) and returns where it goes;
 * toklist_commit then adds the token of len bytes written there (NUL
 * included in the room, not in len).  Inline: once per token. */
void toklist_grow(toklist *t, size_t bytes);

static inline char *toklist_reserve(toklist *t, size_t bytes)
{
    if (t->len + bytes > t->cap || t->n == t->ncap) toklist_grow(t, bytes);
    return t->buf + t->len;
}

static inline void toklist_commit(toklist *t, size_t len)
{
    t->off[t->n++] = t->len;
    t->len += len + 1;
}

#endif
