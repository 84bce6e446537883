/* loop.c - mini-batch training: epochs, steps, validation, checkpoints. */
#include "train/train.h"
#include "base/err.h"
#include "train/batches.h"
#include "train/weights.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile int train_stop_signal = 0;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void progress(int epoch, int epochs, size_t done, size_t total, double loss, double acc, double t0)
{
    double el = now() - t0, rate = el > 0 ? done / el : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    fprintf(stderr, "\repoch %d/%d [%zu/%zu] loss %.4f acc %.4f %.0f samples/s ETA %.0fs   ",
            epoch, epochs, done, total, loss, acc, rate, eta);
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

int train_run(model *m, const encoded *tr, const encoded *val, const train_opts *o,
              const train_state *resume)
{
    net *n = m->net;
    const int T = tr->T, batchmax = o->batch;
    if (!n->params) net_alloc_grads(n);
    optimizer opt;
    optimizer_init(&opt, o->lr);
    opt.kind = o->optim;
    opt.weight_decay = o->weight_decay;
    opt.momentum = o->momentum;
    train_pool *pool = train_pool_new(n, T, batchmax, o->threads);
    int nj = train_pool_workers(pool), K = n->cfg.n_out;
    batch_plan plan;
    batch_plan_alloc(&plan, tr->n, batchmax);
    int32_t *bids = xmalloc((size_t)batchmax * T * sizeof *bids), *by = xmalloc(batchmax * sizeof *by);
    int32_t *tids = xmalloc((size_t)batchmax * T * sizeof *tids);
    float *probs = xmalloc((size_t)batchmax * K * sizeof *probs);
    train_state st;
    rng r;
    if (resume) {
        st = *resume;
        opt.step = st.adam_step;
        memcpy(r.s, st.rng, sizeof r.s);
    } else {
        memset(&st, 0, sizeof st);
        st.epoch = 1;
        st.best_val_loss = 1e300;   /* JSON has no infinity */
        rng_seed(&r, o->seed ^ 0x5eed5eedULL);
    }
    int tty = isatty(2) && !o->quiet, rc = 0;
    float **best = NULL, **cur = NULL;
    if (o->ema > 0) ema_start(n);   /* the average starts at the initial weights (or comes from the checkpoint) */
    FILE *log = NULL;
    if (o->log_path && !(log = fopen(o->log_path, resume ? "a" : "w"))) {
        rc = err_set("%s: %s", o->log_path, strerror(errno));
        goto out;
    }
    if (!m->train_info) m->train_info = cJSON_CreateObject();
    cJSON *hist = cJSON_GetObjectItemCaseSensitive(m->train_info, "history");
    if (!hist || !resume) {
        cJSON_DeleteItemFromObject(m->train_info, "history");
        hist = cJSON_AddArrayToObject(m->train_info, "history");
    }
    for (; st.epoch <= o->epochs; st.epoch++) {
        int ep = st.epoch;
        double t0 = now();
        size_t start_pos = st.pos;
        /* learning-rate decay per epoch: a function of the epoch, so resuming is exact */
        opt.lr = o->lr * (o->lr_decay > 0 ? pow(o->lr_decay, ep - 1) : 1.0);
        memcpy(st.rng, r.s, sizeof st.rng);   /* the epoch's shuffle can be replayed */
        batch_plan_epoch(&plan, tr, batchmax, o->bucket, &r);
        size_t s = 0;
        for (size_t bi = 0; bi < plan.nb; s += plan.size[bi], bi++) {
            if (s < st.pos) continue;   /* resumed: this batch was done before the interruption */
            int B = batch_gather(&plan, bi, tr, bids, by);
            if (o->word_dropout > 0)   /* a function of seed and step: resuming is exact */
                word_dropout(bids, (size_t)B * T, o->word_dropout,
                             o->seed * 0x9E3779B97F4A7C15ULL + (uint64_t)opt.step + 0x3d);
            int Tb = T;
            if (o->bucket || n->cfg.mask) {   /* drop columns that are padding in every row */
                Tb = trim_batch(bids, B, T, tids);
                memcpy(bids, tids, sizeof(int32_t) * (size_t)B * Tb);
            }
            train_pass pass = { o->seed * 0x2545F4914F6CDD1DULL + (uint64_t)opt.step, o->class_w };
            double loss = train_pool_step(pool, &pass, B, Tb, bids, by, probs);
            double gn = grad_norm(n);
            if (!isfinite(loss) || !isfinite(gn)) {
                /* the weights are still those of the last good step: keep them */
                if (tty) fputc('\n', stderr);
                train_state keep = st;
                memcpy(keep.rng, st.rng, sizeof keep.rng);
                if (o->out && checkpoint_save(m, &keep, o->out) < 0) { rc = -1; goto out; }
                rc = err_set("training diverged at epoch %d (loss %g, gradient norm %g); the last good "
                             "weights are in %s; try a smaller --lr or --clip-norm", ep, loss, gn,
                             o->out ? o->out : "(no output file)");
                goto out;
            }
            if (o->clip_norm > 0 && gn > o->clip_norm) {
                float scale = (float)(o->clip_norm / gn);
                for (int i = 0; i < n->nparams; i++)
                    for (size_t k = 0; k < n->params[i].n; k++) n->params[i].g[k] *= scale;
            }
            optimizer_update(&opt, n->params, n->nparams);
            if (o->ema > 0) ema_update(n, o->ema);
            st.sum_loss += loss * B;
            for (int b = 0; b < B; b++) st.correct += decide_class(probs + (size_t)b * K, K, DECIDE_THRESHOLD) == by[b];
            st.pos = s + B;
            st.adam_step = opt.step;
            if (tty) progress(ep, o->epochs, st.pos, tr->n, st.sum_loss / st.pos, st.correct / st.pos, t0);
            if (train_stop_signal && st.pos < tr->n) {
                if (tty) fputc('\n', stderr);
                if (o->out && checkpoint_save(m, &st, o->out) < 0) { rc = -1; goto out; }
                if (!o->quiet)
                    fprintf(stderr, "train: interrupted in epoch %d at %zu/%zu; checkpoint written to %s "
                            "(continue with --resume %s)\n", ep, st.pos, tr->n, o->out, o->out);
                rc = TRAIN_INTERRUPTED;
                goto out;
            }
        }
        double secs = now() - t0;
        double tl = st.sum_loss / tr->n, ta = st.correct / tr->n;
        cJSON *h = cJSON_CreateObject();
        cJSON_AddNumberToObject(h, "epoch", ep);
        cJSON_AddNumberToObject(h, "loss", tl);
        cJSON_AddNumberToObject(h, "accuracy", ta);
        char vbuf[128] = "";
        int stop = 0;
        if (val && val->n) {
            eval_result er;
            if (o->ema > 0) ema_swap_in(n, &cur);   /* validate the weights that would be kept */
            evaluate(m, val, 256, nj, &er, NULL);
            cJSON_AddNumberToObject(h, "val_loss", er.loss);
            cJSON_AddNumberToObject(h, "val_accuracy", er.accuracy);
            snprintf(vbuf, sizeof vbuf, " - val_loss %.4f - val_acc %.4f", er.loss, er.accuracy);
            if (o->early_stop) {
                if (er.loss < st.best_val_loss) {
                    st.best_val_loss = er.loss;
                    st.best_epoch = ep;
                    st.bad_epochs = 0;
                    best = weights_snapshot(n, best);
                } else if (++st.bad_epochs >= o->early_stop) {
                    stop = 1;
                }
            }
            eval_result_free(&er);
            if (o->ema > 0) weights_restore(n, cur);
        }
        cJSON_AddItemToArray(hist, h);   /* no timings in the model: same seed, same bytes */
        if (log) {
            cJSON *lh = cJSON_Duplicate(h, 1);
            cJSON_AddNumberToObject(lh, "seconds", secs);
            cJSON_AddNumberToObject(lh, "samples_per_second", (tr->n - start_pos) / (secs > 0 ? secs : 1));
            char *line = cJSON_PrintUnformatted(lh);
            cJSON_Delete(lh);
            fprintf(log, "%s\n", line);
            fflush(log);
            free(line);
        }
        if (!o->quiet)
            fprintf(stderr, "%sepoch %d/%d - loss %.4f - acc %.4f%s - %.1fs (%.0f samples/s)%s\n",
                    tty ? "\r" : "", ep, o->epochs, tl, ta, vbuf, secs,
                    (tr->n - start_pos) / (secs > 0 ? secs : 1), tty ? "          " : "");
        st.pos = 0;
        st.sum_loss = 0;
        st.correct = 0;
        if (stop) {
            if (!o->quiet)
                fprintf(stderr, "train: early stop: validation loss has not improved for %d epochs; "
                        "keeping the weights of epoch %d\n", o->early_stop, st.best_epoch);
            break;
        }
        if (o->save_every && ep % o->save_every == 0 && ep < o->epochs) {
            train_state next = st;
            next.epoch = ep + 1;
            memcpy(next.rng, r.s, sizeof next.rng);
            if (o->out && checkpoint_save(m, &next, o->out) < 0) { rc = -1; goto out; }
        }
        if (train_stop_signal) {   /* signal arrived in the last batch of an epoch */
            train_state next = st;
            next.epoch = ep + 1;
            memcpy(next.rng, r.s, sizeof next.rng);
            if (ep < o->epochs) {
                if (o->out && checkpoint_save(m, &next, o->out) < 0) { rc = -1; goto out; }
                if (!o->quiet)
                    fprintf(stderr, "train: interrupted after epoch %d; checkpoint written to %s "
                            "(continue with --resume %s)\n", ep, o->out, o->out);
                rc = TRAIN_INTERRUPTED;
                goto out;
            }
        }
    }
    if (best && o->early_stop) {   /* restore the best-on-validation weights */
        weights_restore(n, best);
        cJSON_AddNumberToObject(m->train_info, "best_epoch", st.best_epoch);
    } else if (o->ema > 0) {
        ema_swap_in(n, NULL);          /* the model keeps the averaged weights */
    }
out:
    weights_snapshot_free(n, best);
    weights_snapshot_free(n, cur);
    if (log) fclose(log);
    free(bids); free(by); free(tids); free(probs);
    batch_plan_free(&plan);
    train_pool_free(pool);
    return rc;
}
