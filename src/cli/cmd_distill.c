/* cmd_distill.c - `seqsent distill TEACHER TEXT... -o STUDENT`: a student
 * network trained on a teacher's probabilities (Hinton et al. 2015,
 * "Distilling the Knowledge in a Neural Network").
 *
 * The teacher (one model or an ensemble, with its own tokenizer and
 * vocabulary) labels unlabelled text with its probabilities; the student
 * (any network train builds, with its own vocabulary) learns them at a
 * temperature, with the labelled training rows too when given.  The run
 * itself is train's (trainer.h): the same options, validation, early
 * stopping, checkpoints and --resume. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "cli/trainer.h"
#include "train/dist.h"
#include "train/setup.h"
#include "train/train.h"
#include "text/augment.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_LABELLED = O_TRAINER_END, O_TEMPERATURE, O_HARD_WEIGHT, O_AUGMENT, O_AUG_DROP, O_AUG_SWAP, O_AUG_SPAN,
       O_AUG_SPAN_MAX, O_AUG_NEAR, O_AUG_POOL };

#define DEFAULT_TEMPERATURE 2.0

static const cmd_opt options[] = {
    OPT_GROUP("Distillation:"),
    OPT("labelled", O_LABELLED, "FILE", "labelled training data (CSV/TSV) learnt too: its rows' targets mix their label (--hard-weight) and the teacher's probabilities"),
    OPT("temperature", O_TEMPERATURE, "T", "soften the teacher's and the student's probabilities by T (default 2; 1 = as they are)"),
    OPT("hard-weight", O_HARD_WEIGHT, "A", "weight of a labelled row's own label in its target, 0..1 (default 0: the teacher's probabilities only)"),
    OPT("augment", O_AUGMENT, "N", "N perturbed copies of every training text, labelled by the teacher too (default 0)"),
    OPT("augment-drop", O_AUG_DROP, "P", "a copy leaves out each token with probability P (default 0.1)"),
    OPT("augment-swap", O_AUG_SWAP, "P", "replaces each token with probability P by a near word (default 0.1; with --augment-drop at most 1)"),
    OPT("augment-near", O_AUG_NEAR, "K", "a replacement is one of the word's K nearest by cosine in the teacher's embedding (default 8)"),
    OPT("augment-pool", O_AUG_POOL, "N", "replacements are among the teacher's N most frequent words (default 20000)"),
    OPT("augment-span", O_AUG_SPAN, "P", "then with probability P keeps only a span of the tokens (default 0.25)"),
    OPT("augment-span-max", O_AUG_SPAN_MAX, "N", "the longest such span, in tokens (default 5)"),
    TRAIN_OPTIONS_WITH(NAIVE_BAYES_ROWS, REFIT_ROWS),
    { 0 }
};

static const cmd_spec spec = {
    .name = "distill", .usage = "[options] TEACHER TEXT... -o STUDENT", .opts = options,
    .summary =
    "Distil a model (often an ensemble) into a student network: the teacher's probabilities\n"
    "on TEXT (plain lines, or the text column of CSV/TSV; '-' = stdin) and on --labelled rows\n"
    "are the student's targets, both softened by --temperature.  The student is built and\n"
    "trained as 'train' builds and trains a model, with the same options.",
    .notes = "Targets: a binary teacher's p becomes sigmoid(logit(p) / T), a softmax teacher's p_k\n"
             "becomes p_k^(1/T) normalised; the student's loss is T^2 x the cross-entropy of its own\n"
             "probabilities at T against them.  Accuracy and validation score the teacher's decisions\n"
             "(a labelled row's own label).  --threads never changes the student, and nor does\n"
             "'mpirun -np N seqsent distill ...': the N processes share out the teacher's rows and\n"
             "the student's shards, with the same bits.\n",
};

typedef struct distill_args {
    train_args t;
    const char *teacher, *labelled;
    char **texts;
    int ntexts;
    double hard_weight;
    int augment;
    augment_opts aug;   /* --augment-*: how a copy is drawn */
} distill_args;

