/* cmd_embed.c - `seqsent embed BASE VECTORS -o OUT`: pretrained vectors for a vocabulary. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "cli/opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_DIM = 400, O_QUIET };

static const cmd_opt options[] = {
    { "output", 'o', 1, "FILE", "output file (required; may be BASE itself: written atomically)" },
    { "embed-dim", O_DIM, 1, "N", "require vectors of this dimension" },
    { "quiet", O_QUIET, 0, NULL, "no coverage report on stderr" },
    { 0 }
};

static const cmd_spec spec = {
    "embed", "[options] BASE VECTORS -o OUT",
    "Load the vectors of BASE's vocabulary from a word2vec file: text (header line optional) or\n"
    "binary, plain or .gz, told apart by content; streaming: only the vocabulary's rows are kept.  BASE is a file written by\n"
    "'vocab' or a 'token<TAB>count' listing.  Reports type and token coverage on stderr.",
    options, NULL
};

int cmd_embed(int argc, char **argv)
{
    const char *out = NULL, *arg;
    long dim = 0;
    int quiet = 0, c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        switch (c) {
        case 'o': out = arg; break;
        case O_DIM: dim = opt_long(&spec, "embed-dim", arg, 1, 4096); break;
        case O_QUIET: quiet = 1; break;
        }
    }
    int first = opt_operands();
    if (argc - first != 2) usage_error(&spec, "expected BASE and VECTORS");
    if (!out) usage_error(&spec, "no output file: give -o FILE");
    cli_check_output(out);
    model m;
    if (cli_load_base(&m, argv[first]) < 0) die_err(EXIT_FAIL);
    if (m.net) die(EXIT_FAIL, "%s: already a trained model; embed works on a vocabulary", argv[first]);
    if (cli_embed(&m, argv[first + 1], dim, quiet) < 0) die_err(EXIT_FAIL);
    if (model_save(&m, out) < 0) die_err(EXIT_FAIL);
    model_free(&m);
    return EXIT_OK;
}
