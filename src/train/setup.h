/* setup.h - a model made ready for training, from what a command line asks.
 *
 * The steps of `train` between reading the data and the training loop:
 * a validation split, a base's surgery (--from / --vocab), a checkpoint's
 * resumption, labels and sequence settings from the data, the network and
 * its initialisation, class weights.  Each returns -1 with err_set() on
 * failure; none prints.
 */
#ifndef SEQSENT_SETUP_H
#define SEQSENT_SETUP_H

#include <stdint.h>
#include "model/checkpoint.h"
#include "model/model.h"
#include "text/csv.h"
#include "train/encode.h"

/* Move a seeded random fraction frac of tr's rows into va (file order kept
 * in both).  va borrows the strings of tr. */
int split_validation(dataset *tr, dataset *va, double frac, uint64_t seed);

/* A model file used as the base of a new run (--from / --vocab): keep its
 * tokenizer and vocabulary and, with keep_embedding, its embedding (a
 * trained model's or an ensemble's first); drop network, members, labels
 * and training metadata. */
void model_as_base(model *m, int keep_embedding);

/* --resume: load the checkpoint at path into m, its recorded options over
 * o (epochs too unless epochs_given) and its position into st.  A finished
 * model (no optimizer state) goes on after its last epoch with fresh
 * moments: *fresh_moments is set then, also when the call fails later.
 * On failure m is freed. */
/* The validation split, early stopping and seed of the run checkpointed in
 * path, into o: a resumed run splits its data and stops as the run did. */
int train_resume_settings(const char *path, train_opts *o);
int train_resume(model *m, const char *path, train_opts *o, int epochs_given, train_state *st,
                 int *fresh_moments);

/* The labels of a fresh run from the training data (sorted; numerically when
 * all are numbers) unless m has labels already, and the sequence settings: maxlen, or when 0 the 95th
 * percentile of the token counts of texts' texts (1..1000; NULL: tr's).  The training command passes
 * the rows held out for validation too, as for the vocabulary: then maxlen does not depend on the
 * split's seed, and models of one file with different seeds can join an ensemble. */
int setup_labels_and_sequence(model *m, const dataset *tr, const dataset *texts, int maxlen, int pad_pre,
                              int trunc_pre);
/* The distinct labels of d in first-seen order, with their row counts and
 * the line where each is first seen; free with label_stats_free. */
typedef struct label_stats { char **label; size_t *count; long *first_line; size_t n; } label_stats;
void label_stats_of(const dataset *d, label_stats *ls);
void label_stats_free(label_stats *ls);
/* Labels that look like a misread rather than a class: one seen once (or
 * in fewer than 1% of the median count) while another is seen 100+ times
 * (an unrecognised header row, a misaligned row), or two that differ only
 * in case.  -1 with err_set("path:line: problem; fix") naming the first. */
int check_labels(const dataset *d, const label_stats *ls);

/* The network of a fresh run: nc's shape with the model's vocabulary, embedding size and
 * labels; refused when it would not fit in memory; initialised from seed,
 * with the model's embedding (pretrained vectors) when it has one. */
int setup_network(model *m, net_config *nc, const train_opts *o);
/* Its first half: nc's shape from the model, then the memory check (-1 with
 * err_set when it cannot fit); for a caller with long work to do before
 * setup_network (word2vec), so absurd settings are refused at once. */
int setup_shape(const model *m, net_config *nc, const train_opts *o);
/* --class-weight auto: n / (classes x count) per class, [K]; a multi-label
 * run: the weight of each label's positive term, its negative rows / its
 * positive rows (1 for a label on no row or on every row). */
float *class_weights(const encoded *e, int K);

#endif