static void parse_args(int argc, char **argv, distill_args *d)
{
    memset(d, 0, sizeof *d);
    train_args *a = &d->t;
    trainer_init(a, &spec);
    a->to.temperature = DEFAULT_TEMPERATURE;
    augment_opts_default(&d->aug);
    int aug_set = 0, target_set = 0;   /* --augment-*; any option that makes the targets */
    const char *arg;
    int c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        if (trainer_option(a, c, arg)) continue;
        switch (c) {
        case O_LABELLED: d->labelled = arg; break;
        case O_TEMPERATURE: a->to.temperature = opt_double(&spec, "temperature", arg, 0.05, 100); target_set = 1; break;
        case O_HARD_WEIGHT: d->hard_weight = opt_double(&spec, "hard-weight", arg, 0, 1); target_set = 1; break;
        case O_AUGMENT: d->augment = (int)opt_long(&spec, "augment", arg, 0, 100); target_set = 1; break;
        case O_AUG_DROP: d->aug.p_drop = opt_double(&spec, "augment-drop", arg, 0, 1); aug_set = 1; break;
        case O_AUG_SWAP: d->aug.p_swap = opt_double(&spec, "augment-swap", arg, 0, 1); aug_set = 1; break;
        case O_AUG_SPAN: d->aug.p_span = opt_double(&spec, "augment-span", arg, 0, 1); aug_set = 1; break;
        case O_AUG_SPAN_MAX: d->aug.span_max = (int)opt_long(&spec, "augment-span-max", arg, 1, 1000); aug_set = 1; break;
        case O_AUG_NEAR: d->aug.near = (int)opt_long(&spec, "augment-near", arg, 1, AUGMENT_NEAR_MAX); aug_set = 1; break;
        case O_AUG_POOL: d->aug.pool = (size_t)opt_long(&spec, "augment-pool", arg, 2, 10000000); aug_set = 1; break;
        }
    }
    int first = opt_operands();
    if (argc == first) usage_error(&spec, "no teacher given: seqsent distill TEACHER TEXT... -o STUDENT");
    d->teacher = argv[first];
    d->texts = argv + first + 1;
    d->ntexts = argc - first - 1;
    if (d->aug.p_drop + d->aug.p_swap > 1 + 1e-9)
        usage_error(&spec, "--augment-drop %g + --augment-swap %g is over 1: they are shares of the tokens", d->aug.p_drop, d->aug.p_swap);
    if (a->resume_path && (target_set || aug_set))
        usage_error(&spec, "--resume continues a run: its targets (--temperature, --hard-weight, --augment) come from the checkpoint");
    if (aug_set && !d->augment) usage_error(&spec, "--augment-* say how --augment N's copies are drawn: give --augment N too");
    if (!d->ntexts && !d->labelled) usage_error(&spec, "no text to distil on: give TEXT files and/or --labelled FILE");
    if (a->val_path) usage_error(&spec, "--val: validation rows come from --val-split (the teacher labels them)");
    if (a->multilabel) usage_error(&spec, "--multilabel: distill trains a single-label student of a single-label teacher");
    a->train_path = d->ntexts ? d->texts[0] : d->labelled;
    trainer_check(a);
}

/* Every row to learn from: the texts (label NULL: the teacher's decision,
 * filled in later) and the labelled rows (their label, which must be one
 * of the teacher's). */
static void load_rows(const distill_args *d, const model *teacher, dataset *all)
{
    cli_texts tx;
    memset(&tx, 0, sizeof tx);
    if (d->ntexts) cli_texts_load(&tx, d->texts, d->ntexts, &d->t.co);
    dataset lab;
    memset(&lab, 0, sizeof lab);
    if (d->labelled && cli_load_texts(d->labelled, &d->t.co, 1, &lab) < 0) die_err(EXIT_FAIL);
    for (size_t i = 0; lab.multi && i < lab.n; i++)
        if (label_count(lab.label[i]) > 1)
            die(EXIT_FAIL, "%s:%ld: several labels on a row: distill learns a single-label teacher's classes",
                lab.path, lab.line[i]);
    for (size_t i = 0; i < lab.n; i++)
        if (model_label_index(teacher, lab.label[i]) < 0)
            die(EXIT_FAIL, "%s:%ld: label '%s' is not one of the teacher's (%s%s%s); the student learns the teacher's labels",
                lab.path, lab.line[i], lab.label[i], teacher->labels[0], teacher->nlabels > 1 ? ", " : "",
                teacher->nlabels == 2 ? teacher->labels[1] : "...");
    memset(all, 0, sizeof *all);
    size_t n = tx.n + lab.n;
    all->text = xmalloc((n + 1) * sizeof *all->text);
    all->label = xcalloc(n + 1, sizeof *all->label);
    all->line = xmalloc((n + 1) * sizeof *all->line);
    all->path = xstrdup(d->t.train_path);
    for (size_t i = 0; i < tx.n; i++, all->n++) {
        all->text[all->n] = xstrdup(tx.text[i]);
        all->line[all->n] = (long)i + 1;
    }
    for (size_t i = 0; i < lab.n; i++, all->n++) {
        all->text[all->n] = xstrdup(lab.text[i]);
        all->label[all->n] = xstrdup(lab.label[i]);
        all->line[all->n] = lab.line[i];
    }
    all->excluded = cli_texts_excluded(&tx) + lab.excluded;
    if (!d->t.quiet)
        fprintf(stderr, "distill: %zu unlabelled texts, %zu labelled rows\n", tx.n, lab.n);
    cli_texts_free(&tx);
    dataset_free(&lab);
    if (all->n == 0) die(EXIT_FAIL, "%s: no text to distil on", d->t.train_path);
}

