/* model.h - everything a model file holds, as one in-memory bundle.
 *
 * The same structure is written by `vocab` (tokenizer + vocabulary), grown
 * by `embed` (+ embedding matrix) and by `train` (+ labels, sequence
 * settings, network), and read by `eval`, `predict` and `info`.  A trained
 * model is self-contained: predict segments, maps and pads text exactly as
 * train did.
 */
#ifndef SEQSENT_MODEL_H
#define SEQSENT_MODEL_H

#include <stdint.h>
#include <cJSON.h>
#include "model/modelfile.h"
#include "nn/net.h"
#include "text/segdict.h"
#include "text/tokenize.h"
#include "text/vocab.h"

typedef struct model {
    tok_config tok;
    segdict *dict;          /* Chinese segmentation dictionary, NULL = per character */
    char *dict_source;      /* where the dictionary came from (for info) */
    tokenizer *tk;          /* built by model_tokenizer() */
    vocab voc;
    int have_vocab;
    double match_unknown;   /* > 0: a word voc lacks reads as the known word most like it when
                             * their n-gram cosine is at least this (text/unknown.h); 0: <unk> */
    struct unk_match *unk;  /* its matcher (model_set_match_unknown), NULL when 0 */
    float *emb;             /* [V,E] pretrained/initial embedding before training */
    int embed_dim;
    int emb_owned;
    cJSON *embed_info;      /* "embedding" metadata: source, coverage */
    char **labels;          /* class names, index = class id */
    int nlabels;
    int multilabel;         /* a row may have several labels: one sigmoid per label (the
                             * network records it; set before the network exists by train) */
    int maxlen, pad_pre, trunc_pre;
    net *net;               /* NULL until trained */
    net *pretrained;        /* train --from a language model: its network, whose embedding and
                             * recurrent layers the new one starts from (setup_network) */
    net **members;          /* an ensemble's further networks: predictions are the mean of
                             * net's and theirs (seqsent ensemble); NULL otherwise */
    cJSON **member_info;    /* their "training" metadata (entries may be NULL) */
    int nmembers;
    cJSON *train_info;      /* "training" metadata: options, history, resume state */
    int store;              /* how model_save stores the network weights (netfile.h net_store):
                             * f32, f16 (--half; not checkpoints), int8 or bf16 (seqsent quantize) */
    int int8_rows;          /* store int8: the embedding rows kept int8, the rest in 4 bits
                             * (netfile.h; EMB_ALL_INT8 = 0: every row) */
    int prec;               /* when loaded: the network's precision (base/quant.h), PREC_F32 unless quantized */
    mfile *file;            /* backing file when loaded (weights may point into it) */
} model;

void model_init(model *m);
void model_free(model *m);
/* Load a model file written by vocab, embed or train.  flags 0 leaves the
 * network's tensors in the mmap (fast start-up for predict); MODEL_COPY
 * copies them (training).  MODEL_LAZY (without MODEL_COPY): the
 * embeddings' bytes are checked block by block before their rows are
 * first used (mf_read_lazy; net->emb_check), the rest at the load: for
 * inference through fwd_pool or net_infer, whose calls then may fail with
 * "checksum mismatch".  A quantized model (seqsent quantize) loads only
 * without MODEL_COPY: it is for inference; with it (what training and
 * ensemble load) the error says so. */
enum { MODEL_COPY = 1, MODEL_LAZY = 2 };
int model_load(model *m, const char *path, int flags);
/* Write atomically; the kind ("vocab", "embed", "model") follows from what
 * the bundle holds. */
int model_save(const model *m, const char *path);
/* The bundle as a model file in memory (tensors borrowed from m, which
 * must outlive it): what model_save writes, for writers that add tensors
 * (checkpoints add the optimizer state).  store: how the network weights
 * are stored (net_store); a quantized one adds the "quantization" object. */
mfile *model_to_mfile(const model *m, int store);
/* Build (once) the tokenizer for the bundle's settings and dictionary. */
tokenizer *model_tokenizer(model *m);
/* Text -> padded ids [maxlen] with the model's tokenizer, vocabulary and
 * padding.  scratch is reused between calls.  Returns the token count. */
size_t model_encode(const model *m, const char *text, size_t len, toklist *scratch,
                    int32_t **idbuf, size_t *idcap, int32_t *out);
/* Unknown words read as their best match at cosine >= min_cos (0: as
 * <unk>); the vocabulary must be complete (the matcher reads it at the
 * first unknown word).  Saved with the vocabulary. */
void model_set_match_unknown(model *m, double min_cos);
/* Set the weight of every network's naive Bayes head (nn/nbhead.h) to w
 * (0..1); returns how many networks have one. */
int model_set_nb_weight(model *m, double w);
/* Index of a label, or -1. */
int model_label_index(const model *m, const char *label);
const char *model_kind(const model *m);
/* -1 with err_set unless m is a trained classifier (a vocabulary, vectors
 * or a language model are not): what eval, predict and the API load. */
int model_check_classifier(const model *m, const char *path);
/* Forget an ensemble's further members (net stays). */
void model_drop_members(model *m);
/* Networks whose probabilities a prediction averages: 1 + nmembers. */
static inline int model_nets(const model *m) { return m->net ? 1 + m->nmembers : 0; }
static inline const net *model_net(const model *m, int i) { return i ? m->members[i - 1] : m->net; }

#endif
