/* cmd_ensemble.c - `seqsent ensemble MODEL... -o OUT`: several trained models
 * in one file whose predictions are the mean of theirs.
 *
 * The checks and the merge are model/ensemble.c's; this is the command
 * line.  Each member keeps its own tensors under a prefix ("m1.lstm.0.W");
 * see seqsent-model(5).  Members are trained separately, each with its own
 * checkpoints and validation data, typically with `train --from BASE` (one
 * shared vocabulary) and different --seed values. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "model/ensemble.h"
#include "model/netfile.h"
#include "cli/opts.h"

#include <stdio.h>
#include <stdlib.h>

enum { O_HALF = 400 };

static const cmd_opt options[] = {
    { "output", 'o', 1, "OUT", "write the ensemble here (required; written atomically; may be one of the inputs)" },
    { "quiet", 'q', 0, NULL, "no summary on stderr" },
    { "half", O_HALF, 0, NULL, "store the weights as 16-bit floats: half the file; probabilities change in the 3rd-4th digit" },
    { 0 }
};

static const cmd_spec spec = {
    .name = "ensemble", .usage = "[options] MODEL MODEL... -o OUT", .opts = options,
    .summary =
    "Put trained models into one model file that predicts the mean of their probabilities\n"
    "(an ensemble).  The models must share the tokenizer, dictionary, vocabulary, sequence\n"
    "settings and labels -- train them with 'train --from BASE' and different --seed values;\n"
    "their networks may differ.  eval, predict and info take the result like any model.",
};

int cmd_ensemble(int argc, char **argv)
{
    const char *out = NULL, *arg;
    int quiet = 0, half = 0, c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        if (c == 'o') out = arg;
        else if (c == 'q') quiet = 1;
        else if (c == O_HALF) half = 1;
    }
    int first = opt_operands(), nin = argc - first;
    if (!out) usage_error(&spec, "-o OUT is required");
    if (nin < 2) usage_error(&spec, "expected at least two model files");
    if (nin > ENSEMBLE_MAX) usage_error(&spec, "at most %d models", ENSEMBLE_MAX);
    cli_check_output(out);

    model *ms = xcalloc(nin, sizeof *ms);
    if (ensemble_load(ms, argv + first, nin) < 0) die_err(EXIT_FAIL);
    int total = 0;
    for (int i = 0; i < nin; i++) total += model_nets(&ms[i]);
    ensemble_merge(ms, nin);
    ms[0].store = half ? STORE_F16 : STORE_F32;
    if (model_save(&ms[0], out) < 0) die_err(EXIT_FAIL);
    if (!quiet) fprintf(stderr, "ensemble: %d networks from %d files written to %s\n", total, nin, out);
    for (int i = 0; i < nin; i++) model_free(&ms[i]);
    free(ms);
    return EXIT_OK;
}
