/* quant.c - int8 and bf16 weight matrices and their products (see quant.h).
 *
 *   M rows of A, K inner dimension, N columns of W; Kp, Np padded.
 *
 * Every kernel computes the same numbers in the same order: the int8 sums
 * are exact integers, and the float steps after them (and bf16's sums,
 * lane by lane in k order) are spelled out operation by operation in each
 * kernel.  This file is compiled with -ffp-contract=off (Makefile) so that
 * the compiler does not fuse the portable kernel's multiply-adds when it
 * targets a CPU with FMA: the SIMD kernels round each product and sum.
 */
#include "base/quant.h"
#include "base/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && (defined(__clang__) || __GNUC__ >= 11)
#define QUANT_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

const char *precision_name(precision p)
{
    return p == PREC_INT8 ? "int8" : p == PREC_BF16 ? "bf16" : "f32";
}

/* ---- scalars and rows ---------------------------------------------------- */

float quant_int8_row(const float *a, int n, int8_t *q)
{
    float amax = 0;
    for (int k = 0; k < n; k++) {
        float v = fabsf(a[k]);
        if (v > amax) amax = v;
    }
    if (!(amax > 0) || !isfinite(amax)) {   /* zero row (or not finite: no scale fits) */
        memset(q, 0, (size_t)n);
        return 0;
    }
    float inv = 127.0f / amax;
    for (int k = 0; k < n; k++) {
        long v = lrintf(a[k] * inv);
        q[k] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
    }
    return amax / 127.0f;
}

void quant_int8_rows(const float *X, int R, int C, int8_t *q, float *scale)
{
    for (int r = 0; r < R; r++) scale[r] = quant_int8_row(X + (size_t)r * C, C, q + (size_t)r * C);
}

void quant_int8_cols(const float *W, int K, int N, int8_t *q, float *scale)
{
    float *col = xmalloc(sizeof(float) * (size_t)(K ? K : 1));
    int8_t *qc = xmalloc((size_t)(K ? K : 1));
    for (int j = 0; j < N; j++) {
        for (int k = 0; k < K; k++) col[k] = W[(size_t)k * N + j];
        scale[j] = quant_int8_row(col, K, qc);
        for (int k = 0; k < K; k++) q[(size_t)k * N + j] = qc[k];
    }
    free(col);
    free(qc);
}

void dequant_int8_row(const int8_t *q, float scale, int n, float *out)
{
    for (int k = 0; k < n; k++) out[k] = (float)q[k] * scale;
}

float quant_int4_row(const float *a, int n, uint8_t *q)
{
    float amax = 0;
    for (int k = 0; k < n; k++) {
        float v = fabsf(a[k]);
        if (v > amax) amax = v;
    }
    memset(q, 0x88, (size_t)(n + 1) / 2);   /* 8: zero */
    if (!(amax > 0) || !isfinite(amax)) return 0;
    float inv = 7.0f / amax;
    for (int k = 0; k < n; k++) {
        long v = lrintf(a[k] * inv);
        unsigned u = (unsigned)((v > 7 ? 7 : v < -7 ? -7 : v) + 8);
        q[k / 2] = (uint8_t)(k % 2 ? (q[k / 2] & 0x0F) | (u << 4) : (q[k / 2] & 0xF0) | u);
    }
    return amax / 7.0f;
}

void dequant_int4_row(const uint8_t *q, float scale, int n, float *out)
{
    for (int k = 0; k < n; k++) out[k] = (float)((int)(k % 2 ? q[k / 2] >> 4 : q[k / 2] & 0x0F) - 8) * scale;
}

uint16_t f32_to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7f800000u) == 0x7f800000u)   /* inf stays, NaN stays NaN (quiet) */
        return (uint16_t)((u >> 16) | ((u & 0x007fffffu) ? 0x40u : 0));
    if ((u & 0x7f800000u) == 0) return (uint16_t)((u >> 16) & 0x8000u);   /* zero, subnormal -> signed 0 */
    u += 0x7fffu + ((u >> 16) & 1);   /* round to nearest even (may carry into inf: right) */
    return (uint16_t)(u >> 16);
}

