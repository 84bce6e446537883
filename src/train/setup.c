/* setup.c - validation split, base surgery, resumption, labels, network (see setup.h). */
#include "train/setup.h"
#include "base/err.h"
#include "base/strmap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int split_validation(dataset *tr, dataset *va, double frac, uint64_t seed)
{
    size_t n = tr->n, nv = (size_t)(frac * n + 0.5);
    if (nv < 1) nv = 1;
    if (nv >= n) return err_set("%s: --val-split %g leaves no training rows", tr->path, frac);
    size_t *idx = xmalloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    rng r;
    rng_seed(&r, seed ^ 0x7a11da7eULL);
    rng_shuffle(&r, idx, n);
    unsigned char *is_val = xcalloc(n, 1);
    for (size_t i = 0; i < nv; i++) is_val[idx[i]] = 1;
    memset(va, 0, sizeof *va);
    va->text = xmalloc(nv * sizeof *va->text);
    va->label = xmalloc(nv * sizeof *va->label);
    va->line = xmalloc(nv * sizeof *va->line);
    va->path = xstrdup(tr->path);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {   /* keep file order in both parts */
        dataset *to = is_val[i] ? va : tr;
        size_t j = is_val[i] ? va->n++ : k++;
        to->text[j] = tr->text[i]; to->label[j] = tr->label[i]; to->line[j] = tr->line[i];
    }
    tr->n = k;
    free(idx);
    free(is_val);
    return 0;
}

void model_as_base(model *m, int keep_embedding)
{
    if (m->net) {   /* a trained model: keep tokenizer + vocabulary (+ its embedding) */
        if (keep_embedding) {
            size_t sz = m->voc.n * (size_t)m->net->cfg.embed_dim;
            m->emb = fzeros(sz);
            memcpy(m->emb, m->net->emb, sz * sizeof(float));
            m->emb_owned = 1;
        } else {
            m->emb = NULL;
        }
        /* a language model's whole encoder starts the new network */
        if (m->net->cfg.lm && keep_embedding) m->pretrained = m->net;
        else net_free(m->net);
        m->net = NULL;
        model_drop_members(m);   /* an ensemble as base: its shared parts (and first embedding) */
        for (int i = 0; i < m->nlabels; i++) free(m->labels[i]);
        free(m->labels);
        m->labels = NULL;
        m->nlabels = 0;
        m->multilabel = 0;   /* the new run's data decides */
        cJSON_Delete(m->train_info);
        m->train_info = NULL;
    }
    if (!keep_embedding) {
        if (m->emb_owned) ffree(m->emb);
        m->emb = NULL;
        m->emb_owned = 0;
    }
}

/* Read what a resumed run needs from the loaded m. */
static int resume_from(model *m, const char *path, train_opts *o, int epochs_given, train_state *st,
                       int *fresh_moments)
{
    if (!m->net) return err_set("%s: not a checkpoint of a trained model", path);
    if (m->nmembers) return err_set("%s: an ensemble cannot be trained on; train its members separately", path);
    int had_state = train_state_load(m, st);
    if (had_state < 0) return -1;
    const cJSON *ti = m->train_info;
    train_opts_from_json(o, ti, epochs_given);
    if (!had_state) {   /* a finished model: go on after its last epoch with fresh moments */
        *fresh_moments = 1;
        const cJSON *h = ti ? cJSON_GetObjectItemCaseSensitive(ti, "history") : NULL;
        train_state_continue(st, o->seed, cJSON_GetArraySize(h));
        net_alloc_grads(m->net);
    }
    if (st->epoch > o->epochs) {
        train_state_free(m->net, st);
        return err_set("%s: %d epoch%s done already (--epochs %d); give --epochs N (N > %d) to train further", path,
                       st->epoch - 1, st->epoch == 2 ? " is" : "s are", o->epochs, st->epoch - 1);
    }
    cJSON_ReplaceItemInObject(m->train_info, "epochs", cJSON_CreateNumber(o->epochs));
    return 0;
}

