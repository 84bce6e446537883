/* cmd_encode.c - `seqsent encode -m MODEL [FILE...]`: one sentence vector
 * per text (fastText's print-sentence-vectors), through the public C API
 * (seqsent_encode): the encoder's pooled features, the vector the
 * classifier's head reads. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "cli/opts.h"
#include "seqsent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cmd_opt options[] = {
    { "model", 'm', 1, "MODEL", "a trained model (or ensemble: its first network's vectors)" },
    DATA_OPTS,
    { 0 }
};

static const cmd_spec spec = {
    "encode", "[options] -m MODEL [FILE...]",
    "Print the encoder's sentence vector of every text: one line of space-separated\n"
    "numbers each (the recurrent layers' pooled output, 'info' dimension = hidden x\n"
    "directions).  Input: plain lines, or the text column of CSV/TSV ('-' or none = stdin).",
    options, NULL
};

/* Texts are encoded in batches of up to ENCODE_BATCH (a text's vector is
 * the same bits in any batch, seqsent_encode), flushed whenever the input
 * would block, so a pipeline fed slowly sees each vector at once. */
enum { ENCODE_BATCH = 1024 };

typedef struct enc_ctx {
    seqsent_model *m;
    int dim;
    char *text[ENCODE_BATCH];   /* the pending texts (copies) */
    int n;
    float *vec;                 /* [ENCODE_BATCH, dim] */
} enc_ctx;

static void encode_flush(void *ctx)
{
    enc_ctx *e = ctx;
    if (!e->n) return;
    char err[1024];
    if (seqsent_encode(e->m, (const char *const *)e->text, (size_t)e->n, e->vec, err, sizeof err) < 0)
        die(EXIT_FAIL, "%s", err);
    for (int i = 0; i < e->n; i++) {
        const float *v = e->vec + (size_t)i * e->dim;
        for (int k = 0; k < e->dim; k++) printf(k ? " %.6g" : "%.6g", v[k]);
        putchar('\n');
        free(e->text[i]);
    }
    e->n = 0;
}

static void encode_text(char *text, const csv_reader *r, void *ctx)
{
    (void)r;
    enc_ctx *e = ctx;
    e->text[e->n++] = xstrdup(text);
    if (e->n == ENCODE_BATCH) encode_flush(e);
}

int cmd_encode(int argc, char **argv)
{
    common_opts co;
    common_opts_init(&co);
    const char *model_path = NULL, *arg;
    int c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        if (common_opt(&spec, &co, c, arg)) continue;
        if (c == 'm') model_path = arg;
    }
    if (!model_path) usage_error(&spec, "no model given: use -m MODEL");
    char err[1024];
    enc_ctx *e = xcalloc(1, sizeof *e);
    if (!(e->m = seqsent_open(model_path, err, sizeof err))) die(EXIT_FAIL, "%s", err);
    e->dim = seqsent_dim(e->m);
    e->vec = xmalloc(sizeof(float) * ENCODE_BATCH * (size_t)e->dim);
    int first = opt_operands();
    cli_each_text(argv + first, argc - first, &co, encode_text, encode_flush, e);
    finish_stdout();
    free(e->vec);
    seqsent_close(e->m);
    free(e);
    return EXIT_OK;
}
