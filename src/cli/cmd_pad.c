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

/* The lines read so far (ids + where each starts), and the settings. */
typedef struct pad_ctx {
    int32_t *ids; size_t n, cap;
    size_t *start; size_t nseq, seqcap;
    int32_t *out;
    const vocab *voc;        /* map tokens, or NULL: tokens are ids */
    int maxlen, pad_pre, trunc_pre;
    int32_t value;
} pad_ctx;

static void print_padded(pad_ctx *p, const int32_t *ids, size_t n, int maxlen)
{
    p->out = xrealloc(p->out, (size_t)maxlen * sizeof *p->out);
    pad_sequence(ids, n, maxlen, p->pad_pre, p->trunc_pre, p->value, p->out);
    for (int i = 0; i < maxlen; i++) printf(i ? " %d" : "%d", p->out[i]);
    putchar('\n');
}

/* One line of tokens: printed at once with a known maxlen (streaming),
 * else kept until the longest line is known. */
static void pad_line(char *line, const csv_reader *r, void *ctx)
{
    pad_ctx *p = ctx;
    size_t begin = p->n;
    for (char *tok = strtok(line, " \t"); tok; tok = strtok(NULL, " \t")) {
        int32_t id;
        if (p->voc) id = vocab_id(p->voc, tok, strlen(tok));
        else {
            char *end;
            errno = 0;
            long v = strtol(tok, &end, 10);
            if (*end || errno || v < 0 || v > 2147483647L)
                die(EXIT_FAIL, "%s:%ld: '%s' is not an id; give -m MODEL or --vocab FILE to map tokens", csv_path(r), csv_line(r), tok);
            id = (int32_t)v;
        }
        if (p->n == p->cap) { p->cap = p->cap ? p->cap * 2 : 4096; p->ids = xrealloc(p->ids, p->cap * sizeof *p->ids); }
        p->ids[p->n++] = id;
    }
    if (p->maxlen) {
        print_padded(p, p->ids + begin, p->n - begin, p->maxlen);
        p->n = 0;
        return;
    }
    if (p->nseq + 1 >= p->seqcap) {
        p->seqcap = p->seqcap ? p->seqcap * 2 : 1024;
        p->start = xrealloc(p->start, p->seqcap * sizeof *p->start);
    }
    p->start[p->nseq++] = begin;
    p->start[p->nseq] = p->n;
}

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
    pad_ctx p = { .voc = have_vocab ? &m.voc : NULL, .maxlen = maxlen, .pad_pre = pad_pre,
                  .trunc_pre = trunc_pre, .value = (int32_t)value };
    int first = opt_operands(), nfiles = argc - first;
    for (int f = 0; f < (nfiles ? nfiles : 1); f++) cli_each_line(nfiles ? argv[first + f] : "-", pad_line, &p);
    if (!maxlen && p.nseq) {   /* Keras: maxlen = longest sequence */
        size_t longest = 1;
        for (size_t i = 0; i < p.nseq; i++)
            if (p.start[i + 1] - p.start[i] > longest) longest = p.start[i + 1] - p.start[i];
        for (size_t i = 0; i < p.nseq; i++) print_padded(&p, p.ids + p.start[i], p.start[i + 1] - p.start[i], (int)longest);
    }
    finish_stdout();   /* write errors: exit 1 with a message; EPIPE: quiet exit 0 */
    free(p.ids); free(p.start); free(p.out);
    model_free(&m);
    return EXIT_OK;
}
