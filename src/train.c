/* train.c - encoding data sets, mini-batch training with Adam, evaluation. */
#include "train.h"
#include "err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int encode_dataset(model *m, const dataset *d, int with_labels, encoded *out)
{
    memset(out, 0, sizeof *out);
    model_tokenizer(m);
    out->n = d->n;
    out->T = m->maxlen;
    out->ids = xmalloc(d->n * (size_t)m->maxlen * sizeof *out->ids);
    if (with_labels) out->y = xmalloc(d->n * sizeof *out->y);
    toklist tl = {0};
    int32_t *idbuf = NULL;
    size_t idcap = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (with_labels) {
            int k = model_label_index(m, d->label[i]);
            if (k < 0) {
                err_set("%s:%ld: label '%s' is not one of the model's labels", d->path, d->line[i], d->label[i]);
                toklist_free(&tl); free(idbuf); encoded_free(out);
                return -1;
            }
            out->y[i] = k;
        }
        size_t nt = model_encode(m, d->text[i], strlen(d->text[i]), &tl, &idbuf, &idcap,
                                 out->ids + i * (size_t)m->maxlen);
        out->tokens += nt;
        for (size_t j = 0; j < nt; j++) out->unknown += idbuf[j] == VOCAB_UNK;
    }
    toklist_free(&tl);
    free(idbuf);
    return 0;
}

void encoded_free(encoded *e)
{
    free(e->ids);
    free(e->y);
    memset(e, 0, sizeof *e);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void evaluate(const model *m, const encoded *e, int batch, eval_result *r, float *probs)
{
    const net *n = m->net;
    int K = n->cfg.n_out, classes = K == 1 ? 2 : K, T = e->T;
    memset(r, 0, sizeof *r);
    r->K = classes;
    r->n = e->n;
    r->confusion = xcalloc((size_t)classes * classes, sizeof *r->confusion);
    net_ws w;
    net_ws_alloc(&w, &n->cfg, T, batch);
    double loss = 0;
    size_t correct = 0;
    for (size_t s = 0; s < e->n; s += batch) {
        int B = (int)(e->n - s < (size_t)batch ? e->n - s : (size_t)batch);
        net_forward(n, &w, B, T, e->ids + s * T);
        if (e->y) {
            loss += net_loss(n, &w, B, e->y + s) * B;
            for (int b = 0; b < B; b++) {
                int pred = net_argmax(n, &w, b), truth = e->y[s + b];
                correct += pred == truth;
                r->confusion[(size_t)truth * classes + pred]++;
            }
        }
        if (probs) memcpy(probs + s * K, w.probs, sizeof(float) * B * K);
    }
    net_ws_free(&w);
    r->loss = e->n ? loss / e->n : 0;
    r->accuracy = e->n ? (double)correct / e->n : 0;
}

void eval_result_free(eval_result *r) { free(r->confusion); memset(r, 0, sizeof *r); }

void class_metrics(const eval_result *r, int k, double *prec, double *rec, double *f1, long *support)
{
    long tp = r->confusion[(size_t)k * r->K + k], pred = 0, truth = 0;
    for (int j = 0; j < r->K; j++) {
        pred += r->confusion[(size_t)j * r->K + k];
        truth += r->confusion[(size_t)k * r->K + j];
    }
    *prec = pred ? (double)tp / pred : 0;
    *rec = truth ? (double)tp / truth : 0;
    *f1 = *prec + *rec > 0 ? 2 * *prec * *rec / (*prec + *rec) : 0;
    *support = truth;
}

static void progress(int epoch, int epochs, size_t done, size_t total, double loss, double acc, double t0)
{
    double el = now() - t0, rate = el > 0 ? done / el : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    fprintf(stderr, "\repoch %d/%d [%zu/%zu] loss %.4f acc %.4f %.0f samples/s ETA %.0fs   ",
            epoch, epochs, done, total, loss, acc, rate, eta);
}

int train_run(model *m, const encoded *tr, const encoded *val, const train_opts *o)
{
    net *n = m->net;
    const int T = tr->T, batchmax = o->batch;
    if (!n->params) net_alloc_grads(n);
    adam opt;
    adam_init(&opt, o->lr);
    net_ws w;
    net_ws_alloc(&w, &n->cfg, T, batchmax);
    size_t *order = xmalloc(tr->n * sizeof *order);
    int32_t *bids = xmalloc((size_t)batchmax * T * sizeof *bids), *by = xmalloc(batchmax * sizeof *by);
    rng r;
    rng_seed(&r, o->seed ^ 0x5eed5eedULL);
    int tty = isatty(2) && !o->quiet;
    cJSON *hist = cJSON_CreateArray();
    for (int ep = 1; ep <= o->epochs; ep++) {
        double t0 = now(), sum_loss = 0;
        size_t correct = 0, done = 0;
        for (size_t i = 0; i < tr->n; i++) order[i] = i;
        for (size_t i = tr->n; i > 1; i--) {   /* Fisher-Yates shuffle */
            size_t j = rng_below(&r, i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        for (size_t s = 0; s < tr->n; s += batchmax) {
            int B = (int)(tr->n - s < (size_t)batchmax ? tr->n - s : (size_t)batchmax);
            for (int b = 0; b < B; b++) {
                memcpy(bids + (size_t)b * T, tr->ids + order[s + b] * T, sizeof(int32_t) * T);
                by[b] = tr->y[order[s + b]];
            }
            net_zero_grads(n);
            double loss = net_forward_backward(n, &w, B, T, bids, by);
            if (!isfinite(loss)) {
                free(order); free(bids); free(by); net_ws_free(&w); cJSON_Delete(hist);
                return err_set("training diverged at epoch %d (loss is %g); try a smaller --lr", ep, loss);
            }
            adam_update(&opt, n->params, n->nparams);
            sum_loss += loss * B;
            for (int b = 0; b < B; b++) correct += net_argmax(n, &w, b) == by[b];
            done += B;
            if (tty) progress(ep, o->epochs, done, tr->n, sum_loss / done, (double)correct / done, t0);
        }
        double secs = now() - t0;
        double tl = sum_loss / tr->n, ta = (double)correct / tr->n;
        cJSON *h = cJSON_CreateObject();
        cJSON_AddNumberToObject(h, "epoch", ep);
        cJSON_AddNumberToObject(h, "loss", tl);
        cJSON_AddNumberToObject(h, "accuracy", ta);
        cJSON_AddNumberToObject(h, "seconds", secs);
        char vbuf[128] = "";
        if (val && val->n) {
            eval_result er;
            evaluate(m, val, 256, &er, NULL);
            cJSON_AddNumberToObject(h, "val_loss", er.loss);
            cJSON_AddNumberToObject(h, "val_accuracy", er.accuracy);
            snprintf(vbuf, sizeof vbuf, " - val_loss %.4f - val_acc %.4f", er.loss, er.accuracy);
            eval_result_free(&er);
        }
        cJSON_AddItemToArray(hist, h);
        if (!o->quiet)
            fprintf(stderr, "%sepoch %d/%d - loss %.4f - acc %.4f%s - %.1fs (%.0f samples/s)%s\n",
                    tty ? "\r" : "", ep, o->epochs, tl, ta, vbuf, secs, tr->n / (secs > 0 ? secs : 1),
                    tty ? "          " : "");
    }
    if (!m->train_info) m->train_info = cJSON_CreateObject();
    cJSON_DeleteItemFromObject(m->train_info, "history");
    cJSON_AddItemToObject(m->train_info, "history", hist);
    free(order); free(bids); free(by);
    net_ws_free(&w);
    return 0;
}
