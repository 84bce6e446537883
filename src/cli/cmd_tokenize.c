/* cmd_tokenize.c - `seqsent tokenize [FILE...]`: space-separated tokens per line. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "cli/opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const cmd_opt options[] = {
    { "model", 'm', 1, "MODEL", "tokenize exactly as this model (or vocab file) does" },
    TOKENIZER_OPTS,
    DATA_OPTS,
    { 0 }
};

static const cmd_spec spec = {
    "tokenize", "[options] [FILE...]",
    "Print the tokens of each input text, separated by spaces, one line per text.  Input is\n"
    "plain lines (stdin or .txt), the text column of CSV/TSV files, or the text of fastText\n"
    "lines (a .txt starting with __label__, .ft): the labels are not tokenized.",
    options,
    "Chinese is segmented with a dictionary (--dict, --dict-vectors or the model's); without\n"
    "one, jieba's dict.txt (python3-jieba) from the first text with a Han character on (a\n"
    "line on stderr says so), or one token per Han character with --dict none.\n"
};

/* lazy: the default dictionary is still to be loaded at the first Han text */
typedef struct line_ctx { model *m; tokenizer *tk; toklist *tl; int lazy; } line_ctx;

/* One text's tokens, space-separated, on one line. */
static void print_tokens(char *text, const csv_reader *r, void *ctx)
{
    line_ctx *c = ctx;
    (void)r;
    if (c->lazy && text_has_han(text, strlen(text))) {
        c->lazy = 0;
        if (cli_default_dict(c->m, "tokenize") < 0) die_err(EXIT_FAIL);
        if (c->m->dict) fprintf(stderr, "tokenize: dictionary %s\n", c->m->dict_source);
        tokenizer_free(c->m->tk);
        c->m->tk = NULL;
        c->tk = model_tokenizer(c->m);
    }
    toklist_clear(c->tl);
    tokenize(c->tk, text, strlen(text), c->tl);
    for (size_t j = 0; j < c->tl->n; j++) {
        if (j) putchar(' ');
        fputs(toklist_get(c->tl, j), stdout);
    }
    putchar('\n');
}

int cmd_tokenize(int argc, char **argv)
{
    common_opts co;
    common_opts_init(&co);
    const char *model_path = NULL, *arg;
    int c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        if (common_opt(&spec, &co, c, arg)) continue;
        if (c == 'm') model_path = arg;
    }
    if (model_path && co.tok_set) usage_error(&spec, "-m and tokenizer options exclude each other");
    model m;
    if (model_path) {
        if (model_load(&m, model_path, 0) < 0) die_err(EXIT_FAIL);
    } else {
        model_init(&m);
        if (cli_setup_tokenizer(&m, &co, NULL, NULL, 0, "tokenize") < 0) die_err(EXIT_FAIL);
    }
    tokenizer *tk = model_tokenizer(&m);
    toklist tl = {0};
    int first = opt_operands();
    line_ctx lc = { &m, tk, &tl, 0 };
    /* no dictionary chosen: the default one if the text turns out to be Chinese */
    lc.lazy = !model_path && !m.dict && !co.dict_path && co.tok.lang == LANG_AUTO;
    cli_each_text(argv + first, argc - first, &co, print_tokens, NULL, &lc);
    finish_stdout();
    toklist_free(&tl);
    model_free(&m);
    return EXIT_OK;
}
