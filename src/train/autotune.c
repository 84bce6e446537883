/* autotune.c - hyper-parameter search under a time budget (see autotune.h).
 *
 * A candidate is a rung on each setting's ladder (space): the ordinal
 * settings (hidden, dropout, lr, epochs, the bag's buckets: 0 = no bag) on
 * ladders that include the run's own value, the categorical ones (cell,
 * bidirectional, pool) as lists.
 * Trials share the encoded rows and the model's vocabulary, labels and
 * initial embedding; each builds its own network in a shallow copy of the
 * model (setup_network then leaves the original's embedding alone), and
 * frees it unless it is the best so far.
 */
#include "train/autotune.h"
#include "base/err.h"
#include "base/fileio.h"
#include "model/netfile.h"
#include "train/setup.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NSET = 8, MAX_RUNGS = 24, MAX_DRAWS = 200 };
enum { S_CELL, S_BIDIR, S_HIDDEN, S_DROPOUT, S_LR, S_EPOCHS, S_POOL, S_BAG };   /* AT_* bit order */

static const char *const set_names[NSET] = { "cell", "bidirectional", "hidden", "dropout", "lr", "epochs", "pool", "bag" };

const char *autotune_name(int bit_index) { return bit_index >= 0 && bit_index < NSET ? set_names[bit_index] : "?"; }

double autotune_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Each setting's values, and the rung of the run's own. */
typedef struct space {
    int n[NSET];
    double v[NSET][MAX_RUNGS];
    int own[NSET];
    int categorical[NSET];
    int bag_dim;        /* of a candidate with a bag */
} space;

/* A rung per setting. */
typedef struct cand { int r[NSET]; } cand;

/* Add x to setting s's ladder (kept sorted for ordinal settings, no
 * duplicates); its rung. */
static int ladder_add(space *sp, int s, double x)
{
    int n = sp->n[s];
    for (int i = 0; i < n; i++)
        if (fabs(sp->v[s][i] - x) <= 1e-6 * fabs(x)) return i;   /* --dropout 0.2 is the float 0.2000000030 */
    int at = n;
    if (!sp->categorical[s])
        while (at > 0 && sp->v[s][at - 1] > x) at--;
    memmove(&sp->v[s][at + 1], &sp->v[s][at], (size_t)(n - at) * sizeof(double));
    sp->v[s][at] = x;
    sp->n[s] = n + 1;
    return at;
}

/* The ladders around the run's own configuration (nc, o); bag_dim: a
 * bag's dimensions when the run has none. */
static void space_build(space *sp, const net_config *nc, const train_opts *o, int bag_dim)
{
    memset(sp, 0, sizeof *sp);
    sp->categorical[S_CELL] = sp->categorical[S_BIDIR] = sp->categorical[S_POOL] = 1;
    ladder_add(sp, S_CELL, CELL_LSTM);
    ladder_add(sp, S_CELL, CELL_GRU);
    ladder_add(sp, S_BIDIR, 0);
    ladder_add(sp, S_BIDIR, 1);
    static const int hidden[] = { 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512 };
    for (size_t i = 0; i < sizeof hidden / sizeof *hidden; i++) ladder_add(sp, S_HIDDEN, hidden[i]);
    for (int i = 0; i <= 5; i++) ladder_add(sp, S_DROPOUT, i / 10.0);
    /* learning rates 1, 2, 3, 5 x 10^k within a factor of 16 of the run's */
    static const double mant[] = { 1, 2, 3, 5 };
    for (int k = -6; k <= 1; k++)
        for (int j = 0; j < 4; j++) {
            double x = mant[j] * pow(10, k);
            if (x >= o->lr / 16 && x <= o->lr * 16) ladder_add(sp, S_LR, x);
        }
    static const int epochs[] = { 2, 3, 5, 8, 12, 20, 30 };
    for (size_t i = 0; i < sizeof epochs / sizeof *epochs; i++) ladder_add(sp, S_EPOCHS, epochs[i]);
    ladder_add(sp, S_POOL, POOL_LAST);
    ladder_add(sp, S_POOL, POOL_MAX);
    ladder_add(sp, S_POOL, POOL_MEAN);
    ladder_add(sp, S_POOL, POOL_ATTN);
    /* the bag's buckets: none, or 2^10 .. 2^17 by factors of 4 (and 2^17, train's largest default) */
    ladder_add(sp, S_BAG, 0);
    for (int b = 1 << 10; b <= 1 << 17; b *= 4) ladder_add(sp, S_BAG, b);
    ladder_add(sp, S_BAG, 1 << 17);
    sp->bag_dim = nc->bag_dim ? nc->bag_dim : bag_dim;
    double own[NSET] = { nc->cell, nc->bidir, nc->hidden, nc->dropout, o->lr, o->epochs, nc->pool,
                         nc->bag_dim ? nc->bag_buckets : 0 };
    /* the run's own values last: adding one may shift the rungs above it */
    for (int s = 0; s < NSET; s++) ladder_add(sp, s, own[s]);
    for (int s = 0; s < NSET; s++) sp->own[s] = ladder_add(sp, s, own[s]);
}

