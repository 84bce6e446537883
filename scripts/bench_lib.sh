# bench_lib.sh - helpers for scripts/bench.sh and scripts/bench_predict.sh (sourced; POSIX sh).
#
# emit NAME VALUE UNIT REFERENCE RATIO NOTE   one JSON object on stdout
# num X                                       X, or null when empty / not a number
# div A B [DIGITS]                            A/B (null when either is null or B is 0)
# jget FILE KEY                               last numeric "KEY": value in a JSON-lines file
# csv_head IN OUT ROWS                        header + first ROWS records of an RFC 4180 CSV
# log MSG...                                  progress on stderr, with elapsed seconds
# build_helper DIR                            compile $DIR/bench_helper (SGEMM, zlib, timing)
# bench_setup NAME FILE...                    inputs checked, ./seqsent built, TMP and S set

BENCH_T0=$(date +%s)
# the data sets and vectors (SHARED: where ../shared is)
SHARED=${SHARED:-../shared}
DATA=$SHARED/data
VEC=$SHARED/vectors/sgns.zh-reviews.word.300d.vec.gz

log() { echo "bench [$(( $(date +%s) - BENCH_T0 ))s]: $*" >&2; }

num() {
    case "$1" in
        ''|null|nan|-nan|inf|-inf) echo null ;;
        *[!0-9eE.+-]*) echo null ;;
        *) echo "$1" ;;
    esac
}

div() {
    a=$(num "$1"); b=$(num "$2")
    if [ "$a" = null ] || [ "$b" = null ]; then echo null; return; fi
    awk -v a="$a" -v b="$b" -v d="${3:-3}" 'BEGIN { if (b == 0) print "null"; else printf "%.*f\n", d, a / b }'
}

# JSON string escaping for the note (quotes, backslashes, control characters).
jstr() { printf '%s' "$1" | awk 'BEGIN { ORS = "" } { gsub(/\\/, "\\\\\\\\"); gsub(/"/, "\\\""); gsub(/\t/, " "); if (NR > 1) print " "; print }'; }

# round for display: 1 decimal from 100 up, 2 from 1 up, else 3 significant-ish decimals
fmt() {
    x=$(num "$1")
    case "$x" in null|*[!0-9.-]*) echo "$x"; return ;; esac
    awk -v x="$x" 'BEGIN { a = x < 0 ? -x : x; if (x == int(x)) print x; else if (a >= 100) printf "%.1f\n", x;
                           else if (a >= 1) printf "%.2f\n", x; else printf "%.3f\n", x }'
}

emit() {
    v=$(fmt "$2"); r=$(fmt "$4"); q=$(num "$5")
    u=null; [ -n "$3" ] && u="\"$(jstr "$3")\""
    printf '{"name":"%s","value":%s,"unit":%s,"reference":%s,"ratio":%s,"note":"%s"}\n' \
        "$1" "$v" "$u" "$r" "$q" "$(jstr "$6")"
}

# emit with a string value (machine description)
emit_str() {
    printf '{"name":"%s","value":"%s","unit":null,"reference":null,"ratio":null,"note":"%s"}\n' \
        "$1" "$(jstr "$2")" "$(jstr "$3")"
}

jget() {
    [ -s "$1" ] || { echo null; return; }
    v=$(sed -n "s/.*\"$2\": *\\(-\\{0,1\\}[0-9][0-9.eE+-]*\\).*/\\1/p" "$1" | tail -n 1)
    num "$v"
}

# mean of a numeric key over all lines of a JSON-lines file
jmean() {
    [ -s "$1" ] || { echo null; return; }
    sed -n "s/.*\"$2\": *\\(-\\{0,1\\}[0-9][0-9.eE+-]*\\).*/\\1/p" "$1" |
        awk '{ s += $1; n++ } END { if (n) printf "%.6f\n", s / n; else print "null" }'
}

# max / all values of a numeric key over files (last matching line of each)
jmax() {
    k=$1; shift
    for f in "$@"; do jget "$f" "$k"; done | awk '$1 != "null" && (m == "" || $1 > m) { m = $1 } END { print m == "" ? "null" : m }'
}
jall() {
    k=$1; shift
    for f in "$@"; do fmt "$(jget "$f" "$k")"; done | awk '{ printf "%s%s", s, $1; s = ", " }'
}

