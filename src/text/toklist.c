/* toklist.c - token lists and their scratch slots (see toklist.h).
 *
 * Every buffer grows by doubling and is never shrunk: a list reused for
 * many texts settles at the size of the largest one.
 */
#include "text/toklist.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

void toklist_clear(toklist *t)
{
    t->len = 0;
    t->n = 0;
}

void toklist_free(toklist *t)
{
    free(t->buf);
    free(t->off);
    for (int i = 0; i < TOKLIST_SCRATCH; i++) free(t->scratch[i]);
    memset(t, 0, sizeof *t);
}

void *toklist_scratch(toklist *t, int slot, size_t bytes)
{
    if (bytes > t->scratch_cap[slot]) {
        size_t cap = t->scratch_cap[slot] ? t->scratch_cap[slot] : 256;
        while (cap < bytes) cap *= 2;
        t->scratch[slot] = xrealloc(t->scratch[slot], cap);
        t->scratch_cap[slot] = cap;
    }
    return t->scratch[slot];
}

/* The slow path of toklist_reserve: room for one more token of up to
 * `bytes` bytes (NUL included). */
void toklist_grow(toklist *t, size_t bytes)
{
    if (t->len + bytes > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + bytes) cap *= 2;
        t->buf = xrealloc(t->buf, cap);
        t->cap = cap;
    }
    if (t->n == t->ncap) {
        t->ncap = t->ncap ? t->ncap * 2 : 32;
        t->off = xrealloc(t->off, t->ncap * sizeof *t->off);
    }
}

void toklist_push(toklist *t, const char *s, size_t len)
{
    char *p = toklist_reserve(t, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    toklist_commit(t, len);
}
