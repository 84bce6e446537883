/* activ.h - vectorised activations for the recurrent gate kernels.
 *
 * The LSTM spends most of its non-GEMM time in exp/tanh; libm's scalar
 * calls do not vectorise.  These use a Cephes-style expf (about 1 ulp) in
 * branch-free loops the compiler turns into SIMD code, built for AVX2+FMA
 * and plain x86-64 with the fast version chosen at run time.
 */
#ifndef SEQSENT_ACTIV_H
#define SEQSENT_ACTIV_H

void vsigmoid(float *x, int n);        /* x = 1 / (1 + e^-x), in place */
void vtanh(float *x, int n);           /* x = tanh(x), in place */
void vtanh_to(const float *x, float *y, int n);   /* y = tanh(x) */

#endif