float bf16_to_f32(uint16_t b)
{
    uint32_t u = (uint32_t)b << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

void bf16_row(const float *a, int n, uint16_t *out)
{
    for (int k = 0; k < n; k++) out[k] = f32_to_bf16(a[k]);
}

void dequant_bf16_row(const uint16_t *b, int n, float *out)
{
    for (int k = 0; k < n; k++) out[k] = bf16_to_f32(b[k]);
}

/* ---- packing ------------------------------------------------------------- */

static int round_up(int x, int m) { return (x + m - 1) / m * m; }

static void *alloc64(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0 || !p) die_oom(bytes);
    memset(p, 0, bytes ? bytes : 64);
    return p;
}

/* Column blocks of 16 lanes; a lane holds G consecutive k of its column:
 * element (k, j) at [j/16][k/G][j%16][k%G]. */
static size_t pack_at(int Kp, int G, int k, int j)
{
    return (((size_t)(j / 16) * (Kp / G) + (size_t)(k / G)) * 16 + (size_t)(j % 16)) * G + (size_t)(k % G);
}

qmat *qmat_int8(const int8_t *q, const float *scale, int K, int N)
{
    qmat *w = xcalloc(1, sizeof *w);
    w->prec = PREC_INT8;
    w->K = K; w->N = N;
    w->Kp = round_up(K, 4);
    w->Np = round_up(N, 16);
    int8_t *p = alloc64((size_t)w->Kp * w->Np);
    w->scale = alloc64(sizeof(float) * (size_t)w->Np);
    w->corr = alloc64(sizeof(int32_t) * (size_t)w->Np);
    for (int j = 0; j < N; j++) {
        int32_t s = 0;
        for (int k = 0; k < K; k++) {
            int8_t v = q[(size_t)k * N + j];
            p[pack_at(w->Kp, 4, k, j)] = v;
            s += v;
        }
        w->corr[j] = 128 * s;
        w->scale[j] = scale[j];
    }
    w->pack = p;
    return w;
}

qmat *qmat_bf16(const uint16_t *bf, int K, int N)
{
    qmat *w = xcalloc(1, sizeof *w);
    w->prec = PREC_BF16;
    w->K = K; w->N = N;
    w->Kp = round_up(K, 2);
    w->Np = round_up(N, 16);
    uint16_t *p = alloc64(sizeof(uint16_t) * (size_t)w->Kp * w->Np);
    for (int k = 0; k < K; k++)
        for (int j = 0; j < N; j++) {
            uint16_t v = bf[(size_t)k * N + j];
            /* as the kernels read it: subnormals are zero (vdpbf16ps's DAZ) */
            p[pack_at(w->Kp, 2, k, j)] = (v & 0x7f80u) ? v : (uint16_t)(v & 0x8000u);
        }
    w->pack = p;
    return w;
}

void qmat_free(qmat *w)
{
    if (!w) return;
    free(w->pack);
    free(w->scale);
    free(w->corr);
    free(w);
}

size_t qmat_bytes(const qmat *w)
{
    size_t n = (size_t)w->Kp * w->Np;
    return w->prec == PREC_INT8 ? n + 8 * (size_t)w->Np : 2 * n;
}

/* ---- kernels ------------------------------------------------------------- */

/* Rows are prepared in chunks of at most CHUNK: int8 as qa + 128 (u8) with
 * their scales, bf16 as bf16; the padding k are zeros of the product. */
enum { CHUNK = 16 };

size_t qmm_work(const qmat *w)
{
    return (size_t)CHUNK * w->Kp * (w->prec == PREC_BF16 ? 2 : 1) + CHUNK * sizeof(float) + 64;
}

/* A kernel: rows [R] prepared (u8 [R][Kp] + sa, or bf16 [R][Kp]) into C;
 * int8's row preparation (quantizing) may have a SIMD version too. */
typedef void kern_fn(int R, const void *a, const float *sa, const qmat *w, float *C);
typedef void prep_fn(int R, const float *A, int K, int Kp, uint8_t *u, float *sa);

