/* loop.c - mini-batch training: epochs of steps, validation and early
 * stopping, the history, checkpoints.
 *
 * A step: a batch of rows ids [B, T] (batches.h, trimmed to [B, Tb] for a
 * masked network or with bucketing), a data-parallel forward and backward
 * pass over the batch's shards (workers.h: o->shards fixed shards summed in
 * a fixed order, so the thread count never changes the result), a check that loss and gradient norm are finite, norm
 * clipping, the optimizer update and the moving average (weights.h).
 * After each epoch: validation, the history entry (the model keeps it), the
 * log line, the report, then the checks that end the run early (early stop,
 * a stop request) or write a checkpoint (save_every).
 *
 * A language model (net_config.lm, pretrain) runs the same loop: a step
 * also draws the batch's candidates (lmdata.h), the loss is the mean over
 * the batch's targets, the running sums count targets where a classifier
 * counts correct rows (st.correct), and validation is the held-out loss
 * per target with the full softmax, reported as perplexity.
 *
 * A multi-label network (one sigmoid per label) trains on the label sets
 * in the data's soft rows; its running figure is micro-F1 at
 * DECIDE_THRESHOLD (st.correct true positives, st.wrong false positives
 * and negatives), "micro_f1" in the history where a classifier has
 * "accuracy".
 *
 * In an MPI job (dist.h) every rank runs this loop over the same data and
 * weights (checked before the first step: same_start): the pool shares the
 * shards out and gives every rank the same gradient, losses and
 * probabilities; the ranks agree on a stop request every step; rank 0
 * scores validation and broadcasts the figures, and alone reports, logs
 * and writes checkpoints.
 *
 * Why a resumed run is exact: everything random is a function of saved
 * state.  An epoch's shuffle replays from the RNG state saved at its start,
 * word dropout and the dropout masks are seeded by (seed, optimizer step)
 * (word dropout over the whole batch, the masks per row index in the batch:
 * neither depends on the shards or threads),
 * and the learning rate is a function of the epoch.
 */
#include "train/train.h"
#include "base/err.h"
#include "train/batches.h"
#include "train/dist.h"
#include "train/lmdata.h"
#include "train/weights.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { EARLY_STOPPED = 1 };   /* epoch_end: the run ends with the best epoch's weights */

/* Everything one train_run call works with. */
typedef struct run {
    model *m;
    net *n;
    const encoded *tr, *val;
    const train_opts *o;
    optimizer opt;
    train_pool *pool;
    batch_plan plan;
    int32_t *ids, *y, *trimmed;   /* [batch, T], [batch], [batch, T] */
    float *soft;                  /* [batch, K] distillation targets, or NULL */
    float *probs;                 /* [batch, K] */
    train_state st;
    rng r;                        /* the shuffle RNG */
    float **best;                 /* the best epoch's weights (early stopping) */
    float **raw;                  /* the trained weights while the average is in place */
    FILE *log;
    cJSON *hist;
    int lm;                       /* a language model */
    lm_sampler lms;               /* its candidates */
    double t0;                    /* when the epoch (or its resumed part) started */
    size_t start_pos;             /* samples of the epoch done before that */
    double start_targets;         /* a language model's targets of the epoch done before that */
} run;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void emit(const run *R, train_event *ev)
{
    if (!R->o->report || R->o->quiet || dist_rank() != 0) return;
    ev->epoch = R->st.epoch;
    ev->epochs = R->o->epochs;
    R->o->report(ev, R->o->report_ctx);
}

/* A stop request on any rank stops them all at the same batch boundary
 * (every rank asks at the same points). */
static int stop_requested(const run *R) { return dist_any(R->o->stop && *R->o->stop); }

/* Rank 0 writes (the ranks' weights and positions are the same). */
static int save(run *R, const train_state *st)
{
    return R->o->out && dist_rank() == 0 ? checkpoint_save(R->m, st, R->best, R->o->out) : 0;
}

static double grad_norm(const net *n)
{
    double s = 0;
    for (int i = 0; i < n->nparams; i++) {
        const float *g = n->params[i].g;
        for (size_t k = 0; k < n->params[i].n; k++) s += (double)g[k] * g[k];
    }
    return sqrt(s);
}

