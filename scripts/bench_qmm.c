/* bench_qmm.c - micro-benchmark of the products of predict at its shapes
 * (BENCHMARKS.md, "Quantized models"): f32 mm_rows (OpenBLAS, 16-row
 * blocks), int8 and bf16 qmm_rows (src/base/quant.c, the kernel the CPU
 * has; i8-c: the portable one, i8-avx2: the AVX2 one), and oneDNN's matmul (Debian libdnnl-dev;
 * not a seqsent dependency): int8 u8 x s8 -> s32 with seqsent's row
 * quantizing and scaling around it in scalar C (dnnl-i8) or alone
 * (dnnl-i8-bare), and bf16 x bf16 -> f32.  GMAC/s on one thread.
 *
 *   make build/libseqsent.a
 *   cc -O2 -Isrc $(pkg-config --cflags openblas) scripts/bench_qmm.c build/libseqsent.a \
 *      -ldnnl $(pkg-config --libs openblas libcjson libutf8proc) -lz -lm -lpthread -o /tmp/bench_qmm
 *   OMP_NUM_THREADS=1 /tmp/bench_qmm [SECONDS_PER_FIGURE]
 *   ONEDNN_MAX_CPU_ISA=AVX2 ...   oneDNN as on a CPU without AVX-512 (0: no such primitive)
 */
#include "base/quant.h"
#include "base/tensor.h"
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
#define CK(x) do { dnnl_status_t s_ = (x); if (s_ != dnnl_success) { fprintf(stderr, "%s: %d\n", #x, s_); exit(1); } } while (0)

static dnnl_engine_t eng; static dnnl_stream_t strm;

typedef struct { dnnl_primitive_t p; dnnl_memory_t src, wei, dst; } dmm;

static dmm dmm_new(int M, int K, int N, dnnl_data_type_t st, dnnl_data_type_t wt, dnnl_data_type_t dt, const void *W, void *src, void *dst)
{
    dmm d;
    dnnl_memory_desc_t smd, wmd, wany, dmd;
    dnnl_dims_t sd = { M, K }, wd = { K, N }, dd = { M, N };
    CK(dnnl_memory_desc_init_by_tag(&smd, 2, sd, st, dnnl_ab));
    CK(dnnl_memory_desc_init_by_tag(&wmd, 2, wd, wt, dnnl_ab));
    CK(dnnl_memory_desc_init_by_tag(&wany, 2, wd, wt, dnnl_format_tag_any));
    CK(dnnl_memory_desc_init_by_tag(&dmd, 2, dd, dt, dnnl_ab));
    dnnl_matmul_desc_t md;
    CK(dnnl_matmul_desc_init(&md, &smd, &wany, NULL, &dmd));
    dnnl_primitive_desc_t pd;
    if (dnnl_primitive_desc_create(&pd, &md, NULL, eng, NULL) != dnnl_success) {   /* not for this ISA */
        d.p = NULL;
        return d;
    }
    CK(dnnl_primitive_create(&d.p, pd));
    const dnnl_memory_desc_t *wq = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    dnnl_memory_t wplain;
    CK(dnnl_memory_create(&wplain, &wmd, eng, (void *)W));
    CK(dnnl_memory_create(&d.wei, wq, eng, DNNL_MEMORY_ALLOCATE));
    dnnl_primitive_desc_t rpd; dnnl_primitive_t rp;
    CK(dnnl_reorder_primitive_desc_create(&rpd, &wmd, eng, wq, eng, NULL));
    CK(dnnl_primitive_create(&rp, rpd));
    dnnl_exec_arg_t ra[2] = { { DNNL_ARG_FROM, wplain }, { DNNL_ARG_TO, d.wei } };
    CK(dnnl_primitive_execute(rp, strm, 2, ra));
    CK(dnnl_stream_wait(strm));
    CK(dnnl_memory_create(&d.src, &smd, eng, src));
    CK(dnnl_memory_create(&d.dst, &dmd, eng, dst));
    return d;
}
static void dmm_run(dmm *d)
{
    dnnl_exec_arg_t a[3] = { { DNNL_ARG_SRC, d->src }, { DNNL_ARG_WEIGHTS, d->wei }, { DNNL_ARG_DST, d->dst } };
    CK(dnnl_primitive_execute(d->p, strm, 3, a));
    CK(dnnl_stream_wait(strm));
}