static void prep_int8(int R, const float *A, int K, int Kp, uint8_t *u, float *sa)
{
    int8_t q[1024];
    for (int r = 0; r < R; r++) {
        const float *row = A + (size_t)r * K;
        uint8_t *ur = u + (size_t)r * Kp;
        float s;
        if (K <= 1024) {
            s = quant_int8_row(row, K, q);
            for (int k = 0; k < K; k++) ur[k] = (uint8_t)(q[k] + 128);
        } else {   /* rare widths: quantize in place through the output */
            int8_t *qq = xmalloc((size_t)K);
            s = quant_int8_row(row, K, qq);
            for (int k = 0; k < K; k++) ur[k] = (uint8_t)(qq[k] + 128);
            free(qq);
        }
        for (int k = K; k < Kp; k++) ur[k] = 128;
        sa[r] = s;
    }
}

/* C[r][j] += (float)(acc - corr[j]) * (sa[r] * scale[j]): the float steps
 * every int8 kernel performs, in this order. */
static void kern_int8_c(int R, const void *a, const float *sa, const qmat *w, float *C)
{
    const uint8_t *u = a;
    const int8_t *p = w->pack;
    const int Kp = w->Kp, G = Kp / 4;
    for (int r = 0; r < R; r++) {
        const uint8_t *ur = u + (size_t)r * Kp;
        float *c = C + (size_t)r * w->N;
        for (int nb = 0; nb < w->Np / 16; nb++) {
            int32_t acc[16] = { 0 };
            const int8_t *pb = p + (size_t)nb * G * 64;
            for (int g = 0; g < G; g++) {
                const int32_t a0 = ur[4 * g], a1 = ur[4 * g + 1], a2 = ur[4 * g + 2], a3 = ur[4 * g + 3];
                const int8_t *pg = pb + (size_t)g * 64;
                for (int l = 0; l < 16; l++)
                    acc[l] += a0 * pg[4 * l] + a1 * pg[4 * l + 1] + a2 * pg[4 * l + 2] + a3 * pg[4 * l + 3];
            }
            for (int l = 0; l < 16 && nb * 16 + l < w->N; l++) {
                int j = nb * 16 + l;
                float s = sa[r] * w->scale[j];
                float t = (float)(acc[l] - w->corr[j]) * s;
                c[j] = c[j] + t;
            }
        }
    }
}

/* bf16: lane j sums, pair by pair, a[k+1] w[k+1][j] then a[k] w[k][j],
 * each product exact in float and flushed to zero when subnormal, each sum
 * rounded (nearest even) and flushed likewise (vdpbf16ps's DAZ/FTZ); then
 * C[r][j] += the sum. */
static inline float ftz(float x) { return fabsf(x) < 0x1p-126f ? copysignf(0.0f, x) : x; }

static void kern_bf16_c(int R, const void *a, const float *sa, const qmat *w, float *C)
{
    (void)sa;
    const uint16_t *ab = a, *p = w->pack;
    const int Kp = w->Kp, G = Kp / 2;
    for (int r = 0; r < R; r++) {
        const uint16_t *ar = ab + (size_t)r * Kp;
        float *c = C + (size_t)r * w->N;
        for (int nb = 0; nb < w->Np / 16; nb++) {
            float acc[16] = { 0 };
            const uint16_t *pb = p + (size_t)nb * G * 32;
            for (int g = 0; g < G; g++) {
                float a1 = bf16_to_f32(ar[2 * g + 1]), a0 = bf16_to_f32(ar[2 * g]);
                for (int l = 0; l < 16; l++) {
                    float w1 = bf16_to_f32(pb[(size_t)g * 32 + l * 2 + 1]), w0 = bf16_to_f32(pb[(size_t)g * 32 + l * 2]);
                    acc[l] = ftz(acc[l] + ftz(a1 * w1));
                    acc[l] = ftz(acc[l] + ftz(a0 * w0));
                }
            }
            for (int l = 0; l < 16 && nb * 16 + l < w->N; l++) c[nb * 16 + l] = c[nb * 16 + l] + acc[l];
        }
    }
}

