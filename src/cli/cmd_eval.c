/* cmd_eval.c - `seqsent eval -m MODEL FILE`: accuracy, loss, per-class figures. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "base/fileio.h"
#include "cli/opts.h"
#include "train/train.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum eval_option { O_JSON = 400, O_BATCH, O_ERRORS, O_TOPK, O_MATCH_UNKNOWN, O_NB_WEIGHT };

static const cmd_opt options[] = {
    { "model", 'm', 1, "MODEL", "trained model file (required)" },
    { "json", O_JSON, 0, NULL, "print one JSON object (accuracy as a fraction, loss, n, per-class figures, confusion matrix)" },
    { "errors", O_ERRORS, 1, "FILE", "write the misclassified rows to FILE as CSV: line,label,predicted,probability,text (multi-label: line,labels,predicted,text, label sets joined by '|')" },
    { "top-k", O_TOPK, 1, "K", "multi-label models: P@K and R@K over each row's K most probable labels (default 1)" },
    MATCH_UNKNOWN_OPT(O_MATCH_UNKNOWN),
    NAIVE_BAYES_WEIGHT_OPT(O_NB_WEIGHT),
    { "batch", O_BATCH, 1, "N", "rows per forward pass (default 256, as predict; speed only: the results do not depend on it)" },
    { "threads", OPT_THREADS, 1, "N", "CPU threads (default: all cores, as predict; speed only: the results do not depend on it)" },
    DATA_OPTS,
    LABEL_OPTS,
    { 0 }
};

/* Append s to the stdio stream as one RFC 4180 field (quoted when needed). */
static void csv_field(FILE *f, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) { fputs(s, f); return; }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* A label set as one CSV field: the labels with p >= DECIDE_THRESHOLD
 * (probs row) or of the targets t, in label order, joined by '|'. */
static void label_set_field(FILE *f, const model *m, const float *row)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *g = open_memstream(&mem, &len);
    for (int k = 0, n = 0; g && k < m->nlabels; k++)
        if (row[k] >= DECIDE_THRESHOLD) fprintf(g, "%s%s", n++ ? "|" : "", m->labels[k]);
    if (g && fclose(g) == 0) csv_field(f, mem);
    free(mem);
}

/* A multi-label model's rows whose predicted label set is not theirs. */
static void multi_errors(FILE *f, const model *m, const dataset *d, const encoded *e, const float *probs)
{
    int K = m->nlabels;
    fputs("line,labels,predicted,text\n", f);
    for (size_t i = 0; i < e->n; i++) {
        const float *p = probs + i * (size_t)K, *t = e->soft + i * (size_t)K;
        int same = 1;
        for (int k = 0; k < K; k++) same &= (p[k] >= DECIDE_THRESHOLD) == (t[k] >= 0.5f);
        if (same) continue;
        fprintf(f, "%ld,", d->line[i]);
        label_set_field(f, m, t);
        fputc(',', f);
        label_set_field(f, m, p);
        fputc(',', f);
        csv_field(f, d->text[i]);
        fputc('\n', f);
    }
}

/* The misclassified rows as CSV, written atomically: line (in the data
 * file), true label, predicted label, probability of the predicted label
 * (6 decimals, as predict prints it), text. */
static int write_errors(const char *path, const model *m, const dataset *d, const encoded *e, const float *probs)
{
    int K = m->net->cfg.n_out;
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (!f) return err_set("%s: %s", path, strerror(errno));
    if (m->multilabel) multi_errors(f, m, d, e, probs);
    else fputs("line,label,predicted,probability,text\n", f);
    for (size_t i = 0; !m->multilabel && i < e->n; i++) {
        const float *p = probs + i * (size_t)K;
        int pred = decide_class(p, K, DECIDE_THRESHOLD);   /* the rule evaluate() scores with */
        if (pred == e->y[i]) continue;
        double pp = K == 1 ? (pred ? p[0] : 1.0 - p[0]) : p[pred];
        fprintf(f, "%ld,", d->line[i]);
        csv_field(f, d->label[i]);
        fputc(',', f);
        csv_field(f, m->labels[pred]);
        fprintf(f, ",%.6f,", pp);
        csv_field(f, d->text[i]);
        fputc('\n', f);
    }
    if (fclose(f) != 0) { free(mem); return err_set("%s: %s", path, strerror(errno)); }
    int rc = write_file_atomic(path, mem, len);
    free(mem);
    return rc;
}

