/* train.c - encoding data sets, mini-batch training with Adam, evaluation. */
#include "train/train.h"
#include "base/err.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>

int encode_dataset(model *m, const dataset *d, int with_labels, encoded *out)
{
    memset(out, 0, sizeof *out);
    model_tokenizer(m);
    out->n = d->n;
    out->T = m->maxlen;
    out->ids = xmalloc(d->n * (size_t)m->maxlen * sizeof *out->ids);
    out->len = xmalloc((d->n + 1) * sizeof *out->len);
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
        out->len[i] = (int32_t)(nt < (size_t)m->maxlen ? nt : (size_t)m->maxlen);
        for (size_t j = 0; j < nt; j++) out->unknown += idbuf[j] == VOCAB_UNK;
    }
    toklist_free(&tl);
    free(idbuf);
    return 0;
}

void encoded_free(encoded *e)
{
    free(e->len);
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

int trim_batch(const int32_t *ids, int B, int T, int32_t *out)
{
    int lo = T, hi = -1;
    for (int b = 0; b < B; b++) {
        const int32_t *r = ids + (size_t)b * T;
        int f = 0, l = T - 1;
        while (f < T && r[f] == 0) f++;
        if (f == T) continue;            /* an all-padding row */
        while (r[l] == 0) l--;
        if (f < lo) lo = f;
        if (l > hi) hi = l;
    }
    if (hi < 0) { lo = T - 1; hi = T - 1; }
    int Tb = hi - lo + 1;
    for (int b = 0; b < B; b++) memcpy(out + (size_t)b * Tb, ids + (size_t)b * T + lo, sizeof(int32_t) * Tb);
    return Tb;
}

/* ---- data-parallel workers: the batch is split into contiguous slices ---- */

typedef struct job {
    net *n;               /* the main net or a shadow sharing its weights */
    net_ws *ws;
    const int32_t *ids;   /* [B,T] */
    const int32_t *y;     /* [B] or NULL for forward only */
    int B, T;
    double scale;         /* B / batch */
    double loss;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    if (j->B == 0) return NULL;
    if (j->y) j->loss = net_forward_backward(j->n, j->ws, j->B, j->T, j->ids, j->y, j->scale);
    else net_forward(j->n, j->ws, j->B, j->T, j->ids);
    return NULL;
}

/* jobs[0] runs on the calling thread, the others on their own threads. */
static void run_jobs(job *jobs, int nj)
{
    pthread_t th[64];
    int started[64] = {0};
    for (int k = 1; k < nj; k++)
        started[k] = jobs[k].B > 0 && pthread_create(&th[k], NULL, run_job, &jobs[k]) == 0;
    run_job(&jobs[0]);
    for (int k = 1; k < nj; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        else run_job(&jobs[k]);   /* could not start a thread: do it here */
    }
}

/* Slice k of nj over B rows: [lo, hi). */
static void slice(int B, int nj, int k, int *lo, int *hi)
{
    *lo = (int)((long)B * k / nj);
    *hi = (int)((long)B * (k + 1) / nj);
}

struct fwd_pool {
    const net **nets;     /* one network, or an ensemble's members (probabilities averaged) */
    int nnets, nj, maxB;
    net_ws *ws;           /* [nnets][nj] */
    int32_t *trimmed;     /* [maxB,T] */
};

static fwd_pool *pool_new(const net **nets, int nnets, int T, int maxB, int threads)
{
    fwd_pool *p = xcalloc(1, sizeof *p);
    p->nets = xmalloc(nnets * sizeof *p->nets);
    memcpy(p->nets, nets, nnets * sizeof *p->nets);
    p->nnets = nnets;
    p->nj = threads < 1 ? 1 : threads > 64 ? 64 : threads;
    if (p->nj > maxB) p->nj = maxB;
    p->maxB = maxB;
    p->ws = xcalloc((size_t)nnets * p->nj, sizeof *p->ws);
    int per = (maxB + p->nj - 1) / p->nj, masked = 0;
    for (int i = 0; i < nnets; i++) {
        for (int k = 0; k < p->nj; k++) net_ws_alloc(&p->ws[i * p->nj + k], &nets[i]->cfg, T, per);
        masked |= nets[i]->cfg.mask;
    }
    if (p->nj > 1) blas_set_threads(1);   /* our threads or BLAS threads, never both */
    if (masked) p->trimmed = xmalloc((size_t)maxB * T * sizeof *p->trimmed);
    return p;
}

fwd_pool *fwd_pool_new(const net *n, int T, int maxB, int threads)
{
    return pool_new(&n, 1, T, maxB, threads);
}

fwd_pool *fwd_pool_new_model(const model *m, int T, int maxB, int threads)
{
    const net *nets[1001];
    int nn = model_nets(m) > 1001 ? 1001 : model_nets(m);
    for (int i = 0; i < nn; i++) nets[i] = model_net(m, i);
    return pool_new(nets, nn, T, maxB, threads);
}

void fwd_pool_run(fwd_pool *p, int B, int T, const int32_t *ids, float *probs)
{
    job jobs[64];
    int K = p->nets[0]->cfg.n_out, Tt = T;
    const int32_t *tids = ids;
    if (p->trimmed) {   /* masked: all-padding columns change nothing, skip them */
        Tt = trim_batch(ids, B, T, p->trimmed);
        tids = p->trimmed;
    }
    for (int i = 0; i < p->nnets; i++) {
        const net *n = p->nets[i];
        int Tn = n->cfg.mask ? Tt : T;
        const int32_t *in = n->cfg.mask ? tids : ids;
        net_ws *ws = p->ws + (size_t)i * p->nj;
        for (int k = 0; k < p->nj; k++) {
            int lo, hi;
            slice(B, p->nj, k, &lo, &hi);
            jobs[k] = (job){ (net *)n, &ws[k], in + (size_t)lo * Tn, NULL, hi - lo, Tn, 1.0, 0 };
        }
        run_jobs(jobs, p->nj);
        for (int k = 0; k < p->nj; k++) {
            int lo, hi;
            slice(B, p->nj, k, &lo, &hi);
            float *dst = probs + (size_t)lo * K;
            size_t cnt = (size_t)(hi - lo) * K;
            if (i == 0) memcpy(dst, ws[k].probs, sizeof(float) * cnt);
            else for (size_t j = 0; j < cnt; j++) dst[j] += ws[k].probs[j];
        }
    }
    if (p->nnets > 1) {   /* the ensemble's prediction: the members' mean probability */
        float inv = 1.0f / (float)p->nnets;
        for (size_t j = 0; j < (size_t)B * K; j++) probs[j] *= inv;
    }
}

void fwd_pool_free(fwd_pool *p)
{
    if (!p) return;
    for (int k = 0; k < p->nnets * p->nj; k++) net_ws_free(&p->ws[k]);
    free(p->ws);
    free(p->nets);
    free(p->trimmed);
    free(p);
}

static int argmax_row(const float *probs, int K, int b)
{
    if (K == 1) return probs[b] >= 0.5f;
    const float *p = probs + (size_t)b * K;
    int best = 0;
    for (int k = 1; k < K; k++) if (p[k] > p[best]) best = k;
    return best;
}

static double row_loss(const float *probs, int K, int b, int y)
{
    const double eps = 1e-12;
    double p = K == 1 ? (y ? probs[b] : 1.0 - probs[b]) : probs[(size_t)b * K + y];
    return -log(p > eps ? p : eps);
}

void evaluate(const model *m, const encoded *e, int batch, int threads, eval_result *r, float *probs)
{
    int K = m->net->cfg.n_out, classes = K == 1 ? 2 : K, T = e->T;
    memset(r, 0, sizeof *r);
    r->K = classes;
    r->n = e->n;
    r->confusion = xcalloc((size_t)classes * classes, sizeof *r->confusion);
    fwd_pool *pool = fwd_pool_new_model(m, T, batch, threads);
    float *pb = xmalloc((size_t)batch * K * sizeof *pb);
    double loss = 0;
    size_t correct = 0;
    for (size_t s = 0; s < e->n; s += batch) {
        int B = (int)(e->n - s < (size_t)batch ? e->n - s : (size_t)batch);
        fwd_pool_run(pool, B, T, e->ids + s * T, pb);
        if (e->y) {
            for (int b = 0; b < B; b++) {
                int pred = argmax_row(pb, K, b), truth = e->y[s + b];
                loss += row_loss(pb, K, b, truth);
                correct += pred == truth;
                r->confusion[(size_t)truth * classes + pred]++;
            }
        }
        if (probs) memcpy(probs + s * K, pb, sizeof(float) * B * K);
    }
    free(pb);
    fwd_pool_free(pool);
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

volatile int train_stop_signal = 0;

static void progress(int epoch, int epochs, size_t done, size_t total, double loss, double acc, double t0)
{
    double el = now() - t0, rate = el > 0 ? done / el : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    fprintf(stderr, "\repoch %d/%d [%zu/%zu] loss %.4f acc %.4f %.0f samples/s ETA %.0fs   ",
            epoch, epochs, done, total, loss, acc, rate, eta);
}

/* ---- resume state <-> JSON ---- */

static void state_to_json(const train_state *st, cJSON *ti)
{
    cJSON_DeleteItemFromObject(ti, "state");
    cJSON *j = cJSON_AddObjectToObject(ti, "state");
    char buf[40];
    cJSON_AddNumberToObject(j, "epoch", st->epoch);
    cJSON_AddNumberToObject(j, "pos", (double)st->pos);
    cJSON *r = cJSON_AddArrayToObject(j, "rng");
    for (int i = 0; i < 4; i++) {   /* 64-bit values as hex: JSON numbers are doubles */
        snprintf(buf, sizeof buf, "%016llx", (unsigned long long)st->rng[i]);
        cJSON_AddItemToArray(r, cJSON_CreateString(buf));
    }
    /* doubles as C99 hex floats: cJSON prints 15 digits whenever they come
     * back within an epsilon, which is not bit-exact */
    snprintf(buf, sizeof buf, "%a", st->sum_loss);
    cJSON_AddStringToObject(j, "sum_loss", buf);
    cJSON_AddNumberToObject(j, "correct", st->correct);
    cJSON_AddNumberToObject(j, "adam_step", (double)st->adam_step);
    snprintf(buf, sizeof buf, "%a", st->best_val_loss);
    cJSON_AddStringToObject(j, "best_val_loss", buf);
    cJSON_AddNumberToObject(j, "best_epoch", st->best_epoch);
    cJSON_AddNumberToObject(j, "bad_epochs", st->bad_epochs);
}

static double jnum(const cJSON *o, const char *k, int *ok)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (cJSON_IsString(v)) {   /* exact: "%a" */
        char *end;
        double d = strtod(v->valuestring, &end);
        if (end != v->valuestring && !*end) return d;
    }
    if (!cJSON_IsNumber(v)) { *ok = 0; return 0; }
    return v->valuedouble;
}

int train_state_load(model *m, train_state *st)
{
    memset(st, 0, sizeof *st);
    const cJSON *j = m->train_info ? cJSON_GetObjectItemCaseSensitive(m->train_info, "state") : NULL;
    if (!j) return 0;
    int ok = 1;
    st->epoch = (int)jnum(j, "epoch", &ok);
    st->pos = (size_t)jnum(j, "pos", &ok);
    st->sum_loss = jnum(j, "sum_loss", &ok);
    st->correct = jnum(j, "correct", &ok);
    st->adam_step = (long)jnum(j, "adam_step", &ok);
    st->best_val_loss = jnum(j, "best_val_loss", &ok);
    st->best_epoch = (int)jnum(j, "best_epoch", &ok);
    st->bad_epochs = (int)jnum(j, "bad_epochs", &ok);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "rng");
    if (!ok || cJSON_GetArraySize(r) != 4 || st->epoch < 1) return err_set("corrupt training state in the checkpoint");
    for (int i = 0; i < 4; i++) {
        const cJSON *x = cJSON_GetArrayItem(r, i);
        if (!cJSON_IsString(x)) return err_set("corrupt training state in the checkpoint");
        st->rng[i] = strtoull(x->valuestring, NULL, 16);
    }
    cJSON_DeleteItemFromObject(m->train_info, "state");   /* j is gone: not used below */
    net *n = m->net;
    if (!n->params) net_alloc_grads(n);
    for (int i = 0; i < n->nparams; i++) {
        param *p = &n->params[i];
        char name[64];
        snprintf(name, sizeof name, "adam.m.%s", p->name);
        const float *mm_ = mf_get_checked(m->file, name, DT_F32, p->n);
        snprintf(name, sizeof name, "adam.v.%s", p->name);
        const float *vv = mm_ ? mf_get_checked(m->file, name, DT_F32, p->n) : NULL;
        if (!vv) return err_prefix("checkpoint optimizer state");
        memcpy(p->m, mm_, p->n * sizeof(float));
        memcpy(p->v, vv, p->n * sizeof(float));
        snprintf(name, sizeof name, "ema.%s", p->name);
        if (mf_get(m->file, name)) {   /* the run keeps a moving average (--ema) */
            const float *e = mf_get_checked(m->file, name, DT_F32, p->n);
            if (!e) return err_prefix("checkpoint optimizer state");
            if (!p->ema) p->ema = xmalloc(p->n * sizeof(float));
            memcpy(p->ema, e, p->n * sizeof(float));
        }
    }
    return 1;
}

