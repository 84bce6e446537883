/* trie.h - the trie of the segmentation dictionary's keys.
 *
 * Keys are sequences of code points (units.h: a word's key form, where
 * number classes lie above U+10FFFF).  Node 0 is the root; an edge (node,
 * code point) -> child is found in one open-addressing hash table whose
 * slots also hold the child's log frequency (children of the root with a
 * BMP code point in a direct array), so that walking from a position costs
 * one memory access per code point and allocates nothing: the segmenter
 * walks the trie from every unit of every stretch, so trie_step is inline.
 * A one-hash Bloom filter in front of the table ends most lookups of an
 * absent edge before the table is touched.  Nodes carry a frequency (the
 * sum over the words of the key) and a value for the trie's user.
 */
#ifndef SEQSENT_TRIE_H
#define SEQSENT_TRIE_H

#include <stddef.h>
#include <stdint.h>

/* A reference to a trie node, as stored in its parent's edge: the node id
 * (TRIE_KIDS set when the node has children) and log(freq) of its key,
 * TRIE_NOWORD when the key is only a prefix.  Keeping both in the edge
 * makes one walk step a single memory access. */
typedef struct tref { uint32_t node; float w; } tref;
typedef struct edge { uint64_t key; tref r; } edge;   /* key = node << 21 | code point */
#define TRIE_KIDS 0x80000000u
#define TRIE_NOWORD (-1e30f)
#define TRIE_IS_WORD(w) ((w) > -1e29f)
#define TRIE_EMPTY 0            /* no edge has key 0: node 0 + a BMP code point is in root */

typedef struct keytrie {
    tref *root;         /* 0x10000 entries: child of the root for a BMP code point, node 0 = none */
    edge *edges;        /* other edges */
    size_t ecap, en;    /* slots, edges */
    int emapped;        /* edges come from mmap, not malloc */
    uint64_t *filt;     /* a one-hash Bloom filter of the edge keys: most */
    int fshift;         /* lookups of an absent edge end here (64 - log2 bits) */
    double *freq;       /* per node; 0: a prefix only */
    uint32_t *val;      /* per node: the user's value, 0 for a new node */
    size_t nn, ncap;    /* nodes */
} keytrie;

void trie_init(keytrie *t);     /* empty: the root only */
void trie_free(keytrie *t);

/* Slot of edge key k in a table of cap slots (multiply-shift hash mapped
 * onto [0, cap) by a multiplication: cap need not be a power of two). */
static inline size_t edge_slot(uint64_t k, size_t cap)
{
    uint64_t h = (k * 0x9E3779B97F4A7C15ull) >> 32;      /* cap < 2^32 */
    return (size_t)((h * (uint64_t)cap) >> 32);
}

/* Bit of edge key k in the filter. */
static inline uint64_t filt_bit(uint64_t k, int shift)
{
    return (k * 0xD6E8FEB86659FD93ull) >> shift;
}

/* The edge (node, ch): its reference, or NULL.  node: a node id without
 * the TRIE_KIDS bit. */
static inline const tref *trie_step(const keytrie *t, uint32_t node, uint32_t ch)
{
    if (!node && ch < 0x10000) return t->root[ch].node ? &t->root[ch] : NULL;
    if (!t->en) return NULL;
    uint64_t k = ((uint64_t)node << 21) | ch, b = filt_bit(k, t->fshift);
    if (!(t->filt[b >> 6] >> (b & 63) & 1)) return NULL;
    size_t cap = t->ecap, h = edge_slot(k, cap);
    for (;;) {
        const edge *e = &t->edges[h];
        if (e->key == k) return &e->r;
        if (e->key == TRIE_EMPTY) return NULL;
        if (++h == cap) h = 0;
    }
}

/* A new node (frequency 0, value 0): its id. */
uint32_t trie_new_node(keytrie *t);
/* Room for n more nodes at once (bulk building). */
void trie_reserve_nodes(keytrie *t, size_t n);
/* Room for n more edges in the table: no regrowth (rehashing every edge
 * into a table twice the size) until they are in. */
void trie_reserve_edges(keytrie *t, size_t n);
/* Reference of the node of key[0..n) (n >= 1), created with its prefixes
 * if absent.  The pointer is valid until the next trie_put. */
tref *trie_put(keytrie *t, const uint32_t *key, size_t n);
/* Link the new node child under node by ch (an edge not there yet), in
 * the root's array or the table, which must have room for it
 * (trie_reserve_edges): its reference, (child, TRIE_NOWORD), valid until
 * the table grows.  Setting TRIE_KIDS in node's reference is the caller's. */
tref *trie_link(keytrie *t, uint32_t node, uint32_t ch, uint32_t child);

#endif