/* Setting s's value at candidate c's rung. */
static double rung(const space *sp, const cand *c, int s) { return sp->v[s][c->r[s]]; }

static autotune_setting setting_of(const space *sp, const cand *c)
{
    autotune_setting st = {
        .cell = (cell_type)rung(sp, c, S_CELL), .bidir = (int)rung(sp, c, S_BIDIR), .hidden = (int)rung(sp, c, S_HIDDEN),
        .dropout = (float)rung(sp, c, S_DROPOUT), .lr = rung(sp, c, S_LR), .epochs = (int)rung(sp, c, S_EPOCHS),
        .pool = (int)rung(sp, c, S_POOL), .bag_buckets = (int)rung(sp, c, S_BAG),
    };
    st.bag_dim = st.bag_buckets ? sp->bag_dim : 0;
    return st;
}

static void apply(const autotune_setting *st, net_config *nc, train_opts *o)
{
    nc->cell = st->cell;
    nc->bidir = st->bidir;
    nc->hidden = st->hidden;
    nc->dropout = st->dropout;
    nc->pool = st->pool;
    nc->bag_dim = st->bag_dim;
    nc->bag_buckets = st->bag_buckets;
    o->lr = st->lr;
    o->epochs = st->epochs;
}

/* ---- the model file size of a candidate ---- */

static size_t align64(size_t x) { return (x + 63) & ~(size_t)63; }

/* Bytes of everything but the network: header, vocabulary, dictionary,
 * labels, metadata; with room for the network's and the training record's
 * metadata (which grow with the epochs: a few KB). */
static size_t base_bytes(const model *m)
{
    model b = *m;
    b.emb = NULL;   /* the embedding is counted as the network's */
    b.net = NULL;
    mfile *f = model_to_mfile(&b, 0);
    size_t bytes = 64 + 8 + 16384;
    for (size_t i = 0; i < f->n; i++) bytes += align64(f->t[i].nbytes) + 128;
    char *json = cJSON_PrintUnformatted(f->meta);
    bytes += strlen(json);
    free(json);
    mf_free(f);
    return bytes;
}

/* The network's tensors: 2 or 4 bytes a weight, each 64-aligned, and their
 * entries in the metadata. */
static size_t net_bytes(const net_config *nc, int half)
{
    net *s = net_shell(nc);
    size_t bytes = 0;
    for (int i = 0; i < s->plist.n; i++) bytes += align64(s->plist.spec[i].n * (half ? 2 : 4)) + 128;
    net_free(s);
    return bytes;
}