static void clip_grads(net *n, float scale)
{
    for (int i = 0; i < n->nparams; i++)
        for (size_t k = 0; k < n->params[i].n; k++) n->params[i].g[k] *= scale;
}

/* Loss or gradient not finite: the weights are still those of the last good
 * step; keep them in a checkpoint and fail. */
static int diverged(run *R, double loss, double gn)
{
    train_event ev = { .kind = TRAIN_EV_BREAK };
    emit(R, &ev);
    if (save(R, &R->st) < 0) return -1;
    if (dist_rank() != 0) return err_set("%s", "");   /* every rank diverges at once: rank 0 says it */
    return err_set("training diverged at epoch %d (loss %g, gradient norm %g); the last good "
                   "weights are in %s; try a smaller --lr or --clip-norm", R->st.epoch, loss, gn,
                   R->o->out ? R->o->out : "(no output file)");
}

/* Stop requested mid-epoch: checkpoint the position after this batch. */
static int interrupt(run *R)
{
    train_event ev = { .kind = TRAIN_EV_BREAK };
    emit(R, &ev);
    if (save(R, &R->st) < 0) return -1;
    ev = (train_event){ .kind = TRAIN_EV_INTERRUPTED, .done = R->st.pos, .total = R->tr->n,
                        .checkpoint = R->o->out };
    emit(R, &ev);
    return TRAIN_INTERRUPTED;
}

/* The epoch's running loss and accuracy (a language model: loss per target
 * and perplexity) into ev. */
static void running_means(const run *R, train_event *ev)
{
    const train_state *st = &R->st;
    ev->lm = R->lm;
    ev->multi = R->n->cfg.multilabel;
    if (R->lm) {
        ev->loss = st->correct > 0 ? st->sum_loss / st->correct : 0;
    } else if (ev->multi) {
        ev->loss = st->pos ? st->sum_loss / st->pos : 0;
        ev->accuracy = micro_f1_of(st->correct, st->wrong);
    } else {
        ev->loss = st->pos ? st->sum_loss / st->pos : 0;
        ev->accuracy = st->pos ? st->correct / st->pos : 0;
    }
}

/* Fine-tuning's learning rate per layer, set for the epoch: the dense
 * layers at the optimizer's rate, each layer below at the one above's /
 * o->discriminative; with gradual unfreezing only the top epoch-1 layers
 * below the dense ones train (ULMFiT).  A function of the epoch: resuming
 * is exact. */
static void layer_rates(run *R)
{
    const train_opts *o = R->o;
    if (o->discriminative <= 0 && !o->gradual_unfreeze) return;
    for (int i = 0; i < R->n->nparams; i++) {
        param *p = &R->n->params[i];
        int depth = net_param_depth(&R->n->cfg, p->name);
        p->lr_scale = o->discriminative > 0 ? (float)pow(o->discriminative, -depth) : 1.0f;
        if (o->gradual_unfreeze && depth > R->st.epoch - 1) p->lr_scale = 0;
    }
}

/* ULMFiT's slanted triangular learning rate at the coming step: a linear
 * rise over the first 10% of the run's steps, then a linear fall to 1/32 of
 * the peak (o->lr).  A function of the step: resuming is exact. */
static double slanted_rate(const run *R)
{
    const double cut_frac = 0.1, ratio = 32;
    double total = (double)R->o->epochs * ceil((double)R->tr->n / R->o->batch);
    double cut = floor(total * cut_frac), t = (double)R->opt.step;
    if (cut < 1) cut = 1;
    double p = t < cut ? t / cut : 1 - (t - cut) / (cut * (1 / cut_frac - 1));
    if (p < 0) p = 0;
    return R->o->lr * (1 + p * (ratio - 1)) / ratio;
}

