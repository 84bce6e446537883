/* cmd_pad.c - `seqsent pad`: token lines -> padded id sequences (Keras pad_sequences). */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "cli/opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_MAXLEN = 400, O_PADDING, O_TRUNCATING, O_VALUE, O_VOCAB };

static const cmd_opt options[] = {
    { "model", 'm', 1, "MODEL", "map tokens with this model's (or vocab file's) vocabulary" },
    { "vocab", O_VOCAB, 1, "FILE", "map tokens with a 'token<TAB>count' listing" },
    { "maxlen", O_MAXLEN, 1, "N", "sequence length (default: the model's, else the longest line)" },
    { "padding", O_PADDING, 1, "pre|post", "where padding goes (default pre)" },
    { "truncating", O_TRUNCATING, 1, "pre|post", "which end long sequences lose (default pre)" },
    { "value", O_VALUE, 1, "N", "padding value (default 0)" },
    { 0 }
};

static const cmd_spec spec = {
    "pad", "[options] [FILE...]",
    "Read lines of space-separated tokens (as 'tokenize' prints them) and print each as maxlen\n"
    "space-separated integer ids, with Keras pad_sequences semantics.  Without -m/--vocab the\n"
    "tokens must already be integer ids.  Unknown tokens map to 1 (<unk>).",
    options, NULL
};

typedef struct seqs { int32_t *ids; size_t n, cap; size_t *start; size_t nseq, seqcap; } seqs;

int cmd_pad(int argc, char **argv)
{
    const char *model_path = NULL, *vocab_path = NULL, *arg;
    int maxlen = 0, pad_pre = 1, trunc_pre = 1, c;
    long value = 0;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        switch (c) {
        case 'm': model_path = arg; break;
        case O_VOCAB: vocab_path = arg; break;
        case O_MAXLEN: maxlen = (int)opt_long(&spec, "maxlen", arg, 1, 1000000); break;
        case O_PADDING: pad_pre = opt_pre_post(&spec, "padding", arg); break;
        case O_TRUNCATING: trunc_pre = opt_pre_post(&spec, "truncating", arg); break;
        case O_VALUE: value = opt_long(&spec, "value", arg, -2147483647L, 2147483647L); break;
        }
    }
    if (model_path && vocab_path) usage_error(&spec, "-m and --vocab exclude each other");
    model m;
    model_init(&m);
    int have_vocab = 0;
    if (model_path || vocab_path) {
        if (cli_load_base(&m, model_path ? model_path : vocab_path) < 0) die_err(EXIT_FAIL);
        have_vocab = 1;
        if (!maxlen && m.maxlen) maxlen = m.maxlen;
    }
    /* Read every line first when maxlen must come from the data; otherwise stream. */
    seqs s = {0};
    int first = opt_operands(), nfiles = argc - first;
    int32_t *out = NULL;
    for (int f = 0; f < (nfiles ? nfiles : 1); f++) {
        const char *path = nfiles ? argv[first + f] : "-";
        csv_reader *r = csv_open(path, FMT_LINES);
        if (!r) die_err(EXIT_FAIL);
        char **fields;
        size_t nf;
        int rc;
        while ((rc = csv_next(r, &fields, &nf)) == 1) {
            size_t begin = s.n;
            for (char *tok = strtok(fields[0], " \t"); tok; tok = strtok(NULL, " \t")) {
                int32_t id;
                if (have_vocab) id = vocab_id(&m.voc, tok, strlen(tok));
                else {
                    char *end;
                    errno = 0;
                    long v = strtol(tok, &end, 10);
                    if (*end || errno || v < 0 || v > 2147483647L)
                        die(EXIT_FAIL, "%s:%ld: '%s' is not an id; give -m MODEL or --vocab FILE to map tokens", csv_path(r), csv_line(r), tok);
                    id = (int32_t)v;
                }
                if (s.n == s.cap) { s.cap = s.cap ? s.cap * 2 : 4096; s.ids = xrealloc(s.ids, s.cap * sizeof *s.ids); }
                s.ids[s.n++] = id;
            }
            if (maxlen) {   /* stream */
                out = xrealloc(out, (size_t)maxlen * sizeof *out);
                pad_sequence(s.ids + begin, s.n - begin, maxlen, pad_pre, trunc_pre, (int32_t)value, out);
                for (int i = 0; i < maxlen; i++) printf(i ? " %d" : "%d", out[i]);
                putchar('\n');
                s.n = 0;
                /* a write error (disk full, reader gone) ends the run at once */
                if (ferror(stdout) || (csv_would_block(r) && fflush(stdout) != 0)) finish_stdout();
                continue;
            }
            if (s.nseq + 1 >= s.seqcap) { s.seqcap = s.seqcap ? s.seqcap * 2 : 1024; s.start = xrealloc(s.start, s.seqcap * sizeof *s.start); }
            s.start[s.nseq++] = begin;
            s.start[s.nseq] = s.n;
        }
        if (rc < 0) die_err(EXIT_FAIL);
        csv_close(r);
    }
    if (!maxlen && s.nseq) {   /* Keras: maxlen = longest sequence */
        size_t longest = 1;
        for (size_t i = 0; i < s.nseq; i++)
            if (s.start[i + 1] - s.start[i] > longest) longest = s.start[i + 1] - s.start[i];
        out = xrealloc(out, longest * sizeof *out);
        for (size_t i = 0; i < s.nseq; i++) {
            pad_sequence(s.ids + s.start[i], s.start[i + 1] - s.start[i], (int)longest, pad_pre, trunc_pre, (int32_t)value, out);
            for (size_t j = 0; j < longest; j++) printf(j ? " %d" : "%d", out[j]);
            putchar('\n');
        }
    }
    finish_stdout();   /* write errors: exit 1 with a message; EPIPE: quiet exit 0 */
    free(s.ids); free(s.start); free(out);
    model_free(&m);
    return EXIT_OK;
}