static void prep_bf16(int R, const float *A, int K, int Kp, uint16_t *b)
{
    for (int r = 0; r < R; r++) {
        uint16_t *br = b + (size_t)r * Kp;
        bf16_row(A + (size_t)r * K, K, br);
        for (int k = K; k < Kp; k++) br[k] = 0;
    }
}

#ifdef QUANT_X86

#define AVX512_INT8 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#define AVX_VNNI __attribute__((target("avx2,fma,avxvnni")))
#define AVX2 __attribute__((target("avx2")))

/* Column lanes j0..j0+15 of rows' results: the int8 epilogue (as above). */
AVX512_INT8 static inline void epi_int8_512(__m512i acc, float sa, const qmat *w, int j0, float *c)
{
    __m512 s = _mm512_mul_ps(_mm512_set1_ps(sa), _mm512_load_ps(w->scale + j0));
    __m512 t = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(acc, _mm512_load_si512(w->corr + j0))), s);
    int n = w->N - j0;
    __mmask16 m = n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
    _mm512_mask_storeu_ps(c + j0, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, c + j0), t));
}

/* The inner loop of the AVX-512 tiles: R rows x NB column blocks of 16
 * lanes, accumulators acc[r][b] in registers; each k group of GSZ values
 * (a 32-bit lane: 4 int8 or 2 bf16) of a row broadcast against the
 * blocks' packed weights (ELT elements, pack layout of quant.h). */
#define TILE_LOOP(ACC_T, ZERO, DOT, ELT, GSZ, a, Kp) \
    const int G = (Kp) / (GSZ); \
    const ELT *p = (const ELT *)w->pack + (size_t)nb * G * (64 / sizeof(ELT)); \
    ACC_T acc[4][4]; \
    _Pragma("GCC unroll 4") for (int r = 0; r < R; r++) \
        _Pragma("GCC unroll 4") for (int b = 0; b < NB; b++) acc[r][b] = ZERO(); \
    for (int g = 0; g < G; g++) { \
        __m512i wv[4]; \
        _Pragma("GCC unroll 4") for (int b = 0; b < NB; b++) \
            wv[b] = _mm512_load_si512(p + ((size_t)b * G + g) * (64 / sizeof(ELT))); \
        _Pragma("GCC unroll 4") for (int r = 0; r < R; r++) { \
            int32_t x; \
            memcpy(&x, (a) + (size_t)r * (Kp) + (GSZ) * g, 4); \
            __m512i av = _mm512_set1_epi32(x); \
            _Pragma("GCC unroll 4") for (int b = 0; b < NB; b++) acc[r][b] = DOT(acc[r][b], av, wv[b]); \
        } \
    }

#define DOT_I8(acc, a, w) _mm512_dpbusd_epi32(acc, a, w)
#define DOT_BF16(acc, a, w) _mm512_dpbf16_ps(acc, (__m512bh)(a), (__m512bh)(w))

AVX512_INT8 static inline __attribute__((always_inline)) void tile_int8_512(int R, int NB, const uint8_t *u, const float *sa,
                                                                             const qmat *w, int nb, float *C)
{
    TILE_LOOP(__m512i, _mm512_setzero_si512, DOT_I8, int8_t, 4, u, w->Kp)
#pragma GCC unroll 4
    for (int r = 0; r < R; r++)
#pragma GCC unroll 4
        for (int b = 0; b < NB; b++) epi_int8_512(acc[r][b], sa[r], w, (nb + b) * 16, C + (size_t)r * w->N);
}

#define TILE_SWITCH(TILE, R, NB, ...) \
    switch ((R) * 4 + (NB)) { \
    case 4 + 1: TILE(1, 1, __VA_ARGS__); break; case 4 + 2: TILE(1, 2, __VA_ARGS__); break; \
    case 4 + 3: TILE(1, 3, __VA_ARGS__); break; case 4 + 4: TILE(1, 4, __VA_ARGS__); break; \
    case 8 + 1: TILE(2, 1, __VA_ARGS__); break; case 8 + 2: TILE(2, 2, __VA_ARGS__); break; \
    case 8 + 3: TILE(2, 3, __VA_ARGS__); break; case 8 + 4: TILE(2, 4, __VA_ARGS__); break; \
    case 12 + 1: TILE(3, 1, __VA_ARGS__); break; case 12 + 2: TILE(3, 2, __VA_ARGS__); break; \
    case 12 + 3: TILE(3, 3, __VA_ARGS__); break; case 12 + 4: TILE(3, 4, __VA_ARGS__); break; \
    case 16 + 1: TILE(4, 1, __VA_ARGS__); break; case 16 + 2: TILE(4, 2, __VA_ARGS__); break; \
    case 16 + 3: TILE(4, 3, __VA_ARGS__); break; default: TILE(4, 4, __VA_ARGS__); break; \
    }

