/* trie.c - the key trie: edge table, filter, node arrays (see trie.h).
 *
 * The edge table grows by doubling at a load factor of 0.6 (linear
 * probing); big tables are mapped with MAP_POPULATE, which is faster than
 * faulting in a fresh calloc'ed table page by page.  Bulk building sizes
 * the table once (trie_reserve_edges) and links the nodes straight in
 * (trie_link).
 */
#include "text/trie.h"
#include "base/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Zeroed memory for an edge table; big ones are mapped and populated at
 * once (one system call instead of a page fault per 4 KB page). */
#define MAP_MIN ((size_t)2 << 20)

static edge *edges_alloc(size_t cap, int *mapped)
{
    size_t bytes = cap * sizeof(edge);
    *mapped = 0;
    if (bytes >= MAP_MIN) {
        int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#ifdef MAP_POPULATE
        flags |= MAP_POPULATE;
#endif
        void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
        if (p != MAP_FAILED) {
            *mapped = 1;
            return p;
        }
    }
    return xcalloc(cap, sizeof(edge));
}

static void edges_free(edge *e, size_t cap, int mapped)
{
    if (mapped) munmap(e, cap * sizeof(edge));
    else free(e);
}

/* Move the edges to a table of cap slots (and a filter of at least 4 bits
 * per slot, so 8 per edge or more: about 12% false positives at most). */
static void edges_resize(keytrie *t, size_t cap)
{
    int mapped;
    edge *ne = edges_alloc(cap, &mapped);      /* all TRIE_EMPTY */
    int lg = 6;
    while (((size_t)1 << lg) < 4 * cap) lg++;
    free(t->filt);
    t->filt = xcalloc((size_t)1 << (lg - 6), sizeof *t->filt);
    t->fshift = 64 - lg;
    for (size_t i = 0; i < t->ecap; i++) {
        uint64_t k = t->edges[i].key;
        if (k == TRIE_EMPTY) continue;
        size_t h = edge_slot(k, cap);
        while (ne[h].key != TRIE_EMPTY)
            if (++h == cap) h = 0;
        ne[h] = t->edges[i];
        uint64_t b = filt_bit(k, t->fshift);
        t->filt[b >> 6] |= (uint64_t)1 << (b & 63);
    }
    edges_free(t->edges, t->ecap, t->emapped);
    t->edges = ne;
    t->emapped = mapped;
    t->ecap = cap;
}

void trie_init(keytrie *t)
{
    memset(t, 0, sizeof *t);
    /* zeroed: an entry with node 0 is empty whatever its w (trie_step never
     * returns it), and a zeroed allocation leaves the pages of the code
     * points no key starts with untouched (most of the 512 KB) */
    t->root = xcalloc(0x10000, sizeof *t->root);
    trie_new_node(t);           /* the root */
}

void trie_free(keytrie *t)
{
    free(t->root);
    edges_free(t->edges, t->ecap, t->emapped);
    free(t->filt);
    free(t->freq);
    free(t->val);
}

/* Room for one more edge: load factor at most 0.6 (linear probing: about
 * 1.75 probes for a hit, 3.6 for a miss; most misses end at the filter). */
static inline void edges_room(keytrie *t)
{
    if ((t->en + 1) * 5 > t->ecap * 3) edges_resize(t, t->ecap ? 2 * t->ecap : 4096);
}

uint32_t trie_new_node(keytrie *t)
{
    if (t->nn == t->ncap) {
        size_t cap = t->ncap ? t->ncap * 2 : 4096;
        t->freq = xrealloc(t->freq, cap * sizeof *t->freq);
        t->val = xrealloc(t->val, cap * sizeof *t->val);
        t->ncap = cap;
    }
    t->freq[t->nn] = 0;
    t->val[t->nn] = 0;
    return (uint32_t)t->nn++;
}

/* Writable reference of the edge (node, ch), which exists. */
static tref *ref_of(keytrie *t, uint32_t node, uint32_t ch)
{
    return (tref *)trie_step(t, node, ch);
}

tref *trie_link(keytrie *t, uint32_t node, uint32_t ch, uint32_t child)
{
    tref *r;
    if (!node && ch < 0x10000) {
        r = &t->root[ch];
    } else {
        uint64_t k = ((uint64_t)node << 21) | ch;
        size_t h = edge_slot(k, t->ecap);
        while (t->edges[h].key != TRIE_EMPTY)
            if (++h == t->ecap) h = 0;
        t->edges[h].key = k;
        t->en++;
        uint64_t b = filt_bit(k, t->fshift);
        t->filt[b >> 6] |= (uint64_t)1 << (b & 63);
        r = &t->edges[h].r;
    }
    r->node = child;
    r->w = TRIE_NOWORD;
    return r;
}

tref *trie_put(keytrie *t, const uint32_t *key, size_t n)
{
    uint32_t node = 0, pnode = 0, pch = 0;
    tref *r = NULL;
    for (size_t i = 0; i < n; i++) {
        uint32_t ch = key[i];
        r = (tref *)trie_step(t, node, ch);
        if (!r) {
            uint32_t next = trie_new_node(t);
            if (node || ch >= 0x10000) edges_room(t);
            r = trie_link(t, node, ch, next);
            if (node) ref_of(t, pnode, pch)->node |= TRIE_KIDS;
        }
        pnode = node;
        pch = ch;
        node = r->node & ~TRIE_KIDS;
    }
    return r;
}

void trie_reserve_edges(keytrie *t, size_t n)
{
    if ((t->en + n) * 5 > t->ecap * 3) edges_resize(t, ((t->en + n) * 5 + 2) / 3);
}

void trie_reserve_nodes(keytrie *t, size_t n)
{
    if (t->nn + n > t->ncap) {
        t->ncap = t->nn + n;
        t->freq = xrealloc(t->freq, t->ncap * sizeof *t->freq);
        t->val = xrealloc(t->val, t->ncap * sizeof *t->val);
    }
}
