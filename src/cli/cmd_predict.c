/* cmd_predict.c - `seqsent predict -m MODEL [FILE...]`: label<TAB>probability per line.
 *
 * Lines are batched for speed, but a batch is flushed whenever the next line
 * is not yet available, so a pipeline fed slowly sees each result at once.
 * Output is TSV (the default: label<TAB>probability, or every label with
 * --all, or the K most probable with --top-k) or JSON lines (--output-format jsonl,
 * one object per input line, built with cJSON).
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "cli/opts.h"
#include "train/train.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lines read ahead while input is there, then run sorted by length in
 * batches of --batch (results still in input order). */
enum { PREDICT_QUEUE = 4096 };

enum { O_BATCH = 400, O_ALL, O_OFORMAT, O_TOPK, O_THRESHOLD, O_WITH_TEXT, O_MATCH_UNKNOWN, O_NB_WEIGHT };

static const cmd_opt options[] = {
    { "model", 'm', 1, "MODEL", "trained model file (required)" },
    { "output-format", O_OFORMAT, 1, "tsv|jsonl", "output format (default tsv: label<TAB>probability; jsonl: one JSON object per line)" },
    { "all", O_ALL, 0, NULL, "print the probability of every label, label:prob pairs separated by tabs" },
    { "top-k", O_TOPK, 1, "K", "the K most probable labels, most probable first (tsv: K label<TAB>prob pairs; jsonl: \"top\"); multi-label with --threshold: at most K labels with p >= P" },
    { "threshold", O_THRESHOLD, 1, "P", "binary models: predict the second label when its probability is >= P; multi-label models: every label with p >= P (default 0.5)" },
    { "with-text", O_WITH_TEXT, 0, NULL, "append the input text (tsv: as the last field; jsonl: as \"text\")" },
    MATCH_UNKNOWN_OPT(O_MATCH_UNKNOWN),
    NAIVE_BAYES_WEIGHT_OPT(O_NB_WEIGHT),
    { "batch", O_BATCH, 1, "N", "lines per forward pass (default 256, as eval; speed only: the results do not depend on it)" },
    { "threads", OPT_THREADS, 1, "N", "CPU threads (default: all cores, as eval; speed only: the results do not depend on it)" },
    DATA_OPTS,
    LABEL_PREFIX_OPT,
    { 0 }
};

typedef struct popts {
    int jsonl, all, topk, with_text;
    double threshold;        /* binary models: second label when p >= threshold; multi-label: every
                              * label with p >= threshold */
    int threshold_given;
} popts;

/* A loaded model and the batch of lines waiting for it. */
typedef struct predictor {
    model m;
    const popts *o;
    int batch;       /* lines buffered before a flush (PREDICT_QUEUE, at least --batch) */
    int rows;        /* --batch: rows per forward pass */
    int threads;
    fwd_pool *pool;  /* made by the first flush, for the rows it needs (see pool_for) */
    float *probs;    /* [batch, outputs] */
    int32_t *ids;    /* [batch, maxlen] the pending lines, encoded */
    char **text;     /* [batch] copies of the pending lines, with --with-text */
    int n;           /* pending lines */
    char **jlabels;  /* [labels] valid UTF-8 for JSON */
    int *order;      /* [labels] scratch: labels by probability */
    double *pk;      /* [labels] scratch: one line's probabilities */
    toklist tl;      /* tokenizer scratch */
    int32_t *idbuf;
    size_t idcap;
    size_t tokens, unknown;   /* the current file's tokens, and those the vocabulary lacks */
} predictor;

/* The pool for a flush of n lines: at most --batch rows a pass, and no
 * more than the flushes so far needed (rows are the same bits whatever the
 * batch, fwd_pool_infer), because its workspace is sized for its rows: a
 * single line does not map (and unmap) the buffers of 256.  Grows by
 * doubling at least, so a long input re-makes it a few times at most. */
static void pool_for(predictor *p, int n)
{
    int want = n < p->rows ? n : p->rows;
    if (p->pool && fwd_pool_rows(p->pool) >= want) return;
    if (p->pool) {
        int twice = 2 * fwd_pool_rows(p->pool);
        want = twice > want ? (twice < p->rows ? twice : p->rows) : want;
        fwd_pool_free(p->pool);
    }
    p->pool = fwd_pool_new_model(&p->m, p->m.maxlen, want, p->threads);
    fwd_pool_infer(p->pool);
}

