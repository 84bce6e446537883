/* activ.c - vectorised sigmoid and tanh (see activ.h). */
#include "base/activ.h"

/* The loops below must vectorise; -O2 alone does not do it for them. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "no-trapping-math")
#endif

#include <stdint.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MULTIVERSION __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define MULTIVERSION
#endif

/* e^x for x clamped to [-87, 88] (NaN -> e^-87): x = n ln2 + r, e^r by a degree-6
 * polynomial (Cephes expf coefficients), 2^n assembled in the exponent. */
static inline float fexp(float x)
{
    /* written so that NaN lands on -87 (both tests false): the float->int
     * conversion below must never see NaN */
    x = x > -87.0f ? x : -87.0f;
    x = x < 88.0f ? x : 88.0f;
    float fn = x * 1.44269504088896341f + 12582912.0f;   /* round to nearest via the magic constant */
    fn -= 12582912.0f;
    float r = x - fn * 0.693359375f + fn * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    union { int32_t i; float f; } scale = { .i = ((int32_t)fn + 127) << 23 };
    return p * scale.f;
}

MULTIVERSION void vsigmoid(float *x, int n)
{
    for (int i = 0; i < n; i++) x[i] = 1.0f / (1.0f + fexp(-x[i]));
}

/* tanh(x) = 1 - 2 / (e^{2x} + 1): exact limits at both ends, no cancellation
 * problem that matters at float precision for the gate values. */
MULTIVERSION void vtanh_to(const float *x, float *y, int n)
{
    for (int i = 0; i < n; i++) y[i] = 1.0f - 2.0f / (fexp(2.0f * x[i]) + 1.0f);
}

void vtanh(float *x, int n) { vtanh_to(x, x, n); }