#define T_I8_512(R, NB, u, sa, w, nb, C) tile_int8_512(R, NB, u, sa, w, nb, C)

AVX512_INT8 static void kern_int8_avx512(int R, const void *a, const float *sa, const qmat *w, float *C)
{
    const uint8_t *u = a;
    const int NBt = w->Np / 16;
    for (int r = 0; r < R; r += 4) {
        int rr = R - r < 4 ? R - r : 4;
        for (int nb = 0; nb < NBt; nb += 4) {
            int b = NBt - nb < 4 ? NBt - nb : 4;
            TILE_SWITCH(T_I8_512, rr, b, u + (size_t)r * w->Kp, sa + r, w, nb, C + (size_t)r * w->N)
        }
    }
}

/* prep_int8 with AVX-512: the same maximum (exact in any order), the same
 * multiply by 127 / amax and round to nearest even (cvtps2dq = lrintf). */
AVX512_INT8 static void prep_int8_avx512(int R, const float *A, int K, int Kp, uint8_t *u, float *sa)
{
    const __m512i absmask = _mm512_set1_epi32(0x7fffffff);
    for (int r = 0; r < R; r++) {
        const float *row = A + (size_t)r * K;
        uint8_t *ur = u + (size_t)r * Kp;
        __m512 mx = _mm512_setzero_ps();
        for (int k = 0; k < K; k += 16) {
            __mmask16 m = K - k >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (K - k)) - 1);
            __m512 x = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(_mm512_maskz_loadu_ps(m, row + k)), absmask));
            mx = _mm512_max_ps(x, mx);   /* a NaN x keeps mx, as the scalar v > amax */
        }
        float amax = _mm512_reduce_max_ps(mx);
        if (!(amax > 0) || !isfinite(amax)) {
            memset(ur, 128, (size_t)Kp);
            sa[r] = 0;
            continue;
        }
        const __m512 inv = _mm512_set1_ps(127.0f / amax);
        const __m512i lo = _mm512_set1_epi32(-127), hi = _mm512_set1_epi32(127), off = _mm512_set1_epi32(128);
        for (int k = 0; k < K; k += 16) {
            __mmask16 m = K - k >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (K - k)) - 1);
            __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, row + k), inv));
            q = _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(q, lo), hi), off);
            _mm_mask_storeu_epi8(ur + k, m, _mm512_cvtepi32_epi8(q));
        }
        for (int k = K; k < Kp; k++) ur[k] = 128;
        sa[r] = amax / 127.0f;
    }
}

/* The 256-bit kernels' tiles, by the rows left (1-4): TILE(R) with R a constant. */
#define ROWS_SWITCH(rr, TILE) \
    switch (rr) { \
    case 1: TILE(1); break; case 2: TILE(2); break; case 3: TILE(3); break; default: TILE(4); break; \
    }

/* AVX-VNNI (256 bits, 16 registers): a 16-lane block is two halves.
 * (The epilogue needs only AVX2: the AVX2 kernel below shares it.) */
AVX2 static inline void epi_int8_256(__m256i acc, float sa, const qmat *w, int j0, float *c)
{
    __m256 s = _mm256_mul_ps(_mm256_set1_ps(sa), _mm256_load_ps(w->scale + j0));
    __m256 t = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(acc, _mm256_load_si256((const __m256i *)(w->corr + j0)))), s);
    int n = w->N - j0;
    if (n >= 8) {
        _mm256_storeu_ps(c + j0, _mm256_add_ps(_mm256_loadu_ps(c + j0), t));
    } else if (n > 0) {
        float tt[8];
        _mm256_storeu_ps(tt, t);
        for (int l = 0; l < n; l++) c[j0 + l] = c[j0 + l] + tt[l];
    }
}