/* Classify and print the pending lines. */
static void flush_batch(predictor *p)
{
    if (!p->n) return;
    pool_for(p, p->n);
    const model *m = &p->m;
    const popts *o = p->o;
    float *probs = p->probs;
    char **jlabels = p->jlabels;
    int *order = p->order;
    double *pk = p->pk;
    int K = m->net->cfg.n_out, L = m->nlabels, multi = m->multilabel;
    if (fwd_pool_run_sorted(p->pool, p->n, m->maxlen, p->ids, probs) < 0) die_err(EXIT_FAIL);   /* by length, in --batch rows */
    for (int b = 0; b < p->n; b++) {
        for (int k = 0; k < L; k++)
            pk[k] = K == 1 ? (k ? probs[b] : 1.0 - probs[b]) : probs[(size_t)b * K + k];
        int best = decide_class(probs + (size_t)b * K, K, o->threshold);
        int topk = o->topk < L ? o->topk : L;
        if (topk || multi) {   /* labels by probability, highest first; ties in model order (stable) */
            for (int k = 0; k < L; k++) order[k] = k;
            for (int i = 1; i < L; i++) {
                int x = order[i], j = i;
                for (; j > 0 && pk[order[j - 1]] < pk[x]; j--) order[j] = order[j - 1];
                order[j] = x;
            }
        }
        /* a multi-label model's decision: the labels with p >= threshold (the
         * first of order); tsv's --top-k with --threshold: at most K of them */
        int chosen = 0;
        while (multi && chosen < L && pk[order[chosen]] >= o->threshold) chosen++;
        const char *text = o->with_text ? p->text[b] : NULL;
        if (o->jsonl) {
            cJSON *obj = multi ? cli_multilabel_json(jlabels, L, pk, order, chosen, topk)
                               : cli_prediction_json(jlabels, L, pk, best, order, topk);
            if (text) {
                char *clean = cli_utf8_clean(text);
                cJSON_AddStringToObject(obj, "text", clean);
                free(clean);
            }
            char *s = cJSON_PrintUnformatted(obj);
            fputs(s, stdout);
            putchar('\n');
            free(s);
            cJSON_Delete(obj);
            continue;
        }
        if (o->all) {
            for (int k = 0; k < L; k++) printf("%s%s:%.6f", k ? "\t" : "", m->labels[k], pk[k]);
        } else if (topk || multi) {
            int n = !multi ? topk : !topk ? chosen : !o->threshold_given ? topk : chosen < topk ? chosen : topk;
            for (int i = 0; i < n; i++) printf("%s%s\t%.6f", i ? "\t" : "", m->labels[order[i]], pk[order[i]]);
        } else {
            printf("%s\t%.6f", m->labels[best], pk[best]);
        }
        if (text) printf("\t%s", text);
        putchar('\n');
    }
    if (p->text)
        for (int b = 0; b < p->n; b++) { free(p->text[b]); p->text[b] = NULL; }
    p->n = 0;
    if (fflush(stdout) != 0) {
        if (errno == EPIPE) exit(EXIT_OK);   /* reader went away (| head): quiet exit */
        die(EXIT_FAIL, "<stdout>: %s", strerror(errno));
    }
}

/* Load the model: before any input is read, so that a bad model fails at once. */
static void predictor_open(predictor *p, const char *path)
{
    memset(p, 0, sizeof *p);
    if (model_load(&p->m, path, MODEL_LAZY) < 0) die_err(EXIT_FAIL);
    if (model_check_classifier(&p->m, path) < 0) die_err(EXIT_FAIL);
}


/* The batch buffers (the thread pool comes with the first flush). */
static void predictor_start(predictor *p, const popts *o, int batch, int threads)
{
    model *m = &p->m;
    model_tokenizer(m);
    p->o = o;
    p->batch = batch > PREDICT_QUEUE ? batch : PREDICT_QUEUE;
    p->rows = batch;
    p->threads = threads;
    p->probs = xmalloc((size_t)p->batch * m->net->cfg.n_out * sizeof *p->probs);
    p->ids = xmalloc((size_t)p->batch * m->maxlen * sizeof(int32_t));
    if (o->with_text) p->text = xcalloc((size_t)p->batch, sizeof *p->text);
    p->jlabels = xmalloc((size_t)m->nlabels * sizeof *p->jlabels);
    for (int k = 0; k < m->nlabels; k++) p->jlabels[k] = cli_utf8_clean(m->labels[k]);
    p->order = xmalloc((size_t)m->nlabels * sizeof *p->order);
    p->pk = xmalloc((size_t)m->nlabels * sizeof *p->pk);
}

/* Every text of path ("-" = stdin): lines, the text column of CSV/TSV rows
 * or the text of fastText lines, as eval reads them; the batch goes out
 * whenever it is full or the next text is not there yet. */
static void predict_input(predictor *p, const char *path, const data_opts *dop)
{
    text_reader *r = text_reader_open(path, data_format_for_texts_prefix(path, dop->fmt, dop->encoding,
                                                                         dop->label_prefix), dop);
    if (!r) die_err(EXIT_FAIL);
    const model *m = &p->m;
    char *text;
    int rc;
    p->tokens = p->unknown = 0;
    for (;;) {
        if (p->n && text_would_block(r)) flush_batch(p);
        if ((rc = text_next(r, &text)) != 1) break;
        size_t nt = model_encode(m, text, strlen(text), &p->tl, &p->idbuf, &p->idcap,
                                 p->ids + (size_t)p->n * m->maxlen);
        p->tokens += nt;
        for (size_t j = 0; j < nt; j++) p->unknown += p->idbuf[j] == VOCAB_UNK;
        if (p->text) p->text[p->n] = xstrdup(text);
        if (++p->n == p->batch) flush_batch(p);
    }
    if (rc < 0) {
        flush_batch(p);
        die_err(EXIT_FAIL);
    }
    cli_note_bad_utf8(text_path(r), text_bad_utf8(r));
    cli_note_unknown("predict", text_path(r), p->tokens, p->unknown);
    text_reader_close(r);
}

