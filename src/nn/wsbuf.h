/* wsbuf.h - the buffers of a workspace, allocated or only counted.
 *
 * net_ws_alloc and the memory estimate (net_train_bytes) run the same
 * allocation code, one with an allocating wsbuf and one with a counting
 * one, so the estimate cannot drift from what training really allocates.
 */
#ifndef SEQSENT_WSBUF_H
#define SEQSENT_WSBUF_H

#include <stddef.h>
#include "base/err.h"
#include "base/tensor.h"

typedef struct wsbuf {
    int count_only;   /* 1: allocate nothing, hand out NULLs */
    size_t bytes;     /* everything asked for so far */
} wsbuf;

/* n floats, uninitialised (falloc) */
static inline float *wsbuf_floats(wsbuf *a, size_t n)
{
    a->bytes += n * sizeof(float);
    return a->count_only ? NULL : falloc(n);
}

/* n zeroed bytes */
static inline void *wsbuf_zeroed(wsbuf *a, size_t n)
{
    a->bytes += n;
    return a->count_only ? NULL : xcalloc(n ? n : 1, 1);
}

#endif
