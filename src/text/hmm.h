/* hmm.h - the HMM for unknown words: B/M/E/S tags, estimated from the
 * segmentation dictionary itself, decoded by Viterbi.
 *
 * Every dictionary word made of single Han characters is counted as a tag
 * sequence (S for a one-character word, B M..M E for a longer one) with its
 * frequency as the weight: emission counts per character, transitions
 * within words, starts of words.  hmm_cut then re-cuts a run of single
 * characters the dictionary path left (segment.c) into the most probable
 * words, with add-1/2 smoothing, so that names and transliterations the
 * dictionary does not know can still come out whole.  No outside training
 * data: the dictionary is the only source.
 */
#ifndef SEQSENT_HMM_H
#define SEQSENT_HMM_H

#include <stddef.h>
#include <stdint.h>

typedef struct seg_hmm {
    uint32_t *hidx;     /* 0x10000 entries: 1 + row of em, 0 = none */
    double (*em)[4];    /* per character: counts as B M E S */
    size_t hn, hcap;
    double tag_total[4];
    double trans[4][4]; /* within words: B->M B->E M->M M->E */
    double start[4];    /* word starts: B (multi-character word) or S */
} seg_hmm;

void hmm_init(seg_hmm *h);      /* no counts */
void hmm_free(seg_hmm *h);
/* Room for n more characters' counts (no regrowth, a copy each time, while
 * a dictionary is loaded). */
void hmm_reserve(seg_hmm *h, size_t n);

/* The characters the HMM models (keys of single Han characters; BMP only,
 * the size of hidx). */
static inline int hmm_is_han(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || c == 0x3007 ||
           (c >= 0xF900 && c <= 0xFAFF) || c == 0x3005;
}

/* HMM counts of a word of n units (key[kb[u]..kb[u+1])) with weight w:
 * only words made of single Han characters take part. */
void hmm_count(seg_hmm *h, const uint32_t *key, const uint32_t *kb, size_t n, double w);

/* Has h counted words of one and of several characters (something to go
 * by: a user dictionary of a few product names alone has no statistics)? */
int hmm_ready(const seg_hmm *h);

/* Viterbi over the Han characters key[kb[a]], ..., key[kb[b-1]] (single
 * units): the tag sequence starts with B or S, ends with E or S; the words
 * end at E and S.  Writes the token ends (unit indices) to ends (room for
 * b - a), returns how many.  bp: 4 * (b - a) bytes of back pointers. */
size_t hmm_cut(const seg_hmm *h, const uint32_t *key, const uint32_t *kb, size_t a, size_t b,
               uint32_t *ends, unsigned char *bp);

#endif