/* The search's state. */
typedef struct search {
    model *m;
    const encoded *tr, *val;
    const net_config *nc;
    const train_opts *o;
    const autotune_opts *ao;
    space sp;
    rng r;
    cand *tried;
    int ntried;
    size_t base;               /* base_bytes */
    double deadline;
    volatile sig_atomic_t trial_stop;   /* the running trial's stop flag */
    /* the best trial */
    net *best_net;
    cJSON *best_info;
    cand best_c;
    int best;                  /* its index, 0 = none yet */
    autotune_setting best_set;
    double best_acc, best_loss;
} search;

/* The file size of candidate st, and whether it fits max_bytes (setting
 * st->half when only 16-bit weights fit). */
static int fits(search *S, autotune_setting *st, size_t *bytes)
{
    net_config nc = *S->nc;
    apply(st, &nc, &(train_opts){ 0 });
    nc.vocab_size = (int)S->m->voc.n;
    nc.embed_dim = S->m->embed_dim;
    nc.n_out = S->m->nlabels == 2 ? 1 : S->m->nlabels;
    st->half = S->ao->half;
    *bytes = S->base + net_bytes(&nc, st->half);
    if (!S->ao->max_bytes || *bytes <= S->ao->max_bytes) return 1;
    if (st->half) return 0;
    size_t h = S->base + net_bytes(&nc, 1);
    if (h > S->ao->max_bytes) return 0;
    st->half = 1;
    *bytes = h;
    return 1;
}

static int was_tried(const search *S, const cand *c)
{
    for (int i = 0; i < S->ntried; i++)
        if (!memcmp(&S->tried[i], c, sizeof *c)) return 1;
    return 0;
}

/* One setting moved from its rung: a categorical one to another value, an
 * ordinal one up or down by 1..radius rungs (within the ladder). */
static void mutate(search *S, cand *c, int s, int radius)
{
    int n = S->sp.n[s], r = c->r[s];
    if (n < 2) return;
    if (S->sp.categorical[s]) {
        c->r[s] = (r + 1 + (int)rng_below(&S->r, (uint64_t)n - 1)) % n;
        return;
    }
    int step = 1 + (int)rng_below(&S->r, (uint64_t)radius), dir = rng_below(&S->r, 2) ? 1 : -1;
    int to = r + dir * step;
    if (to < 0 || to >= n) to = r - dir * step;   /* off the ladder's end: the other way */
    if (to < 0) to = 0;
    if (to >= n) to = n - 1;
    c->r[s] = to;
}

/* The next candidate around `from` (trial index t, 1-based, > 1): 0, or -1
 * when MAX_DRAWS draws found nothing new that fits. */
static int propose(search *S, const cand *from, int t, cand *out, autotune_setting *st, size_t *bytes)
{
    int radius = t <= 4 ? 3 : t <= 10 ? 2 : 1;   /* wide steps first, then closer around the best */
    int free_set[NSET], nfree = 0;
    for (int s = 0; s < NSET; s++)
        if (!(S->ao->fixed & (1u << s)) && S->sp.n[s] > 1) free_set[nfree++] = s;
    if (!nfree) return -1;
    for (int draw = 0; draw < MAX_DRAWS; draw++) {
        cand c = *from;
        int changed = 0;
        for (int i = 0; i < nfree; i++)
            if (rng_below(&S->r, 2)) {
                mutate(S, &c, free_set[i], radius);
                changed = 1;
            }
        if (!changed) mutate(S, &c, free_set[rng_below(&S->r, (uint64_t)nfree)], radius);
        if (was_tried(S, &c)) continue;
        *st = setting_of(&S->sp, &c);
        if (!fits(S, st, bytes)) continue;
        *out = c;
        return 0;
    }
    return -1;
}

/* The run's own configuration made to fit max_bytes: a smaller bag down
 * to none, fewer hidden units, then one direction (each unless fixed).  0,
 * or -1 when even that is too big. */
