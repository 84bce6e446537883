/* tensor.c - BLAS wrapper, aligned buffers, RNG and weight initialisers. */
#include "base/tensor.h"
#include "base/dynlib.h"
#include "base/err.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* OpenBLAS is opened on first use (base/dynlib.h), not linked.  Loaded at
 * start it costs every command (tokenize, info, --help) its relocations,
 * and it starts its thread pool at once: on 2 cores one of its threads
 * spun for a tenth of a second beside a one-line predict, which does its
 * products on one thread.  So it starts with one thread
 * (OPENBLAS_NUM_THREADS, unless the environment says otherwise), and
 * blas_set_threads adds threads when a command wants them. */
#define BLAS_FUNCS(X) X(cblas_sgemm) X(openblas_set_num_threads) X(openblas_get_num_threads)
static union { struct { BLAS_FUNCS(DYNLIB_SLOT) } f; void *slot[3]; } blas;
static const char *const blas_names[] = { BLAS_FUNCS(DYNLIB_NAME) NULL };
_Static_assert(sizeof blas.f == sizeof blas.slot, "one slot per function");
static const dynlib_spec blas_lib = { "OpenBLAS", SEQSENT_BLAS_SONAME, SEQSENT_BLAS_PATH, "libopenblas0", 0, blas_names };
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
/* blas_set_threads before the first product only records the count (a
 * command sets it at its start), applied when the library is opened */
static pthread_mutex_t blas_lock = PTHREAD_MUTEX_INITIALIZER;
static int blas_open_done, blas_want;

static void blas_open(void)
{
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    if (dynlib_load(&blas_lib, blas.slot) < 0) {   /* nothing can be computed: as out of memory */
        fprintf(stderr, "seqsent: %s\n", err_msg());
        exit(EXIT_FAIL);
    }
    pthread_mutex_lock(&blas_lock);
    if (blas_want) blas.f.openblas_set_num_threads(blas_want);
    blas_open_done = 1;
    pthread_mutex_unlock(&blas_lock);
}

/* The table, opened when needed. */
static inline void blas_ready(void)
{
    pthread_once(&blas_once, blas_open);
}

void mm(int ta, int tb, int M, int N, int K, float alpha,
        const float *A, const float *B, float beta, float *C)
{
    if (M == 0 || N == 0) return;
    if (K == 0) {   /* BLAS may not scale C when K == 0; do it explicitly */
        for (size_t i = 0; i < (size_t)M * N; i++) C[i] = beta == 0 ? 0 : beta * C[i];
        return;
    }
    blas_ready();
    blas.f.cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                       M, N, K, alpha, A, ta ? M : K, B, tb ? K : N, beta, C, N);
}

/* mm_rows: OpenBLAS on a fixed shape.  Each block of MM_ROWS_BLOCK rows is
 * one cblas_sgemm of the same M, N, K, the short last block padded with
 * zero rows; the block is computed transposed (Z^T [N,BLK] = B^T A^T, the
 * rows on BLAS's vector dimension) because that is the orientation in which
 * OpenBLAS 0.3's x86 kernels give a row the same bits at every position of
 * the block (the plain orientation does not on Haswell/Zen beyond 8 rows:
 * its 12-column micro-tiles round their two halves differently).  A row's
 * result then depends on nothing but itself, B, N and K. */
size_t mm_rows_work(int N, int K) { return (size_t)MM_ROWS_BLOCK * ((size_t)N + (size_t)K); }

void mm_rows(int M, int N, int K, const float *A, const float *B, float *C, float *work)
{
    if (M <= 0 || N <= 0) return;
    blas_ready();
    enum { R = MM_ROWS_BLOCK };
    float *Z = work, *pad = work + (size_t)R * N;
    for (int r = 0; r < M; r += R) {
        const int n = M - r < R ? M - r : R;
        const float *a = A + (size_t)r * K;
        if (n < R) {   /* the short block: its rows, then zeros */
            memcpy(pad, a, sizeof(float) * n * K);
            memset(pad + (size_t)n * K, 0, sizeof(float) * (R - n) * K);
            a = pad;
        }
        if (K > 0)
            blas.f.cblas_sgemm(CblasRowMajor, CblasTrans, CblasTrans, N, R, K, 1.0f, B, N, a, K, 0.0f, Z, R);
        else
            memset(Z, 0, sizeof(float) * R * N);
        for (int i = 0; i < n; i++) {
            float *c = C + (size_t)(r + i) * N;
            for (int j = 0; j < N; j++) c[j] += Z[(size_t)j * R + i];
        }
    }
}