/* The batch bi, starting at sample s of the epoch. */
static int run_step(run *R, size_t bi, size_t s)
{
    const train_opts *o = R->o;
    net *n = R->n;
    int T = R->tr->T, K = n->cfg.n_out;
    int B = batch_gather(&R->plan, bi, R->tr, R->ids, R->y);
    if (R->soft) batch_gather_soft(&R->plan, bi, R->tr, R->soft);
    if (o->word_dropout > 0)   /* a function of seed and step: resuming is exact */
        word_dropout(R->ids, (size_t)B * T, o->word_dropout,
                     o->seed * 0x9E3779B97F4A7C15ULL + (uint64_t)R->opt.step + 0x3d);
    int Tb = T;
    if (o->bucket || n->cfg.mask) {   /* drop columns that are padding in every row */
        Tb = trim_batch(R->ids, B, T, R->trimmed);
        memcpy(R->ids, R->trimmed, sizeof(int32_t) * (size_t)B * Tb);
    }
    if (o->slanted) R->opt.lr = slanted_rate(R);
    train_pass pass = { o->seed * 0x2545F4914F6CDD1DULL + (uint64_t)R->opt.step, o->class_w, R->soft,
                        o->temperature, o->adversarial, NULL, 0 };
    double count = B;   /* what the loss is a mean over: rows, or a language model's targets */
    if (R->lm) {
        pass.lm = lm_sampler_draw(&R->lms, o->seed * 0xD1B54A32D192ED03ULL + (uint64_t)R->opt.step + 0x1f);
        count = pass.lm_norm = (double)lm_targets(&n->cfg, B, Tb, R->ids);
        if (count == 0) pass.lm_norm = 1;
    }
    double loss_sum;
    if (train_pool_step(R->pool, &pass, B, Tb, R->ids, R->y, R->probs, &loss_sum) < 0) return -1;
    double gn = grad_norm(n);
    if (!isfinite(loss_sum) || !isfinite(gn)) return diverged(R, loss_sum / (count > 0 ? count : 1), gn);
    if (o->clip_norm > 0 && gn > o->clip_norm) clip_grads(n, (float)(o->clip_norm / gn));
    optimizer_update(&R->opt, n->params, n->nparams);
    if (o->ema > 0) ema_update(n, ema_momentum(o->ema, R->opt.step));
    train_state *st = &R->st;
    st->sum_loss += loss_sum;
    if (R->lm) st->correct += count;
    else if (n->cfg.multilabel)   /* true positives, and false positives + negatives: micro-F1 */
        for (int b = 0; b < B; b++)
            ova_row_counts(R->probs + (size_t)b * K, R->soft + (size_t)b * K, K, DECIDE_THRESHOLD, &st->correct,
                           &st->wrong);
    else
        for (int b = 0; b < B; b++) st->correct += decide_class(R->probs + (size_t)b * K, K, DECIDE_THRESHOLD) == R->y[b];
    st->pos = s + B;
    st->adam_step = R->opt.step;
    train_event ev = { .kind = TRAIN_EV_BATCH, .done = st->pos, .total = R->tr->n, .seconds = now() - R->t0 };
    running_means(R, &ev);
    emit(R, &ev);
    if (stop_requested(R) && st->pos < R->tr->n) return interrupt(R);
    return 0;
}

/* The batches of epoch st.epoch not done yet: 0, -1 or TRAIN_INTERRUPTED. */
static int run_epoch(run *R)
{
    const train_opts *o = R->o;
    R->t0 = now();
    R->start_pos = R->st.pos;
    R->start_targets = R->st.correct;
    /* learning-rate decay per epoch: a function of the epoch, so resuming is exact */
    R->opt.lr = o->lr * (o->lr_decay > 0 ? pow(o->lr_decay, R->st.epoch - 1) : 1.0);
    layer_rates(R);
    memcpy(R->st.rng, R->r.s, sizeof R->st.rng);   /* the epoch's shuffle can be replayed */
    batch_plan_epoch(&R->plan, R->tr, o->batch, o->bucket, &R->r);
    size_t s = 0;
    for (size_t bi = 0; bi < R->plan.nb; s += R->plan.size[bi], bi++) {
        if (s < R->st.pos) continue;   /* resumed: this batch was done before the interruption */
        int rc = run_step(R, bi, s);
        if (rc) return rc;
    }
    return 0;
}

