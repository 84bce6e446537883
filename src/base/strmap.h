/* strmap.h - string -> dense integer id hash map.
 *
 * Keys are copied into one arena (or stay where they are, strmap_adopt)
 * and numbered 0, 1, 2, ... in insertion order, so the map doubles as an
 * interned string list: strmap_key(m, id) gives the string back.  Used by
 * the vocabulary, the segmentation dictionary and the vector loader.  Open
 * addressing, FNV-1a hash.
 */
#ifndef SEQSENT_STRMAP_H
#define SEQSENT_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap {
    int32_t *slots;     /* cap entries: -1 empty, else id */
    size_t cap;         /* power of two */
    size_t n;           /* number of keys */
    size_t *key_off;    /* n offsets into arena */
    uint32_t *key_len;  /* n lengths */
    uint32_t *hashes;   /* n hashes (for rehash) */
    size_t keys_cap;
    char *arena;        /* NUL-terminated keys, back to back */
    size_t arena_len, arena_cap;
    int borrowed;       /* arena is not ours (strmap_adopt): copied before it grows */
} strmap;

void strmap_init(strmap *m);
void strmap_free(strmap *m);
/* id of key (len bytes, need not be NUL-terminated), or -1. */
int32_t strmap_get(const strmap *m, const char *key, size_t len);
/* Keys 0..n-1 of the empty map m: the n NUL-terminated keys back to back
 * in keys[0..bytes) (a model's vocabulary), not copied: they must stay as
 * they are while m uses them (m reads them until strmap_free; the first
 * strmap_put of a new key copies them into an arena of m's own).  -1 if
 * keys is not n such keys, -2 if a key is there twice (m is then empty). */
int strmap_adopt(strmap *m, const char *keys, size_t bytes, size_t n);
/* id of key, inserting it with the next id if absent; *is_new set if given. */
int32_t strmap_put(strmap *m, const char *key, size_t len, int *is_new);
static inline const char *strmap_key(const strmap *m, int32_t id) { return m->arena + m->key_off[id]; }
static inline size_t strmap_keylen(const strmap *m, int32_t id) { return m->key_len[id]; }
uint32_t strmap_hash(const char *s, size_t len);

#endif
