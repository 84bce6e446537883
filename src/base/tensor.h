/* tensor.h - float buffers, the BLAS entry point, random numbers, initialisers.
 *
 * All matrices are row-major float32.  Every matrix product in seqsent goes
 * through mm() (OpenBLAS cblas_sgemm), except mm_rows (below), the one
 * hand-rolled product, for inference whose rows must not depend on the batch.
 */
#ifndef SEQSENT_TENSOR_H
#define SEQSENT_TENSOR_H

#include <stddef.h>
#include <stdint.h>

/* C[M,N] = alpha * op(A) op(B) + beta * C, row-major.
 * op(A) is [M,K] (A stored [K,M] when ta), op(B) is [K,N] (B stored [N,K] when tb). */
void mm(int ta, int tb, int M, int N, int K, float alpha,
        const float *A, const float *B, float beta, float *C);

/* C[M,N] += A[M,K] B[K,N], row-major, every element summed in k order
 * starting from C's value: a row's result is the same bits whatever M and
 * whichever rows come with it (BLAS picks kernels by M, so its rows are
 * not).  For inference's recurrent steps (K, N in the hundreds). */
void mm_rows(int M, int N, int K, const float *A, const float *B, float *C);

/* Use n BLAS threads (1 = single-threaded BLAS). */
void blas_set_threads(int n);
/* The current BLAS thread count (whoever changes it restores it). */
int blas_get_threads(void);

float *fzeros(size_t n);              /* zeroed, 64-byte aligned */
/* Uninitialised, 64-byte aligned: for buffers every use writes before it
 * reads (activations).  Large ones stay untouched virtual memory until used,
 * so a workspace sized for a big batch costs nothing when a small one runs. */
float *falloc(size_t n);
void ffree(float *p);

/* Deterministic random numbers (splitmix64 seeding a xoshiro256**). */
typedef struct rng { uint64_t s[4]; } rng;
void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
double rng_uniform(rng *r);           /* [0, 1) */
double rng_normal(rng *r);            /* N(0, 1) */
uint64_t rng_below(rng *r, uint64_t n);  /* uniform integer in [0, n) */
/* Fisher-Yates: a[0..n) in a uniformly random order (n - 1 draws, from the top). */
void rng_shuffle(rng *r, size_t *a, size_t n);

/* Keras initialisers. */
void init_uniform(rng *r, float *w, size_t n, float limit);          /* U(-limit, limit) */
void init_glorot_uniform(rng *r, float *w, int fan_in, int fan_out);  /* w: fan_in x fan_out */
void init_orthogonal(rng *r, float *w, int rows, int cols);           /* orthonormal rows or cols */

#endif
