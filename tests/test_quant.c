/* test_quant.c - int8 / bf16 quantizing and the low-precision products:
 * rounding rules, error bounds, every kernel the CPU has against the
 * portable one (same bits), and rows independent of their batch. */
#include "base/quant.h"
#include "base/tensor.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>

static float *randm(rng *r, size_t n, float lim)
{
    float *x = fzeros(n);
    init_uniform(r, x, n, lim);
    return x;
}

static void test_scalars(void)
{
    CHECK_INT(f32_to_bf16(1.0f), 0x3f80);
    CHECK_INT(f32_to_bf16(-2.0f), 0xc000);
    /* 1 + 2^-8 is halfway between 1 and 1 + 2^-7: even (1.0); 1 + 3*2^-8 rounds up */
    CHECK_INT(f32_to_bf16(1.0f + 0x1p-8f), 0x3f80);
    CHECK_INT(f32_to_bf16(1.0f + 3 * 0x1p-8f), 0x3f82);
    CHECK_INT(f32_to_bf16(1e-40f), 0);                  /* subnormal -> 0 */
    CHECK_INT(f32_to_bf16(-1e-40f), 0x8000);
    CHECK_INT(f32_to_bf16(INFINITY), 0x7f80);
    CHECK(isnan(bf16_to_f32(f32_to_bf16(NAN))));
    CHECK(bf16_to_f32(f32_to_bf16(3.0e38f)) == INFINITY || bf16_to_f32(f32_to_bf16(3.0e38f)) > 3e38f);
    CHECK(bf16_to_f32(0x3f80) == 1.0f);

    float a[5] = { 0.5f, -1.27f, 0.0f, 1.27f, 0.01f };
    int8_t q[5];
    float s = quant_int8_row(a, 5, q);
    CHECK_NEAR(s, 0.01f, 1e-7);
    CHECK_INT(q[1], -127);
    CHECK_INT(q[3], 127);
    CHECK_INT(q[0], 50);
    CHECK_INT(q[4], 1);
    float z[3] = { 0, 0, 0 };
    CHECK(quant_int8_row(z, 3, q) == 0 && q[0] == 0 && q[2] == 0);

    /* error bound: half a step per value, rows and columns */
    rng r;
    rng_seed(&r, 7);
    float *X = randm(&r, 40 * 30, 2.0f), *back = fzeros(30), sc[40], cs[30];
    int8_t *qx = malloc(40 * 30);
    quant_int8_rows(X, 40, 30, qx, sc);
    int ok = 1;
    for (int i = 0; i < 40; i++) {
        dequant_int8_row(qx + i * 30, sc[i], 30, back);
        for (int k = 0; k < 30; k++) ok &= fabsf(back[k] - X[i * 30 + k]) <= sc[i] * 0.5f * 1.0001f;
    }
    CHECK(ok);
    quant_int8_cols(X, 40, 30, qx, cs);
    ok = 1;
    for (int k = 0; k < 40; k++)
        for (int j = 0; j < 30; j++) ok &= fabsf(qx[k * 30 + j] * cs[j] - X[k * 30 + j]) <= cs[j] * 0.5f * 1.0001f;
    CHECK(ok);
    uint16_t bb[30];
    bf16_row(X, 30, bb);
    dequant_bf16_row(bb, 30, back);
    ok = 1;
    for (int k = 0; k < 30; k++) ok &= fabsf(back[k] - X[k]) <= fabsf(X[k]) * 0x1p-8f;
    CHECK(ok);
    free(qx);
    ffree(X);
    ffree(back);
}

/* 4-bit rows (an int8 model's rare embedding rows): two values a byte,
 * the even index low, v + 8; within half a step; odd lengths; zero rows. */
static void test_int4(void)
{
    float a[5] = { 0.7f, -0.7f, 0.0f, 0.35f, 0.05f }, back[5];
    uint8_t q[3];
    float s = quant_int4_row(a, 5, q);
    CHECK_NEAR(s, 0.1f, 1e-7);
    CHECK_INT(q[0], (8 + 7) | (8 - 7) << 4);     /* 0.7 -> 7, -0.7 -> -7 */
    CHECK_INT(q[1] & 0x0F, 8);                   /* 0 */
    CHECK_INT(q[1] >> 4, 8 + 4);                 /* 0.35 / 0.1 = 3.5 -> 4 (lrintf: even) */
    CHECK_INT(q[2], 0x80 | (8 + 0));             /* 0.05 -> 0 (even); the unused high nibble is 8 */
    dequant_int4_row(q, s, 5, back);
    int ok = 1;
    for (int k = 0; k < 5; k++) ok &= fabsf(back[k] - a[k]) <= s * 0.5f * 1.0001f;
    CHECK(ok);
    float z[4] = { 0, 0, 0, 0 };
    CHECK(quant_int4_row(z, 4, q) == 0 && q[0] == 0x88 && q[1] == 0x88);
    dequant_int4_row(q, 0, 4, back);
    CHECK(back[0] == 0 && back[3] == 0);
    rng r;
    rng_seed(&r, 11);
    float *X = randm(&r, 301, 3.0f), *Y = fzeros(301);
    uint8_t q4[151];
    s = quant_int4_row(X, 301, q4);
    dequant_int4_row(q4, s, 301, Y);
    ok = 1;
    for (int k = 0; k < 301; k++) ok &= fabsf(Y[k] - X[k]) <= s * 0.5f * 1.0001f && fabsf(Y[k]) <= 7 * s * 1.0001f;
    CHECK(ok);
    ffree(X);
    ffree(Y);
}