# First ROWS records of a CSV (a record ends at a newline outside quotes).
csv_head() {
    awk -v rows="$3" '
        { q += gsub(/"/, "\""); print }
        q % 2 == 0 { q = 0; if (NR > 1 && ++n >= rows) exit }
    ' "$1" > "$2"
}

# bench_setup NAME FILE...: every FILE must be readable; ./seqsent is built
# if missing; TMP is a new temporary directory (removed at exit unless
# BENCH_KEEP=1) and S a private copy of the binary in it, so that a
# concurrent rebuild of ./seqsent cannot change the binary mid-run.
bench_setup() {
    BENCH_NAME=$1; shift
    for f in "$@"; do
        [ -r "$f" ] || { echo "$BENCH_NAME: $f not found (set SHARED=)" >&2; exit 1; }
    done
    [ -x ./seqsent ] || make --no-print-directory seqsent >&2 || exit 1
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/seqsent-$BENCH_NAME.XXXXXX") || exit 1
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
    cp ./seqsent "$TMP/seqsent" || exit 1
    S=$TMP/seqsent
}
bench_cleanup() {
    if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "$BENCH_NAME: kept $TMP" >&2; else rm -rf "$TMP"; fi
}

build_helper() {
    cat > "$1/bench_helper.c" <<'EOF'
/* bench_helper - compiled into a temporary directory by scripts/bench.sh.
 *   sgemm THREADS [B T E H]   SGEMM GFLOP/s at the GEMM shapes of one training batch of a
 *                             2-layer LSTM (frozen embedding), row-major cblas_sgemm as
 *                             src/base/tensor.c calls it: one "shape" line per shape, then
 *                             "total FLOP SECONDS GFLOPS" (the FLOP-weighted mix).
 *   zread FILE.gz             zlib (gzread) decompression: "BYTES SECONDS".
 *   run N IN OUT CMD ARGS...  run CMD N times (stdin IN, stdout OUT, '-' = inherit):
 *                             "MEDIAN_S MIN_S MAXRSS_KB MINCPU_S" (wall time, peak RSS of the
 *                             children, least user+system CPU time of a run).
 */
#include <cblas.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

void openblas_set_num_threads(int);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct { const char *name; int ta, tb, M, N, K, calls; } shape;

static float *rnd(size_t n)
{
    float *p = NULL;
    if (posix_memalign((void **)&p, 64, n * sizeof(float) + 64)) exit(1);
    for (size_t i = 0; i < n; i++) p[i] = (float)(rand() / (double)RAND_MAX - 0.5);
    return p;
}

static void gemm(const shape *s, const float *A, const float *B, float *C, float beta)
{
    cblas_sgemm(CblasRowMajor, s->ta ? CblasTrans : CblasNoTrans, s->tb ? CblasTrans : CblasNoTrans,
                s->M, s->N, s->K, 1.0f, A, s->ta ? s->M : s->K, B, s->tb ? s->K : s->N, beta, C, s->N);
}

/* seconds per call: best of 3 runs of >= 0.2 s each, after a warm-up */
static double time_shape(const shape *s)
{
    float *A = rnd((size_t)s->M * s->K), *B = rnd((size_t)s->K * s->N), *C = rnd((size_t)s->M * s->N);
    for (int i = 0; i < 3; i++) gemm(s, A, B, C, 1.0f);
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        long n = 0;
        double t0 = now(), el;
        do {
            for (int i = 0; i < 8; i++) gemm(s, A, B, C, 0.5f);
            n += 8;
            el = now() - t0;
        } while (el < 0.2);
        if (el / n < best) best = el / n;
    }
    free(A); free(B); free(C);
    return best;
}

