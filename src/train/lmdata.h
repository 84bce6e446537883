/* lmdata.h - what language-model pretraining needs besides the loop:
 * unlabelled text as training rows, the candidates of the sampled softmax,
 * and held-out perplexity.
 *
 * Rows: every text is tokenized with the model's tokenizer and cut into
 * rows of at most T tokens that overlap by one token, so every pair of
 * neighbouring tokens is a target exactly once each way however long the
 * text; rows are padded after the text (the networks are masked).  A text
 * of fewer than two tokens has nothing to predict and is skipped (counted).
 * Memory: T int32 per row, about 4 bytes per token plus the padding of the
 * last row of each text.
 *
 * Candidates: a batch's S draws (with replacement) from the unigram
 * distribution raised to 0.75 (word2vec's), over the ids but padding, each
 * id's count at least 1; the distinct ids drawn are the batch's candidates.
 * The draws are a function of (seed, optimizer step): the same on any
 * number of threads and after --resume.
 */
#ifndef SEQSENT_LMDATA_H
#define SEQSENT_LMDATA_H

#include <stddef.h>
#include <stdint.h>
#include "model/model.h"
#include "nn/lmhead.h"
#include "text/csv.h"
#include "train/encode.h"

/* texts [n] as rows of at most T ids (T >= 2); *short_texts counts the
 * texts skipped for having fewer than two tokens. */
void lm_encode(model *m, char *const *texts, size_t n, int T, encoded *out, size_t *short_texts);

typedef struct lm_sampler {
    int V, draws;
    double *cum;          /* [V] cumulative proposal */
    float *logq;          /* [V] log of each id's chance to be among the candidates */
    unsigned char *seen;  /* [V] scratch */
    int32_t *id;          /* [draws] the current candidates */
    lm_cands c;
} lm_sampler;

/* counts [V]: the ids' counts in the training text (unknown's included). */
void lm_sampler_init(lm_sampler *s, const int64_t *counts, int V, int draws);
/* The candidates of one batch (s->c), drawn with seed. */
const lm_cands *lm_sampler_draw(lm_sampler *s, uint64_t seed);
void lm_sampler_free(lm_sampler *s);

/* Counts per id of the rows' tokens (each token once). */
int64_t *lm_counts(const encoded *e, int V);

/* Mean -log p(next token) per target with the full softmax over e's rows,
 * one worker (the result is recorded: no dependence on threads). */
double lm_evaluate(const net *n, const encoded *e, size_t *targets);

#endif
