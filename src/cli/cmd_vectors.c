/* cmd_vectors.c - `seqsent vectors FILE... -o VECTORS`: train word2vec
 * vectors (skip-gram, negative sampling) on the texts of FILE, tokenized as
 * train would tokenize them, and write them in word2vec format for
 * `train --embed` / `embed`. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "base/fileio.h"
#include "cli/opts.h"
#include "text/vectors.h"
#include "train/word2vec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { O_DIM = 400, O_WINDOW, O_NEGATIVE, O_EPOCHS, O_LR, O_SAMPLE, O_MIN_COUNT, O_SEED, O_BINARY, O_QUIET };

static const cmd_opt options[] = {
    { "output", 'o', 1, "VECTORS", "write the vectors here (required; '-' = stdout; written atomically)" },
    { "dim", O_DIM, 1, "N", "vector size (default 100)" },
    { "window", O_WINDOW, 1, "N", "context words on each side, at most (default 5)" },
    { "negative", O_NEGATIVE, 1, "N", "negative samples per context word (default 5)" },
    { "epochs", O_EPOCHS, 1, "N", "passes over the text (default 5)" },
    { "lr", O_LR, 1, "RATE", "starting learning rate, falling linearly to zero (default 0.025)" },
    { "sample", O_SAMPLE, 1, "T", "down-sample words more frequent than T (default 1e-3; 0 = off)" },
    { "min-count", O_MIN_COUNT, 1, "N", "ignore words seen fewer than N times (default 5)" },
    { "seed", O_SEED, 1, "N", "random seed: with --threads 1, same seed, same vectors (default 1)" },
    { "threads", OPT_THREADS, 1, "N", "worker threads (default 1; more is faster but not reproducible)" },
    { "binary", O_BINARY, 0, NULL, "write word2vec's binary format instead of text" },
    { "quiet", O_QUIET, 0, NULL, "no progress or summary on stderr" },
    TOKENIZER_OPTS,
    DATA_OPTS,
    EXCLUDE_OPT,
    { 0 }
};

static const cmd_spec spec = {
    "vectors", "[options] FILE... -o VECTORS",
    "Train word vectors on the text column (CSV/TSV) or the lines (.txt) of FILE: word2vec's\n"
    "skip-gram with negative sampling, on the tokens seqsent's tokenizer makes (same options as\n"
    "vocab and train).  Writes word2vec text (or --binary) format, most frequent words first,\n"
    "for 'train --embed VECTORS' or 'embed'.  Labels are not used: unlabelled text is fine.",
    options, NULL
};

static int show_progress;

static void progress(double done, double total)
{
    if (show_progress) fprintf(stderr, "\rvectors: %5.1f%%", total > 0 ? 100 * done / total : 100.0);
}

int cmd_vectors(int argc, char **argv)
{
    common_opts co;
    common_opts_init(&co);
    co.threads = 1;
    w2v_opts wo;
    w2v_opts_default(&wo);
    const char *out = NULL, *arg;
    long min_count = 5;
    int binary = 0, quiet = 0, c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        if (common_opt(&spec, &co, c, arg)) continue;
        switch (c) {
        case 'o': out = arg; break;
        case O_DIM: wo.dim = (int)opt_long(&spec, "dim", arg, 1, 10000); break;
        case O_WINDOW: wo.window = (int)opt_long(&spec, "window", arg, 1, 1000); break;
        case O_NEGATIVE: wo.negative = (int)opt_long(&spec, "negative", arg, 1, 1000); break;
        case O_EPOCHS: wo.epochs = (int)opt_long(&spec, "epochs", arg, 1, 100000); break;
        case O_LR: wo.lr = opt_double(&spec, "lr", arg, 1e-9, 10); break;
        case O_SAMPLE: wo.sample = opt_double(&spec, "sample", arg, 0, 1); break;
        case O_MIN_COUNT: min_count = opt_long(&spec, "min-count", arg, 1, 1L << 40); break;
        case O_SEED: wo.seed = (uint64_t)opt_long(&spec, "seed", arg, 0, (1L << 62)); break;
        case O_BINARY: binary = 1; break;
        case O_QUIET: quiet = 1; break;
        }
    }
    wo.threads = co.threads;
    int first = opt_operands();
    if (first == argc) usage_error(&spec, "no input file given ('-' reads stdin)");
    if (!out) usage_error(&spec, "no output file: give -o VECTORS ('-' = stdout)");
    cli_check_output(out);

    model m;
    cli_texts tx;
    cli_corpus_load(&m, &tx, argv + first, argc - first, &co, quiet ? NULL : "vectors");
    char **texts = tx.text;
    size_t nt = tx.n;
    cli_build_vocab(&m, texts, nt, min_count, 0);

    size_t n, words;   /* the corpus: vocabulary ids of every text, -1 after each */
    int32_t *corpus = w2v_corpus(model_tokenizer(&m), &m.voc, texts, nt, &n, &words);
    size_t V = m.voc.n;
    if (V <= 2 || words == 0)
        die(EXIT_FAIL, "%s: no word seen %ld times or more: nothing to train on (lower --min-count?)",
            argv[first], min_count);
    if (!quiet)
        fprintf(stderr, "vectors: %zu texts, %zu words, vocabulary %zu (min count %ld); dim %d, window %d, "
                "negative %d, %d epochs; dictionary %s\n", nt, words, V - 2, min_count, wo.dim, wo.window, wo.negative,
                wo.epochs, m.dict_source);
    show_progress = !quiet && isatty(2);
    float *vec = w2v_train(corpus, n, m.voc.counts, V, &wo, progress);
    if (show_progress) fputc('\n', stderr);

    /* word2vec format: words by frequency (ids 2..V-1) */
    if (vectors_write(out, &m.voc, 2, vec, wo.dim, binary) < 0) {
        if (errno == EPIPE && !strcmp(out, "-")) exit(EXIT_OK);   /* the reader went away */
        die_err(EXIT_FAIL);
    }
    if (!quiet) fprintf(stderr, "vectors: wrote %zu vectors of dimension %d to %s\n", V - 2, wo.dim, out);
    free(vec);
    free(corpus);
    cli_texts_free(&tx);
    model_free(&m);
    return EXIT_OK;
}
