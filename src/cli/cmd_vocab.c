/* cmd_vocab.c - `seqsent vocab FILE... -o BASE`: tokenizer settings + vocabulary. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "cli/opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_TEXT = 400, O_MIN_COUNT, O_MAX_SIZE };

static const cmd_opt options[] = {
    { "output", 'o', 1, "FILE", "output file (default: stdout for --text; required otherwise)" },
    { "text", O_TEXT, 0, NULL, "write a plain 'token<TAB>count' listing instead of a model file" },
    { "min-count", O_MIN_COUNT, 1, "N", "drop tokens seen fewer than N times (default 1)" },
    { "max-size", O_MAX_SIZE, 1, "N", "keep at most N entries incl. <pad> (0) and <unk> (1) (default all)" },
    TOKENIZER_OPTS,
    DATA_OPTS,
    EXCLUDE_OPT,
    { 0 }
};

static const cmd_spec spec = {
    "vocab", "[options] FILE... -o BASE",
    "Count the tokens of the text column (CSV/TSV) or of every line (.txt, --format lines)\n"
    "and write a vocabulary: id 0 <pad>, 1 <unk>, then by count (descending), ties by token.\n"
    "The output file also holds the tokenizer settings, so 'embed' and 'train --from' use it.",
    options, NULL
};

int cmd_vocab(int argc, char **argv)
{
    common_opts co;
    common_opts_init(&co);
    const char *out = NULL, *arg;
    int text = 0, c;
    long min_count = 1, max_size = 0;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        if (common_opt(&spec, &co, c, arg)) continue;
        switch (c) {
        case 'o': out = arg; break;
        case O_TEXT: text = 1; break;
        case O_MIN_COUNT: min_count = opt_long(&spec, "min-count", arg, 1, 1L << 40); break;
        case O_MAX_SIZE: max_size = opt_long(&spec, "max-size", arg, 3, 1L << 30); break;
        }
    }
    int first = opt_operands();
    if (first == argc) usage_error(&spec, "no input file given ('-' reads stdin)");
    if (!out && !text) usage_error(&spec, "no output file: give -o FILE (or --text for a listing on stdout)");
    if (!out) out = "-";
    cli_check_output(out);
    model m;
    cli_texts tx;   /* all texts of all files, then one count */
    cli_corpus_load(&m, &tx, argv + first, argc - first, &co, "vocab");
    cli_build_vocab(&m, tx.text, tx.n, min_count, max_size);
    if (m.voc.n <= 2) {   /* <pad> and <unk> alone: nothing a model could read */
        const char *what = argc - first == 1 ? argv[first] : "the input";
        if (!tx.n) die(EXIT_FAIL, "%s: no text to build a vocabulary from", what);
        if (min_count > 1)
            die(EXIT_FAIL, "%s: no token seen %ld times or more in %zu texts (lower --min-count)", what, min_count, tx.n);
        die(EXIT_FAIL, "%s: no token in %zu texts to build a vocabulary from", what, tx.n);
    }
    fprintf(stderr, "vocab: %zu texts, %zu entries (incl. <pad>, <unk>); dictionary %s\n", tx.n, m.voc.n,
            m.dict_source);
    int rc = text ? vocab_write_text(&m.voc, out) : model_save(&m, out);
    if (rc < 0) die_err(EXIT_FAIL);
    cli_texts_free(&tx);
    model_free(&m);
    return EXIT_OK;
}
