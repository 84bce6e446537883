/* cell.c - dispatch and buffers shared by the recurrent cells (see cell.h). */
#include "nn/cell.h"
#include "base/names.h"
#include "base/tensor.h"

#include <string.h>

int cell_gates(cell_type t) { return t == CELL_LSTM ? 4 : t == CELL_GRU ? 3 : 1; }

int cell_bias_len(cell_type t, int H) { return t == CELL_LSTM ? 4 * H : t == CELL_GRU ? 6 * H : H; }

/* in cell_type order */
static const char *const cell_names[] = { "lstm", "gru", "rnn", NULL };

const char *cell_name(cell_type t) { return names_get(cell_names, t); }

int cell_parse(const char *s) { return names_parse(cell_names, s); }

void cell_cache_alloc(cell_cache *c, cell_type t, int maxT, int maxB, int H)
{
    size_t tb = (size_t)maxT * maxB;
    int G = cell_gates(t);
    memset(c, 0, sizeof *c);
    c->type = t;
    c->maxT = maxT; c->maxB = maxB; c->H = H;
    c->gates = falloc(tb * G * H);
    c->h = falloc(tb * H);
    c->dz = falloc(tb * G * H);
    c->dh = falloc((size_t)maxB * H);
    if (t == CELL_LSTM) {
        c->c = falloc(tb * H);
        c->tc = falloc(tb * H);
        c->dc = falloc((size_t)maxB * H);
    } else if (t == CELL_GRU) {
        c->c = falloc(tb * H);
        c->dzr = falloc(tb * 3 * H);
        c->hz = falloc((size_t)maxB * 3 * H);
    }
}

void cell_cache_free(cell_cache *c)
{
    ffree(c->gates); ffree(c->c); ffree(c->tc); ffree(c->h);
    ffree(c->dz); ffree(c->dzr); ffree(c->hz); ffree(c->dh); ffree(c->dc);
    memset(c, 0, sizeof *c);
}

void cell_forward(cell_type t, const cell_params *p, int T, int B, const float *X,
                  const unsigned char *mask, cell_cache *cache)
{
    if (t == CELL_LSTM) lstm_forward(p, T, B, X, mask, cache);
    else if (t == CELL_GRU) gru_forward(p, T, B, X, mask, cache);
    else rnn_forward(p, T, B, X, mask, cache);
}

void cell_backward(cell_type t, const cell_params *p, cell_params *g, int T, int B, const float *X,
                   const unsigned char *mask, cell_cache *cache, const float *dH, float *dX)
{
    if (t == CELL_LSTM) lstm_backward(p, g, T, B, X, mask, cache, dH, dX);
    else if (t == CELL_GRU) gru_backward(p, g, T, B, X, mask, cache, dH, dX);
    else rnn_backward(p, g, T, B, X, mask, cache, dH, dX);
}