int main(int argc, char **argv)
{
    blas_set_threads(1);
    CK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    CK(dnnl_stream_create(&strm, eng, dnnl_stream_default_flags));
    int shapes[][2] = { { 128, 512 }, { 300, 512 }, { 128, 384 }, { 256, 512 } };
    int Ms[] = { 16, 64, 256 };
    double budget = argc > 1 ? atof(argv[1]) : 0.3;
    rng r; rng_seed(&r, 1);
    printf("%-5s %-4s %-4s %9s %9s %9s %9s %9s %9s %9s %9s  (GMAC/s, one thread; int8 = quantize rows + product + scale)\n", "M", "K", "N", "f32", "int8", "bf16", "dnnl-i8", "dnnl-bf16", "i8-c", "dnnl-i8-bare", "i8-avx2");
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (size_t mi = 0; mi < 3; mi++) {
            int K = shapes[s][0], N = shapes[s][1], M = Ms[mi];
            float *W = fzeros((size_t)K * N), *A = fzeros((size_t)M * K), *C = fzeros((size_t)M * N);
            init_uniform(&r, W, (size_t)K * N, 0.2f); init_uniform(&r, A, (size_t)M * K, 1.0f);
            int8_t *q = malloc((size_t)K * N); float *sc = malloc(sizeof(float) * N);
            uint16_t *bf = malloc(2 * (size_t)K * N);
            quant_int8_cols(W, K, N, q, sc); bf16_row(W, K * N, bf);
            qmat *wi = qmat_int8(q, sc, K, N), *wb = qmat_bf16(bf, K, N);
            float *work = falloc(mm_rows_work(N, K));
            double res[8];
            for (int v = 0; v < 8; v++) {
                uint8_t *u = malloc((size_t)M * K); uint16_t *ab = malloc(2 * (size_t)M * K); int32_t *acc = malloc(4 * (size_t)M * N);
                int8_t *qa = malloc(K); float *sa = malloc(sizeof(float) * M);
                dmm d;
                if (v == 3 || v == 6) d = dmm_new(M, K, N, dnnl_u8, dnnl_s8, dnnl_s32, q, u, acc);
                if (v == 4) d = dmm_new(M, K, N, dnnl_bf16, dnnl_bf16, dnnl_f32, bf, ab, C);
                if (v == 5 || v == 7) quant_kernel_force(v == 5 ? "c" : "avx2");
                if ((v == 3 || v == 4 || v == 6) && !d.p) {   /* oneDNN has none (ONEDNN_MAX_CPU_ISA): 0 */
                    res[v] = 0;
                    free(u); free(ab); free(acc); free(qa); free(sa);
                    continue;
                }
                long it = 0; double t0 = now(), t;
                do {
                    for (int rep = 0; rep < 10; rep++) {
                        if (v == 0) mm_rows(M, N, K, A, W, C, work);
                        else if (v == 1 || v == 5 || v == 7) qmm_rows(M, A, wi, C, work);
                        else if (v == 2) qmm_rows(M, A, wb, C, work);
                        else if (v == 6) dmm_run(&d);
                        else if (v == 3) {   /* same quantize + epilogue as ours */
                            for (int i = 0; i < M; i++) { sa[i] = quant_int8_row(A + (size_t)i * K, K, qa); for (int k = 0; k < K; k++) u[(size_t)i * K + k] = (uint8_t)(qa[k] + 128); }
                            dmm_run(&d);
                            for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) C[(size_t)i * N + j] += (float)(acc[(size_t)i * N + j] - wi->corr[j]) * (sa[i] * wi->scale[j]);
                        } else {
                            for (int i = 0; i < M; i++) bf16_row(A + (size_t)i * K, K, ab + (size_t)i * K);
                            dmm_run(&d);
                        }
                    }
                    it += 10; t = now() - t0;
                } while (t < budget);
                if (v == 5 || v == 7) quant_kernel_force(NULL);
                res[v] = (double)M * K * N * it / t / 1e9;
                free(u); free(ab); free(acc); free(qa); free(sa);
            }
            printf("%-5d %-4d %-4d %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n", M, K, N, res[0], res[1], res[2], res[3], res[4], res[5], res[6], res[7]);
            fflush(stdout);
        }
    return 0;
}