int train_resume_settings(const char *path, train_opts *o)
{
    model m;
    if (model_load(&m, path, 0) < 0) return -1;
    const cJSON *ti = m.train_info;
    const cJSON *vs = ti ? cJSON_GetObjectItemCaseSensitive(ti, "val_split") : NULL;
    const cJSON *es = ti ? cJSON_GetObjectItemCaseSensitive(ti, "early_stop") : NULL;
    o->val_split = cJSON_IsNumber(vs) ? vs->valuedouble : 0;
    o->early_stop = cJSON_IsNumber(es) ? es->valueint : 0;
    const cJSON *sd = ti ? cJSON_GetObjectItemCaseSensitive(ti, "seed") : NULL;
    if (cJSON_IsNumber(sd)) o->seed = (uint64_t)sd->valuedouble;   /* the split's too */
    model_free(&m);
    return 0;
}

int train_resume(model *m, const char *path, train_opts *o, int epochs_given, train_state *st,
                 int *fresh_moments)
{
    *fresh_moments = 0;
    if (model_load(m, path, MODEL_COPY) < 0) return -1;
    if (resume_from(m, path, o, epochs_given, st, fresh_moments) == 0) return 0;
    model_free(m);
    return -1;
}

static int numeric(const char *s)
{
    char *end;
    strtod(s, &end);
    return end != s && *end == '\0';
}

static int cmp_labels_num(const void *a, const void *b)
{
    double x = strtod(*(char *const *)a, NULL), y = strtod(*(char *const *)b, NULL);
    return x < y ? -1 : x > y;
}