static int cmd_sgemm(int argc, char **argv)
{
    int th = atoi(argv[2]);
    int B = argc > 3 ? atoi(argv[3]) : 32, T = argc > 4 ? atoi(argv[4]) : 100;
    int E = argc > 5 ? atoi(argv[5]) : 300, H = argc > 6 ? atoi(argv[6]) : 128, G = 4 * H, TB = T * B;
    openblas_set_num_threads(th);
    shape sh[] = {
        { "fwd_XW1", 0, 0, TB, G, E, 1 },           /* gates = X W (+b), all steps, layer 1 */
        { "fwd_XW2", 0, 0, TB, G, H, 1 },           /* layer 2 */
        { "fwd_hU", 0, 0, B, G, H, 2 * (T - 1) },   /* recurrent, per step, both layers */
        { "bwd_dzUt", 0, 1, B, H, G, 2 * (T - 1) }, /* dh_{t-1} = dz_t U^T, per step */
        { "bwd_dW1", 1, 0, E, G, TB, 1 },           /* dW = X^T dz, layer 1 */
        { "bwd_dW2", 1, 0, H, G, TB, 1 },           /* layer 2 */
        { "bwd_dU", 1, 0, H, G, TB - B, 2 },        /* dU = h^T dz, both layers */
        { "bwd_dX2", 0, 1, TB, H, G, 1 },           /* dX of layer 2 (layer 1's: frozen, skipped) */
    };
    double flop = 0, secs = 0;
    for (size_t i = 0; i < sizeof sh / sizeof *sh; i++) {
        double t = time_shape(&sh[i]), f = 2.0 * sh[i].M * sh[i].N * sh[i].K;
        printf("shape %s %dx%dx%d%s%s %d %.1f\n", sh[i].name, sh[i].M, sh[i].N, sh[i].K,
               sh[i].ta ? "tn" : "", sh[i].tb ? "nt" : "", sh[i].calls, f / t / 1e9);
        flop += f * sh[i].calls;
        secs += t * sh[i].calls;
    }
    printf("total %.0f %.6f %.2f\n", flop, secs, flop / secs / 1e9);
    return 0;
}

static int cmd_zread(const char *path)
{
    gzFile f = gzopen(path, "rb");
    if (!f) { perror(path); return 1; }
    gzbuffer(f, 1 << 20);
    static char buf[1 << 20];
    double best = 1e30;
    long long tot = 0;
    for (int rep = 0; rep < 3; rep++) {
        gzrewind(f);
        tot = 0;
        int r;
        double t0 = now();
        while ((r = gzread(f, buf, sizeof buf)) > 0) tot += r;
        double el = now() - t0;
        if (r < 0) { fprintf(stderr, "zread: %s: error\n", path); return 1; }
        if (el < best) best = el;
    }
    gzclose(f);
    printf("%lld %.6f\n", tot, best);
    return 0;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmd_run(int argc, char **argv)
{
    int n = atoi(argv[2]);
    const char *in = argv[3], *out = argv[4];
    char **cmd = argv + 5;
    if (n < 1 || argc < 6) return 2;
    double *t = calloc(n, sizeof *t), mincpu = 1e30;
    long maxrss = 0;
    for (int i = 0; i < n; i++) {
        double t0 = now();
        pid_t pid = fork();
        if (pid < 0) { perror("fork"); return 1; }
        if (pid == 0) {
            if (strcmp(in, "-")) {
                int fd = open(in, O_RDONLY);
                if (fd < 0) { perror(in); _exit(127); }
                dup2(fd, 0); close(fd);
            }
            if (strcmp(out, "-")) {
                int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (fd < 0) { perror(out); _exit(127); }
                dup2(fd, 1); close(fd);
            }
            execvp(cmd[0], cmd);
            perror(cmd[0]);
            _exit(127);
        }
        int st;
        struct rusage ru;
        if (wait4(pid, &st, 0, &ru) < 0) { perror("wait4"); return 1; }
        t[i] = now() - t0;
        if (ru.ru_maxrss > maxrss) maxrss = ru.ru_maxrss;
        double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
        if (cpu < mincpu) mincpu = cpu;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "bench_helper: %s failed (status %d)\n", cmd[0], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
            return 1;
        }
    }
    qsort(t, n, sizeof *t, cmp);
    double med = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    printf("%.6f %.6f %ld %.6f\n", med, t[0], maxrss, mincpu);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "sgemm")) return cmd_sgemm(argc, argv);
    if (argc == 3 && !strcmp(argv[1], "zread")) return cmd_zread(argv[2]);
    if (argc >= 6 && !strcmp(argv[1], "run")) return cmd_run(argc, argv);
    fprintf(stderr, "usage: bench_helper sgemm THREADS [B T E H] | zread FILE.gz | run N IN OUT CMD...\n");
    return 2;
}
EOF
    # shellcheck disable=SC2046
    cc -O2 -o "$1/bench_helper" "$1/bench_helper.c" $(pkg-config --cflags --libs openblas) -lz
}
