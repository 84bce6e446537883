/* fuzz_vectors.c - libFuzzer harness for the word2vec loader (src/vectors.c).
 *
 * Input: byte 0 = options, the rest = the file.
 *   bits 0-2: expected dimension (0 = from the file, else 1..7)
 *   bit 3:    also load a gzip-compressed copy and compare (bit 4: as two
 *             gzip members, as `cat a.gz b.gz` gives)
 *   bit 5:    an empty want set
 * The raw bytes are loaded as they are too, so the fuzzer can also build
 * broken gzip streams of its own (seeds include a .gz file).
 * Oracles besides the sanitizers:
 *  - loaded vectors are finite; rows of words not found are zero;
 *  - stats are consistent (found <= wanted, header count = rows when given);
 *  - vectors_words succeeds with the same dimension whenever vectors_load
 *    does (it checks less);
 *  - the plain and the gzip-compressed file give the same result (the same
 *    vectors, or the same error message apart from the file name).
 */
#include "base/err.h"
#include "fuzz_common.h"
#include "base/strmap.h"
#include "text/vectors.h"

#include <math.h>
#include <zlib.h>

static fuzz_file plain, gz;
static strmap want, none;

static const char *const WANT[] = { "the", "good", "a", "是", "不", "</s>", "0", "1", "\xef\xbf\xbd",
                                    "nan", "-", "e", NULL };

static void init(void)
{
    strmap_init(&want);
    strmap_init(&none);
    for (int i = 0; WANT[i]; i++) strmap_put(&want, WANT[i], strlen(WANT[i]), NULL);
}

/* gzip data[0..n) as one member, or as two (split in the middle). */
static unsigned char *gzip_members(const uint8_t *data, size_t n, int two, size_t *outlen)
{
    size_t cut = two ? n / 2 : n, cap = compressBound(n) + 64, len = 0;
    unsigned char *out = malloc(cap * 2);
    if (!out) abort();
    for (int part = 0; part < (two ? 2 : 1); part++) {
        const uint8_t *src = part ? data + cut : data;
        size_t sn = part ? n - cut : cut;
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
        zs.next_in = (Bytef *)src;
        zs.avail_in = (uInt)sn;
        zs.next_out = out + len;
        zs.avail_out = (uInt)(cap * 2 - len);
        if (deflate(&zs, Z_FINISH) != Z_STREAM_END) abort();
        len += zs.total_out;
        deflateEnd(&zs);
    }
    *outlen = len;
    return out;
}

/* Load path; describe the result in out (error messages without the path). */
static int load(const char *path, const strmap *w, long dim, fbuf *out, long *got_dim)
{
    float *vec = NULL;
    unsigned char *found = NULL;
    vec_stats st;
    memset(&st, 0, sizeof st);
    if (vectors_load(path, w, dim, &vec, &found, &st) < 0) {
        const char *m = err_msg();
        size_t pl = strlen(path);
        if (strncmp(m, path, pl) == 0) m += pl;   /* "path:line: ..." -> ":line: ..." */
        fbuf_str(out, "ERR");
        fbuf_str(out, m);
        FUZZ_ASSERT(vec == NULL && found == NULL, "outputs set on failure");
        return -1;
    }
    FUZZ_ASSERT(st.dim >= 1 && (dim == 0 || st.dim == dim), "dim %ld (wanted %ld)", st.dim, dim);
    FUZZ_ASSERT(st.rows >= 1, "success without rows");
    FUZZ_ASSERT(st.header_count < 0 || st.header_count == st.rows, "header %ld, rows %ld", st.header_count, st.rows);
    FUZZ_ASSERT(st.found >= 0 && (size_t)st.found <= w->n, "found %ld of %zu", st.found, w->n);
    long nf = 0;
    for (size_t i = 0; i < w->n; i++) {
        nf += found[i];
        for (long k = 0; k < st.dim; k++) {
            float x = vec[i * (size_t)st.dim + (size_t)k];
            FUZZ_ASSERT(isfinite(x), "non-finite value kept for word %zu", i);
            FUZZ_ASSERT(found[i] || x == 0.0f, "a word not found has a non-zero row");
        }
    }
    FUZZ_ASSERT(nf == st.found, "found flags %ld vs stats %ld", nf, st.found);
    fbuf_num(out, st.dim);
    fbuf_num(out, st.header_count);
    fbuf_num(out, st.rows);
    fbuf_num(out, st.found);
    fbuf_num(out, st.duplicates);
    if (w->n) fbuf_add(out, vec, w->n * (size_t)st.dim * sizeof(float));
    free(vec);
    free(found);
    *got_dim = st.dim;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!want.slots) init();
    if (size < 1) return 0;
    uint8_t opt = data[0];
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    long dim = opt & 7;
    const strmap *w = (opt & 0x20) ? &none : &want;

    const char *path = fuzz_file_set(&plain, p, n);
    fbuf a = {0};
    long got = 0;
    int rc = load(path, w, dim, &a, &got);
    if (rc == 0) {
        strmap words;
        strmap_init(&words);
        long wdim = -1;
        int wr = vectors_words(path, &words, &wdim);
        FUZZ_ASSERT(wr == 0, "vectors_words fails where vectors_load succeeded: %s", err_msg());
        FUZZ_ASSERT(wdim == got, "vectors_words dim %ld, vectors_load %ld", wdim, got);
        strmap_free(&words);
    }
    if ((opt & 8) && !(n >= 2 && p[0] == 0x1f && p[1] == 0x8b)) {
        size_t glen;
        unsigned char *g = gzip_members(p, n, (opt >> 4) & 1, &glen);
        const char *gpath = fuzz_file_set(&gz, g, glen);
        free(g);
        fbuf b = {0};
        long gdim = 0;
        load(gpath, w, dim, &b, &gdim);
        fuzz_same(&a, &b, "plain vs gzip results");
        fbuf_free(&b);
    }
    fbuf_free(&a);
    err_clear();
    return 0;
}
