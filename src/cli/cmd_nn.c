/* cmd_nn.c - `seqsent nn VECTORS|MODEL [WORD...]` and `seqsent analogies
 * VECTORS|MODEL [A B C...]`: nearest neighbours by cosine, and "A is to B
 * as C is to ?" (fastText's nn and analogies), over a word2vec file or a
 * model's embedding (text/wordspace.h).  Queries come from the command line
 * or, with none there, one per line from standard input. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "cli/opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cmd_opt options[] = {
    { "top-k", 'k', 1, "N", "answers per query (default 10)" },
    { 0 }
};

static const cmd_spec nn_spec = {
    "nn", "[options] VECTORS|MODEL [WORD...]",
    "Print the nearest neighbours of each WORD by cosine similarity: QUERY<TAB>WORD<TAB>COSINE,\n"
    "k lines per query, best first.  VECTORS: word2vec text or binary (.gz ok); MODEL: a\n"
    "model file's embedding.  No WORD: one query word per line on standard input.",
    options, NULL
};

static const cmd_spec an_spec = {
    "analogies", "[options] VECTORS|MODEL [A B C]...",
    "Answer \"A is to B as C is to ?\": the words nearest to B - A + C (each unit length),\n"
    "A, B and C excluded, as A B C<TAB>WORD<TAB>COSINE, k lines per query.  No words: one\n"
    "query 'A B C' per line on standard input.",
    options, NULL
};

typedef struct query_ctx {
    const cmd_spec *spec;
    wordspace ws;
    int k, words;          /* answers per query; words per query (1 or 3) */
    int32_t *ids;
    float *sims, *q;
    int unknown;           /* queries with a word that has no vector */
} query_ctx;

/* One query of ctx->words words, printed; an unknown word is reported on
 * stderr and the query skipped. */
static void answer(query_ctx *c, char *const *w)
{
    int32_t id[3];
    for (int i = 0; i < c->words; i++)
        if ((id[i] = wordspace_id(&c->ws, w[i])) < 0) {
            fprintf(stderr, "seqsent %s: '%s' has no vector\n", c->spec->name, w[i]);
            c->unknown++;
            return;
        }
    if (c->words == 1) memcpy(c->q, c->ws.unit + (size_t)id[0] * c->ws.dim, sizeof(float) * c->ws.dim);
    else wordspace_analogy(&c->ws, id[0], id[1], id[2], c->q);
    int n = wordspace_nearest(&c->ws, c->q, c->k, id, c->words, c->ids, c->sims);
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < c->words; i++) printf(i ? " %s" : "%s", w[i]);
        printf("\t%s\t%.6f\n", vocab_token(c->ws.voc, c->ids[j]), c->sims[j]);
    }
}

/* A line of standard input: its words (white-space separated) as queries. */
static void answer_line(char *line, const csv_reader *r, void *ctx)
{
    (void)r;
    query_ctx *c = ctx;
    char *w[3], *save = NULL;
    int n = 0;
    for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
        if (n == c->words) { n = c->words + 1; break; }
        w[n++] = t;
    }
    if (n == 0) return;   /* a blank line */
    if (n != c->words) {
        fprintf(stderr, "seqsent %s: expected %s per line, skipped: %s\n", c->spec->name,
                c->words == 1 ? "one word" : "three words (A B C)", line);
        c->unknown++;
        return;
    }
    answer(c, w);
}

static int run(const cmd_spec *spec, int words, int argc, char **argv)
{
    query_ctx c = { .spec = spec, .k = 10, .words = words };
    const char *arg;
    int o;
    while ((o = opt_next(spec, argc, argv, &arg)) != -1)
        if (o == 'k') c.k = (int)opt_long(spec, "top-k", arg, 1, 100000);
    int first = opt_operands();
    if (first == argc) usage_error(spec, "no vectors given: a word2vec file or a model file");
    int nq = argc - first - 1;
    if (nq % words) usage_error(spec, "queries are three words each (A B C), got %d word%s", nq, nq == 1 ? "" : "s");
    model m;
    if (cli_load_wordspace(argv[first], &m, &c.ws) < 0) die_err(EXIT_FAIL);
    c.ids = xmalloc(sizeof *c.ids * (size_t)c.k);
    c.sims = xmalloc(sizeof *c.sims * (size_t)c.k);
    c.q = xmalloc(sizeof *c.q * (size_t)c.ws.dim);
    if (nq)
        for (int i = first + 1; i < argc; i += words) answer(&c, argv + i);
    else
        cli_each_line("-", answer_line, &c);
    finish_stdout();
    free(c.ids); free(c.sims); free(c.q);
    wordspace_free(&c.ws);
    model_free(&m);
    return c.unknown && nq ? EXIT_FAIL : EXIT_OK;   /* words given on the command line must all be known */
}

int cmd_nn(int argc, char **argv) { return run(&nn_spec, 1, argc, argv); }
int cmd_analogies(int argc, char **argv) { return run(&an_spec, 3, argc, argv); }
