/* checkpoint.c - training state and options <-> the model's "training" JSON (see checkpoint.h). */
#include "model/checkpoint.h"
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- options ---- */

void train_opts_init(train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->epochs = 5;
    o->batch = 32;
    o->shards = TRAIN_DEFAULT_SHARDS;
    o->lr = 0.001;
    o->seed = 1;
    o->optim = OPTIM_ADAM;
}

void train_opts_resolve(train_opts *o, int lr_given, int weight_decay_given, int momentum_given)
{
    if (o->optim == OPTIM_SGD && !lr_given) o->lr = 0.01;
    if (!weight_decay_given) o->weight_decay = o->optim == OPTIM_ADAMW ? 0.01 : 0;
    if (!momentum_given) o->momentum = o->optim == OPTIM_SGD ? 0.9 : 0;
}

void train_opts_to_json(const train_opts *o, cJSON *ti, const char *data, size_t rows, int pretrained)
{
    cJSON_AddStringToObject(ti, "data", data);
    cJSON_AddNumberToObject(ti, "rows", (double)rows);
    cJSON_AddNumberToObject(ti, "epochs", o->epochs);
    cJSON_AddNumberToObject(ti, "batch", o->batch);
    cJSON_AddNumberToObject(ti, "shards", o->shards);
    cJSON_AddNumberToObject(ti, "lr", o->lr);
    cJSON_AddStringToObject(ti, "optimizer", optim_name(o->optim));
    if (o->optim == OPTIM_ADAMW) cJSON_AddNumberToObject(ti, "weight_decay", o->weight_decay);
    if (o->optim == OPTIM_SGD) cJSON_AddNumberToObject(ti, "momentum", o->momentum);
    if (o->lr_decay > 0) cJSON_AddNumberToObject(ti, "lr_decay", o->lr_decay);
    if (o->class_weight) cJSON_AddStringToObject(ti, "class_weight", "auto");
    if (o->bucket) cJSON_AddBoolToObject(ti, "bucket", 1);
    cJSON_AddNumberToObject(ti, "seed", (double)o->seed);
    if (o->clip_norm > 0) cJSON_AddNumberToObject(ti, "clip_norm", o->clip_norm);
    if (o->ema > 0) cJSON_AddNumberToObject(ti, "ema", o->ema);
    if (o->word_dropout > 0) cJSON_AddNumberToObject(ti, "word_dropout", o->word_dropout);
    if (o->adversarial > 0) cJSON_AddNumberToObject(ti, "adversarial", o->adversarial);
    if (o->val_split > 0) cJSON_AddNumberToObject(ti, "val_split", o->val_split);
    if (o->early_stop > 0) cJSON_AddNumberToObject(ti, "early_stop", o->early_stop);
    if (o->monitor_accuracy) cJSON_AddStringToObject(ti, "monitor", "accuracy");
    if (o->temperature > 0) cJSON_AddNumberToObject(ti, "temperature", o->temperature);
    if (o->discriminative > 0) cJSON_AddNumberToObject(ti, "discriminative", o->discriminative);
    if (o->gradual_unfreeze) cJSON_AddBoolToObject(ti, "gradual_unfreeze", 1);
    if (o->slanted) cJSON_AddBoolToObject(ti, "slanted", 1);
    cJSON_AddBoolToObject(ti, "pretrained", pretrained);
}

/* *v = ti[key] when that is a number. */
static int get_num(const cJSON *ti, const char *key, double *v)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(ti, key);
    if (!cJSON_IsNumber(x)) return 0;
    *v = x->valuedouble;
    return 1;
}

void train_opts_from_json(train_opts *o, const cJSON *ti, int keep_epochs)
{
    if (!ti) return;
    double v;
    if (!keep_epochs && get_num(ti, "epochs", &v)) o->epochs = (int)v;
    if (get_num(ti, "batch", &v)) o->batch = (int)v;
    if (get_num(ti, "shards", &v) && v >= 1) o->shards = (int)v;   /* older files: the default */
    get_num(ti, "lr", &o->lr);
    if (get_num(ti, "seed", &v)) o->seed = (uint64_t)v;
    const cJSON *opt = cJSON_GetObjectItemCaseSensitive(ti, "optimizer");
    if (cJSON_IsString(opt) && optim_parse(opt->valuestring) >= 0) o->optim = (optim_kind)optim_parse(opt->valuestring);
    get_num(ti, "weight_decay", &o->weight_decay);
    get_num(ti, "momentum", &o->momentum);
    get_num(ti, "lr_decay", &o->lr_decay);
    get_num(ti, "clip_norm", &o->clip_norm);
    get_num(ti, "ema", &o->ema);
    get_num(ti, "word_dropout", &o->word_dropout);
    get_num(ti, "adversarial", &o->adversarial);
    get_num(ti, "val_split", &o->val_split);
    if (get_num(ti, "early_stop", &v)) o->early_stop = (int)v;
    const cJSON *mon = cJSON_GetObjectItemCaseSensitive(ti, "monitor");
    if (cJSON_IsString(mon) && !strcmp(mon->valuestring, "accuracy")) o->monitor_accuracy = 1;
    get_num(ti, "temperature", &o->temperature);
    get_num(ti, "discriminative", &o->discriminative);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ti, "gradual_unfreeze"))) o->gradual_unfreeze = 1;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ti, "slanted"))) o->slanted = 1;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ti, "bucket"))) o->bucket = 1;
    if (cJSON_GetObjectItemCaseSensitive(ti, "class_weight")) o->class_weight = 1;
}

