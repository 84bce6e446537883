/* ensemble.c - checking and merging trained models into an ensemble (see ensemble.h). */
#include "model/ensemble.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

/* Same bytes in tensor `name` of both files (both absent counts as same). */
static int same_tensor(const mfile *a, const mfile *b, const char *name)
{
    const mf_tensor *x = mf_get(a, name), *y = mf_get(b, name);
    if (!x || !y) return !x && !y;
    return x->nbytes == y->nbytes && memcmp(x->data, y->data, x->nbytes) == 0;
}

/* Same JSON under `key` of both files' metadata (both absent counts as same). */
static int same_meta(const mfile *a, const mfile *b, const char *key)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(a->meta, key);
    const cJSON *y = cJSON_GetObjectItemCaseSensitive(b->meta, key);
    if (!x || !y) return !x && !y;
    return cJSON_Compare(x, y, 1);
}

const char *ensemble_mismatch(const model *a, const model *b)
{
    if (!same_meta(a->file, b->file, "labels")) return "different labels";
    if (a->multilabel != b->multilabel) return "one is multi-label (a sigmoid per label), the other not";
    if (!same_meta(a->file, b->file, "sequence")) return "different maxlen, padding or truncating";
    if (!same_meta(a->file, b->file, "tokenizer") || !same_tensor(a->file, b->file, "tokenizer.dict"))
        return "different tokenizer settings or dictionary";
    if (!same_tensor(a->file, b->file, "vocab.tokens")) return "a different vocabulary (train both with --from the same base)";
    if (a->match_unknown != b->match_unknown)   /* one id per word for all members */
        return "they read unknown words differently (--match-unknown): train them with the same setting";
    return NULL;
}

/* Load and check model i; -1 with the error (ms[i] freed when it loaded). */
static int load_member(model *ms, char *const *paths, int i, int *total)
{
    if (model_load(&ms[i], paths[i], MODEL_COPY) < 0) return -1;
    const char *why = NULL;
    int bad = model_check_classifier(&ms[i], paths[i]) < 0;   /* a vocabulary, or a language model */
    if (!bad && i && (why = ensemble_mismatch(&ms[0], &ms[i])))
        err_set("%s: cannot join %s in an ensemble: %s", paths[i], paths[0], why);
    if (bad || why) {
        model_free(&ms[i]);
        return -1;
    }
    *total += model_nets(&ms[i]);
    return 0;
}

int ensemble_load(model *ms, char *const *paths, int n)
{
    int total = 0, i;
    for (i = 0; i < n; i++)
        if (load_member(ms, paths, i, &total) < 0) break;
    if (i == n && total > ENSEMBLE_MAX)
        err_set("an ensemble of %d networks is too large (at most %d)", total, ENSEMBLE_MAX);
    if (i == n && total <= ENSEMBLE_MAX) return 0;
    for (int j = 0; j < i; j++) model_free(&ms[j]);
    return -1;
}

void ensemble_merge(model *ms, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++) total += model_nets(&ms[i]);
    model *e = &ms[0];
    net **mem = xcalloc(total - 1, sizeof *mem);
    cJSON **info = xcalloc(total - 1, sizeof *info);
    int k = 0;
    for (int j = 0; j < e->nmembers; j++, k++) {
        mem[k] = e->members[j];
        info[k] = e->member_info[j];
    }
    for (int i = 1; i < n; i++) {
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
}
