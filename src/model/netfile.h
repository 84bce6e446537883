/* netfile.h - a network in a model file: the "network" metadata object
 * (its configuration) and one tensor per entry of its parameter list
 * (nn/params.h), in the list's order and under the list's names. */
#ifndef SEQSENT_NETFILE_H
#define SEQSENT_NETFILE_H

#include <cJSON.h>
#include "model/modelfile.h"
#include "nn/net.h"

/* network.output_activation of a multi-label network: one sigmoid per
 * label, each trained with binary cross-entropy (one-vs-all); "sigmoid"
 * (one output, 2 labels) and "softmax" are the single-label kinds. */
#define OUTPUT_MULTILABEL "sigmoid per label"

/* Store in / restore from a model file ("network" metadata + tensors).
 * net_from_mfile borrows the mmap'ed tensors when copy = 0. */
void net_to_mfile(const net *n, mfile *m, int half);   /* half: weights as f16 */
net *net_from_mfile(const mfile *m, int copy);
/* The pieces, for ensembles (members' tensors under a name prefix such as
 * "m1."): the configuration as a new JSON object, the tensors, and the
 * inverse of both. */
cJSON *net_config_json(const net *n);
void net_put_tensors(const net *n, mfile *m, const char *prefix, int half);
net *net_from_json(const cJSON *cfg, const mfile *m, const char *prefix, int copy);

#endif
