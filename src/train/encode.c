/* encode.c - text rows -> padded id rows [n, T] and class ids [n] (see encode.h). */
#include "train/encode.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

int encode_dataset(model *m, const dataset *d, int with_labels, encoded *out)
{
    memset(out, 0, sizeof *out);
    model_tokenizer(m);
    out->n = d->n;
    out->T = m->maxlen;
    out->ids = xmalloc(d->n * (size_t)m->maxlen * sizeof *out->ids);
    out->len = xmalloc((d->n + 1) * sizeof *out->len);
    if (with_labels) out->y = xmalloc(d->n * sizeof *out->y);
    toklist tl = {0};
    int32_t *idbuf = NULL;
    size_t idcap = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (with_labels) {
            int k = model_label_index(m, d->label[i]);
            if (k < 0) {
                err_set("%s:%ld: label '%s' is not one of the model's labels", d->path, d->line[i], d->label[i]);
                toklist_free(&tl); free(idbuf); encoded_free(out);
                return -1;
            }
            out->y[i] = k;
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