AVX_VNNI static inline __attribute__((always_inline)) void tile_int8_256(int R, const uint8_t *u, const float *sa, const qmat *w,
                                                                          int nb, float *C)
{
    const int Kp = w->Kp, G = Kp / 4;
    const int8_t *p = (const int8_t *)w->pack + (size_t)nb * G * 64;
    __m256i acc[4][2];
#pragma GCC unroll 4
    for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
    for (int g = 0; g < G; g++) {
        __m256i w0 = _mm256_load_si256((const __m256i *)(p + (size_t)g * 64));
        __m256i w1 = _mm256_load_si256((const __m256i *)(p + (size_t)g * 64 + 32));
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            int32_t x;
            memcpy(&x, u + (size_t)r * Kp + 4 * g, 4);
            __m256i av = _mm256_set1_epi32(x);
            acc[r][0] = _mm256_dpbusd_avx_epi32(acc[r][0], av, w0);
            acc[r][1] = _mm256_dpbusd_avx_epi32(acc[r][1], av, w1);
        }
    }
#pragma GCC unroll 4
    for (int r = 0; r < R; r++) {
        epi_int8_256(acc[r][0], sa[r], w, nb * 16, C + (size_t)r * w->N);
        epi_int8_256(acc[r][1], sa[r], w, nb * 16 + 8, C + (size_t)r * w->N);
    }
}

#define T_VNNI_256(R) tile_int8_256(R, ur, sa + r, w, nb, cr)
AVX_VNNI static void kern_int8_avxvnni(int R, const void *a, const float *sa, const qmat *w, float *C)
{
    const uint8_t *u = a;
    for (int r = 0; r < R; r += 4) {
        int rr = R - r < 4 ? R - r : 4;
        const uint8_t *ur = u + (size_t)r * w->Kp;
        float *cr = C + (size_t)r * w->N;
        for (int nb = 0; nb < w->Np / 16; nb++) ROWS_SWITCH(rr, T_VNNI_256)
    }
}
#undef T_VNNI_256

/* AVX2 without VNNI (most x86-64 CPUs of 2013-2020: Haswell to Comet
 * Lake, Zen 1-3): no u8 x s8 dot product that cannot saturate (vpmaddubsw
 * saturates its pair sums at 16 bits: 255 * 127 * 2 does not fit), so the
 * bytes are widened to 16 bits and multiplied with vpmaddwd, whose pair
 * sums are exact in 32 bits.  A 16-byte piece of the pack (4 lanes x 4 k)
 * widens to one register; vpmaddwd against the row's 4 k (broadcast)
 * gives each lane's two pair sums, added up at the end (vphaddd): the same
 * exact integers as vpdpbusd, so the same epilogue and bits.  Half a block
 * (8 lanes) at a time, up to 4 rows: 8 accumulators, 2 weights, 1 row. */
AVX2 static inline __attribute__((always_inline)) void tile_int8_avx2(int R, const uint8_t *u, const float *sa, const qmat *w,
                                                                       int nb, int h, float *C)
{
    const int Kp = w->Kp, G = Kp / 4;
    const int8_t *p = (const int8_t *)w->pack + (size_t)nb * G * 64 + (size_t)h * 32;
    __m256i acc[4][2];
#pragma GCC unroll 4
    for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
    for (int g = 0; g < G; g++) {
        __m256i w0 = _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i *)(p + (size_t)g * 64)));
        __m256i w1 = _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i *)(p + (size_t)g * 64 + 16)));
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            int32_t x;
            memcpy(&x, u + (size_t)r * Kp + 4 * g, 4);
            __m256i av = _mm256_broadcastq_epi64(_mm_cvtepu8_epi16(_mm_cvtsi32_si128(x)));
            acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(av, w0));
            acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(av, w1));
        }
    }