/* The report as one JSON object. */
/* Share of the texts' tokens the vocabulary does not know (a Chinese model
 * scored on English text: most of them, and the accuracy means nothing). */
static double unknown_rate(const encoded *e) { return e->tokens ? (double)e->unknown / (double)e->tokens : 0; }

/* A multi-label model's figures beyond the per-label ones. */
typedef struct at_k { int k; double p, r; } at_k;

static void print_json(const eval_result *r, const model *m, const char *model_path, const dataset *d,
                       const encoded *e, const at_k *ak)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", model_path);
    cJSON_AddStringToObject(o, "data", d->path);
    cJSON_AddNumberToObject(o, "n", (double)r->n);
    if (r->multi) {
        cJSON_AddBoolToObject(o, "multilabel", 1);
        cJSON_AddNumberToObject(o, "exact_match", r->accuracy);
        cJSON_AddNumberToObject(o, "micro_precision", r->micro_p);
        cJSON_AddNumberToObject(o, "micro_recall", r->micro_r);
        cJSON_AddNumberToObject(o, "micro_f1", r->micro_f1);
        cJSON_AddNumberToObject(o, "macro_precision", r->macro_p);
        cJSON_AddNumberToObject(o, "macro_recall", r->macro_r);
        cJSON_AddNumberToObject(o, "k", ak->k);
        cJSON_AddNumberToObject(o, "precision_at_k", ak->p);
        cJSON_AddNumberToObject(o, "recall_at_k", ak->r);
    } else {
        cJSON_AddNumberToObject(o, "accuracy", r->accuracy);
    }
    cJSON_AddNumberToObject(o, "loss", r->loss);
    cJSON_AddNumberToObject(o, "skipped_empty", (double)d->skipped_empty);
    cJSON_AddNumberToObject(o, "unknown_token_rate", unknown_rate(e));
    cJSON *cls = cJSON_AddArrayToObject(o, "classes");
    double macro = 0;
    for (int k = 0; k < r->K; k++) {
        double p, rc, f1;
        long sup;
        class_metrics(r, k, &p, &rc, &f1, &sup);
        macro += f1 / r->K;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "label", m->labels[k]);
        cJSON_AddNumberToObject(x, "precision", p);
        cJSON_AddNumberToObject(x, "recall", rc);
        cJSON_AddNumberToObject(x, "f1", f1);
        cJSON_AddNumberToObject(x, "support", (double)sup);
        cJSON_AddItemToArray(cls, x);
    }
    cJSON_AddNumberToObject(o, "macro_f1", macro);
    cJSON *cm = r->multi ? NULL : cJSON_AddArrayToObject(o, "confusion");
    for (int i = 0; cm && i < r->K; i++) {
        cJSON *row = cJSON_CreateArray();
        for (int j = 0; j < r->K; j++) cJSON_AddItemToArray(row, cJSON_CreateNumber((double)r->confusion[(size_t)i * r->K + j]));
        cJSON_AddItemToArray(cm, row);
    }
    char *s = cJSON_PrintUnformatted(o);
    printf("%s\n", s);
    free(s);
    cJSON_Delete(o);
}

/* The per-class (per-label) figures, a row each under a heading. */
static void print_class_rows(const eval_result *r, const model *m)
{
    printf("%-16s %9s %9s %9s %9s\n", "label", "precision", "recall", "f1", "support");
    for (int k = 0; k < r->K; k++) {
        double p, rc, f1;
        long sup;
        class_metrics(r, k, &p, &rc, &f1, &sup);
        printf("%-16s %9.4f %9.4f %9.4f %9ld\n", m->labels[k], p, rc, f1, sup);
    }
}

/* A multi-label model's report: totals, micro and macro figures, P@k and
 * R@k, per-label figures. */
