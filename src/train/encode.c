/* encode.c - text rows -> padded id rows [n, T] and class ids [n] (see encode.h). */
#include "train/encode.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

/* Row i's labels into out: y[i], and a multi-label model's row of soft.
 * -1 with err_set for a label the model does not know, or several labels
 * for a single-label model. */
static int label_rows(const model *m, const dataset *d, size_t i, encoded *out)
{
    const char *l = d->label[i];
    int n = label_count(l);
    if (n > 1 && !m->multilabel)
        return err_set("%s:%ld: %d labels on one line, and the model is single-label (one class per row); "
                       "train a multi-label model on such data", d->path, d->line[i], n);
    for (int j = 0; l; j++) {
        size_t len;
        const char *next = label_next(l, &len);
        char *name = xstrndup(l, len);
        int k = model_label_index(m, name);
        if (k < 0) {
            err_set("%s:%ld: label '%s' is not one of the model's labels", d->path, d->line[i], name);
            free(name);
            return -1;
        }
        free(name);
        if (!j) out->y[i] = k;
        if (out->multi) out->soft[i * (size_t)out->K + k] = 1;
        l = next;
    }
    return 0;
}

int encode_dataset(model *m, const dataset *d, int with_labels, encoded *out)
{
    memset(out, 0, sizeof *out);
    model_tokenizer(m);
    out->n = d->n;
    out->T = m->maxlen;
    out->ids = xmalloc(d->n * (size_t)m->maxlen * sizeof *out->ids);
    out->len = xmalloc((d->n + 1) * sizeof *out->len);
    if (with_labels) out->y = xmalloc(d->n * sizeof *out->y);
    if (with_labels && m->multilabel) {   /* label sets [n, K] */
        out->multi = 1;
        out->K = m->nlabels;
        out->soft = xcalloc(d->n * (size_t)m->nlabels + 1, sizeof *out->soft);
    }
    toklist tl = {0};
    int32_t *idbuf = NULL;
    size_t idcap = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (with_labels && label_rows(m, d, i, out) < 0) {
            toklist_free(&tl); free(idbuf); encoded_free(out);
            return -1;
        }
        size_t nt = model_encode(m, d->text[i], strlen(d->text[i]), &tl, &idbuf, &idcap,
                                 out->ids + i * (size_t)m->maxlen);
        out->tokens += nt;
        out->len[i] = (int32_t)(nt < (size_t)m->maxlen ? nt : (size_t)m->maxlen);
        for (size_t j = 0; j < nt; j++) out->unknown += idbuf[j] == VOCAB_UNK;
    }
    toklist_free(&tl);
    free(idbuf);
    return 0;
}

void encoded_free(encoded *e)
{
    free(e->len);
    free(e->ids);
    free(e->y);
    free(e->soft);
    memset(e, 0, sizeof *e);
}