#pragma GCC unroll 4
    for (int r = 0; r < R; r++) {
        /* lanes 0-3 pairs in acc[r][0], 4-7 in acc[r][1]: summed, in order */
        __m256i s = _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[r][0], acc[r][1]), 0xD8);
        epi_int8_256(s, sa[r], w, nb * 16 + h * 8, C + (size_t)r * w->N);
    }
}

#define T_AVX2(R) tile_int8_avx2(R, ur, sa + r, w, nb, h, cr)
AVX2 static void kern_int8_avx2(int R, const void *a, const float *sa, const qmat *w, float *C)
{
    const uint8_t *u = a;
    for (int r = 0; r < R; r += 4) {
        int rr = R - r < 4 ? R - r : 4;
        const uint8_t *ur = u + (size_t)r * w->Kp;
        float *cr = C + (size_t)r * w->N;
        for (int nb = 0; nb < w->Np / 16; nb++)
            for (int h = 0; h < 2 && nb * 16 + h * 8 < w->N; h++) ROWS_SWITCH(rr, T_AVX2)
    }
}
#undef T_AVX2

/* prep_int8 with AVX2 (as prep_int8_avx512: the same maximum, multiply
 * and round to nearest even; vmaxps keeps the running maximum for a NaN). */
AVX2 static void prep_int8_avx2(int R, const float *A, int K, int Kp, uint8_t *u, float *sa)
{
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    for (int r = 0; r < R; r++) {
        const float *row = A + (size_t)r * K;
        uint8_t *ur = u + (size_t)r * Kp;
        __m256 mx = _mm256_setzero_ps();
        int k = 0;
        for (; k + 8 <= K; k += 8) mx = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(row + k), absmask), mx);
        float m8[8];
        _mm256_storeu_ps(m8, mx);
        float amax = 0;
        for (int l = 0; l < 8; l++)
            if (m8[l] > amax) amax = m8[l];
        for (; k < K; k++)
            if (fabsf(row[k]) > amax) amax = fabsf(row[k]);
        if (!(amax > 0) || !isfinite(amax)) {
            memset(ur, 128, (size_t)Kp);
            sa[r] = 0;
            continue;
        }
        const float invs = 127.0f / amax;
        const __m256 inv = _mm256_set1_ps(invs);
        const __m256i lo = _mm256_set1_epi32(-127), hi = _mm256_set1_epi32(127), off = _mm256_set1_epi32(128);
        for (k = 0; k + 8 <= K; k += 8) {
            __m256i q = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(row + k), inv));
            q = _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(q, lo), hi), off);   /* 1..255 */
            __m128i q16 = _mm_packus_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
            _mm_storel_epi64((__m128i *)(ur + k), _mm_packus_epi16(q16, q16));
        }
        for (; k < K; k++) {
            long v = lrintf(row[k] * invs);
            ur[k] = (uint8_t)((v > 127 ? 127 : v < -127 ? -127 : v) + 128);
        }
        for (k = K; k < Kp; k++) ur[k] = 128;
        sa[r] = amax / 127.0f;
    }
}

AVX512_BF16 static inline __attribute__((always_inline)) void tile_bf16_512(int R, int NB, const uint16_t *ab, const qmat *w,
                                                                             int nb, float *C)
{
    TILE_LOOP(__m512, _mm512_setzero_ps, DOT_BF16, uint16_t, 2, ab, w->Kp)
#pragma GCC unroll 4
    for (int r = 0; r < R; r++)
#pragma GCC unroll 4
        for (int b = 0; b < NB; b++) {
            float *c = C + (size_t)r * w->N;
            int j0 = (nb + b) * 16, n = w->N - j0;
            __mmask16 m = n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
            _mm512_mask_storeu_ps(c + j0, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, c + j0), acc[r][b]));
        }
}

#define T_BF_512(R, NB, ab, w, nb, C) tile_bf16_512(R, NB, ab, w, nb, C)

AVX512_BF16 static void kern_bf16_avx512(int R, const void *a, const float *sa, const qmat *w, float *C)
{
    (void)sa;
    const uint16_t *ab = a;
    const int NBt = w->Np / 16;
    for (int r = 0; r < R; r += 4) {
        int rr = R - r < 4 ? R - r : 4;
        for (int nb = 0; nb < NBt; nb += 4) {
            int b = NBt - nb < 4 ? NBt - nb : 4;
            TILE_SWITCH(T_BF_512, rr, b, ab + (size_t)r * w->Kp, w, nb, C + (size_t)r * w->N)
        }
    }
}
#endif

