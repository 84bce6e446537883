/* main.c - `seqsent COMMAND [options]`: the subcommand table. */
#include "cli/commands.h"
#include "base/err.h"
#include "cli/suggest.h"
#include "train/dist.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    { "tokenize", cmd_tokenize, "split text into tokens (English words, Chinese segmentation)" },
    { "vocab",    cmd_vocab,    "build a vocabulary (and tokenizer settings) from text" },
    { "pad",      cmd_pad,      "turn token lines into padded id sequences" },
    { "embed",    cmd_embed,    "add pretrained word vectors to a vocabulary, report coverage" },
    { "nn",       cmd_nn,       "nearest words by cosine (a word2vec file or a model's embedding)" },
    { "analogies", cmd_analogies, "A is to B as C is to ?: the words nearest to B - A + C" },
    { "vectors",  cmd_vectors,  "train word2vec vectors (skip-gram) on unlabelled text" },
    { "train",    cmd_train,    "train a recurrent (LSTM, GRU, RNN) classifier from labelled text" },
    { "pretrain", cmd_pretrain, "pretrain the embedding and recurrent layers as a language model" },
    { "distill",  cmd_distill,  "train a student network on a teacher's (an ensemble's) outputs" },
    { "eval",     cmd_eval,     "accuracy, loss, per-class figures and confusion matrix" },
    { "predict",  cmd_predict,  "classify text lines: label<TAB>probability per line" },
    { "encode",   cmd_encode,   "print the encoder's sentence vector of every text" },
    { "info",     cmd_info,     "print a model file's metadata as JSON" },
    { "ensemble", cmd_ensemble, "put trained models into one file that predicts their mean" },
    { "quantize", cmd_quantize, "a trained model with int8 or bf16 weights: smaller, faster" },
    { "split",    cmd_split,    "split data into training and test files (seeded, stratified)" },
    { "serve",    cmd_serve,    "predictions over HTTP as JSON: POST /predict, GET /health, /info" },
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: seqsent COMMAND [options] [args]\n"
               "Sentiment classification with stacked LSTMs, from the command line.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'seqsent COMMAND --help' for a command's options; 'man seqsent' for more.\n"
               "Exit status: 0 success, 1 error (bad input, unreadable or corrupt file),\n"
               "2 usage error, 130/143 training interrupted by SIGINT/SIGTERM (checkpoint\nwritten).\n");
}

/* Other tools' words for our commands, then the closest name to a typo. */
static const struct { const char *word, *cmd; } synonyms[] = {
    { "test", "eval" }, { "evaluate", "eval" }, { "score", "eval" }, { "fit", "train" },
    { "classify", "predict" }, { "predict-prob", "predict" }, { "tokenise", "tokenize" },
    { "segment", "tokenize" }, { "print-sentence-vectors", "encode" }, { "skipgram", "vectors" },
    { "word2vec", "vectors" }, { "dump", "info" }, { "quantise", "quantize" }, { "compress", "quantize" }, { "server", "serve" },
};

static void unknown_command(const char *cmd)
{
    const char *best = NULL;
    for (size_t i = 0; i < sizeof synonyms / sizeof *synonyms; i++)
        if (!strcmp(cmd, synonyms[i].word)) best = synonyms[i].cmd;
    if (!best) {
        const char *names[sizeof commands / sizeof *commands];
        for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) names[i] = commands[i].name;
        best = suggest_closest(cmd, names, sizeof names / sizeof *names);
    }
    if (best) fprintf(stderr, "seqsent: unknown command '%s'; did you mean 'seqsent %s'?\n", cmd, best);
    else fprintf(stderr, "seqsent: unknown command '%s'\n", cmd);
    fprintf(stderr, "Try 'seqsent --help'.\n");
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);   /* write errors (EPIPE) are handled where output is written */
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V") || !strcmp(cmd, "version")) {
        printf("seqsent %s\n", SEQSENT_VERSION);
        printf("MPI: %s\n", dist_built() ? "built in (mpirun -np N seqsent train|pretrain|distill ...)" : "not built in");
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "help")) {
        if (argc < 3) { usage(stdout); return EXIT_OK; }
        cmd = argv[2];
        char *hargv[] = { (char *)cmd, "--help", NULL };
        for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
            if (!strcmp(cmd, commands[i].name)) return commands[i].fn(2, hargv);
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(cmd, commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    unknown_command(cmd);
    return EXIT_USAGE;
}
