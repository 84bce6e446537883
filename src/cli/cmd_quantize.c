/* cmd_quantize.c - `seqsent quantize MODEL -o OUT [--int8|--bf16]`: a
 * trained model (an ensemble, a distilled student) with its matrices in
 * low precision (model/netfile.h STORE_INT8, STORE_BF16; base/quant.h),
 * which eval, predict, encode, serve and the C API run as it is. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "base/quant.h"
#include "model/netfile.h"
#include "cli/opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

enum { O_INT8 = 400, O_BF16, O_COVER };

static const cmd_opt options[] = {
    { "output", 'o', 1, "OUT", "write the quantized model here (required; written atomically; '-' = stdout)" },
    { "int8", O_INT8, 0, NULL, "8-bit integers, a scale per column (the embedding: per row): about 4x smaller (the default)" },
    { "bf16", O_BF16, 0, NULL, "bfloat16: 2x smaller, probabilities closer to the f32 model's" },
    { "int8-coverage", O_COVER, 1, "P", "int8: the embedding rows of the most frequent words, together P% of the training "
      "tokens, stay int8; the rarer words' rows take 4 bits (default 95; 100: every row int8)" },
    { "quiet", 'q', 0, NULL, "no summary on stderr" },
    { 0 }
};

static const cmd_spec spec = {
    .name = "quantize", .usage = "[options] MODEL -o OUT", .opts = options,
    .summary =
    "Write a trained model (an ensemble, a distilled student) with its matrices in low\n"
    "precision: the embedding and the recurrent and dense kernels as int8 (the default)\n"
    "or bfloat16; biases and the output layer stay f32.  With int8 the embedding rows of\n"
    "the rare words (beyond --int8-coverage of the training tokens) take 4 bits.  eval, predict, encode, serve and\n"
    "the C API use the result directly (int8 or bf16 products, f32 sums): a smaller file,\n"
    "less memory and faster prediction; probabilities differ from the f32 model's by\n"
    "about 0.01 (int8) or 0.003 (bf16).  A quantized model cannot be trained further.",
};

static double file_mb(const char *path, const mfile *f)
{
    struct stat st;
    if (f) return (double)f->maplen / 1048576.0;
    return stat(path, &st) == 0 ? (double)st.st_size / 1048576.0 : 0;
}

/* The embedding rows to keep int8: the fewest leading ids whose training
 * counts reach cover% of all (the vocabulary is ordered by count, the pad
 * and unknown rows first); every row at 100 or without counts. */
static int int8_rows(const model *m, double cover)
{
    const size_t V = m->voc.n;
    double total = 0, sum = 0;
    for (size_t i = 0; i < V; i++) total += (double)m->voc.counts[i];
    if (cover >= 100 || !(total > 0)) return EMB_ALL_INT8;
    size_t k = 0;
    while (k < V && sum < total * cover / 100) sum += (double)m->voc.counts[k++];
    if (k < 2 && V >= 2) k = 2;   /* padding and unknown: int8 always */
    return k >= V ? EMB_ALL_INT8 : (int)k;
}

int cmd_quantize(int argc, char **argv)
{
    const char *out = NULL, *arg;
    int quiet = 0, store = STORE_INT8, c;
    double cover = 95;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        if (c == 'o') out = arg;
        else if (c == 'q') quiet = 1;
        else if (c == O_INT8) store = STORE_INT8;
        else if (c == O_BF16) store = STORE_BF16;
        else if (c == O_COVER) cover = opt_double(&spec, "int8-coverage", arg, 0, 100);
    }
    int first = opt_operands();
    if (argc - first != 1) usage_error(&spec, "expected one model file");
    if (!out) usage_error(&spec, "-o OUT is required");
    const char *path = argv[first];
    cli_check_output(out);

    model m;
    if (model_load(&m, path, 0) < 0) die_err(EXIT_FAIL);
    if (m.prec)
        die(EXIT_FAIL, "%s: already quantized (%s); quantize the f32 model it was made from", path,
            precision_name((precision)m.prec));
    if (model_check_classifier(&m, path) < 0) die_err(EXIT_FAIL);
    m.store = store;
    if (store == STORE_INT8) m.int8_rows = int8_rows(&m, cover);
    if (model_save(&m, out) < 0) die_err(EXIT_FAIL);
    if (!quiet) {
        double before = file_mb(path, m.file), after = file_mb(out, NULL);
        if (after > 0)
            fprintf(stderr, "quantize: %s (%.1f MB) -> %s (%.1f MB, %s, %d network%s): %.1fx smaller\n", path, before,
                    out, after, store == STORE_INT8 ? "int8" : "bf16", model_nets(&m), model_nets(&m) > 1 ? "s" : "",
                    before / after);
        else
            fprintf(stderr, "quantize: %s (%.1f MB) -> %s (%s, %d network%s)\n", path, before, out,
                    store == STORE_INT8 ? "int8" : "bf16", model_nets(&m), model_nets(&m) > 1 ? "s" : "");
    }
    model_free(&m);
    return EXIT_OK;
}
