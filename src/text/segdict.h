/* segdict.h - the Chinese segmentation dictionary: words with frequencies,
 * loaded from jieba-style files, word2vec vocabularies or user lists, and
 * kept in model files.
 *
 * The segmenter (segment.h) finds the maximum-probability sequence of
 * these words in a stretch of text; the dictionary is also the only source
 * of its HMM for unknown words.  Words are normalised like tokens
 * (text_normalize) and cut into units like text (text_key), so that a
 * dictionary word matches exactly the units tokenize() makes.
 */
#ifndef SEQSENT_SEGDICT_H
#define SEQSENT_SEGDICT_H

#include <stddef.h>
#include <stdint.h>

typedef struct segdict segdict;

segdict *segdict_new(void);
void segdict_free(segdict *d);
/* Load a dictionary, one word per line: "word", "word freq", "word freq tag"
 * (jieba dict.txt) or "word tag" (jieba user dictionaries: a second field
 * that does not start like a number, i.e. with a digit, '+', '-' or '.', is a
 * part-of-speech tag).  Fields are separated by spaces or tabs; a UTF-8 BOM,
 * blank lines and '\r' are ignored; the tag is not used.  Words without a
 * frequency (or with frequency 0) get SEG_DEFAULT_FREQ.  A word listed twice
 * keeps its highest frequency.  Errors ("path:line: problem", via err_set):
 * unreadable file, invalid UTF-8, a malformed or negative frequency (the
 * lines before the error are loaded).  Into an empty dictionary the words
 * are loaded in bulk (sorted, trie built from common prefixes into arrays
 * and a table sized once: jieba's 349k-word dict.txt in about 80 ms), and
 * segdict_serialize then lists them sorted rather than in file order. */
int segdict_load(segdict *d, const char *path);
/* Load a user dictionary (same line format) on top of d, as people do for
 * product names: every word gets at least the frequency that makes it win
 * over the segmentation d gives it now (jieba's suggest_freq: one more than
 * total * product of the probabilities of the current pieces), or the given
 * frequency if that is higher.  Load the main dictionary first. */
int segdict_load_user(segdict *d, const char *path);
/* The user-dictionary rule for one word (already in d or not; not
 * normalised yet). */
void segdict_add_user(segdict *d, const char *word, size_t len, double freq);
#define SEG_DEFAULT_FREQ 1.0
/* Add (or raise) one word (normalised like text_normalize); freq <= 0
 * means "use the default". */
void segdict_add(segdict *d, const char *word, size_t len, double freq);
/* Add words listed in descending frequency order (e.g. a word2vec file's
 * vocabulary): rank r gets the Zipf estimate freq = C / (r + 1).  Into an
 * empty dictionary in bulk, like segdict_load. */
void segdict_add_ranked(segdict *d, const char *const *words, size_t n);
size_t segdict_size(const segdict *d);
/* Serialise to / from a byte blob stored in the model file ("word\tfreq\n"
 * lines, normalised words, in insertion order; bulk loads sorted;
 * frequencies "%.17g", so they read back to the same doubles).
 * deserialize gives exactly the dictionary that adding the words one by
 * one in blob order gives (the same ids, the same sums in the same order,
 * so serialising it again gives the same bytes), in bulk: a model's start.
 * It returns NULL + err_set on bad data. */
char *segdict_serialize(const segdict *d, size_t *len);
segdict *segdict_deserialize(const char *buf, size_t len);

/* The dictionary's lookup structures as flat arrays, stored in model files
 * beside the blob so that loading a model does not build them again
 * (segdict_deserialize: 8-20 ms for 22k words, most of a one-line predict):
 *   root   [nroot][3]: code point (< 0x10000), node, log frequency (f32
 *          bits) of each child of the trie's root;
 *   edges  [ecap][4]: the other edges' hash table as trie.h lays it out
 *          (key low and high halves, node, f32 bits), en of them used;
 *   filt   [nfilt]: its Bloom filter (trie.h: 64 - fshift bits);
 *   hchars [hn], hem [hn][4]: the HMM's characters and their B M E S counts;
 * and the HMM's sums, the frequencies' total and the word count.  The
 * layout follows trie.h's hashing: SEGDICT_TABLES_LAYOUT names it. */
#define SEGDICT_TABLES_LAYOUT 1
typedef struct segdict_tables {
    const uint32_t *root;
    size_t nroot;
    const uint32_t *edges;
    size_t ecap, en;
    const uint64_t *filt;
    size_t nfilt;
    int fshift;
    const uint32_t *hchars;
    const double *hem;
    size_t hn;
    double tag_total[4], trans[4][4], start[4], total;
    size_t words;
    void *owned_;           /* segdict_tables_export's allocation */
} segdict_tables;
/* d's tables (pointing into d, which must not change meanwhile); release
 * frees what the export allocated. */
void segdict_tables_export(const segdict *d, segdict_tables *t);
void segdict_tables_release(segdict_tables *t);
/* A dictionary that uses t's arrays where they are (they and the blob
 * must outlive it) and is the blob's dictionary as segdict_deserialize
 * makes it, if t was exported from that: segmentation, serialisation (the
 * blob itself) and sizes at once; a change (segdict_add ...) first
 * rebuilds it from the blob.  NULL + err_set when t's sizes or entries are
 * out of range (the caller then reads the blob). */
segdict *segdict_adopt(const char *blob, size_t len, const segdict_tables *t);
int segdict_adopted(const segdict *d);

/* Unknown words: a B/M/E/S hidden Markov model (Viterbi) whose emission
 * and transition probabilities are estimated from the dictionary itself
 * (every word tagged B M..M E or S, weighted by its frequency, add-1/2
 * smoothing); no outside training data.  It re-cuts runs of two or more
 * single Han characters left by the dictionary path that are no dictionary
 * word together:
 *   0  off;
 *   1  (default) only runs with a character that is no word by itself (an
 *      unknown character: names, transliterations): PKU F1 0.9178 -> 0.9188;
 *   2  every run, as jieba does: with a dictionary-estimated model this
 *      joins far too much (PKU F1 0.8377), kept for comparison.
 * Other values are clamped.  segdict_hmm() gives the mode (0 for NULL).  The
 * HMM is not used while the dictionary has no single-character word or no
 * longer one (nothing to estimate it from). */
void segdict_set_hmm(segdict *d, int mode);
int segdict_hmm(const segdict *d);

/* ---- for the segmenter (segment.c; no stable API) ---- */
struct keytrie;
struct seg_hmm;
const struct keytrie *segdict_trie(const segdict *d);
const struct seg_hmm *segdict_hmm_stats(const segdict *d);
double segdict_total(const segdict *d);     /* sum of the word frequencies */

#endif
