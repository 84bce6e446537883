/* tensor.h - float buffers, the BLAS entry point, random numbers, initialisers.
 *
 * All matrices are row-major float32.  Every matrix product in seqsent goes
 * through OpenBLAS cblas_sgemm: mm(), or mm_rows (below) for inference,
 * whose rows must not depend on the batch.  Nothing hand-rolls a GEMM.
 */
#ifndef SEQSENT_TENSOR_H
#define SEQSENT_TENSOR_H

#include <stddef.h>
#include <stdint.h>

/* C[M,N] = alpha * op(A) op(B) + beta * C, row-major.
 * op(A) is [M,K] (A stored [K,M] when ta), op(B) is [K,N] (B stored [N,K] when tb). */
void mm(int ta, int tb, int M, int N, int K, float alpha,
        const float *A, const float *B, float beta, float *C);

/* C[M,N] += A[M,K] B[K,N], row-major, with a row's result the same bits
 * whatever M and whichever rows come with it (a plain sgemm picks kernels
 * and edge tiles by M, so its rows are not): cblas_sgemm on blocks of
 * exactly MM_ROWS_BLOCK rows, the last one padded.  work: mm_rows_work(N, K)
 * floats.  BLAS must be single-threaded (its thread split of a product
 * depends on the thread count); the inference pool sees to it.  For
 * inference (recurrent steps, input projections, dense heads). */
enum { MM_ROWS_BLOCK = 16 };
size_t mm_rows_work(int N, int K);
void mm_rows(int M, int N, int K, const float *A, const float *B, float *C, float *work);

/* Use n BLAS threads (1 = single-threaded BLAS). */
void blas_set_threads(int n);
/* The current BLAS thread count (whoever changes it restores it). */
int blas_get_threads(void);
/* Open OpenBLAS on a thread of its own now (it is otherwise opened at the
 * first product): a command that will need it soon, such as predict while
 * it reads its model, has the library's loading done on the other core. */
void blas_open_async(void);

float *fzeros(size_t n);              /* zeroed, 64-byte aligned */
/* Uninitialised, 64-byte aligned: for buffers every use writes before it
 * reads (activations).  Large ones stay untouched virtual memory until used,
 * so a workspace sized for a big batch costs nothing when a small one runs. */
float *falloc(size_t n);
/* falloc for a big table filled from its start over time (inference's
 * lookup tables): in transparent huge pages where the kernel offers them
 * (madvise mode), so filling 20 MB faults 10 times, not 5,000 (a tenth of
 * a 1,500-line predict's time on a virtual machine), except the first 2 MB,
 * all a short run touches.  Freed by ffree. */
float *falloc_table(size_t n);
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