static void print_multi_table(const eval_result *r, const model *m, const encoded *e, const at_k *ak)
{
    printf("n            %zu\nloss         %.4f (summed over the %d labels)\nexact match  %.4f\n"
           "unknown      %.1f%% of tokens (not in the vocabulary)\n\n", r->n, r->loss, r->K, r->accuracy,
           100 * unknown_rate(e));
    printf("%-16s %9s %9s %9s   (each label decided at p >= %g)\n", "", "precision", "recall", "f1", DECIDE_THRESHOLD);
    printf("%-16s %9.4f %9.4f %9.4f\n", "micro", r->micro_p, r->micro_r, r->micro_f1);
    printf("%-16s %9.4f %9.4f %9.4f\n", "macro", r->macro_p, r->macro_r, r->macro_f1);
    printf("\nP@%d          %.4f\nR@%d          %.4f\n\n", ak->k, ak->p, ak->k, ak->r);
    print_class_rows(r, m);
}

/* The report as a table: totals, per-class figures, confusion matrix. */
static void print_table(const eval_result *r, const model *m, const encoded *e)
{
    printf("n         %zu\naccuracy  %.4f\nloss      %.4f\nunknown   %.1f%% of tokens (not in the vocabulary)\n\n",
           r->n, r->accuracy, r->loss, 100 * unknown_rate(e));
    print_class_rows(r, m);
    printf("\nconfusion (rows: true label, columns: predicted)\n%-16s", "");
    for (int j = 0; j < r->K; j++) printf(" %9.9s", m->labels[j]);
    printf("\n");
    for (int i = 0; i < r->K; i++) {
        printf("%-16s", m->labels[i]);
        for (int j = 0; j < r->K; j++) printf(" %9ld", r->confusion[(size_t)i * r->K + j]);
        printf("\n");
    }
}

static const cmd_spec spec = {
    .name = "eval", .usage = "-m MODEL [options] FILE", .opts = options,
    .summary = "Score a model on labelled data (CSV/TSV, '-' = stdin): accuracy, loss, per-class\n"
               "precision/recall/F1 and the confusion matrix.  A label the model does not know is an error.",
    .notes = "A multi-label model (rows with several labels: fastText lines with several __label__s,\n"
             "or a CSV/TSV label field split by --label-sep) is scored label by label, each decided at\n"
             "p >= 0.5: micro precision, recall and F1 (from the summed counts), macro (the mean of\n"
             "the labels'), exact match (the row's predicted label set is its own), per-label\n"
             "figures, and P@K / R@K (fastText's test: the row's labels among its K most probable,\n"
             "over all rows, / (rows x K) and / the rows' labels).  The loss is summed over the labels.\n",
};

/* Every label of d must be one of m's, and several on a row need a
 * multi-label model: a one-line error naming the file and line. */
static void check_labels_known(const model *m, const dataset *d, const data_opts *o)
{
    for (size_t i = 0; i < d->n; i++) {
        const char *l = d->label[i];
        if (!m->multilabel && label_count(l) > 1)
            die(EXIT_FAIL, "%s:%ld: %d labels on one line, and the model is single-label (one class per row); "
                "score it on rows of one label", d->path, d->line[i], label_count(l));
        for (const char *next; l; l = next) {
            size_t len;
            next = label_next(l, &len);
            char *name = xstrndup(l, len);
            if (model_label_index(m, name) >= 0) {
                free(name);
                continue;
            }
            char known[512] = "";   /* a label the model does not know: name its labels */
            size_t used = 0;
            for (int k = 0; k < m->nlabels && used + 8 < sizeof known; k++)
                used += (size_t)snprintf(known + used, sizeof known - used, "%s'%s'", k ? ", " : "", m->labels[k]);
            if (used >= sizeof known) strcpy(known + sizeof known - 5, "...");
            die(EXIT_FAIL, "%s:%ld: label '%s' is not one of the model's labels (%s)%s", d->path, d->line[i], name,
                known, d->line[i] == 1 ? "; is line 1 a header? pass --header, or --label-col/--text-col to pick the columns"
                : m->multilabel && !o->label_sep && !d->multi ? "; a multi-label model: does the field join several "
                "labels? give --label-sep" : "");
        }
    }
}