/* C = bias + A W by the kernel in use, for M rows. */
static void product(int M, const float *A, const qmat *w, const float *bias, float *C)
{
    for (int i = 0; i < M; i++) memcpy(C + (size_t)i * w->N, bias, sizeof(float) * w->N);
    void *work = malloc(qmm_work(w));
    qmm_rows(M, A, w, C, work);
    free(work);
}

static void test_products(precision p)
{
    static const int Ks[] = { 1, 3, 17, 128, 300 }, Ns[] = { 1, 5, 16, 33, 384, 512 };
    static const char *kern[] = { "avx512", "avxvnni", "avx2" };
    rng r;
    rng_seed(&r, 11 + p);
    int exact = 1, near = 1, invariant = 1, tried = 0;
    double worst = 0;
    for (size_t ki = 0; ki < sizeof Ks / sizeof *Ks; ki++)
        for (size_t ni = 0; ni < sizeof Ns / sizeof *Ns; ni++) {
            const int K = Ks[ki], N = Ns[ni], M = 37;
            float *W = randm(&r, (size_t)K * N, 0.3f), *A = randm(&r, (size_t)M * K, 1.0f);
            float *bias = randm(&r, N, 0.1f), *ref = fzeros((size_t)M * N);
            for (int i = 0; i < M; i++)   /* reference: float products of the fp32 values */
                for (int j = 0; j < N; j++) {
                    double s = bias[j];
                    for (int k = 0; k < K; k++) s += (double)A[i * K + k] * W[(size_t)k * N + j];
                    ref[(size_t)i * N + j] = (float)s;
                }
            qmat *w;
            int8_t *q = malloc((size_t)K * N);
            float *sc = fzeros(N);
            uint16_t *bf = malloc(sizeof(uint16_t) * (size_t)K * N);
            if (p == PREC_INT8) {
                quant_int8_cols(W, K, N, q, sc);
                w = qmat_int8(q, sc, K, N);
            } else {
                bf16_row(W, K * N, bf);
                w = qmat_bf16(bf, K, N);
            }
            float *Cc = fzeros((size_t)M * N), *Ck = fzeros((size_t)M * N), *C1 = fzeros(N);
            quant_kernel_force("c");
            product(M, A, w, bias, Cc);
            for (size_t x = 0; x < sizeof kern / sizeof *kern; x++) {
                quant_kernel_force(kern[x]);
                if (!strcmp(quant_kernel(p), "c")) continue;   /* the CPU lacks it */
                tried++;
                product(M, A, w, bias, Ck);
                exact &= memcmp(Cc, Ck, sizeof(float) * (size_t)M * N) == 0;
                for (int i = 0; i < M; i += 7) {   /* a row alone: the same bits */
                    product(1, A + (size_t)i * K, w, bias, C1);
                    invariant &= memcmp(C1, Ck + (size_t)i * N, sizeof(float) * N) == 0;
                }
            }
            quant_kernel_force(NULL);
            for (int i = 0; i < M; i += 5) {
                product(1, A + (size_t)i * K, w, bias, C1);
                invariant &= memcmp(C1, Cc + (size_t)i * N, sizeof(float) * N) == 0;
            }
            /* error: int8 ~ sqrt(K) * steps of both operands; bf16 ~ 2^-8 relative per term */
            for (size_t e = 0; e < (size_t)M * N; e++) {
                double d = fabs(Cc[e] - ref[e]), tol = p == PREC_INT8 ? 0.02 * sqrt(K) : 0.004 * sqrt(K);
                if (d > worst) worst = d;
                near &= d <= tol;
            }
            qmat_free(w);
            free(q); free(bf);
            ffree(sc); ffree(W); ffree(A); ffree(bias); ffree(ref); ffree(Cc); ffree(Ck); ffree(C1);
        }
    CHECK_MSG(exact, "%s: a SIMD kernel differs from the portable one", precision_name(p));
    CHECK_MSG(invariant, "%s: a row's result depends on its batch", precision_name(p));
    CHECK_MSG(near, "%s: worst error %g", precision_name(p), worst);
    printf("%s: %d SIMD kernel runs compared with the portable kernel; worst |error| vs f32 %.3g\n",
           precision_name(p), tried, worst);
}

static void test_kernel_names(void)
{
    CHECK(quant_kernel_force("nonsense") == -1);
    CHECK(quant_kernel_force("c") == 0);
    CHECK_STR(quant_kernel(PREC_INT8), "c");
    CHECK_STR(quant_kernel(PREC_BF16), "c");
    CHECK(quant_kernel_force(NULL) == 0);
    CHECK_STR(quant_kernel(PREC_F32), "f32");
    CHECK_STR(precision_name(PREC_INT8), "int8");
    CHECK_STR(precision_name(PREC_BF16), "bf16");
}

int main(void)
{
    test_scalars();
    test_int4();
    test_products(PREC_INT8);
    test_products(PREC_BF16);
    test_kernel_names();
    TEST_END();
}