/* Whether the best epoch is the one of highest validation accuracy (a
 * language model has none: its loss decides). */
static int monitors_accuracy(const run *R) { return R->o->monitor_accuracy && !R->lm; }

/* Score the validation rows with the weights that would be kept (the
 * average, with EMA) into h and ev; early stopping's bookkeeping.  Returns
 * 1 when patience has run out. */
static int validate(run *R, cJSON *h, train_event *ev)
{
    const train_opts *o = R->o;
    train_state *st = &R->st;
    double loss = 0, second = 0;   /* accuracy, or a language model's perplexity */
    int stop = 0;
    if (o->ema > 0) ema_swap_in(R->n, &R->raw);
    if (dist_rank() != 0) {
        /* rank 0 scores, the others take its figures: the same early-stopping decisions */
    } else if (R->lm) {   /* held-out loss per target, full softmax, one worker */
        size_t targets;
        loss = lm_evaluate(R->n, R->val, &targets);
        second = exp(loss);
    } else {
        /* one worker: a row's probabilities depend (in float rounding) on
         * how many rows share its matrix products, and the validation loss
         * is recorded in the model and decides early stopping, so its
         * batches must not be split by the thread count */
        eval_result er;
        evaluate(R->m, R->val, 256, 1, &er, NULL);
        loss = er.loss;
        second = er.multi ? er.micro_f1 : er.accuracy;
        eval_result_free(&er);
    }
    double fig[2] = { loss, second };
    dist_bcast(fig, sizeof fig, 0);
    loss = fig[0];
    second = fig[1];
    cJSON_AddNumberToObject(h, "val_loss", loss);
    cJSON_AddNumberToObject(h, R->lm ? "val_perplexity" : R->n->cfg.multilabel ? "val_micro_f1" : "val_accuracy", second);
    ev->have_val = 1;
    ev->val_loss = loss;
    ev->val_accuracy = second;
    if (o->early_stop) {
        /* monitoring accuracy: on small validation sets many epochs tie, and
         * the lower loss breaks the tie */
        int better = monitors_accuracy(R)
                         ? second > st->best_val_score || (second == st->best_val_score && loss < st->best_val_loss)
                         : loss < st->best_val_loss;
        if (better) {
            st->best_val_loss = loss;
            if (monitors_accuracy(R)) st->best_val_score = second;
            st->best_epoch = st->epoch;
            st->bad_epochs = 0;
            R->best = weights_snapshot(R->n, R->best);
        } else if (++st->bad_epochs >= o->early_stop) {
            stop = 1;
        }
    }
    if (o->ema > 0) weights_restore(R->n, R->raw);
    return stop;
}

/* The epoch's entry in the history (no timings in the model: same seed,
 * same bytes) and, with timings, in the log. */
static void record(run *R, cJSON *h, const train_event *ev)
{
    cJSON_AddItemToArray(R->hist, h);
    if (!R->log) return;
    cJSON *lh = cJSON_Duplicate(h, 1);
    cJSON_AddNumberToObject(lh, "seconds", ev->seconds);
    cJSON_AddNumberToObject(lh, "samples_per_second", ev->samples_per_second);
    if (ev->lm) cJSON_AddNumberToObject(lh, "tokens_per_second", ev->tokens_per_second);
    char *line = cJSON_PrintUnformatted(lh);
    cJSON_Delete(lh);
    fprintf(R->log, "%s\n", line);
    fflush(R->log);
    free(line);
}

/* Between epochs: the --save-every checkpoint, and a stop request that came
 * in the epoch's last batch.  0, -1 or TRAIN_INTERRUPTED. */
static int between_epochs(run *R)
{
    const train_opts *o = R->o;
    int ep = R->st.epoch;
    train_state next = R->st;
    next.epoch = ep + 1;
    memcpy(next.rng, R->r.s, sizeof next.rng);
    if (o->save_every && ep % o->save_every == 0 && ep < o->epochs && save(R, &next) < 0) return -1;
    if (!stop_requested(R) || ep >= o->epochs) return 0;
    if (save(R, &next) < 0) return -1;
    train_event ev = { .kind = TRAIN_EV_INTERRUPTED, .done = R->tr->n, .total = R->tr->n, .checkpoint = o->out };
    emit(R, &ev);
    return TRAIN_INTERRUPTED;
}

