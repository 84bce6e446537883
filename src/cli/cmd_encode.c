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

typedef struct enc_ctx { seqsent_model *m; float *vec; int dim; } enc_ctx;

static void encode_line(char *text, const csv_reader *r, void *ctx)
{
    (void)r;
    enc_ctx *e = ctx;
    const char *texts[1] = { text };
    char err[512];
    if (seqsent_encode(e->m, texts, 1, e->vec, err, sizeof err) < 0) die(EXIT_FAIL, "%s", err);
    for (int k = 0; k < e->dim; k++) printf(k ? " %.6g" : "%.6g", e->vec[k]);
    putchar('\n');
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
    enc_ctx e = { seqsent_open(model_path, err, sizeof err), NULL, 0 };
    if (!e.m) die(EXIT_FAIL, "%s", err);
    e.dim = seqsent_dim(e.m);
    e.vec = xmalloc(sizeof(float) * (size_t)e.dim);
    int first = opt_operands();
    cli_each_text(argv + first, argc - first, &co, encode_line, &e);
    finish_stdout();
    free(e.vec);
    seqsent_close(e.m);
    return EXIT_OK;
}