static int cmp_labels_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Distinct labels, sorted (numerically when all are numbers). */
static void collect_labels(model *m, const dataset *d)
{
    strmap seen;
    strmap_init(&seen);
    for (size_t i = 0; i < d->n; i++) {   /* each label of a multi-label row */
        size_t len;
        for (const char *l = d->label[i]; l; ) {
            const char *next = label_next(l, &len);
            strmap_put(&seen, l, len, NULL);
            l = next;
        }
    }
    m->nlabels = (int)seen.n;
    m->labels = xcalloc(seen.n, sizeof *m->labels);
    int all_num = 1;
    for (size_t i = 0; i < seen.n; i++) {
        m->labels[i] = xstrdup(strmap_key(&seen, (int32_t)i));
        all_num &= numeric(m->labels[i]);
    }
    qsort(m->labels, seen.n, sizeof *m->labels, all_num ? cmp_labels_num : cmp_labels_str);
    strmap_free(&seen);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The 95th percentile of the texts' token counts, clamped to 1..1000. */
static int auto_maxlen(model *m, const dataset *d)
{
    tokenizer *tk = model_tokenizer(m);
    size_t *len = xmalloc((d->n + 1) * sizeof *len);
    toklist tl = {0};
    for (size_t i = 0; i < d->n; i++) {
        toklist_clear(&tl);
        tokenize(tk, d->text[i], strlen(d->text[i]), &tl);
        len[i] = tl.n;
    }
    toklist_free(&tl);
    qsort(len, d->n, sizeof *len, cmp_size);
    size_t p95 = d->n ? len[(size_t)(0.95 * (d->n - 1))] : 1;
    free(len);
    if (p95 < 1) p95 = 1;
    if (p95 > 1000) p95 = 1000;
    return (int)p95;
}

int setup_labels_and_sequence(model *m, const dataset *tr, const dataset *texts, int maxlen, int pad_pre,
                              int trunc_pre)
{
    if (!m->nlabels) collect_labels(m, tr);   /* else given (distill: the teacher's) */
    if (m->nlabels < 2)
        return err_set("%s: only one label ('%s') in the training data; need at least two", tr->path, m->labels[0]);
    m->maxlen = maxlen ? maxlen : auto_maxlen(m, texts ? texts : tr);
    m->pad_pre = pad_pre;
    m->trunc_pre = trunc_pre;
    return 0;
}

void label_stats_of(const dataset *d, label_stats *ls)
{
    strmap seen;
    strmap_init(&seen);
    memset(ls, 0, sizeof *ls);
    size_t cap = 0;
    for (size_t i = 0; i < d->n; i++)
        for (const char *l = d->label[i], *next; l; l = next) {   /* each label of a multi-label row */
            size_t len;
            next = label_next(l, &len);
            int32_t k = strmap_get(&seen, l, len);
            if (k < 0) {
                k = strmap_put(&seen, l, len, NULL);
                if (ls->n == cap) {
                    cap = cap ? 2 * cap : 16;
                    ls->label = xrealloc(ls->label, cap * sizeof *ls->label);
                    ls->count = xrealloc(ls->count, cap * sizeof *ls->count);
                    ls->first_line = xrealloc(ls->first_line, cap * sizeof *ls->first_line);
                }
                ls->label[ls->n] = xstrndup(l, len);
                ls->count[ls->n] = 0;
                ls->first_line[ls->n] = d->line[i];
                ls->n++;
            }
            ls->count[k]++;
        }
    strmap_free(&seen);
}

void label_stats_free(label_stats *ls)
{
    for (size_t i = 0; i < ls->n; i++) free(ls->label[i]);
    free(ls->label);
    free(ls->count);
    free(ls->first_line);
    memset(ls, 0, sizeof *ls);
}

int check_labels(const dataset *d, const label_stats *ls)
{
    if (ls->n < 2) return 0;
    size_t *c = xmalloc(ls->n * sizeof *c), max = 0, imax = 0;
    for (size_t i = 0; i < ls->n; i++) {
        c[i] = ls->count[i];
        if (c[i] > max) { max = c[i]; imax = i; }
    }
    qsort(c, ls->n, sizeof *c, cmp_size);
    size_t median = c[ls->n / 2];
    free(c);
    for (size_t i = 0; i < ls->n; i++) {
        size_t n = ls->count[i];
        if (max < 100 || !(n == 1 || 100 * n < median)) continue;
        long line = ls->first_line[i];
        if (line == 1 || (i == 0 && n == 1))
            return err_set("%s:%ld: label '%s' is seen %zu time%s while '%s' is seen %zu times: is line %ld a "
                           "header the column rules did not recognise? pass --header (or --no-header), "
                           "--label-col/--text-col to pick the columns, or --allow-rare-labels if the label is meant",
                           d->path, line, ls->label[i], n, n == 1 ? "" : "s", ls->label[imax], max, line);
        return err_set("%s:%ld: label '%s' is seen %zu time%s while '%s' is seen %zu times (a misaligned row or a "
                       "typo?); check --label-col, fix the rows, or pass --allow-rare-labels if the label is meant",
                       d->path, line, ls->label[i], n, n == 1 ? "" : "s", ls->label[imax], max);
    }
    for (size_t i = 0; i < ls->n; i++)
        for (size_t j = i + 1; j < ls->n; j++)
            if (!strcasecmp(ls->label[i], ls->label[j]))
                return err_set("%s:%ld: labels '%s' (line %ld) and '%s' differ only in case: they would be two "
                               "classes; spell them alike, or pass --allow-rare-labels if they are meant",
                               d->path, ls->first_line[j], ls->label[i], ls->first_line[i], ls->label[j]);
    return 0;
}

/* Refuse sizes that cannot fit in memory before allocating anything big. */
/* Refuse settings that cannot fit before allocating anything: the estimate
 * comes from the parameter list and the cell table (nn/net.h), so it holds
 * for every cell and layer.  (--ema's one more copy of the trained values is
 * not counted: a fraction of the weights, gradients and moments counted.) */
/* Training in shards (workers.h): S shards each with its own gradients
 * (sparse ones with their row bookkeeping), W = min(threads, S) workers
 * each with a workspace for one shard of ceil(batch / S) rows.  That is
 * net_train_bytes for W workers over W such shards, plus the gradients of
 * the other S - W shards. */
static size_t shard_train_bytes(const net_config *nc, int maxT, int batch, int threads, int shards)
{
    int S = shards < 1 ? 1 : shards > TRAIN_MAX_SHARDS ? TRAIN_MAX_SHARDS : shards;
    int W = threads < 1 ? 1 : threads > 64 ? 64 : threads;
    if (W > S) W = S;
    int per = batch < 1 ? 1 : (batch + S - 1) / S;
    size_t bytes = net_train_bytes(nc, maxT, per * W, W);
    net *n = net_shell(nc);
    size_t shard = sizeof(float) * params_count(&n->plist, 1);
    for (int i = 0; i < n->plist.n; i++) {
        const param_spec *s = &n->plist.spec[i];
        if ((s->flags & PARAM_TRAIN) && (s->flags & PARAM_SPARSE)) shard += (size_t)s->shape[0] * (sizeof(int32_t) + 1);
    }
    net_free(n);
    return bytes + (size_t)(S - W) * shard;
}

static int check_memory(const model *m, const net_config *nc, const train_opts *o)
{
    double bytes = (double)shard_train_bytes(nc, m->maxlen, o->batch, o->threads, o->shards);
    double phys = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (phys > 0 && bytes > 0.8 * phys)
        return err_set("these settings need about %.1f GiB of memory (vocabulary %d x %d, %d x %s-%d, "
                       "maxlen %d, batch %d) and this machine has %.1f GiB; use smaller --hidden, --layers, "
                       "--maxlen, --batch, --embed-dim or --max-size", bytes / 1073741824.0, nc->vocab_size,
                       nc->embed_dim, nc->layers, cell_name(nc->cell), nc->hidden, m->maxlen, o->batch,
                       phys / 1073741824.0);
    return 0;
}

int setup_shape(const model *m, net_config *nc, const train_opts *o)
{
    const net *lm = m->pretrained;
    if (lm) {   /* the shape of the pretrained encoder */
        nc->cell = lm->cfg.cell;
        nc->layers = lm->cfg.layers;
        nc->hidden = lm->cfg.hidden;
        nc->bidir = lm->cfg.bidir;
    }
    nc->vocab_size = (int)m->voc.n;
    nc->embed_dim = lm ? lm->cfg.embed_dim : m->embed_dim;
    nc->multilabel = m->multilabel;
    nc->n_out = m->nlabels == 2 && !m->multilabel ? 1 : m->nlabels;
    return check_memory(m, nc, o);
}

int setup_network(model *m, net_config *nc, const train_opts *o)
{
    if (setup_shape(m, nc, o) < 0) return -1;
    const net *lm = m->pretrained;
    m->net = net_new(nc);
    rng r;
    rng_seed(&r, o->seed);
    net_init(m->net, &r, m->emb);
    if (lm) {   /* then its weights: the embedding and every recurrent tensor */
        params_copy_matching(&m->net->plist, &m->pretrained->plist);
        net_free(m->pretrained);
        m->pretrained = NULL;
    }
    if (m->emb_owned) ffree(m->emb);
    m->emb = m->net->emb;   /* the network's embedding from now on */
    m->emb_owned = 0;
    return 0;
}

float *class_weights(const encoded *e, int K)
{
    if (e->multi) {   /* a multi-label run: each label's positive term by negatives / positives */
        float *pw = xcalloc(K, sizeof *pw);
        for (int k = 0; k < K; k++) {
            size_t pos = 0;
            for (size_t i = 0; i < e->n; i++) pos += e->soft[i * (size_t)K + k] >= 0.5f;
            pw[k] = pos && pos < e->n ? (float)((double)(e->n - pos) / (double)pos) : 1.0f;
        }
        return pw;
    }
    float *cw = xcalloc(K, sizeof *cw);
    size_t *cnt = xcalloc(K, sizeof *cnt);
    for (size_t i = 0; i < e->n; i++) cnt[e->y[i]]++;
    for (int k = 0; k < K; k++) cw[k] = cnt[k] ? (float)((double)e->n / ((double)K * cnt[k])) : 0.0f;
    free(cnt);
    return cw;
}
