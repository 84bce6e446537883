/* workers.h - data-parallel passes over a batch: the training pool and the
 * inference pool.
 *
 * A batch of B rows (ids [B, T]) is cut into nj contiguous slices, one per
 * worker; worker 0 runs on the calling thread, the others on their own.
 * Each worker has its own workspace (activations); probabilities come back
 * as probs [B, K] (K = the network's outputs) in row order.
 *
 * Training: a batch is cut into a fixed number of shards S (a training
 * option recorded in the model, not the thread count).  Each shard's
 * gradient is computed on its own (shard 0 in the network's gradients, the
 * others in shadows sharing its weights), each row's loss gradient scaled by
 * 1 / the whole batch's size, and the shards' gradients are summed over a
 * fixed binary tree of shard indices (sparse embedding rows alike).
 * Threads, and the processes of an MPI job (train/dist.h, below), only
 * decide who computes which shard, so any thread or process count gives
 * the same bits.  Training always runs BLAS single-threaded.
 *
 * Our threads or BLAS threads, never both: a pool of more than one worker
 * sets BLAS to one thread, and puts the previous count back when it is freed.
 */
#ifndef SEQSENT_WORKERS_H
#define SEQSENT_WORKERS_H

#include <stdint.h>
#include "model/model.h"
#include "nn/lm.h"
#include "nn/net.h"

/* Inference: forward B rows ids [B,T]; probs [B,outputs].  With a masked
 * network, columns that are padding in every row are skipped (exact).
 * fwd_pool_run and fwd_pool_run_sorted return 0, or -1 with err_set when
 * an embedding row fails its check (a model file checked block by block,
 * model_load MODEL_LAZY: "checksum mismatch"). */
typedef struct fwd_pool fwd_pool;
fwd_pool *fwd_pool_new(const net *n, int T, int maxB, int threads);
/* The same for a trained model: its network, or the mean of an ensemble's. */
fwd_pool *fwd_pool_new_model(const model *m, int T, int maxB, int threads);
int fwd_pool_run(fwd_pool *p, int B, int T, const int32_t *ids, float *probs);
/* Eval and predict: from now on through the inference shortcuts (nn/infer.h:
 * the first layer's input projection by lookup, the pad prefix of unmasked
 * one-direction networks skipped, batch-invariant products), so that a row's
 * probabilities are the same bits whatever batch, order or thread count it
 * runs with.  (Training's validation keeps the plain path.)  A pool of a
 * quantized network (seqsent quantize) is made this way from the start. */
void fwd_pool_infer(fwd_pool *p);
/* A pool of one network (fwd_pool_new): from now on its outputs are the
 * features its head reads (nn/net.h net_summary_width: the pooled summary,
 * then the bag's), [B, width] in place of the probabilities: sentence
 * vectors, batch-invariant after fwd_pool_infer as probabilities are. */
void fwd_pool_features(fwd_pool *p);
/* n rows ids [n,T] of any number: sorted by length (real tokens), run in
 * batches of the pool's maxB, probs [n,K] (or features) in input order.  Short rows then
 * share batches, and only the columns some row needs are computed. */
int fwd_pool_run_sorted(fwd_pool *p, int n, int T, const int32_t *ids, float *probs);
void fwd_pool_free(fwd_pool *p);
/* The rows a pass of the pool takes at most (its maxB). */
int fwd_pool_rows(const fwd_pool *p);

/* Training: batches of up to maxB rows cut into `shards` shards
 * (1..TRAIN_MAX_SHARDS, model/checkpoint.h),
 * computed by min(threads, shards) workers. */
typedef struct train_pool train_pool;
train_pool *train_pool_new(net *n, int T, int maxB, int threads, int shards);
/* The threads asked for (1..64, at most maxB): for inference between steps. */
int train_pool_workers(const train_pool *p);
int train_pool_shards(const train_pool *p);

/* What a training pass needs besides the rows. */
typedef struct train_pass {
    uint64_t drop_seed;      /* dropout masks of this batch */
    const float *class_w;    /* per-class loss weights, or NULL */
    const float *soft;       /* [B,K] distillation targets, or NULL (nn/loss.h soft_loss) */
    double temperature;
    double adv;              /* adversarial training's size (nn/net.h net_ws.adv), 0 = off */
    /* a language model (nn/lm.h): the batch's candidates, and its number of
     * targets (the loss is their mean) */
    const lm_cands *lm;
    double lm_norm;
} train_pass;

/* Forward + backward over ids [B,Tb] with classes y [B]: n's gradients
 * become those of the batch's mean loss (zeroed first), probs [B,K] the
 * probabilities.  A language model: y and probs unused, the mean is over
 * the batch's targets.  *loss_sum: the sum of the rows' losses
 * (class-weighted), added up in shard order.
 *
 * In an MPI job (train/dist.h) of N ranks, rank r computes the shards
 * [S r / N, S (r+1) / N) (none when N > S); the subtree sums of the fixed
 * tree cross between ranks where its halves lie on two ranks, rank 0's
 * total goes to all, and the shards' losses and probabilities are shared:
 * every rank ends the call with the same gradient, losses and probs as one
 * process computing every shard.  Every rank must call it for every step.
 * 0, or -1 (err_set) when a rank sent a gradient that does not fit. */
int train_pool_step(train_pool *p, const train_pass *pass, int B, int Tb, const int32_t *ids,
                    const int32_t *y, float *probs, double *loss_sum);
void train_pool_free(train_pool *p);

#endif
