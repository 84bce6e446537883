/* cmd_ensemble.c - `seqsent ensemble MODEL... -o OUT`: several trained models
 * in one file whose predictions are the mean of theirs.
 *
 * The members must read text the same way (tokenizer settings, dictionary,
 * vocabulary, maxlen, padding) and predict the same labels; their networks
 * may differ (cell, layers, size, seeds...).  Each member keeps its own
 * tensors under a prefix ("m1.lstm.0.W"); see seqsent-model(5).  Members
 * are trained separately, each with its own checkpoints and validation data,
 * typically with `train --from BASE` (one shared vocabulary) and different
 * --seed values. */
#include "cli/commands.h"
#include "base/err.h"
#include "model/model.h"
#include "cli/opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_HALF = 400 };

static const cmd_opt options[] = {
    { "output", 'o', 1, "OUT", "write the ensemble here (required; written atomically; may be one of the inputs)" },
    { "quiet", 'q', 0, NULL, "no summary on stderr" },
    { "half", O_HALF, 0, NULL, "store the weights as 16-bit floats: half the file; probabilities change in the 3rd-4th digit" },
    { 0 }
};

static const cmd_spec spec = {
    "ensemble", "[options] MODEL MODEL... -o OUT",
    "Put trained models into one model file that predicts the mean of their probabilities\n"
    "(an ensemble).  The models must share the tokenizer, dictionary, vocabulary, sequence\n"
    "settings and labels -- train them with 'train --from BASE' and different --seed values;\n"
    "their networks may differ.  eval, predict and info take the result like any model.",
    options, NULL
};

/* Same bytes in tensor `name` of both files (both absent counts as same). */
static int same_tensor(const mfile *a, const mfile *b, const char *name)
{
    const mf_tensor *x = mf_get(a, name), *y = mf_get(b, name);
    if (!x || !y) return !x && !y;
    return x->nbytes == y->nbytes && memcmp(x->data, y->data, x->nbytes) == 0;
}

static int same_meta(const mfile *a, const mfile *b, const char *key)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(a->meta, key);
    const cJSON *y = cJSON_GetObjectItemCaseSensitive(b->meta, key);
    if (!x || !y) return !x && !y;
    return cJSON_Compare(x, y, 1);
}

/* Why b cannot join an ensemble with a, or NULL. */
static const char *mismatch(const model *a, const model *b)
{
    if (!same_meta(a->file, b->file, "labels")) return "different labels";
    if (!same_meta(a->file, b->file, "sequence")) return "different maxlen, padding or truncating";
    if (!same_meta(a->file, b->file, "tokenizer") || !same_tensor(a->file, b->file, "tokenizer.dict"))
        return "different tokenizer settings or dictionary";
    if (!same_tensor(a->file, b->file, "vocab.tokens")) return "a different vocabulary (train both with --from the same base)";
    return NULL;
}

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
    if (nin > 1000) usage_error(&spec, "at most 1000 models");

    model *ms = xcalloc(nin, sizeof *ms);
    int total = 0;
    for (int i = 0; i < nin; i++) {
        const char *path = argv[first + i];
        if (model_load(&ms[i], path, 1) < 0) die_err(EXIT_FAIL);
        if (!ms[i].net) die(EXIT_FAIL, "%s: not a trained model (kind '%s')", path, model_kind(&ms[i]));
        const char *why = i ? mismatch(&ms[0], &ms[i]) : NULL;
        if (why) die(EXIT_FAIL, "%s: cannot join %s in an ensemble: %s", path, argv[first], why);
        total += model_nets(&ms[i]);
    }
    if (total > 1000) die(EXIT_FAIL, "an ensemble of %d networks is too large (at most 1000)", total);

    /* The first model carries the shared parts; every other network (members
     * of ensembles given as input included) becomes one of its members. */
    model *e = &ms[0];
    net **mem = xcalloc(total - 1, sizeof *mem);
    cJSON **info = xcalloc(total - 1, sizeof *info);
    int k = 0;
    for (int j = 0; j < e->nmembers; j++, k++) {
        mem[k] = e->members[j];
        info[k] = e->member_info[j];
    }
    for (int i = 1; i < nin; i++) {
        mem[k] = ms[i].net;
        info[k++] = ms[i].train_info;
        ms[i].net = NULL;
        ms[i].train_info = NULL;
        for (int j = 0; j < ms[i].nmembers; j++, k++) {
            mem[k] = ms[i].members[j];
            info[k] = ms[i].member_info[j];
        }
        ms[i].nmembers = 0;
    }
    free(e->members);
    free(e->member_info);
    e->members = mem;
    e->member_info = info;
    e->nmembers = total - 1;
    e->half = half;
    if (model_save(e, out) < 0) die_err(EXIT_FAIL);
    if (!quiet) fprintf(stderr, "ensemble: %d networks from %d files written to %s\n", total, nin, out);
    for (int i = 0; i < nin; i++) model_free(&ms[i]);
    free(ms);
    return EXIT_OK;
}