static const int32_t *sort_len;

static int by_length(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (sort_len[x] != sort_len[y]) return sort_len[x] < sort_len[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Cut the shuffled order into batches.  Bucketing: sort chunks of 50
 * batches by length so each batch holds similar lengths, then shuffle the
 * batch order.  Deterministic given the RNG state. */
static size_t make_batches(const encoded *tr, size_t *order, int batch, int bucket, rng *r,
                           size_t *bstart, size_t *bsize)
{
    size_t nb = 0;
    if (!bucket) {
        for (size_t s = 0; s < tr->n; s += batch) {
            bstart[nb] = s;
            bsize[nb++] = tr->n - s < (size_t)batch ? tr->n - s : (size_t)batch;
        }
        return nb;
    }
    size_t chunk = (size_t)batch * 50;
    sort_len = tr->len;
    for (size_t c = 0; c < tr->n; c += chunk) {
        size_t len = tr->n - c < chunk ? tr->n - c : chunk;
        qsort(order + c, len, sizeof *order, by_length);
        for (size_t s = c; s < c + len; s += batch) {
            bstart[nb] = s;
            bsize[nb++] = c + len - s < (size_t)batch ? c + len - s : (size_t)batch;
        }
    }
    for (size_t i = nb; i > 1; i--) {
        size_t j = rng_below(r, i), t;
        t = bstart[i - 1]; bstart[i - 1] = bstart[j]; bstart[j] = t;
        t = bsize[i - 1]; bsize[i - 1] = bsize[j]; bsize[j] = t;
    }
    return nb;
}

/* Write the model with optimizer state and position to o->out. */
static int checkpoint(model *m, const train_state *st, const train_opts *o)
{
    if (!o->out) return 0;
    if (!m->train_info) m->train_info = cJSON_CreateObject();
    state_to_json(st, m->train_info);
    m->save_optimizer = 1;
    int rc = model_save(m, o->out);
    m->save_optimizer = 0;
    cJSON_DeleteItemFromObject(m->train_info, "state");
    return rc;
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

/* ema = momentum * ema + (1 - momentum) * w, for every weight. */
static void ema_update(net *n, double momentum)
{
    const float a = (float)(1.0 - momentum);
    for (int i = 0; i < n->nparams; i++) {
        float *restrict e = n->params[i].ema;
        const float *restrict w = n->params[i].w;
        for (size_t k = 0; k < n->params[i].n; k++) e[k] += a * (w[k] - e[k]);
    }
}

/* Copies of the trainable weights (best epoch for early stopping). */
static float **snapshot(const net *n, float **snap)
{
    if (!snap) snap = xcalloc(n->nparams, sizeof *snap);
    for (int i = 0; i < n->nparams; i++) {
        if (!snap[i]) snap[i] = xmalloc(n->params[i].n * sizeof(float));
        memcpy(snap[i], n->params[i].w, n->params[i].n * sizeof(float));
    }
    return snap;
}

/* Put the averaged weights in place (after saving the current ones to *keep
 * when keep is not NULL). */
static void ema_swap_in(net *n, float ***keep)
{
    if (keep) *keep = snapshot(n, *keep);
    for (int i = 0; i < n->nparams; i++) memcpy(n->params[i].w, n->params[i].ema, n->params[i].n * sizeof(float));
}

static void free_snapshot(const net *n, float **snap)
{
    if (!snap) return;
    for (int i = 0; i < n->nparams; i++) free(snap[i]);
    free(snap);
}

static void restore(net *n, float **snap)
{
    for (int i = 0; i < n->nparams; i++) memcpy(n->params[i].w, snap[i], n->params[i].n * sizeof(float));
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
    /* worker 0 is n itself; the others train shadows and their gradients are
     * summed into n's in a fixed order (same thread count, same bits) */
    int nj = o->threads < 1 ? 1 : o->threads > 64 ? 64 : o->threads;
    if (nj > batchmax) nj = batchmax;
    if (nj > 1) blas_set_threads(1);
    net **nets = xcalloc(nj, sizeof *nets);
    net_ws *ws = xcalloc(nj, sizeof *ws);
    nets[0] = n;
    for (int k = 0; k < nj; k++) {
        if (k) nets[k] = net_shadow(n);
        net_ws_alloc(&ws[k], &n->cfg, T, (batchmax + nj - 1) / nj);
    }
    size_t *order = xmalloc((tr->n + 1) * sizeof *order);
    size_t *bstart = xmalloc((tr->n / batchmax + 2) * sizeof *bstart);
    size_t *bsize = xmalloc((tr->n / batchmax + 2) * sizeof *bsize);
    int32_t *bids = xmalloc((size_t)batchmax * T * sizeof *bids), *by = xmalloc(batchmax * sizeof *by);
    int32_t *tids = xmalloc((size_t)batchmax * T * sizeof *tids);
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
    if (o->ema > 0)   /* the average starts at the initial weights (or comes from the checkpoint) */
        for (int i = 0; i < n->nparams; i++)
            if (!n->params[i].ema) {
                n->params[i].ema = xmalloc(n->params[i].n * sizeof(float));
                memcpy(n->params[i].ema, n->params[i].w, n->params[i].n * sizeof(float));
            }
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
        for (size_t i = 0; i < tr->n; i++) order[i] = i;
        rng_shuffle(&r, order, tr->n);
        size_t nb = make_batches(tr, order, batchmax, o->bucket, &r, bstart, bsize);
        size_t s = 0;
        for (size_t bi = 0; bi < nb; s += bsize[bi], bi++) {
            if (s < st.pos) continue;   /* resumed: this batch was done before the interruption */
            int B = (int)bsize[bi];
            const size_t *rows = order + bstart[bi];
            for (int b = 0; b < B; b++) {
                memcpy(bids + (size_t)b * T, tr->ids + rows[b] * T, sizeof(int32_t) * T);
                by[b] = tr->y[rows[b]];
            }
            if (o->word_dropout > 0) {   /* a function of seed and step: resuming is exact */
                rng wr;
                rng_seed(&wr, o->seed * 0x9E3779B97F4A7C15ULL + (uint64_t)opt.step + 0x3d);
                for (size_t k = 0; k < (size_t)B * T; k++)
                    if (bids[k] > 1 && rng_uniform(&wr) < o->word_dropout) bids[k] = 1;
            }
            int Tb = T;
            if (o->bucket || n->cfg.mask) {   /* drop columns that are padding in every row */
                Tb = trim_batch(bids, B, T, tids);
                memcpy(bids, tids, sizeof(int32_t) * (size_t)B * Tb);
            }
            job jobs[64];
            for (int k = 0; k < nj; k++) {
                int lo, hi;
                slice(B, nj, k, &lo, &hi);
                net_zero_grads(nets[k]);
                ws[k].training = 1;
                ws[k].drop_seed = o->seed * 0x2545F4914F6CDD1DULL + (uint64_t)opt.step;
                ws[k].row0 = lo;
                ws[k].class_w = o->class_w;
                jobs[k] = (job){ nets[k], &ws[k], bids + (size_t)lo * Tb, by + lo, hi - lo, Tb,
                                 (double)(hi - lo) / B, 0 };
            }
            run_jobs(jobs, nj);
            double loss = 0;
            for (int k = 0; k < nj; k++) {
                loss += jobs[k].loss * jobs[k].B / B;
                if (k) net_add_grads(n, nets[k]);
            }
            double gn = grad_norm(n);
            if (!isfinite(loss) || !isfinite(gn)) {
                /* the weights are still those of the last good step: keep them */
                if (tty) fputc('\n', stderr);
                train_state keep = st;
                memcpy(keep.rng, st.rng, sizeof keep.rng);
                if (checkpoint(m, &keep, o) < 0) { rc = -1; goto out; }
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
            for (int k = 0; k < nj; k++)
                for (int b = 0; b < jobs[k].B; b++) st.correct += net_argmax(n, &ws[k], b) == jobs[k].y[b];
            st.pos = s + B;
            st.adam_step = opt.step;
            if (tty) progress(ep, o->epochs, st.pos, tr->n, st.sum_loss / st.pos, st.correct / st.pos, t0);
            if (train_stop_signal && st.pos < tr->n) {
                if (tty) fputc('\n', stderr);
                if (checkpoint(m, &st, o) < 0) { rc = -1; goto out; }
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
                    best = snapshot(n, best);
                } else if (++st.bad_epochs >= o->early_stop) {
                    stop = 1;
                }
            }
            eval_result_free(&er);
            if (o->ema > 0) restore(n, cur);
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
            if (checkpoint(m, &next, o) < 0) { rc = -1; goto out; }
        }
        if (train_stop_signal) {   /* signal arrived in the last batch of an epoch */
            train_state next = st;
            next.epoch = ep + 1;
            memcpy(next.rng, r.s, sizeof next.rng);
            if (ep < o->epochs) {
                if (checkpoint(m, &next, o) < 0) { rc = -1; goto out; }
                if (!o->quiet)
                    fprintf(stderr, "train: interrupted after epoch %d; checkpoint written to %s "
                            "(continue with --resume %s)\n", ep, o->out, o->out);
                rc = TRAIN_INTERRUPTED;
                goto out;
            }
        }
    }
    if (best && o->early_stop) {   /* restore the best-on-validation weights */
        restore(n, best);
        cJSON_AddNumberToObject(m->train_info, "best_epoch", st.best_epoch);
    } else if (o->ema > 0) {
        ema_swap_in(n, NULL);          /* the model keeps the averaged weights */
    }
out:
    free_snapshot(n, best);
    free_snapshot(n, cur);
    if (log) fclose(log);
    free(order); free(bids); free(by); free(tids); free(bstart); free(bsize);
    for (int k = 0; k < nj; k++) {
        net_ws_free(&ws[k]);
        if (k) net_free(nets[k]);
    }
    free(ws);
    free(nets);
    return rc;
}
