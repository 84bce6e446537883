/* word2vec.h - train word vectors: skip-gram with negative sampling
 * (Mikolov et al. 2013, the word2vec tool's -cbow 0 -hs 0 mode), so users
 * without pretrained vectors for their language or domain can make their
 * own from unlabelled text and give them to `train --embed`.
 */
#ifndef SEQSENT_WORD2VEC_H
#define SEQSENT_WORD2VEC_H

#include <stddef.h>
#include <stdint.h>
#include "text/tokenize.h"
#include "text/vocab.h"

typedef struct w2v_opts {
    int dim;           /* vector size (word2vec default 100) */
    int window;        /* max distance between a word and its contexts (5) */
    int negative;      /* negative samples per context (5) */
    int epochs;        /* passes over the corpus (5) */
    int threads;       /* Hogwild workers: > 1 is faster but not reproducible */
    double lr;         /* starting learning rate, decays linearly to lr/1e4 (0.025) */
    double sample;     /* subsampling threshold for frequent words (1e-3; 0 = off) */
    uint64_t seed;
} w2v_opts;

void w2v_opts_default(w2v_opts *o);

/* The corpus w2v_train reads: the vocabulary ids of every text's tokens
 * (words the vocabulary does not have, and <pad>/<unk>, dropped), -1 after
 * each text.  *n = its length; *words = the ids in it. */
int32_t *w2v_corpus(const tokenizer *tk, const vocab *voc, char *const *texts, size_t nt,
                    size_t *n, size_t *words);

/* Train on corpus: word ids in [0, V), texts separated by -1 (windows do
 * not cross them).  counts[V]: each word's frequency (for subsampling and
 * the noise distribution, counts^0.75).  Returns a [V, dim] matrix (the
 * input vectors, as word2vec saves them); progress(done, total) (words)
 * is called now and then when not NULL. */
float *w2v_train(const int32_t *corpus, size_t n, const int64_t *counts, size_t V, const w2v_opts *o,
                 void (*progress)(double done, double total));

#endif