/* The width of a teacher's word row (teacher_row): its networks' embeddings side by side. */
static int teacher_width(const model *teacher)
{
    int E = 0;
    for (int k = 0; k < model_nets(teacher); k++) E += model_net(teacher, k)->cfg.embed_dim;
    return E;
}

/* The word vector whose neighbours --augment draws: the teacher's
 * embedding row, and an ensemble's networks' all at once -- each network's
 * row scaled to unit length and set side by side, so that two words' cosine
 * is the mean of their cosines in the networks (no network's view of the
 * words counts more than another's).  out [teacher_width]. */
static void teacher_row(const void *ctx, int32_t id, float *out)
{
    const model *teacher = ctx;
    const int nn = model_nets(teacher);
    for (int k = 0, at = 0; k < nn; k++) {
        const net *m = model_net(teacher, k);
        float *row = out + at;
        net_embedding_row(m, id, row);
        at += m->cfg.embed_dim;
        if (nn == 1) continue;   /* the word space scales rows itself: one network's need no scaling */
        double ss = 0;
        for (int e = 0; e < m->cfg.embed_dim; e++) ss += (double)row[e] * row[e];
        if (ss > 0)
            for (int e = 0; e < m->cfg.embed_dim; e++) row[e] = (float)(row[e] / sqrt(ss));
    }
}

/* --augment N: N copies of every training row (augment.h), after them,
 * without a label: the teacher's probabilities are their targets.  Words
 * are the teacher's tokens and their neighbours those of its networks'
 * embeddings (teacher_row).  Each row's copies come from a generator
 * seeded by --seed and the row, so they depend on nothing else; an empty
 * copy is left out. */
static void augment_rows(const distill_args *d, model *teacher, dataset *tr)
{
    if (!d->augment || !tr->n) return;
    const size_t V = (size_t)teacher->net->cfg.vocab_size, P = V < d->aug.pool ? V : d->aug.pool;
    const int E = teacher_width(teacher);
    float *pool = falloc(P * (size_t)E);   /* the replacements' rows, copied by the word space */
    for (size_t i = 0; i < P; i++) teacher_row(teacher, (int32_t)i, pool + i * E);
    augmenter ag;
    augmenter_init_rows(&ag, &d->aug, &teacher->voc, pool, teacher_row, teacher, V, E);
    ffree(pool);
    tokenizer *tk = model_tokenizer(teacher);
    size_t n = tr->n, cap = n * (size_t)(d->augment + 1);
    tr->text = xrealloc(tr->text, (cap + 1) * sizeof *tr->text);
    tr->label = xrealloc(tr->label, (cap + 1) * sizeof *tr->label);
    tr->line = xrealloc(tr->line, (cap + 1) * sizeof *tr->line);
    for (size_t i = 0; i < n; i++) {
        rng r;
        rng_seed(&r, d->t.to.seed * 0x9E3779B97F4A7C15ull ^ (i + 1) * 0xD1B54A32D192ED03ull);
        const toklist *tl = augment_read(&ag, tk, tr->text[i]);
        for (int c = 0; c < d->augment; c++) {
            const char *t = augment_copy(&ag, tl, &r);
            if (!*t) continue;
            tr->text[tr->n] = xstrdup(t);
            tr->label[tr->n] = NULL;
            tr->line[tr->n] = tr->line[i];
            tr->n++;
        }
    }
    augmenter_free(&ag);
    if (!d->t.quiet)
        fprintf(stderr, "distill: %zu perturbed copies of the %zu training rows (--augment %d), labelled by the teacher\n",
                tr->n - n, n, d->augment);
}

enum { TEACHER_BATCH = 256 };