/* ---- position ---- */

/* Epoch `epoch` from its start; the shuffle RNG seeded with rng_seed_value. */
static void state_start(train_state *st, int epoch, uint64_t rng_seed_value)
{
    memset(st, 0, sizeof *st);
    st->epoch = epoch;
    st->best_val_loss = 1e300;   /* JSON has no infinity */
    rng r;
    rng_seed(&r, rng_seed_value);
    memcpy(st->rng, r.s, sizeof st->rng);
}

void train_state_fresh(train_state *st, uint64_t seed)
{
    state_start(st, 1, seed ^ 0x5eed5eedULL);
}

void train_state_continue(train_state *st, uint64_t seed, int epochs_done)
{
    state_start(st, epochs_done + 1, seed ^ 0x5eed5eedULL ^ (uint64_t)(epochs_done + 1));
}

void train_state_to_json(const train_state *st, cJSON *ti)
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
    if (st->wrong > 0) cJSON_AddNumberToObject(j, "wrong", st->wrong);   /* multi-label runs only */
    cJSON_AddNumberToObject(j, "adam_step", (double)st->adam_step);
    snprintf(buf, sizeof buf, "%a", st->best_val_loss);
    cJSON_AddStringToObject(j, "best_val_loss", buf);
    if (st->best_val_score != 0) {   /* only runs monitoring accuracy set it */
        snprintf(buf, sizeof buf, "%a", st->best_val_score);
        cJSON_AddStringToObject(j, "best_val_score", buf);
    }
    cJSON_AddNumberToObject(j, "best_epoch", st->best_epoch);
    cJSON_AddNumberToObject(j, "bad_epochs", st->bad_epochs);
}

/* A number written as a number or, exactly, as a "%a" string. */
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

/* The moments (and moving average) of every parameter from the file. */
static int load_moments(model *m)
{
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
    return 0;
}

/* The best epoch's weights (early stopping), when the checkpoint has them. */
static int load_best(model *m, train_state *st)
{
    const net *n = m->net;
    char name[64];
    snprintf(name, sizeof name, "best.%s", n->params[0].name);
    if (!mf_get(m->file, name)) return 0;
    st->best = xcalloc((size_t)n->nparams, sizeof *st->best);
    for (int i = 0; i < n->nparams; i++) {
        const param *p = &n->params[i];
        snprintf(name, sizeof name, "best.%s", p->name);
        const float *b = mf_get_checked(m->file, name, DT_F32, p->n);
        if (!b) return err_prefix("checkpoint: the best epoch's weights");
        st->best[i] = xmalloc(p->n * sizeof(float));
        memcpy(st->best[i], b, p->n * sizeof(float));
    }
    return 0;
}

void train_state_free(const net *n, train_state *st)
{
    for (int i = 0; st->best && i < n->nparams; i++) free(st->best[i]);
    free(st->best);
    st->best = NULL;
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
    int has_wrong = 1;
    st->wrong = jnum(j, "wrong", &has_wrong);   /* absent: 0 */
    st->adam_step = (long)jnum(j, "adam_step", &ok);
    st->best_val_loss = jnum(j, "best_val_loss", &ok);
    int has_score = 1;
    st->best_val_score = jnum(j, "best_val_score", &has_score);   /* absent: 0 */
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
    if (load_moments(m) < 0 || load_best(m, st) < 0) {
        train_state_free(m->net, st);
        return -1;
    }
    return 1;
}

/* The optimizer state beside the weights: Adam moments (velocity for SGD)
 * and --ema's averages, under the parameter's own name. */
static void put_moments(const net *n, mfile *f)
{
    for (int i = 0; n->params && i < n->nparams; i++) {
        const param *p = &n->params[i];
        char name[64];
        int64_t sz = (int64_t)p->n;
        snprintf(name, sizeof name, "adam.m.%s", p->name);
        mf_put(f, name, DT_F32, 1, &sz, p->m, 0);
        snprintf(name, sizeof name, "adam.v.%s", p->name);
        mf_put(f, name, DT_F32, 1, &sz, p->v, 0);
        if (p->ema) {
            snprintf(name, sizeof name, "ema.%s", p->name);
            mf_put(f, name, DT_F32, 1, &sz, p->ema, 0);
        }
    }
}

int checkpoint_save(model *m, const train_state *st, float *const *best, const char *path)
{
    if (!m->train_info) m->train_info = cJSON_CreateObject();
    train_state_to_json(st, m->train_info);
    mfile *f = model_to_mfile(m, 0);   /* checkpoints stay exact: never f16 */
    put_moments(m->net, f);
    for (int i = 0; best && i < m->net->nparams; i++) {
        const param *p = &m->net->params[i];
        char name[64];
        int64_t sz = (int64_t)p->n;
        snprintf(name, sizeof name, "best.%s", p->name);
        mf_put(f, name, DT_F32, 1, &sz, best[i], 0);
    }
    int rc = mf_write(f, path);
    mf_free(f);
    cJSON_DeleteItemFromObject(m->train_info, "state");
    return rc;
}
