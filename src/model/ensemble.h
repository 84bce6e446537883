/* ensemble.h - several trained models as one model file whose prediction is
 * the mean of their networks' probabilities.
 *
 * The members must read text the same way (tokenizer settings, dictionary,
 * vocabulary, maxlen, padding) and predict the same labels; their networks
 * may differ (cell, layers, size, seeds...).  The first model carries the
 * shared parts and its network; every other network, members of ensembles
 * given as input included, becomes one of its members (m->members, with
 * their "training" metadata in m->member_info), at most ENSEMBLE_MAX
 * networks in all.
 */
#ifndef SEQSENT_ENSEMBLE_H
#define SEQSENT_ENSEMBLE_H

#include "model/model.h"

#define ENSEMBLE_MAX 1000

/* Load the n trained models at paths into ms[0..n) (copying their weights)
 * and check that they can form an ensemble.  On failure every model loaded
 * is freed; errors name the file ("path: not a trained model (kind ...)",
 * "path: cannot join FIRST in an ensemble: why"). */
int ensemble_load(model *ms, char *const *paths, int n);
/* Why b cannot join an ensemble with a, or NULL. */
const char *ensemble_mismatch(const model *a, const model *b);
/* Make ms[0] the ensemble of all n models' networks; the others give theirs
 * up (free them with model_free as usual). */
void ensemble_merge(model *ms, int n);

#endif