/* The teacher's probabilities q [n, K] of e's rows, as `predict` gives
 * them (evaluate_infer: each row's real tokens only, in length-sorted
 * batches, threads workers, single-threaded BLAS): the targets, like the
 * student, must not depend on the thread or process count, and a row's
 * probabilities there depend on nothing but the row.  In an MPI job the
 * ranks share out batches of TEACHER_BATCH rows (rank r of P: the batches
 * [b r / P, b (r+1) / P) of b) and every rank gets all of q. */
static void teacher_probs(const model *teacher, const encoded *e, int K, int threads, float *q)
{
    if (dist_size() > 1) {   /* the ranks' parts fit together only when they hold the same rows */
        uint64_t h = dist_hash(DIST_HASH0, &e->n, sizeof e->n), other;
        h = dist_hash(h, e->ids, e->n * (size_t)e->T * sizeof *e->ids);
        int r = dist_same(h, &other);
        if (r >= 0 && dist_rank() == 0)
            die(EXIT_FAIL, "rank %d of %d reads other texts than rank 0: every rank must read the same files",
                r, dist_size());
        if (r >= 0) {   /* rank 0 says it */
            err_set("%s", "");
            die_err(EXIT_FAIL);
        }
    }
    size_t row = (size_t)K * sizeof *q, nb = (e->n + TEACHER_BATCH - 1) / TEACHER_BATCH;
    /* dist_allgather counts bytes in ints: past 2 GiB of targets every rank computes all */
    size_t P = e->n * row <= INT_MAX ? (size_t)dist_size() : 1, me = P > 1 ? (size_t)dist_rank() : 0;
    size_t *off = xmalloc(2 * P * sizeof *off), *len = off + P;
    for (size_t r = 0; r < P; r++) {
        size_t lo = nb * r / P * TEACHER_BATCH, hi = nb * (r + 1) / P * TEACHER_BATCH;
        if (hi > e->n) hi = e->n;
        off[r] = lo * row;
        len[r] = (hi - lo) * row;
    }
    encoded part = *e;   /* this rank's rows */
    size_t lo = off[me] / row;
    part.n = len[me] / row;
    part.ids += lo * (size_t)e->T;
    if (part.len) part.len += lo;
    int blas = blas_get_threads();
    blas_set_threads(1);
    eval_result er;
    int rc = evaluate_infer(teacher, &part, TEACHER_BATCH, threads, &er, q + lo * K);
    eval_result_free(&er);
    blas_set_threads(blas);
    if (rc < 0) die_err(EXIT_FAIL);   /* (the teacher is checked whole when loaded: it does not fail) */
    if (P > 1) dist_allgather(q, off, len);
    free(off);
}

/* The teacher's probabilities for d's rows, softened by T, as targets
 * [n, K]; a row without a label gets the teacher's decision, a labelled
 * row's target is mixed with its label by the hard weight. */
static float *soft_targets(const distill_args *d, model *teacher, dataset *ds)
{
    const int K = teacher->nlabels == 2 ? 1 : teacher->nlabels;
    const double T = d->t.to.temperature, A = d->hard_weight;
    float *q = xmalloc((ds->n * (size_t)K + 1) * sizeof *q);
    if (!ds->n) return q;
    encoded e;
    if (encode_dataset(teacher, ds, 0, &e) < 0) die_err(EXIT_FAIL);
    teacher_probs(teacher, &e, K, d->t.to.threads, q);
    encoded_free(&e);
    for (size_t i = 0; i < ds->n; i++) {
        float *row = q + i * K;
        if (!ds->label[i]) ds->label[i] = xstrdup(teacher->labels[decide_class(row, K, DECIDE_THRESHOLD)]);
        int y = model_label_index(teacher, ds->label[i]);
        if (K == 1) {
            double p = fmin(fmax(row[0], 1e-7), 1 - 1e-7), lg = log(p) - log1p(-p);
            double s = 1 / (1 + exp(-lg / T));
            row[0] = (float)(A * y + (1 - A) * s);
            continue;
        }
        double z = 0;
        for (int k = 0; k < K; k++) z += pow(fmax(row[k], 1e-30), 1 / T);
        for (int k = 0; k < K; k++) row[k] = (float)(A * (k == y) + (1 - A) * pow(fmax(row[k], 1e-30), 1 / T) / z);
    }
    return q;
}

/* --resume: the targets are made again as the checkpoint's run made them,
 * with its temperature, hard weight and augmentation (a run of an earlier
 * version records no hard weight: it had none). */