static const cmd_spec spec = {
    .name = "predict", .usage = "-m MODEL [options] [FILE...]", .opts = options,
    .summary = "Classify texts from the files or stdin ('-'): lines (stdin, .txt), the text column\n"
               "of CSV/TSV files (header and columns as eval reads them) or fastText lines (the text\n"
               "after __label__).  Prints label<TAB>probability of that label for every text, in order.",
    .notes =
    "--output-format jsonl prints {\"label\": L, \"probability\": P, \"probabilities\": {label: p, ...}}\n"
    "per line, plus \"top\" with --top-k and \"text\" with --with-text.  --threshold sets the\n"
    "decision of a binary model (not with --all or --top-k in tsv, which print no decision).\n"
    "\n"
    "A multi-label model (train on rows with several labels, or --multilabel) gives each label its\n"
    "own probability (they need not sum to 1).  tsv prints label<TAB>probability for every label\n"
    "with p >= --threshold (default 0.5), most probable first, or nothing before the text when\n"
    "none is; --top-k K the K most probable, and with --threshold at most K of those >= P\n"
    "(fastText's predict-prob k threshold).  jsonl prints {\"labels\": [labels with p >= P],\n"
    "\"probabilities\": {...}} and \"top\" with --top-k.\n",
};

int cmd_predict(int argc, char **argv)
{
    const char *model_path = NULL, *arg, *threshold_arg = NULL;
    int batch = 256, threads = 0, c;
    double match_unknown = -1, nb_weight = -1;
    popts o = { 0, 0, 0, 0, DECIDE_THRESHOLD, 0 };
    common_opts co;
    common_opts_init(&co);
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        if (c == OPT_FORMAT && !strcmp(arg, "jsonl"))
            usage_error(&spec, "--format is the input format (csv|tsv|lines|fasttext|auto); "
                        "for JSON lines output use --output-format jsonl");
        if (c != OPT_THREADS && common_opt(&spec, &co, c, arg)) continue;
        switch (c) {
        case 'm': model_path = arg; break;
        case O_BATCH: batch = (int)opt_long(&spec, "batch", arg, 1, 65536); break;
        case O_ALL: o.all = 1; break;
        case O_OFORMAT:
            if (!strcmp(arg, "tsv")) o.jsonl = 0;
            else if (!strcmp(arg, "jsonl")) o.jsonl = 1;
            else usage_error(&spec, "--output-format: expected tsv or jsonl, got '%s'", arg);
            break;
        case O_TOPK: o.topk = (int)opt_long(&spec, "top-k", arg, 1, 1000000); break;
        case O_THRESHOLD:
            o.threshold = opt_double(&spec, "threshold", arg, 0, 1);
            threshold_arg = arg;
            o.threshold_given = 1;
            break;
        case O_WITH_TEXT: o.with_text = 1; break;
        case O_MATCH_UNKNOWN: match_unknown = opt_double(&spec, "match-unknown", arg, 0, 1); break;
        case O_NB_WEIGHT: nb_weight = opt_double(&spec, "naive-bayes-weight", arg, 0, 1); break;
        case OPT_THREADS: threads = (int)opt_long(&spec, "threads", arg, 1, 256); break;
        }
    }
    if (!model_path) usage_error(&spec, "no model given: use -m MODEL");
    if (o.all && o.topk && !o.jsonl) usage_error(&spec, "--all and --top-k exclude each other");
    threads = cli_set_threads_inference(threads);
    static predictor p;   /* static: still reachable at exit (see the end) */
    blas_open_async();   /* the model's products need it: loaded while the model is read */
    predictor_open(&p, model_path);
    if (match_unknown >= 0) model_set_match_unknown(&p.m, match_unknown);
    if (nb_weight >= 0 && !model_set_nb_weight(&p.m, nb_weight))
        die(EXIT_USAGE, "--naive-bayes-weight: %s has no naive Bayes head (train --naive-bayes)", model_path);
    int multi = p.m.multilabel;
    if (threshold_arg && !o.jsonl && (o.all || (o.topk && !multi)))
        usage_error(&spec, "--threshold decides the label, which tsv output with --%s does not print",
                    o.all ? "all" : "top-k");
    if (threshold_arg && p.m.net->cfg.n_out != 1 && !multi)
        usage_error(&spec, "--threshold needs a binary model or a multi-label one; %s has %d labels", model_path, p.m.nlabels);
    predictor_start(&p, &o, batch, threads);
    int first = opt_operands(), nfiles = argc - first;
    if (!nfiles) predict_input(&p, "-", &co.data);
    for (int f = 0; f < nfiles; f++) predict_input(&p, argv[first + f], &co.data);
    flush_batch(&p);
    /* Nothing is freed: the process ends here, and the kernel takes back the
     * model's map and the buffers at once, where unmapping them one by one
     * costs more (some 30 munmap calls, 3 ms of a one-line run on a virtual
     * machine). */
    return EXIT_OK;
}
