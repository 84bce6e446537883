/* strmap.c - open-addressing string interning map (see strmap.h). */
#include "base/strmap.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

uint32_t strmap_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

void strmap_init(strmap *m)
{
    memset(m, 0, sizeof *m);
    m->cap = 64;
    m->slots = xmalloc(m->cap * sizeof *m->slots);
    memset(m->slots, 0xff, m->cap * sizeof *m->slots);
}

void strmap_free(strmap *m)
{
    free(m->slots);
    free(m->key_off);
    free(m->key_len);
    free(m->hashes);
    if (!m->borrowed) free(m->arena);
    memset(m, 0, sizeof *m);
}

/* id of key with hash h, or -1. */
static int32_t find(const strmap *m, const char *key, size_t len, uint32_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        int32_t id = m->slots[i];
        if (id < 0) return -1;
        if (m->hashes[id] == h && m->key_len[id] == len &&
            memcmp(m->arena + m->key_off[id], key, len) == 0)
            return id;
    }
}

int32_t strmap_get(const strmap *m, const char *key, size_t len)
{
    if (!m->slots) return -1;
    return find(m, key, len, strmap_hash(key, len));
}

/* The slot table at cap slots (a power of two), the keys rehashed. */
static void rehash(strmap *m, size_t cap)
{
    size_t mask = cap - 1;
    int32_t *slots = xmalloc(cap * sizeof *slots);
    memset(slots, 0xff, cap * sizeof *slots);
    for (size_t id = 0; id < m->n; id++) {
        size_t i = m->hashes[id] & mask;
        while (slots[i] >= 0) i = (i + 1) & mask;
        slots[i] = (int32_t)id;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

/* Room for n more keys: slots (no rehash) and key arrays. */
static void keys_room(strmap *m, size_t n)
{
    size_t cap = m->cap;
    while ((m->n + n) * 2 > cap) cap *= 2;     /* load factor at most 1/2 */
    if (cap > m->cap) rehash(m, cap);
    if (m->n + n > m->keys_cap) {
        m->keys_cap = m->n + n;
        m->key_off = xrealloc(m->key_off, m->keys_cap * sizeof *m->key_off);
        m->key_len = xrealloc(m->key_len, m->keys_cap * sizeof *m->key_len);
        m->hashes = xrealloc(m->hashes, m->keys_cap * sizeof *m->hashes);
    }
}

/* Room for bytes more bytes in the arena; a borrowed one is copied first. */
static void arena_room(strmap *m, size_t bytes)
{
    if (!m->borrowed && m->arena_len + bytes <= m->arena_cap) return;
    size_t cap = m->arena_cap ? m->arena_cap : 4096;
    while (m->arena_len + bytes > cap) cap *= 2;
    if (m->borrowed) {
        char *own = xmalloc(cap);
        memcpy(own, m->arena, m->arena_len);
        m->arena = own;
        m->borrowed = 0;
    } else {
        m->arena = xrealloc(m->arena, cap);
    }
    m->arena_cap = cap;
}

/* Index key id, arena[off..off+len) with hash h: its slot and arrays. */
static void index_key(strmap *m, int32_t id, size_t off, size_t len, uint32_t h)
{
    m->key_off[id] = off;
    m->key_len[id] = (uint32_t)len;
    m->hashes[id] = h;
    size_t mask = m->cap - 1, i = h & mask;
    while (m->slots[i] >= 0) i = (i + 1) & mask;
    m->slots[i] = id;
}

int strmap_adopt(strmap *m, const char *keys, size_t bytes, size_t n)
{
    if (!m->slots) strmap_init(m);
    keys_room(m, n);
    m->arena = (char *)keys;        /* only read: a put copies it first (arena_room) */
    m->arena_len = m->arena_cap = 0;
    m->borrowed = 1;
    const char *p = keys, *end = keys + bytes;
    int rc = 0;
    for (size_t id = 0; id < n && !rc; id++) {
        const char *z = memchr(p, '\0', (size_t)(end - p));
        if (!z) {
            rc = -1;
            break;
        }
        size_t len = (size_t)(z - p);
        uint32_t h = strmap_hash(p, len);
        if (find(m, p, len, h) >= 0) rc = -2;
        else index_key(m, (int32_t)m->n++, (size_t)(p - keys), len, h);
        p = z + 1;
    }
    if (!rc && p != end) rc = -1;
    if (rc) {
        strmap_free(m);
        strmap_init(m);
        return rc;
    }
    m->arena_len = bytes;
    return 0;
}

int32_t strmap_put(strmap *m, const char *key, size_t len, int *is_new)
{
    if (!m->slots) strmap_init(m);
    uint32_t h = strmap_hash(key, len);
    int32_t id = find(m, key, len, h);
    if (is_new) *is_new = id < 0;
    if (id >= 0) return id;
    if ((m->n + 1) * 2 > m->cap) rehash(m, m->cap * 2);
    if (m->n == m->keys_cap) keys_room(m, m->keys_cap ? m->keys_cap : 64);
    arena_room(m, len + 1);
    id = (int32_t)m->n++;
    memcpy(m->arena + m->arena_len, key, len);
    m->arena[m->arena_len + len] = '\0';
    index_key(m, id, m->arena_len, len, h);
    m->arena_len += len + 1;
    return id;
}