/* After the epoch's batches: 0 (go on), EARLY_STOPPED, -1 or TRAIN_INTERRUPTED. */
static int epoch_end(run *R)
{
    size_t n = R->tr->n;
    double secs = now() - R->t0;
    train_event ev = { .kind = TRAIN_EV_EPOCH, .done = n, .total = n, .seconds = secs,
                       .samples_per_second = (n - R->start_pos) / (secs > 0 ? secs : 1) };
    if (R->lm) ev.tokens_per_second = (R->st.correct - R->start_targets) / (secs > 0 ? secs : 1);
    R->st.pos = n;
    running_means(R, &ev);
    cJSON *h = cJSON_CreateObject();
    cJSON_AddNumberToObject(h, "epoch", R->st.epoch);
    cJSON_AddNumberToObject(h, "loss", ev.loss);
    if (!R->lm)   /* a sampled softmax's loss has no perplexity */
        cJSON_AddNumberToObject(h, R->n->cfg.multilabel ? "micro_f1" : "accuracy", ev.accuracy);
    int stop = R->val && R->val->n && validate(R, h, &ev);
    record(R, h, &ev);
    emit(R, &ev);
    R->st.pos = 0;
    R->st.sum_loss = 0;
    R->st.correct = 0;
    R->st.wrong = 0;
    if (stop) {
        ev = (train_event){ .kind = TRAIN_EV_EARLY_STOP, .best_epoch = R->st.best_epoch, .patience = R->o->early_stop,
                            .monitor_accuracy = monitors_accuracy(R) };
        emit(R, &ev);
        return EARLY_STOPPED;
    }
    return between_epochs(R);
}

/* Set up R: worker pool, batch buffers, optimizer and position (fresh, or
 * resumed), the moving average, the log and the history.  0 or -1. */
static int run_open(run *R, model *m, const encoded *tr, const encoded *val, const train_opts *o,
                    const train_state *resume)
{
    memset(R, 0, sizeof *R);
    net *n = R->n = m->net;
    R->m = m; R->tr = tr; R->val = val; R->o = o;
    int T = tr->T, batch = o->batch;
    if (!n->params) net_alloc_grads(n);
    optimizer_init(&R->opt, o->lr);
    R->opt.kind = o->optim;
    R->opt.weight_decay = o->weight_decay;
    R->opt.momentum = o->momentum;
    R->pool = train_pool_new(n, T, batch, o->threads, o->shards);
    batch_plan_alloc(&R->plan, tr->n, batch);
    R->ids = xmalloc((size_t)batch * T * sizeof *R->ids);
    R->trimmed = xmalloc((size_t)batch * T * sizeof *R->trimmed);
    R->y = xmalloc(batch * sizeof *R->y);
    if (tr->soft) R->soft = xmalloc((size_t)batch * tr->K * sizeof *R->soft);
    R->probs = xmalloc((size_t)batch * (n->cfg.n_out > 0 ? n->cfg.n_out : 1) * sizeof *R->probs);
    if ((R->lm = n->cfg.lm)) {
        int64_t *counts = lm_counts(tr, n->cfg.vocab_size);
        lm_sampler_init(&R->lms, counts, n->cfg.vocab_size, n->cfg.lm_samples);
        free(counts);
    }
    if (resume) {
        R->st = *resume;
        R->best = R->st.best;   /* taken over (freed in run_close) */
        R->st.best = NULL;
    } else {
        train_state_fresh(&R->st, o->seed);
    }
    R->opt.step = R->st.adam_step;
    memcpy(R->r.s, R->st.rng, sizeof R->r.s);
    if (o->ema > 0) ema_start(n);   /* the average starts at the initial weights (or comes from the checkpoint) */
    if (o->log_path && dist_rank() == 0 && !(R->log = fopen(o->log_path, resume || o->log_append ? "a" : "w")))
        return err_set("%s: %s", o->log_path, strerror(errno));
    if (!m->train_info) m->train_info = cJSON_CreateObject();
    R->hist = cJSON_GetObjectItemCaseSensitive(m->train_info, "history");
    if (!R->hist || !resume) {
        cJSON_DeleteItemFromObject(m->train_info, "history");
        R->hist = cJSON_AddArrayToObject(m->train_info, "history");
    }
    return 0;
}