static int shrink(search *S, cand *c, autotune_setting *st, size_t *bytes)
{
    for (;;) {
        *st = setting_of(&S->sp, c);
        if (fits(S, st, bytes)) return 0;
        if (!(S->ao->fixed & AT_BAG) && c->r[S_BAG] > 0) c->r[S_BAG]--;
        else if (!(S->ao->fixed & AT_HIDDEN) && c->r[S_HIDDEN] > 0) c->r[S_HIDDEN]--;
        else if (!(S->ao->fixed & AT_BIDIR) && st->bidir) c->r[S_BIDIR] = (int)(S->sp.v[S_BIDIR][0] == 0 ? 0 : 1);
        else return -1;
    }
}

/* The training loop's report: the deadline and an outside stop request
 * become the trial's stop flag (checked after every batch). */
static void on_event(const train_event *ev, void *ctx)
{
    (void)ev;
    search *S = ctx;
    if ((S->ao->stop && *S->ao->stop) || autotune_clock() >= S->deadline) S->trial_stop = 1;
}

/* Round every weight to what a 16-bit file holds. */
static void round_half(net *n)
{
    for (int i = 0; i < n->plist.n; i++) {
        float *w = *n->plist.spec[i].w;
        for (size_t k = 0; k < n->plist.spec[i].n; k++) w[k] = f16_to_f32(f32_to_f16(w[k]));
    }
}

/* The validation figures of the epoch a run kept (train_info's history). */
static int kept_scores(const cJSON *ti, int *epoch, double *acc, double *loss)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(ti, "history");
    int n = cJSON_GetArraySize(h);
    const cJSON *be = cJSON_GetObjectItemCaseSensitive(ti, "best_epoch");
    int e = cJSON_IsNumber(be) ? be->valueint : n;
    const cJSON *entry = e >= 1 && e <= n ? cJSON_GetArrayItem(h, e - 1) : NULL;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(entry, "val_accuracy");
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(entry, "val_loss");
    if (!cJSON_IsNumber(a) || !cJSON_IsNumber(l)) return 0;
    *epoch = e;
    *acc = a->valuedouble;
    *loss = l->valuedouble;
    return 1;
}

/* Train and score candidate c (its setting st) as trial t; keep it when it
 * is the best so far. */
static void run_trial(search *S, const cand *c, const autotune_setting *st, int t, autotune_trial *tr)
{
    memset(tr, 0, sizeof *tr);
    tr->index = t;
    tr->set = *st;
    double t0 = autotune_clock();
    model tm = *S->m;   /* shallow: vocabulary, labels, sequence, initial embedding */
    tm.net = NULL;
    tm.train_info = NULL;
    tm.emb_owned = 0;
    net_config nc = *S->nc;
    train_opts o = *S->o;
    apply(st, &nc, &o);
    o.early_stop = S->ao->patience;
    o.val_split = 0;
    o.out = NULL;   /* no checkpoints */
    o.log_path = NULL;
    o.save_every = 0;
    o.quiet = 0;    /* the report carries the deadline */
    o.report = on_event;
    o.report_ctx = S;
    S->trial_stop = 0;
    o.stop = &S->trial_stop;
    int rc = setup_network(&tm, &nc, &o);
    if (rc == 0) {
        train_opts_to_json(&o, tm.train_info = cJSON_CreateObject(), S->ao->data, S->ao->rows, S->ao->pretrained);
        rc = train_run(&tm, S->tr, S->val, &o, NULL);
    }
    if (rc < 0) {
        tr->status = AT_TRIAL_FAILED;
        tr->error = err_msg();
    } else if (!kept_scores(tm.train_info, &tr->best_epoch, &tr->val_accuracy, &tr->val_loss)) {
        tr->status = AT_TRIAL_DISCARDED;
    } else {
        tr->status = rc == TRAIN_INTERRUPTED ? AT_TRIAL_CUT : AT_TRIAL_DONE;
        if (st->half) {   /* score what the file will hold */
            round_half(tm.net);
            eval_result er;
            evaluate(&tm, S->val, 256, 1, &er, NULL);
            tr->val_accuracy = er.accuracy;
            tr->val_loss = er.loss;
            eval_result_free(&er);
        }
    }
    tr->seconds = autotune_clock() - t0;
    int better = tr->status <= AT_TRIAL_CUT &&
                 (!S->best || tr->val_accuracy > S->best_acc ||
                  (tr->val_accuracy == S->best_acc && tr->val_loss < S->best_loss));
    if (better) {
        net_free(S->best_net);
        cJSON_Delete(S->best_info);
        S->best_net = tm.net;
        S->best_info = tm.train_info;
        S->best = t;
        S->best_c = *c;
        S->best_set = *st;
        S->best_acc = tr->val_accuracy;
        S->best_loss = tr->val_loss;
        tr->is_best = 1;
    } else {
        net_free(tm.net);
        cJSON_Delete(tm.train_info);
    }
}

