/* quant.h - low-precision weight matrices (int8, bf16) and their products,
 * for the inference of a quantized model (seqsent quantize).
 *
 * int8: a weight matrix W [K,N] is stored as q [K,N] int8 with one scale
 * per output column (W[k,j] ~ q[k,j] * scale[j], symmetric, |q| <= 127);
 * an activation row a [K] is quantized on the fly with one scale per row
 * (a ~ qa * sa, the same rule), and the product is an exact int32 sum
 *   C[i,j] += (float)(sum_k qa[i,k] q[k,j]) * (sa[i] * scale[j])
 * whose only roundings are the last three float operations.
 * bf16: W and the activation rows rounded to bfloat16 (nearest even,
 * subnormals flushed to zero), products summed in float in a fixed order
 * (k pairs in turn, within a pair k+1 then k: AVX512_BF16's vdpbf16ps).
 *
 * Both are computed row by row, so a row's result depends only on the row
 * and W: the same bits for any M, batch, thread count or kernel.  The
 * kernels: AVX-512 VNNI / AVX-VNNI / AVX2 (int8) and AVX512_BF16 (bf16),
 * chosen at run time by the CPU, and portable C that gives the same bits
 * (tests/test_quant.c).  SEQSENT_QUANT_KERNEL=c|avx2|avxvnni|avx512 in the
 * environment forces one (tests, benchmarks).
 */
#ifndef SEQSENT_QUANT_H
#define SEQSENT_QUANT_H

#include <stddef.h>
#include <stdint.h>

typedef enum { PREC_F32 = 0, PREC_INT8, PREC_BF16 } precision;

const char *precision_name(precision p);   /* "f32", "int8", "bf16" */

/* A weight matrix W [K,N] packed for the kernels (made from the file
 * layout by qmat_int8 / qmat_bf16; owns its memory). */
typedef struct qmat {
    precision prec;
    int K, N;         /* W's shape */
    int Kp, Np;       /* K rounded up to 4 (int8) or 2 (bf16), N to 16 */
    void *pack;       /* int8 [Np/16][Kp/4][16][4]; bf16 [Np/16][Kp/2][16][2] */
    float *scale;     /* int8: [Np] per column (0 in the padding) */
    int32_t *corr;    /* int8: [Np] 128 * sum_k q[k,j] (the kernels feed qa + 128, unsigned) */
} qmat;

/* From the file layout: q [K,N] with scale [N], or bf [K,N] bf16. */
qmat *qmat_int8(const int8_t *q, const float *scale, int K, int N);
qmat *qmat_bf16(const uint16_t *bf, int K, int N);
void qmat_free(qmat *w);
/* Bytes of the packed matrix (memory accounting). */
size_t qmat_bytes(const qmat *w);

/* C [M,N] += A [M,K] W, A float; a row's result depends only on the row.
 * work: at least qmm_work(W) bytes (mm_rows_work(N, K) floats are enough). */
size_t qmm_work(const qmat *w);
void qmm_rows(int M, const float *A, const qmat *w, float *C, void *work);

/* Quantizing (what seqsent quantize writes).  Columns: W [K,N] -> q [K,N],
 * scale [N]; rows: X [R,C] -> q [R,C], scale [R] (the embedding table). */
void quant_int8_cols(const float *W, int K, int N, int8_t *q, float *scale);
void quant_int8_rows(const float *X, int R, int C, int8_t *q, float *scale);
/* One row: a [n] -> q [n] with the returned scale (0 for a zero row). */
float quant_int8_row(const float *a, int n, int8_t *q);
void dequant_int8_row(const int8_t *q, float scale, int n, float *out);
/* 4 bits (an embedding's rare rows): a [n] -> q [(n+1)/2], two values a
 * byte, the even index in the low nibble, each stored as v + 8 for v in
 * -7..7 (a ~ v * scale, the returned scale; 0 for a zero row). */
float quant_int4_row(const float *a, int n, uint8_t *q);
void dequant_int4_row(const uint8_t *q, float scale, int n, float *out);
uint16_t f32_to_bf16(float f);       /* nearest even; subnormals -> 0, NaN stays NaN */
float bf16_to_f32(uint16_t b);
void bf16_row(const float *a, int n, uint16_t *out);
void dequant_bf16_row(const uint16_t *b, int n, float *out);

/* The kernel in use for p: "c", "avx2", "avxvnni" (int8), "avx512" (int8:
 * AVX-512 VNNI; bf16: AVX512_BF16).  quant_kernel_force: use that one (when the
 * CPU lacks it, "c"; a precision it does not exist for chooses by the CPU;
 * -1 for an unknown name), NULL = by the CPU again.  Not thread-safe:
 * before any product. */
const char *quant_kernel(precision p);
int quant_kernel_force(const char *name);

#endif
