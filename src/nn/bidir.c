/* bidir.c - reversing and merging the directions of a bidirectional layer (see bidir.h). */
#include "nn/bidir.h"

#include <string.h>

void time_reverse(const void *x, int T, size_t step, void *out)
{
    for (int t = 0; t < T; t++)
        memcpy((char *)out + (size_t)(T - 1 - t) * step, (const char *)x + (size_t)t * step, step);
}

void bidir_input_forward(int T, int B, int C, const float *X, float *Xrev)
{
    time_reverse(X, T, (size_t)B * C * sizeof(float), Xrev);
}

void bidir_input_backward(int T, int B, int C, const float *dXf, const float *dXb, float *dX)
{
    const size_t step = (size_t)B * C;
    for (int t = 0; t < T; t++) {
        float *o = dX + (size_t)t * step;
        const float *f = dXf + (size_t)t * step, *r = dXb + (size_t)(T - 1 - t) * step;
        for (size_t i = 0; i < step; i++) o[i] = f[i] + r[i];
    }
}

void bidir_output_forward(int T, int B, int H, const float *hf, const float *hb, float *Y)
{
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            float *y = Y + ((size_t)t * B + b) * 2 * H;
            memcpy(y, hf + ((size_t)t * B + b) * H, H * sizeof(float));
            memcpy(y + H, hb + ((size_t)(T - 1 - t) * B + b) * H, H * sizeof(float));
        }
}

void bidir_output_backward(int T, int B, int H, const float *dY, float *dhf, float *dhb)
{
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            const float *dy = dY + ((size_t)t * B + b) * 2 * H;
            memcpy(dhf + ((size_t)t * B + b) * H, dy, H * sizeof(float));
            memcpy(dhb + ((size_t)(T - 1 - t) * B + b) * H, dy + H, H * sizeof(float));
        }
}