static void report(const search *S, const autotune_trial *t)
{
    if (S->ao->report) S->ao->report(t, S->ao->ctx);
}

/* The search's record in the best model's training object. */
static void record(const search *S, const autotune_result *res)
{
    const autotune_opts *ao = S->ao;
    static const char *const ends[] = { "deadline", "trials", "interrupted", "exhausted" };
    cJSON *a = cJSON_AddObjectToObject(S->best_info, "autotune");
    cJSON_AddStringToObject(a, "validation", ao->val_path);
    cJSON_AddNumberToObject(a, "validation_rows", (double)S->val->n);
    cJSON_AddNumberToObject(a, "duration", ao->duration);
    if (ao->max_trials) cJSON_AddNumberToObject(a, "max_trials", ao->max_trials);
    if (ao->max_bytes) cJSON_AddNumberToObject(a, "modelsize", (double)ao->max_bytes);
    cJSON_AddNumberToObject(a, "trials", res->trials);
    cJSON_AddStringToObject(a, "ended_by", ends[res->end]);
    cJSON *sr = cJSON_AddArrayToObject(a, "searched");
    for (int s = 0; s < NSET; s++)
        if (!(ao->fixed & (1u << s))) cJSON_AddItemToArray(sr, cJSON_CreateString(set_names[s]));
    cJSON_AddNumberToObject(a, "patience", ao->patience);
    cJSON_AddNumberToObject(a, "best_trial", res->best);
    const autotune_setting *st = &res->set;
    cJSON *c = cJSON_AddObjectToObject(a, "chosen");
    cJSON_AddStringToObject(c, "cell", cell_name(st->cell));
    cJSON_AddBoolToObject(c, "bidirectional", st->bidir);
    cJSON_AddNumberToObject(c, "hidden", st->hidden);
    cJSON_AddNumberToObject(c, "dropout", round(st->dropout * 1e6) / 1e6);   /* 0.3, not the float's 0.30000001 */
    cJSON_AddNumberToObject(c, "lr", st->lr);
    cJSON_AddNumberToObject(c, "epochs", st->epochs);
    cJSON_AddStringToObject(c, "pool", pool_name(st->pool));
    cJSON_AddNumberToObject(c, "bag_dim", st->bag_dim);
    cJSON_AddNumberToObject(c, "bag_buckets", st->bag_buckets);
    cJSON_AddStringToObject(c, "weights", st->half ? "f16" : "f32");
    cJSON_AddNumberToObject(a, "val_accuracy", res->val_accuracy);
    cJSON_AddNumberToObject(a, "val_loss", res->val_loss);
    if (res->have_default) cJSON_AddNumberToObject(a, "default_val_accuracy", res->default_accuracy);
}

static void search_free(search *S)
{
    free(S->tried);
    net_free(S->best_net);
    cJSON_Delete(S->best_info);
}

/* Trial 1: the run's own configuration, or when it exceeds max_bytes a
 * report of that and its shrunk form as the next candidate.  0, or -1 when
 * nothing fits. */
