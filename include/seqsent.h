/* seqsent.h - the public C API of libseqsent: load a trained seqsent model
 * and classify texts or turn them into sentence vectors.
 *
 *   #include <seqsent.h>
 *   cc prog.c $(pkg-config --cflags --libs seqsent)
 *
 * Handles are opaque; the declarations are C89 (no internal header is
 * needed).  Texts are NUL-terminated UTF-8 (other bytes are treated as the
 * command line treats them); each text is tokenized, mapped and padded
 * exactly as `seqsent predict` does, with the settings stored in the model.
 *
 * Errors: functions that can fail return NULL or -1 and, when err is not
 * NULL, copy the library's one-line message (the same words `seqsent`
 * prints after "seqsent: ") into err[errlen], always NUL-terminated and
 * truncated if need be.  The message of the calling thread's last failure
 * is also available from seqsent_last_error().
 *
 * Threads: a model is read-only once opened.  seqsent_predict and
 * seqsent_encode may be called on the same model from any number of
 * threads at once; each call uses its own scratch memory and runs on the
 * calling thread (it starts no threads of its own), and gives the same
 * results whichever thread calls it.  seqsent_close must not run while
 * another call on that model is in progress.  Opening the first model sets
 * OpenBLAS to one thread for the process (the library's parallelism is the
 * callers' threads; the numbers are then those of `seqsent predict`).
 * The metadata functions return pointers owned by the model, valid until
 * seqsent_close.
 *
 * Nothing in the library prints or exits, except on running out of memory
 * (a message on stderr, then exit status 1, as the command line does).
 */
#ifndef SEQSENT_H
#define SEQSENT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the API described here; seqsent_api_version() returns the
 * library's. */
#define SEQSENT_API_VERSION 1

/* A loaded, trained model (a `seqsent train` or `seqsent ensemble` file). */
typedef struct seqsent_model seqsent_model;

/* The library's version string, e.g. "0.1.0" (the seqsent release). */
const char *seqsent_version(void);
/* SEQSENT_API_VERSION of the library that is linked. */
int seqsent_api_version(void);

/* Open a trained model file.  Returns NULL on failure (missing, unreadable,
 * corrupt file, or a vocabulary / embedding file that holds no trained
 * network) with the message in err (may be NULL). */
seqsent_model *seqsent_open(const char *path, char *err, size_t errlen);
/* Free the model (NULL is allowed). */
void seqsent_close(seqsent_model *m);

/* ---- metadata ---- */

/* Number of labels (classes), >= 2. */
int seqsent_num_labels(const seqsent_model *m);
/* Name of label i (0 <= i < seqsent_num_labels), NULL when out of range. */
const char *seqsent_label(const seqsent_model *m, int i);
/* Index of the label called name, or -1. */
int seqsent_label_index(const seqsent_model *m, const char *name);
/* 1 for a multi-label model (trained on rows with several labels, or with
 * --multilabel): one sigmoid per label, so a row's probabilities are
 * independent (each label's own, 0..1, not summing to 1) and a text has
 * every label whose probability is >= a threshold (0.5 as `seqsent
 * predict` decides); 0 for a single-label model (a row's probabilities
 * sum to 1, a text has one label). */
int seqsent_multilabel(const seqsent_model *m);
/* "model" (one network) or "ensemble" (probabilities are the mean of its
 * members'). */
const char *seqsent_kind(const seqsent_model *m);
/* Tokens per text the network reads: longer texts are truncated, shorter
 * ones padded (on the sides stored in the model). */
int seqsent_maxlen(const seqsent_model *m);
/* Dimension of the sentence vectors seqsent_encode returns: the recurrent
 * layers' units times directions (hidden, or 2 x hidden when
 * bidirectional), plus G for a model trained with `train --bag G`. */
int seqsent_dim(const seqsent_model *m);
/* The model file's metadata as one JSON object (as `seqsent info` prints
 * it, without the "file" section), unformatted. */
const char *seqsent_metadata(const seqsent_model *m);

/* ---- prediction ---- */

/* Classify n texts.  probs, if not NULL, receives n rows of
 * seqsent_num_labels(m) probabilities (row i = texts[i], column k = label
 * k; a row sums to 1, except for a multi-label model, whose labels have
 * independent probabilities: see seqsent_multilabel).  labels, if not NULL,
 * receives each text's label index, decided as `seqsent predict` decides
 * (a binary model: the second label when its probability is >= 0.5;
 * otherwise the first most probable label; a multi-label model: its most
 * probable label, one of the set of labels with p >= 0.5 that predict
 * prints, which the caller reads from probs).  Returns 0, or -1 with the
 * message in err (may be NULL). */
int seqsent_predict(const seqsent_model *m, const char *const *texts, size_t n,
                    int *labels, double *probs, char *err, size_t errlen);
/* The same for a binary model with another decision threshold (0..1):
 * the second label when its probability is >= threshold.  Models with
 * more labels ignore the threshold (a multi-label model's labels are those
 * with probs >= the caller's threshold). */
int seqsent_predict_threshold(const seqsent_model *m, const char *const *texts, size_t n,
                              double threshold, int *labels, double *probs, char *err, size_t errlen);
/* The k most probable labels of one row of probabilities (as seqsent_predict
 * writes them): their indices into top[k], most probable first, ties in
 * label order (as `seqsent predict --top-k`).  k larger than the number of
 * labels is reduced to it.  Returns the number written. */
int seqsent_top_k(const seqsent_model *m, const double *probs_row, int k, int *top);

/* ---- sentence vectors ---- */

/* The encoder's pooled features of n texts: vectors receives n rows of
 * seqsent_dim(m) floats, the sequence summary the classifier head reads
 * (after the recurrent layers and the pooling the model was trained with,
 * and the bag of words and bigrams when it has one; before the optional
 * hidden dense layer and the output layer).  An
 * ensemble's vectors are those of its first network.  Returns 0, or -1 with
 * the message in err (may be NULL). */
int seqsent_encode(const seqsent_model *m, const char *const *texts, size_t n,
                   float *vectors, char *err, size_t errlen);

/* ---- errors ---- */

/* The message of the calling thread's last failed call ("" when none). */
const char *seqsent_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