int cmd_eval(int argc, char **argv)
{
    common_opts co;
    common_opts_init(&co);
    const char *model_path = NULL, *errors_path = NULL, *arg;
    int json = 0, batch = 256, topk = 0, c;
    double match_unknown = -1, nb_weight = -1;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        if (common_opt(&spec, &co, c, arg)) continue;
        switch (c) {
        case 'm': model_path = arg; break;
        case O_JSON: json = 1; break;
        case O_BATCH: batch = (int)opt_long(&spec, "batch", arg, 1, 65536); break;
        case O_TOPK: topk = (int)opt_long(&spec, "top-k", arg, 1, 1000000); break;
        case O_MATCH_UNKNOWN: match_unknown = opt_double(&spec, "match-unknown", arg, 0, 1); break;
        case O_NB_WEIGHT: nb_weight = opt_double(&spec, "naive-bayes-weight", arg, 0, 1); break;
        case O_ERRORS:
            if (!*arg || !strcmp(arg, "-"))
                usage_error(&spec, "--errors: give a file name (standard output carries the report)");
            errors_path = arg;
            break;
        }
    }
    int first = opt_operands();
    if (!model_path) usage_error(&spec, "no model given: use -m MODEL");
    if (argc - first != 1) usage_error(&spec, "expected one data file ('-' reads stdin)");
    cli_check_output(errors_path);
    int threads = cli_set_threads_inference(co.threads);
    model m;
    if (model_load(&m, model_path, MODEL_LAZY) < 0) die_err(EXIT_FAIL);
    if (model_check_classifier(&m, model_path) < 0) die_err(EXIT_FAIL);
    if (match_unknown >= 0) model_set_match_unknown(&m, match_unknown);
    if (nb_weight >= 0 && !model_set_nb_weight(&m, nb_weight))
        die(EXIT_USAGE, "--naive-bayes-weight: %s has no naive Bayes head (train --naive-bayes)", model_path);
    if (topk && !m.multilabel)
        usage_error(&spec, "--top-k: P@K and R@K score multi-label models; %s is single-label", model_path);
    dataset d;
    if (cli_load_texts(argv[first], &co, 1, &d) < 0) die_err(EXIT_FAIL);
    if (!d.n)   /* an accuracy of no rows is no figure: not a report of zeros */
        die(EXIT_FAIL, "%s: no rows to score%s", d.path,
            d.skipped_empty ? " (every text is empty)" : d.excluded ? " (every row is in an --exclude file)" : "");
    check_labels_known(&m, &d, &co.data);
    encoded e;
    if (encode_dataset(&m, &d, 1, &e) < 0) die_err(EXIT_FAIL);
    eval_result r;
    float *probs = errors_path || m.multilabel ? xmalloc((e.n ? e.n : 1) * (size_t)m.net->cfg.n_out * sizeof *probs)
                                               : NULL;
    if (evaluate_infer(&m, &e, batch, threads, &r, probs) < 0) die_err(EXIT_FAIL);
    if (errors_path && write_errors(errors_path, &m, &d, &e, probs) < 0) die_err(EXIT_FAIL);
    at_k ak = { topk ? topk : 1, 0, 0 };
    if (m.multilabel) eval_at_k(&e, probs, m.nlabels, ak.k, &ak.p, &ak.r);
    free(probs);
    if (json) print_json(&r, &m, model_path, &d, &e, &ak);
    else if (r.multi) print_multi_table(&r, &m, &e, &ak);
    else print_table(&r, &m, &e);
    cli_note_unknown("eval", d.path, e.tokens, e.unknown);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno == EPIPE) exit(EXIT_OK);   /* reader went away (| head): quiet exit */
        die(EXIT_FAIL, "<stdout>: %s", strerror(errno ? errno : EIO));
    }
    int rc = EXIT_OK;
    eval_result_free(&r);
    encoded_free(&e);
    dataset_free(&d);
    model_free(&m);
    return rc;
}
