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

enum { O_INT8 = 400, O_BF16 };

static const cmd_opt options[] = {
    { "output", 'o', 1, "OUT", "write the quantized model here (required; written atomically; '-' = stdout)" },
    { "int8", O_INT8, 0, NULL, "8-bit integers, a scale per column (the embedding: per row): about 4x smaller (the default)" },
    { "bf16", O_BF16, 0, NULL, "bfloat16: 2x smaller, probabilities closer to the f32 model's" },
    { "quiet", 'q', 0, NULL, "no summary on stderr" },
    { 0 }
};

static const cmd_spec spec = {
    .name = "quantize", .usage = "[options] MODEL -o OUT", .opts = options,
    .summary =
    "Write a trained model (an ensemble, a distilled student) with its matrices in low\n"
    "precision: the embedding and the recurrent and dense kernels as int8 (the default)\n"
    "or bfloat16; biases and the output layer stay f32.  eval, predict, encode, serve and\n"
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

int cmd_quantize(int argc, char **argv)
{
    const char *out = NULL, *arg;
    int quiet = 0, store = STORE_INT8, c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        if (c == 'o') out = arg;
        else if (c == 'q') quiet = 1;
        else if (c == O_INT8) store = STORE_INT8;
        else if (c == O_BF16) store = STORE_BF16;
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
