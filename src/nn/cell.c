/* cell.c - the table of recurrent cells, and what they share (see cell.h). */
#include "nn/cell.h"
#include "base/names.h"
#include "base/quant.h"
#include "base/tensor.h"

#include <string.h>

/* In cell_type order, a row with a NULL name last (names.h). */
static const cell_kind cells[] = {
    { "lstm", 4, 4, CACHE_CELL_STATE, lstm_init_bias, lstm_forward, lstm_backward },
    { "gru", 3, 6, CACHE_RECURRENT, pinit_zeros, gru_forward, gru_backward },
    { "rnn", 1, 1, 0, pinit_zeros, rnn_forward, rnn_backward },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
};
_Static_assert(sizeof cells / sizeof *cells == CELL_COUNT + 1, "one row per cell_type");

const cell_kind *cell_kind_of(cell_type t) { return &cells[t]; }

int cell_gates(cell_type t) { return cells[t].gates; }

int cell_bias_len(cell_type t, int H) { return cells[t].bias_units * H; }

const char *cell_name(cell_type t) { return names_get_rows(cells, sizeof *cells, t); }

int cell_parse(const char *s) { return names_parse_rows(cells, sizeof *cells, s); }

void cell_cache_alloc(cell_cache *c, cell_type t, int maxT, int maxB, int H, wsbuf *a)
{
    const cell_kind *k = &cells[t];
    const size_t tb = (size_t)maxT * maxB, GH = (size_t)k->gates * H;
    memset(c, 0, sizeof *c);
    c->maxT = maxT; c->maxB = maxB; c->H = H;
    c->gates = wsbuf_floats(a, tb * GH);
    c->h = wsbuf_floats(a, tb * H);
    c->dz = wsbuf_floats(a, tb * GH);
    c->dh = wsbuf_floats(a, (size_t)maxB * H);
    if (k->cache & CACHE_CELL_STATE) {
        c->c = wsbuf_floats(a, tb * H);
        c->tc = wsbuf_floats(a, tb * H);
        c->dc = wsbuf_floats(a, (size_t)maxB * H);
    }
    if (k->cache & CACHE_RECURRENT) {
        c->rec_cand = wsbuf_floats(a, tb * H);
        c->dzr = wsbuf_floats(a, tb * GH);
        c->hz = wsbuf_floats(a, (size_t)maxB * GH);
    }
}

void cell_cache_free(cell_cache *c)
{
    ffree(c->gates); ffree(c->h); ffree(c->dz); ffree(c->dh);
    ffree(c->c); ffree(c->tc); ffree(c->dc);
    ffree(c->rec_cand); ffree(c->dzr); ffree(c->hz);
    memset(c, 0, sizeof *c);
}

void cell_forward(cell_type t, const cell_params *p, int T, int B, const float *X,
                  const unsigned char *mask, cell_cache *cache)
{
    cells[t].forward(p, T, B, X, mask, cache);
}

void cell_backward(cell_type t, const cell_params *p, cell_params *g, int T, int B, const float *X,
                   const unsigned char *mask, cell_cache *cache, const float *dH, float *dX)
{
    cells[t].backward(p, g, T, B, X, mask, cache, dH, dX);
}

void cell_project_input(const cell_params *p, size_t TB, int GH, const float *X, float *Z, float *work)
{
    for (size_t r = 0; r < TB; r++) memcpy(Z + r * GH, p->b, sizeof(float) * GH);
    if (p->Wq) qmm_rows((int)TB, X, p->Wq, Z, work);
    else if (work) mm_rows((int)TB, GH, p->C, X, p->W, Z, work);
    else mm(0, 0, (int)TB, GH, p->C, 1.0f, X, p->W, 1.0f, Z);
}

void cell_recurrent_mm(const cell_cache *k, const cell_params *p, int B, int GH, const float *hprev, float *C)
{
    if (p->Uq) qmm_rows(B, hprev, p->Uq, C, k->work);
    else if (k->work) mm_rows(B, GH, p->H, hprev, p->U, C, k->work);
    else mm(0, 0, B, GH, p->H, 1.0f, hprev, p->U, 1.0f, C);
}

void cell_param_grads(const cell_params *p, cell_params *g, int T, int B, int GH, const float *X,
                      const float *h, const float *dZ, const float *dZrec, int rec_bias, float *dX)
{
    const int C = p->C, H = p->H;
    const size_t TB = (size_t)T * B;
    mm(1, 0, C, GH, (int)TB, 1.0f, X, dZ, 1.0f, g->W);
    if (T > 1) mm(1, 0, H, GH, (int)(TB - B), 1.0f, h, dZrec + (size_t)B * GH, 1.0f, g->U);
    for (size_t r = 0; r < TB; r++)
        for (int j = 0; j < GH; j++) g->b[j] += dZ[r * GH + j];
    if (rec_bias)
        for (size_t r = 0; r < TB; r++)
            for (int j = 0; j < GH; j++) g->b[GH + j] += dZrec[r * GH + j];
    if (dX) mm(0, 1, (int)TB, C, GH, 1.0f, dZ, p->W, 0.0f, dX);
}
