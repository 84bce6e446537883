/* cmd_split.c - `seqsent split FILE --test F -o PREFIX`: a seeded train/test split.
 *
 * Every record of FILE goes to exactly one of PREFIX.train.EXT and
 * PREFIX.test.EXT (EXT from the input's format); how records are written
 * and which ones are held out is text/datasplit.c's.  This is the command
 * line: options, the output names and the summary on stderr.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "cli/opts.h"
#include "text/datasplit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_TEST = 400, O_SEED, O_STRATIFY, O_QUIET };

static const cmd_opt options[] = {
    { "output", 'o', 1, "PREFIX", "write PREFIX.train.EXT and PREFIX.test.EXT (default: FILE without its extension)" },
    { "test", O_TEST, 1, "F", "test part: a fraction (0 < F < 1) of the rows, or a number of rows (F >= 1) (default 0.2)" },
    { "seed", O_SEED, 1, "N", "random seed: same seed, same data, same split (default 1)" },
    { "stratify", O_STRATIFY, 0, NULL, "keep each label's share of the rows the same in both parts (needs labels)" },
    { "quiet", O_QUIET, 0, NULL, "no summary on stderr" },
    DATA_OPTS,
    { 0 }
};

/* "data/x.csv" -> "data/x"; NULL for "-". */
static char *default_prefix(const char *path)
{
    if (!strcmp(path, "-")) return NULL;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot > base ? (size_t)(dot - path) : strlen(path);
    return xstrndup(path, n);
}

static const char *format_ext(data_format f)
{
    return f == FMT_TSV ? "tsv" : f == FMT_LINES || f == FMT_FASTTEXT ? "txt" : "csv";
}

static const cmd_spec spec = {
    .name = "split", .usage = "[options] FILE [-o PREFIX]", .opts = options,
    .summary =
    "Split data into a training and a test part at random (seeded), written to PREFIX.train.EXT\n"
    "and PREFIX.test.EXT in the input's format (EXT csv, tsv or txt).  A header row goes to both.",
    .notes =
    "Rows keep their file order in both parts.  CSV fields are re-quoted (RFC 4180) only where\n"
    "needed; the fields read back are the same.  --label-col (default as for train) names the\n"
    "label column for --stratify; with --text-col it also steers header detection.\n",
};

/* The summary on stderr. */
static void report(const split_result *r, const char *const paths[2], uint64_t seed)
{
    fprintf(stderr, "split: %s: %zu rows: %zu to %s, %zu to %s (seed %llu)\n", r->source, r->n, r->n - r->ntest,
            paths[0], r->ntest, paths[1], (unsigned long long)seed);
    for (size_t g = 0; r->label && g < r->ngroups; g++)
        fprintf(stderr, "split:   label '%s': %zu rows: %zu train, %zu test\n",
                r->label[g], r->count[g], r->count[g] - r->test[g], r->test[g]);
}

int cmd_split(int argc, char **argv)
{
    common_opts co;
    common_opts_init(&co);
    const char *prefix_opt = NULL, *arg;
    split_opts so = { .test = 0.2, .seed = 1, .data = &co.data };
    int quiet = 0, c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        if (common_opt(&spec, &co, c, arg)) continue;
        switch (c) {
        case 'o': prefix_opt = arg; break;
        case O_TEST:
            so.test = opt_double(&spec, "test", arg, 0, 1e15);
            if (so.test <= 0 || (so.test >= 1 && so.test != floor(so.test)))
                usage_error(&spec, "--test: expected a fraction between 0 and 1 or a whole number of rows, "
                            "got '%s'", arg);
            break;
        case O_SEED: so.seed = (uint64_t)opt_long(&spec, "seed", arg, 0, 0x7fffffffL); break;
        case O_STRATIFY: so.stratify = 1; break;
        case O_QUIET: quiet = 1; break;
        }
    }
    int first = opt_operands();
    if (argc - first != 1) usage_error(&spec, "expected one data file ('-' reads stdin)");
    const char *path = argv[first];
    so.fmt = co.data.fmt == FMT_AUTO ? data_format_guess(path) : co.data.fmt;
    int fasttext = so.fmt == FMT_FASTTEXT;
    if (fasttext) so.fmt = FMT_LINES;   /* lines are copied whole */
    if (so.stratify && so.fmt == FMT_LINES)
        usage_error(&spec, "--stratify needs a label column (CSV or TSV)%s",
                    fasttext ? "; fastText lines are split without it" : "");
    char *prefix = prefix_opt ? xstrdup(prefix_opt) : default_prefix(path);
    if (!prefix) usage_error(&spec, "reading stdin: give the output prefix with -o PREFIX");
    if (!*prefix || prefix[strlen(prefix) - 1] == '/')
        usage_error(&spec, "-o: PREFIX needs a file name part, got '%s'", prefix);

    const char *ext = format_ext(so.fmt);
    size_t plen = strlen(prefix) + 16;
    char *paths[2] = { xmalloc(plen), xmalloc(plen) };
    snprintf(paths[0], plen, "%s.train.%s", prefix, ext);
    snprintf(paths[1], plen, "%s.test.%s", prefix, ext);
    cli_check_output(paths[0]);   /* writable, and not the input (split x.train.csv -o x) */
    cli_check_output(paths[1]);
    split_result r;
    if (data_split(path, &so, (const char *const *)paths, &r) < 0) die_err(EXIT_FAIL);
    if (!quiet) report(&r, (const char *const *)paths, so.seed);
    split_result_free(&r);
    free(paths[0]);
    free(paths[1]);
    free(prefix);
    return EXIT_OK;
}