/* ---- choosing a kernel --------------------------------------------------- */

typedef struct kernel {
    const char *name;
    precision prec;
    kern_fn *fn;
    prep_fn *prep;    /* int8: quantizing the rows */
    int (*have)(void);
} kernel;

#ifdef QUANT_X86
static int have_avx512vnni(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}
/* AVX-VNNI is CPUID leaf 7, subleaf 1, EAX bit 4, read directly: clang 14
 * (the libFuzzer build, make fuzz) does not know __builtin_cpu_supports'
 * "avxvnni".  The avx2 test checks that the OS saves the ymm registers. */
static int have_avxvnni(void)
{
    unsigned a, b, c, d;
    return __builtin_cpu_supports("avx2") && __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a >> 4 & 1);
}
static int have_avx2(void) { return __builtin_cpu_supports("avx2"); }
static int have_avx512bf16(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16");
}
#endif

/* Per precision, best first; the portable one last. */
static const kernel kernels[] = {
#ifdef QUANT_X86
    { "avx512", PREC_INT8, kern_int8_avx512, prep_int8_avx512, have_avx512vnni },
    { "avxvnni", PREC_INT8, kern_int8_avxvnni, prep_int8_avx2, have_avxvnni },
    { "avx2", PREC_INT8, kern_int8_avx2, prep_int8_avx2, have_avx2 },
    { "avx512", PREC_BF16, kern_bf16_avx512, NULL, have_avx512bf16 },
#endif
    { "c", PREC_INT8, kern_int8_c, prep_int8, NULL },
    { "c", PREC_BF16, kern_bf16_c, NULL, NULL },
};
enum { NKERNELS = sizeof kernels / sizeof *kernels };

static const kernel *chosen[3];   /* by precision; NULL = not chosen yet */
static const char *forced;        /* quant_kernel_force's name, or NULL */

static const kernel *pick(precision p)
{
    if (chosen[p]) return chosen[p];
    const char *want = forced ? forced : getenv("SEQSENT_QUANT_KERNEL");
    const kernel *k = NULL, *best = NULL, *c = NULL;
    int named = 0;   /* want names a kernel of this precision */
    for (int i = 0; i < NKERNELS; i++) {
        const kernel *x = &kernels[i];
        if (x->prec != p) continue;
        int avail = !x->have || x->have();
        if (!x->have) c = x;
        if (avail && !best) best = x;
        if (want && !strcmp(x->name, want)) {
            named = 1;
            if (avail) k = x;
        }
    }
    if (!k) k = named ? c : best;   /* asked for but missing: the portable one */
    chosen[p] = k;   /* a benign race: every thread picks the same */
    return k;
}

const char *quant_kernel(precision p) { return p == PREC_F32 ? "f32" : pick(p)->name; }

int quant_kernel_force(const char *name)
{
    if (name) {
        int known = 0;
        for (int i = 0; i < NKERNELS; i++) known |= !strcmp(kernels[i].name, name);
        if (!known) return -1;
    }
    forced = name;
    chosen[PREC_INT8] = chosen[PREC_BF16] = NULL;
    return 0;
}

void qmm_rows(int M, const float *A, const qmat *w, float *C, void *work)
{
    if (M <= 0 || w->N <= 0) return;
    const kernel *k = pick(w->prec);
    float *sa = (float *)(((uintptr_t)work + 63) & ~(uintptr_t)63);
    void *a = sa + CHUNK;
    for (int r = 0; r < M; r += CHUNK) {
        int R = M - r < CHUNK ? M - r : CHUNK;
        if (w->prec == PREC_INT8) k->prep(R, A + (size_t)r * w->K, w->K, w->Kp, a, sa);
        else prep_bf16(R, A + (size_t)r * w->K, w->K, w->Kp, a);
        k->fn(R, a, sa, w, C + (size_t)r * w->N);
    }
}
