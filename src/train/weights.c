/* weights.c - weight snapshots and the exponential moving average (see weights.h). */
#include "train/weights.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

float **weights_snapshot(const net *n, float **snap)
{
    if (!snap) snap = xcalloc(n->nparams, sizeof *snap);
    for (int i = 0; i < n->nparams; i++) {
        if (!snap[i]) snap[i] = xmalloc(n->params[i].n * sizeof(float));
        memcpy(snap[i], n->params[i].w, n->params[i].n * sizeof(float));
    }
    return snap;
}

void weights_restore(net *n, float **snap)
{
    for (int i = 0; i < n->nparams; i++) memcpy(n->params[i].w, snap[i], n->params[i].n * sizeof(float));
}

void weights_snapshot_free(const net *n, float **snap)
{
    if (!snap) return;
    for (int i = 0; i < n->nparams; i++) free(snap[i]);
    free(snap);
}

void ema_start(net *n)
{
    for (int i = 0; i < n->nparams; i++)
        if (!n->params[i].ema) {
            n->params[i].ema = xmalloc(n->params[i].n * sizeof(float));
            memcpy(n->params[i].ema, n->params[i].w, n->params[i].n * sizeof(float));
        }
}

double ema_momentum(double momentum, long step)
{
    double warm = (1.0 + (double)step) / (10.0 + (double)step);
    return warm < momentum ? warm : momentum;
}

void ema_update(net *n, double momentum)
{
    const float a = (float)(1.0 - momentum);
    for (int i = 0; i < n->nparams; i++) {
        float *restrict e = n->params[i].ema;
        const float *restrict w = n->params[i].w;
        for (size_t k = 0; k < n->params[i].n; k++) e[k] += a * (w[k] - e[k]);
    }
}

void ema_swap_in(net *n, float ***keep)
{
    if (keep) *keep = weights_snapshot(n, *keep);
    for (int i = 0; i < n->nparams; i++) memcpy(n->params[i].w, n->params[i].ema, n->params[i].n * sizeof(float));
}