static int first_candidate(search *S, cand *c, autotune_setting *st, size_t *bytes, int *t, autotune_result *res)
{
    for (int s = 0; s < NSET; s++) c->r[s] = S->sp.own[s];
    *st = setting_of(&S->sp, c);
    if (fits(S, st, bytes)) return 0;
    autotune_trial tt = { .index = (*t)++, .set = *st, .status = AT_TRIAL_TOO_BIG, .bytes = *bytes,
                          .error = "exceeds the size limit" };
    res->trials++;
    report(S, &tt);
    S->tried[S->ntried++] = *c;
    if (shrink(S, c, st, bytes) == 0) return 0;
    return err_set("no candidate fits in %zu bytes: even %d hidden units%s%s take about %zu bytes (vocabulary, "
                   "embedding, naive Bayes head and metadata included); give a larger --autotune-modelsize, or a smaller "
                   "vocabulary (--max-size) or embedding (--embed-dim)", S->ao->max_bytes, st->hidden,
                   st->bidir ? " both ways" : "", st->bag_dim ? " and the bag" : "", *bytes);
}

int autotune_search(model *m, const encoded *tr, const encoded *val, const net_config *nc, const train_opts *o,
                    const autotune_opts *ao, autotune_result *res)
{
    search S;
    memset(&S, 0, sizeof S);
    memset(res, 0, sizeof *res);
    S.m = m; S.tr = tr; S.val = val; S.nc = nc; S.o = o; S.ao = ao;
    S.deadline = ao->start + ao->duration;
    space_build(&S.sp, nc, o, ao->bag_dim);
    rng_seed(&S.r, o->seed * 0x9E3779B97F4A7C15ULL + 0xa7);   /* a stream of its own */
    S.base = ao->max_bytes ? base_bytes(m) + ao->extra_bytes : 0;
    int cap = 64;
    S.tried = xmalloc(cap * sizeof *S.tried);
    cand c;
    autotune_setting st;
    size_t bytes = 0;
    int t = 1;
    if (first_candidate(&S, &c, &st, &bytes, &t, res) < 0) {
        search_free(&S);
        return -1;
    }
    int own = t == 1;   /* trial 1 is the run's own configuration */
    res->end = AT_END_TRIALS;
    for (;;) {
        if (ao->stop && *ao->stop) { res->end = AT_END_STOP; break; }
        if (autotune_clock() >= S.deadline) { res->end = AT_END_DEADLINE; break; }
        if (ao->max_trials && t > ao->max_trials) { res->end = AT_END_TRIALS; break; }
        if (S.ntried == cap) S.tried = xrealloc(S.tried, (size_t)(cap *= 2) * sizeof *S.tried);
        S.tried[S.ntried++] = c;
        autotune_trial trial;
        run_trial(&S, &c, &st, t, &trial);
        trial.bytes = bytes;
        res->trials++;
        if (t == 1 && own && trial.status <= AT_TRIAL_CUT) {
            res->have_default = 1;
            res->default_accuracy = trial.val_accuracy;
        }
        report(&S, &trial);
        err_clear();
        t++;
        if (S.trial_stop) continue;   /* the deadline or a stop request: the checks above end it */
        const cand *from = S.best ? &S.best_c : &S.tried[S.ntried - 1];
        if (propose(&S, from, t, &c, &st, &bytes) < 0) { res->end = AT_END_EXHAUSTED; break; }
    }
    if (!S.best) {
        search_free(&S);
        return err_set("no trial finished an epoch in %g s; give a longer --autotune-duration", ao->duration);
    }
    res->best = S.best;
    res->set = S.best_set;
    res->val_accuracy = S.best_acc;
    res->val_loss = S.best_loss;
    record(&S, res);
    /* the best network into m, as setup_network would have put it */
    if (m->emb_owned) ffree(m->emb);
    m->net = S.best_net;
    m->emb = m->net->emb;
    m->emb_owned = 0;
    cJSON_Delete(m->train_info);
    m->train_info = S.best_info;
    m->store = S.best_set.half ? STORE_F16 : STORE_F32;
    S.best_net = NULL;
    S.best_info = NULL;
    search_free(&S);
    return 0;
}