/* An MPI job: every rank must start from rank 0's weights, optimizer
 * state, position and data (the same files, read the same way). */
static int same_start(const run *R)
{
    if (dist_size() == 1) return 0;
    uint64_t h = DIST_HASH0;
    const net *n = R->n;
    for (int i = 0; i < n->plist.n; i++) h = dist_hash(h, *n->plist.spec[i].w, n->plist.spec[i].n * sizeof(float));
    for (int i = 0; i < n->nparams; i++) {
        const param *p = &n->params[i];
        if (p->m) h = dist_hash(h, p->m, p->n * sizeof *p->m);
        if (p->v) h = dist_hash(h, p->v, p->n * sizeof *p->v);
        if (p->ema) h = dist_hash(h, p->ema, p->n * sizeof *p->ema);
    }
    const encoded *sets[2] = { R->tr, R->val };
    for (int i = 0; i < 2; i++) {
        const encoded *e = sets[i];
        if (!e) continue;
        h = dist_hash(h, &e->n, sizeof e->n);
        h = dist_hash(h, e->ids, e->n * (size_t)e->T * sizeof *e->ids);
        if (e->y) h = dist_hash(h, e->y, e->n * sizeof *e->y);
        if (e->soft) h = dist_hash(h, e->soft, e->n * (size_t)e->K * sizeof *e->soft);
    }
    const train_state *st = &R->st;
    h = dist_hash(h, &st->epoch, sizeof st->epoch);
    h = dist_hash(h, &st->pos, sizeof st->pos);
    h = dist_hash(h, st->rng, sizeof st->rng);
    h = dist_hash(h, &st->adam_step, sizeof st->adam_step);
    uint64_t other;
    int r = dist_same(h, &other);
    if (r < 0) return 0;
    if (dist_rank() != 0) return err_set("%s", "");   /* rank 0 says it */
    return err_set("rank %d of %d starts from other weights or data than rank 0 (checksums %016llx, %016llx): "
                   "every rank must read the same files", r, dist_size(), (unsigned long long)other,
                   (unsigned long long)h);
}

/* The weights the model keeps: the best epoch's (early stopping), or the average. */
static void run_finish(run *R)
{
    if (R->best && R->o->early_stop) {
        weights_restore(R->n, R->best);
        cJSON_AddNumberToObject(R->m->train_info, "best_epoch", R->st.best_epoch);
    } else if (R->o->ema > 0) {
        ema_swap_in(R->n, NULL);
    }
}

static void run_close(run *R)
{
    weights_snapshot_free(R->n, R->best);
    weights_snapshot_free(R->n, R->raw);
    if (R->log) fclose(R->log);
    free(R->ids); free(R->y); free(R->trimmed); free(R->probs); free(R->soft);
    batch_plan_free(&R->plan);
    train_pool_free(R->pool);
    if (R->lm) lm_sampler_free(&R->lms);
}

int train_run(model *m, const encoded *tr, const encoded *val, const train_opts *o,
              const train_state *resume)
{
    run R;
    int rc = run_open(&R, m, tr, val, o, resume);
    if (rc == 0) rc = same_start(&R);
    while (rc == 0 && R.st.epoch <= o->epochs) {
        rc = run_epoch(&R);
        if (rc == 0) rc = epoch_end(&R);
        if (rc == 0) R.st.epoch++;
    }
    if (rc == EARLY_STOPPED) rc = 0;
    /* interrupted too (its checkpoint is written): m holds the weights the
     * run would keep so far (autotune scores a trial cut by its deadline) */
    if (rc == 0 || rc == TRAIN_INTERRUPTED) run_finish(&R);
    run_close(&R);
    return rc;
}