static void resume_targets(distill_args *d)
{
    model m;
    if (model_load(&m, d->t.resume_path, 0) < 0) die_err(EXIT_FAIL);
    const cJSON *ti = m.train_info, *j;
    if (cJSON_IsNumber(j = cJSON_GetObjectItemCaseSensitive(ti, "temperature"))) d->t.to.temperature = j->valuedouble;
    if (cJSON_IsNumber(j = cJSON_GetObjectItemCaseSensitive(ti, "hard_weight"))) d->hard_weight = j->valuedouble;
    if (cJSON_IsNumber(j = cJSON_GetObjectItemCaseSensitive(ti, "augment"))) d->augment = j->valueint;
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(ti, "augment_settings");
    if (cJSON_IsNumber(j = cJSON_GetObjectItemCaseSensitive(g, "drop"))) d->aug.p_drop = j->valuedouble;
    if (cJSON_IsNumber(j = cJSON_GetObjectItemCaseSensitive(g, "swap"))) d->aug.p_swap = j->valuedouble;
    if (cJSON_IsNumber(j = cJSON_GetObjectItemCaseSensitive(g, "near"))) d->aug.near = j->valueint;
    if (cJSON_IsNumber(j = cJSON_GetObjectItemCaseSensitive(g, "pool"))) d->aug.pool = (size_t)j->valuedouble;
    if (cJSON_IsNumber(j = cJSON_GetObjectItemCaseSensitive(g, "span"))) d->aug.p_span = j->valuedouble;
    if (cJSON_IsNumber(j = cJSON_GetObjectItemCaseSensitive(g, "span_max"))) d->aug.span_max = j->valueint;
    model_free(&m);
}

/* One run: the rows (a validation split unless none is asked for), their
 * copies and the teacher's targets, trained on.  Returns the rows before
 * the copies, *nva how many of them are validation rows. */
static size_t distill_run(distill_args *d, model *teacher, size_t *nva)
{
    train_args *a = &d->t;
    dataset tr, va;
    memset(&va, 0, sizeof va);
    load_rows(d, teacher, &tr);
    trainer_split(a, &tr, &va);
    a->own_rows = tr.n;
    augment_rows(d, teacher, &tr);
    train_targets tt = { d->teacher, teacher->labels, teacher->nlabels, NULL, NULL, d->augment, &d->aug, d->hard_weight };
    float *qtr = soft_targets(d, teacher, &tr), *qva = soft_targets(d, teacher, &va);
    tt.soft_tr = qtr;
    tt.soft_va = qva;
    trainer_run(a, &tr, &va, &tt);
    size_t rows = a->own_rows + va.n;
    *nva = va.n;
    free(qtr);
    free(qva);
    dataset_free(&va);
    dataset_free(&tr);
    return rows;
}

int cmd_distill(int argc, char **argv)
{
    distill_args d;
    parse_args(argc, argv, &d);
    train_args *a = &d.t;
    cli_join_job(&a->quiet, &a->to.quiet);
    a->to.threads = cli_set_threads(a->co.threads);
    if (a->refit) a->refit_args = trainer_args_json(argc, argv);
    model teacher;
    if (model_load(&teacher, d.teacher, 0) < 0) die_err(EXIT_FAIL);
    if (model_check_classifier(&teacher, d.teacher) < 0) die_err(EXIT_FAIL);
    if (teacher.multilabel)
        die(EXIT_FAIL, "%s: a multi-label model (a sigmoid per label): distill learns from single-label teachers only",
            d.teacher);
    if (a->resume_path) resume_targets(&d);
    size_t nva, rows = distill_run(&d, &teacher, &nva);
    /* --refit: every row again, built as the command line without a split
     * would build them; after a --resume, from the first run's command line */
    distill_args b, *r = &d;
    char **rargv = NULL;
    int rargc = 0;
    if (a->refit_resumed) {
        rargv = trainer_args_argv(a->refit_args, "distill", &rargc);
        opt_reset();
        parse_args(rargc, rargv, &b);
        trainer_refit_resumed_args(&b.t, a);
        b.teacher = d.teacher;   /* the files are the resume's */
        b.texts = d.texts;
        b.ntexts = d.ntexts;
        b.labelled = d.labelled;
        r = &b;
    }
    if (trainer_refit_prepare(&r->t, &(dataset){ .n = nva }, rows)) distill_run(r, &teacher, &nva);
    if (rargv) trainer_args_free(rargv, rargc);
    cJSON_Delete(a->refit_args);
    dist_finish();
    model_free(&teacher);
    return EXIT_OK;
}