static void *blas_open_run(void *arg)
{
    (void)arg;
    blas_ready();
    return NULL;
}

void blas_open_async(void)
{
    pthread_t t;
    pthread_attr_t at;
    if (pthread_attr_init(&at) != 0) return;
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &at, blas_open_run, NULL) != 0) blas_ready();
    pthread_attr_destroy(&at);
}

void blas_set_threads(int n)
{
    pthread_mutex_lock(&blas_lock);
    blas_want = n < 1 ? 1 : n;
    if (blas_open_done) blas.f.openblas_set_num_threads(blas_want);
    pthread_mutex_unlock(&blas_lock);
}

int blas_get_threads(void)
{
    pthread_mutex_lock(&blas_lock);
    int n = blas_open_done ? blas.f.openblas_get_num_threads() : blas_want ? blas_want : 1;
    pthread_mutex_unlock(&blas_lock);
    return n;
}

float *fzeros(size_t n)
{
    size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) p = NULL;
    if (!p) die_oom(bytes);
    memset(p, 0, bytes);
    return p;
}

float *falloc(size_t n)
{
    size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) p = NULL;
    if (!p) die_oom(bytes);
    return p;
}

float *falloc_table(size_t n)
{
    enum { HUGE_PAGE = 2 << 20 };
    size_t bytes = (n * sizeof(float) + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
    if (bytes < 4 * (size_t)HUGE_PAGE) return falloc(n);
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, bytes) != 0 || !p) die_oom(bytes);
#ifdef MADV_HUGEPAGE
    /* advice: nothing changes where it is not taken.  Not the first 2 MB:
     * rows are used from the start, and a short run (one line: a few rows)
     * would pay for zeroing a whole huge page per table (~8% of its CPU) */
    madvise((char *)p + HUGE_PAGE, bytes - HUGE_PAGE, MADV_HUGEPAGE);
#endif
    return p;
}

void ffree(float *p) { free(p); }

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return out;
}

double rng_uniform(rng *r) { return (rng_next(r) >> 11) * 0x1.0p-53; }

double rng_normal(rng *r)
{
    double u1 = rng_uniform(r), u2 = rng_uniform(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

uint64_t rng_below(rng *r, uint64_t n) { return n ? rng_next(r) % n : 0; }

void rng_shuffle(rng *r, size_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rng_below(r, i), t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

void init_uniform(rng *r, float *w, size_t n, float limit)
{
    for (size_t i = 0; i < n; i++) w[i] = (float)((2.0 * rng_uniform(r) - 1.0) * limit);
}

void init_glorot_uniform(rng *r, float *w, int fan_in, int fan_out)
{
    init_uniform(r, w, (size_t)fan_in * fan_out, (float)sqrt(6.0 / (fan_in + fan_out)));
}

/* Orthogonal init as Keras does it: a Gaussian matrix made orthonormal along
 * its shorter side (modified Gram-Schmidt in double precision). */
void init_orthogonal(rng *r, float *w, int rows, int cols)
{
    int nvec = rows < cols ? rows : cols, len = rows < cols ? cols : rows;
    double *q = xmalloc((size_t)nvec * len * sizeof *q);
    for (size_t i = 0; i < (size_t)nvec * len; i++) q[i] = rng_normal(r);
    for (int i = 0; i < nvec; i++) {
        double *qi = q + (size_t)i * len;
        for (int j = 0; j < i; j++) {
            const double *qj = q + (size_t)j * len;
            double d = 0;
            for (int k = 0; k < len; k++) d += qi[k] * qj[k];
            for (int k = 0; k < len; k++) qi[k] -= d * qj[k];
        }
        double nrm = 0;
        for (int k = 0; k < len; k++) nrm += qi[k] * qi[k];
        nrm = sqrt(nrm);
        for (int k = 0; k < len; k++) qi[k] /= nrm > 0 ? nrm : 1;
    }
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            w[(size_t)i * cols + j] = (float)(rows < cols ? q[(size_t)i * len + j] : q[(size_t)j * len + i]);
    free(q);
}
