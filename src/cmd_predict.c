/* cmd_predict.c - `seqsent predict -m MODEL [FILE...]`: label<TAB>probability per line.
 *
 * Lines are batched for speed, but a batch is flushed whenever the next line
 * is not yet available, so a pipeline fed slowly sees each result at once.
 */
#include "cli.h"
#include "commands.h"
#include "err.h"
#include "opts.h"
#include "train.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_BATCH = 400, O_ALL };

static const cmd_opt options[] = {
    { "model", 'm', 1, "MODEL", "trained model file (required)" },
    { "all", O_ALL, 0, NULL, "print the probability of every label, label:prob pairs separated by tabs" },
    { "batch", O_BATCH, 1, "N", "lines per forward pass (default 64; speed only)" },
    { "threads", OPT_THREADS, 1, "N", "CPU threads (default 1; speed only)" },
    { 0 }
};

static const cmd_spec spec = {
    "predict", "-m MODEL [options] [FILE...]",
    "Classify text, one text per line, from the files or stdin ('-').  Prints\n"
    "label<TAB>probability of that label for every input line, in order.",
    options, NULL
};

typedef struct pending {
    int32_t *ids;    /* [batch, maxlen] */
    int n;
} pending;

static void flush_batch(const model *m, fwd_pool *pool, float *probs, pending *p, int all)
{
    if (!p->n) return;
    const net *n = m->net;
    int K = n->cfg.n_out;
    fwd_pool_run(pool, p->n, m->maxlen, p->ids, probs);
    for (int b = 0; b < p->n; b++) {
        if (all) {
            for (int k = 0; k < m->nlabels; k++) {
                double pk = K == 1 ? (k ? probs[b] : 1.0 - probs[b]) : probs[(size_t)b * K + k];
                printf("%s%s:%.6f", k ? "\t" : "", m->labels[k], pk);
            }
            putchar('\n');
            continue;
        }
        int k = 0;
        if (K == 1) k = probs[b] >= 0.5f;
        else for (int j = 1; j < K; j++) if (probs[(size_t)b * K + j] > probs[(size_t)b * K + k]) k = j;
        double pk = K == 1 ? (k ? probs[b] : 1.0 - probs[b]) : probs[(size_t)b * K + k];
        printf("%s\t%.6f\n", m->labels[k], pk);
    }
    p->n = 0;
    if (fflush(stdout) != 0) {
        if (errno == EPIPE) exit(EXIT_OK);   /* reader went away (| head): quiet exit */
        die(EXIT_FAIL, "<stdout>: %s", strerror(errno));
    }
}

int cmd_predict(int argc, char **argv)
{
    const char *model_path = NULL, *arg;
    int batch = 64, all = 0, threads = 1, c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        switch (c) {
        case 'm': model_path = arg; break;
        case O_BATCH: batch = (int)opt_long(&spec, "batch", arg, 1, 65536); break;
        case O_ALL: all = 1; break;
        case OPT_THREADS: threads = (int)opt_long(&spec, "threads", arg, 1, 256); break;
        }
    }
    if (!model_path) usage_error(&spec, "no model given: use -m MODEL");
    cli_set_threads(threads);
    model m;   /* loaded before any input is read: a bad model fails at once */
    if (model_load(&m, model_path, 0) < 0) die_err(EXIT_FAIL);
    if (!m.net) die(EXIT_FAIL, "%s: not a trained model (kind '%s')", model_path, model_kind(&m));
    model_tokenizer(&m);
    fwd_pool *pool = fwd_pool_new(m.net, m.maxlen, batch, threads);
    float *probs = xmalloc((size_t)batch * m.net->cfg.n_out * sizeof *probs);
    pending p = { xmalloc((size_t)batch * m.maxlen * sizeof(int32_t)), 0 };
    toklist tl = {0};
    int32_t *idbuf = NULL;
    size_t idcap = 0;
    int first = opt_operands(), nfiles = argc - first;
    for (int f = 0; f < (nfiles ? nfiles : 1); f++) {
        const char *path = nfiles ? argv[first + f] : "-";
        csv_reader *r = csv_open(path, FMT_LINES);
        if (!r) die_err(EXIT_FAIL);
        char **fields;
        size_t nf;
        int rc;
        for (;;) {
            if (p.n && csv_would_block(r)) flush_batch(&m, pool, probs, &p, all);
            if ((rc = csv_next(r, &fields, &nf)) != 1) break;
            model_encode(&m, fields[0], strlen(fields[0]), &tl, &idbuf, &idcap, p.ids + (size_t)p.n * m.maxlen);
            if (++p.n == batch) flush_batch(&m, pool, probs, &p, all);
        }
        if (rc < 0) {
            flush_batch(&m, pool, probs, &p, all);
            die_err(EXIT_FAIL);
        }
        csv_close(r);
    }
    flush_batch(&m, pool, probs, &p, all);
    free(p.ids);
    free(idbuf);
    toklist_free(&tl);
    fwd_pool_free(pool);
    free(probs);
    model_free(&m);
    return EXIT_OK;
}
