/* netfile.h - a network in a model file: the "network" metadata object
 * (its configuration) and one tensor per entry of its parameter list
 * (nn/params.h), in the list's order and under the list's names. */
#ifndef SEQSENT_NETFILE_H
#define SEQSENT_NETFILE_H

#include <cJSON.h>
#include "model/modelfile.h"
#include "nn/net.h"

/* How the tensors are stored: as they are (f32), as f16 (--half, converted
 * back to f32 when loaded), or quantized (seqsent quantize, base/quant.h):
 * every matrix but the output layer's as int8 (the embedding with one
 * scale per row "embedding.scale" [V], the others one per column
 * "<name>.scale" [N]) or bf16; vectors (biases) stay f32. */
typedef enum { STORE_F32 = 0, STORE_F16 = 1, STORE_INT8, STORE_BF16 } net_store;
/* With STORE_INT8, the embedding rows from int8_rows on (the rarer words,
 * in a vocabulary ordered by frequency) may be stored in 4 bits instead
 * (base/quant.h quant_int4_row): "embedding" holds rows 0..int8_rows-1,
 * "embedding.q4" [V - int8_rows, (E+1)/2] the rest, "embedding.scale" [V]
 * every row's scale.  EMB_ALL_INT8: none. */
#define EMB_ALL_INT8 0

/* network.output_activation of a multi-label network: one sigmoid per
 * label, each trained with binary cross-entropy (one-vs-all); "sigmoid"
 * (one output, 2 labels) and "softmax" are the single-label kinds. */
#define OUTPUT_MULTILABEL "sigmoid per label"

/* Store in / restore from a model file ("network" metadata + tensors).
 * net_from_mfile borrows the mmap'ed tensors when copy = 0; a quantized
 * network is always read that way (inference only: copy = 1 is an error)
 * and its matrices packed for the kernels (base/quant.h). */
void net_to_mfile(const net *n, mfile *m, net_store store, int int8_rows);
net *net_from_mfile(const mfile *m, int copy);
/* The pieces, for ensembles (members' tensors under a name prefix such as
 * "m1."): the configuration as a new JSON object, the tensors, and the
 * inverse of both. */
cJSON *net_config_json(const net *n);
void net_put_tensors(const net *n, mfile *m, const char *prefix, net_store store, int int8_rows);
net *net_from_json(const cJSON *cfg, const mfile *m, const char *prefix, int copy);

#endif
