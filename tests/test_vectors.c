/* test_vectors.c - unit tests for the word2vec text-format loader. */
#include "text/vectors.h"
#include "base/err.h"
#include "test.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[] = "/tmp/test_vectors.XXXXXX";
static char *made[256];
static int nmade;

/* Path of a file in the temporary directory (static, rotating buffers). */
static const char *tpath(const char *name)
{
    static char bufs[8][512];
    static int k;
    char *b = bufs[k++ & 7];
    snprintf(b, sizeof bufs[0], "%s/%s", tmpdir, name);
    return b;
}

static void remember(const char *path)
{
    for (int i = 0; i < nmade; i++)
        if (strcmp(made[i], path) == 0) return;
    if (nmade < 256) made[nmade++] = xstrdup(path);
}

static const char *write_raw(const char *name, const void *data, size_t len)
{
    const char *p = tpath(name);
    FILE *f = fopen(p, "wb");
    if (!f) { perror(p); exit(2); }
    fwrite(data, 1, len, f);
    fclose(f);
    remember(p);
    return p;
}

static const char *write_file(const char *name, const char *text)
{
    return write_raw(name, text, strlen(text));
}

static const char *write_gz(const char *name, const char *text, size_t len)
{
    const char *p = tpath(name);
    gzFile g = gzopen(p, "wb");
    if (!g) { perror(p); exit(2); }
    if (len) gzwrite(g, text, (unsigned)len);
    gzclose(g);
    remember(p);
    return p;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = xmalloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

static void want_words(strmap *m, const char *const *w)
{
    strmap_init(m);
    for (; *w; w++) strmap_put(m, *w, strlen(*w), NULL);
}

static float sf(const char *s) { return strtof(s, NULL); }

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Expected "path...suffix" error message. */
static const char *emsg(const char *path, const char *suffix)
{
    static char b[1024];
    snprintf(b, sizeof b, "%s%s", path, suffix);
    return b;
}

/* Load expecting failure; returns 1 when it failed with exactly `want`. */
static void check_fail(int line, const char *path, const char *const *want, long dim, const char *expect)
{
    strmap m;
    static const char *const none[] = {NULL};
    want_words(&m, want ? want : none);
    float *out = (float *)1;
    unsigned char *found = (unsigned char *)1;
    vec_stats st;
    err_clear();
    int rc = vectors_load(path, &m, dim, &out, &found, &st);
    CHECK_MSG(rc == -1, "line %d: load should fail", line);
    CHECK_MSG(out == NULL && found == NULL, "line %d: outputs not NULL on error", line);
    CHECK_MSG(strcmp(err_msg(), expect) == 0, "line %d: got \"%s\", want \"%s\"", line, err_msg(), expect);
    if (rc == 0) { free(out); free(found); }
    strmap_free(&m);
}

/* ---- basic loading: header / no header / gz / subset ---- */

static const char BASIC_BODY[] =
    "the 0.1 -0.2 0.3 -0.4\n"
    "good -0.0823242 1.5e-05 2 -3.25\n"
    "\xef\xbc\x8c 1 2 3 4\n"          /* a Chinese full-width comma */
    "bad 1e-3 -1E+2 .5 5.\n";

static void check_basic(const char *path, long header_count)
{
    static const char *const w[] = {"good", "missing", "bad", "\xef\xbc\x8c", NULL};
    strmap m;
    want_words(&m, w);
    float *out = NULL;
    unsigned char *found = NULL;
    vec_stats st;
    memset(&st, 0x55, sizeof st);
    int rc = vectors_load(path, &m, 4, &out, &found, &st);
    CHECK_MSG(rc == 0, "%s: %s", path, err_msg());
    if (rc == 0) {
        CHECK_INT(st.dim, 4);
        CHECK_INT(st.header_count, header_count);
        CHECK_INT(st.rows, 4);
        CHECK_INT(st.found, 3);
        CHECK_INT(st.duplicates, 0);
        CHECK(found[0] == 1 && found[1] == 0 && found[2] == 1 && found[3] == 1);
        /* good */
        CHECK(same_bits(out[0], sf("-0.0823242")));
        CHECK(same_bits(out[1], sf("1.5e-05")));
        CHECK(out[2] == 2.0f);
        CHECK(out[3] == -3.25f);
        /* missing: zero row */
        CHECK(out[4] == 0 && out[5] == 0 && out[6] == 0 && out[7] == 0);
        /* bad */
        CHECK(same_bits(out[8], sf("1e-3")));
        CHECK(out[9] == -100.0f);
        CHECK(out[10] == 0.5f);
        CHECK(out[11] == 5.0f);
        /* comma */
        CHECK(out[12] == 1 && out[13] == 2 && out[14] == 3 && out[15] == 4);
    }
    free(out);
    free(found);
    strmap_free(&m);
}

static void test_basic(void)
{
    char with_hdr[512];
    snprintf(with_hdr, sizeof with_hdr, "4 4\n%s", BASIC_BODY);
    check_basic(write_file("hdr.vec", with_hdr), 4);
    check_basic(write_file("nohdr.vec", BASIC_BODY), -1);
    check_basic(write_gz("hdr.vec.gz", with_hdr, strlen(with_hdr)), 4);
    /* gzip detected by content, not by name */
    check_basic(write_gz("nohdr.txt", BASIC_BODY, strlen(BASIC_BODY)), -1);
    /* a plain file named .gz is read as plain */
    check_basic(write_file("plain.gz", BASIC_BODY), -1);

    /* expect_dim 0 takes the dimension from the file; found and st may be NULL */
    static const char *const w[] = {"the", NULL};
    strmap m;
    want_words(&m, w);
    float *out = NULL;
    CHECK(vectors_load(tpath("nohdr.vec"), &m, 0, &out, NULL, NULL) == 0);
    CHECK(out && same_bits(out[0], sf("0.1")) && same_bits(out[3], sf("-0.4")));
    free(out);
    strmap_free(&m);

    /* empty want (and NULL want) still validate and report stats */
    strmap none;
    strmap_init(&none);
    vec_stats st;
    unsigned char *found = NULL;
    CHECK(vectors_load(tpath("hdr.vec"), &none, 4, &out, &found, &st) == 0);
    CHECK_INT(st.rows, 4);
    CHECK_INT(st.found, 0);
    free(out);
    free(found);
    CHECK(vectors_load(tpath("hdr.vec"), NULL, 0, &out, NULL, &st) == 0);
    CHECK_INT(st.dim, 4);
    free(out);
    strmap_free(&none);
}

/* ---- format tolerance: CRLF, tabs, multiple/trailing spaces, no final newline ---- */

static void test_format(void)
{
    const char *text =
        "3 3\r\n"
        "a 1 2 3\r\n"
        "b\t4  5\t\t6 \r\n"
        "\r\n"
        "  c 7 8 9";                     /* leading blanks, no final newline */
    static const char *const w[] = {"a", "b", "c", NULL};
    const char *files[2] = {write_file("crlf.vec", text), write_gz("crlf.vec.gz", text, strlen(text))};
    for (int i = 0; i < 2; i++) {
        strmap m;
        want_words(&m, w);
        float *out = NULL;
        unsigned char *found = NULL;
        vec_stats st;
        int rc = vectors_load(files[i], &m, 3, &out, &found, &st);
        CHECK_MSG(rc == 0, "%s", err_msg());
        if (rc == 0) {
            CHECK_INT(st.rows, 3);
            CHECK_INT(st.header_count, 3);
            CHECK_INT(st.found, 3);
            for (int k = 0; k < 9; k++) CHECK(out[k] == (float)(k + 1));
        }
        free(out);
        free(found);
        strmap_free(&m);
    }

    /* a UTF-8 byte order mark before the header is skipped */
    {
        strmap m;
        want_words(&m, w);
        float *out = NULL;
        vec_stats st;
        int rc = vectors_load(write_file("bom.vec", "\xef\xbb\xbf" "1 2\nc 1 -1\n"), &m, 2, &out, NULL, &st);
        CHECK_MSG(rc == 0, "%s", err_msg());
        if (rc == 0) {
            CHECK_INT(st.header_count, 1);
            CHECK(out[4] == 1.0f && out[5] == -1.0f);
        }
        free(out);
        strmap_free(&m);
    }

    /* words are any non-blank bytes; 1-dimensional vectors without header */
    const char *odd = "</s> 0.5\n\xc2\xa0x 1.5\nw\xe2\x80\x8bz -2\n";
    static const char *const w2[] = {"w\xe2\x80\x8bz", "\xc2\xa0x", "</s>", NULL};
    strmap m;
    want_words(&m, w2);
    float *out = NULL;
    vec_stats st;
    int rc = vectors_load(write_file("odd.vec", odd), &m, 0, &out, NULL, &st);
    CHECK_MSG(rc == 0, "%s", err_msg());
    if (rc == 0) {
        CHECK_INT(st.dim, 1);
        CHECK_INT(st.header_count, -1);
        CHECK(out[0] == -2.0f && out[1] == 1.5f && out[2] == 0.5f);
    }
    free(out);
    strmap_free(&m);
}

/* ---- duplicates ---- */

static void test_duplicates(void)
{
    const char *text = "4 2\na 1 2\nb 3 4\na 5 6\nb 7 8\n";
    static const char *const w[] = {"a", NULL};
    strmap m;
    want_words(&m, w);
    float *out = NULL;
    unsigned char *found = NULL;
    vec_stats st;
    int rc = vectors_load(write_file("dup.vec", text), &m, 2, &out, &found, &st);
    CHECK_MSG(rc == 0, "%s", err_msg());
    if (rc == 0) {
        CHECK(out[0] == 1.0f && out[1] == 2.0f);    /* first one kept */
        CHECK_INT(st.duplicates, 1);                /* among wanted words */
        CHECK_INT(st.rows, 4);
        CHECK_INT(st.found, 1);
        CHECK(found[0] == 1);
    }
    free(out);
    free(found);
    strmap_free(&m);
}

/* ---- number parsing: agrees with strtof ---- */

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_numbers(void)
{
    static const char *special[] = {
        "0", "-0", "+1", ".5", "5.", "-.25", "1E3", "1e+3", "1e-3", "00012.500",
        "123456789012345678901234", "0.000000000000000000000000001234",
        "1e-40", "-1.4e-45", "3.4028234e38", "-3.4028234e+38", "0x1p-3",
        "16777217", "9007199254740993", "0.1", "0.3", "2.5e-10", "7e22", "1e23",
        "0.00000000000000000000000000000000000000000000001", "1.00000005960464477539",
    };
    enum { NSPEC = sizeof special / sizeof special[0], NRAND = 6000, N = NSPEC + NRAND };
    static char vals[N][48];
    for (int i = 0; i < NSPEC; i++) snprintf(vals[i], sizeof vals[i], "%s", special[i]);
    static const char *const fmts[] = {"%.6g", "%.9g", "%e", "%.3f", "%.10e", "%g", "%.8f", "%.17g"};
    for (int i = 0; i < NRAND; i++) {
        uint64_t r = next_rand();
        double mant = (double)(r >> 11) / (double)(1ull << 53);
        int ex = (int)(next_rand() % 40) - 30;
        double v = mant * pow(10.0, ex) * ((r & 1) ? -1 : 1);
        snprintf(vals[NSPEC + i], sizeof vals[0], fmts[i % 8], v);
    }
    size_t cap = (size_t)N * 50 + 64, len = 0;
    char *text = xmalloc(cap);
    len += (size_t)snprintf(text + len, cap - len, "w");
    for (int i = 0; i < N; i++) len += (size_t)snprintf(text + len, cap - len, " %s", vals[i]);
    len += (size_t)snprintf(text + len, cap - len, "\n");
    static const char *const w[] = {"w", NULL};
    strmap m;
    want_words(&m, w);
    float *out = NULL;
    int rc = vectors_load(write_raw("nums.vec", text, len), &m, N, &out, NULL, NULL);
    CHECK_MSG(rc == 0, "%s", err_msg());
    if (rc == 0) {
        int bad = 0;
        for (int i = 0; i < N; i++) {
            float want = strtof(vals[i], NULL);
            if (!same_bits(out[i], want)) {
                if (bad++ < 5) fprintf(stderr, "number %s: got %.9g, strtof %.9g\n", vals[i], out[i], want);
            }
        }
        CHECK_INT(bad, 0);
        CHECK(signbit(out[1]) && out[1] == 0.0f);   /* "-0" */
    }
    free(out);
    free(text);
    strmap_free(&m);
}

/* ---- large files: chunk boundaries, long lines ---- */

static void fmt_val(char *b, size_t n, int i, int k)
{
    snprintf(b, n, "%.4f", (double)((i * 131 + k * 7) % 2001 - 1000) / 997.0);
}

static void test_large(void)
{
    enum { ROWS = 3000, DIM = 100 };
    size_t cap = (size_t)ROWS * (DIM * 9 + 32), len = 0;
    char *text = xmalloc(cap), v[32];
    len += (size_t)snprintf(text + len, cap - len, "%d %d\n", ROWS, DIM);
    for (int i = 0; i < ROWS; i++) {
        len += (size_t)snprintf(text + len, cap - len, "w%d", i);
        for (int k = 0; k < DIM; k++) {
            fmt_val(v, sizeof v, i, k);
            len += (size_t)snprintf(text + len, cap - len, " %s", v);
        }
        text[len++] = '\n';
    }
    CHECK(len > (3u << 20) / 2);   /* more than one read chunk */
    const char *files[2] = {write_raw("large.vec", text, len), write_gz("large.vec.gz", text, len)};
    for (int f = 0; f < 2; f++) {
        strmap m;
        strmap_init(&m);
        char w[32];
        for (int i = ROWS - 1; i >= 0; i -= 7) {
            snprintf(w, sizeof w, "w%d", i);
            strmap_put(&m, w, strlen(w), NULL);
        }
        strmap_put(&m, "nope", 4, NULL);
        float *out = NULL;
        unsigned char *found = NULL;
        vec_stats st;
        int rc = vectors_load(files[f], &m, DIM, &out, &found, &st);
        CHECK_MSG(rc == 0, "%s", err_msg());
        if (rc == 0) {
            CHECK_INT(st.rows, ROWS);
            CHECK_INT(st.found, (long)m.n - 1);
            int bad = 0;
            for (size_t id = 0; id + 1 < m.n; id++) {
                int i = atoi(strmap_key(&m, (int32_t)id) + 1);
                for (int k = 0; k < DIM; k++) {
                    fmt_val(v, sizeof v, i, k);
                    bad += !same_bits(out[id * DIM + k], sf(v));
                }
                bad += found[id] != 1;
            }
            CHECK_INT(bad, 0);
            CHECK(found[m.n - 1] == 0);
        }
        free(out);
        free(found);
        strmap_free(&m);
    }
    free(text);

    /* a line longer than the read buffer (300000 values, ~1.5 MB) */
    enum { BIG = 300000 };
    cap = (size_t)BIG * 5 * 2 + 64;
    text = xmalloc(cap);
    len = 0;
    for (int r = 0; r < 2; r++) {
        text[len++] = r ? 'y' : 'x';
        for (int k = 0; k < BIG; k++) {
            memcpy(text + len, (k % 3) ? " 0.25" : " -1.5", 5);
            len += 5;
        }
        text[len++] = '\n';
    }
    static const char *const w[] = {"y", NULL};
    strmap m;
    want_words(&m, w);
    float *out = NULL;
    vec_stats st;
    int rc = vectors_load(write_raw("long.vec", text, len), &m, 0, &out, NULL, &st);
    CHECK_MSG(rc == 0, "%s", err_msg());
    if (rc == 0) {
        CHECK_INT(st.dim, BIG);
        CHECK_INT(st.rows, 2);
        CHECK(out[0] == -1.5f && out[1] == 0.25f && out[BIG - 3] == -1.5f && out[BIG - 1] == 0.25f);
    }
    free(out);
    free(text);
    strmap_free(&m);
}

/* ---- gzip specifics: multi-member, truncation, corruption ---- */

static void test_gzip(void)
{
    const char *part1 = "3 2\na 1 2\n", *part2 = "b 3 4\nc 5 6\n";
    size_t n1, n2;
    char *g1 = slurp(write_gz("part1.gz", part1, strlen(part1)), &n1);
    char *g2 = slurp(write_gz("part2.gz", part2, strlen(part2)), &n2);
    char *cat = xmalloc(n1 + n2 + 16);
    memcpy(cat, g1, n1);
    memcpy(cat + n1, g2, n2);
    static const char *const w[] = {"c", "a", NULL};
    strmap m;
    want_words(&m, w);
    float *out = NULL;
    vec_stats st;
    int rc = vectors_load(write_raw("multi.gz", cat, n1 + n2), &m, 2, &out, NULL, &st);
    CHECK_MSG(rc == 0, "%s", err_msg());
    if (rc == 0) {
        CHECK_INT(st.rows, 3);
        CHECK(out[0] == 5 && out[1] == 6 && out[2] == 1 && out[3] == 2);
    }
    free(out);
    /* trailing zero padding after the last member is ignored, as gzip does */
    memset(cat + n1 + n2, 0, 16);
    rc = vectors_load(write_raw("padded.gz", cat, n1 + n2 + 16), &m, 2, &out, NULL, &st);
    CHECK_MSG(rc == 0, "%s", err_msg());
    free(out);
    strmap_free(&m);

    /* a bigger stream, then damaged in several ways */
    size_t cap = 200000, len = 0;
    char *text = xmalloc(cap);
    len += (size_t)snprintf(text + len, cap - len, "2000 3\n");
    for (int i = 0; i < 2000; i++)
        len += (size_t)snprintf(text + len, cap - len, "word%d %d.5 -%d.25 %d\n", i, i, i, i % 17);
    size_t gn;
    char *gz = slurp(write_gz("good.gz", text, len), &gn);
    const char *p;
    p = write_raw("trunc_half.gz", gz, gn / 2);
    check_fail(__LINE__, p, NULL, 3, emsg(p, ": truncated or corrupt gzip data"));
    p = write_raw("trunc_trailer.gz", gz, gn - 1);
    check_fail(__LINE__, p, NULL, 3, emsg(p, ": truncated or corrupt gzip data"));
    p = write_raw("trunc_header.gz", gz, 5);
    check_fail(__LINE__, p, NULL, 3, emsg(p, ": truncated or corrupt gzip data"));
    p = write_raw("magic_only.gz", gz, 2);
    check_fail(__LINE__, p, NULL, 3, emsg(p, ": truncated or corrupt gzip data"));
    gz[gn - 8] ^= 0x55;     /* CRC32 in the trailer */
    p = write_raw("badcrc.gz", gz, gn);
    check_fail(__LINE__, p, NULL, 3, emsg(p, ": truncated or corrupt gzip data"));
    gz[gn - 8] ^= 0x55;
    gz[3] = (char)0xe0;     /* reserved FLG bits: invalid header */
    p = write_raw("badhdr.gz", gz, gn);
    check_fail(__LINE__, p, NULL, 3, emsg(p, ": truncated or corrupt gzip data"));

    /* vectors_words sees the same errors */
    strmap words;
    strmap_init(&words);
    long dim = -1;
    p = tpath("trunc_half.gz");
    CHECK(vectors_words(p, &words, &dim) == -1);
    CHECK_STR(err_msg(), emsg(p, ": truncated or corrupt gzip data"));
    strmap_free(&words);

    free(gz);
    free(text);
    free(g1);
    free(g2);
    free(cat);
}

/* ---- validation errors with line numbers ---- */

static void test_errors(void)
{
    static const char *const want_b[] = {"b", NULL};
    const char *p;

    /* wrong number of values, in a row nobody wants */
    p = write_file("short.vec", "3 4\na 1 2 3 4\nb 1 2 3\nc 1 2 3 4\n");
    check_fail(__LINE__, p, NULL, 4, emsg(p, ":3: expected 4 values, found 3"));
    p = write_file("long.vec", "a 1 2 3 4\nb 1 2 3 4\n\nc 1 2 3 4 5\n");
    check_fail(__LINE__, p, want_b, 0, emsg(p, ":4: expected 4 values, found 5"));
    /* header dimension disagreeing with the first row */
    p = write_file("hdrdim.vec", "2 300\na 1 2 3\nb 1 2 3\n");
    check_fail(__LINE__, p, NULL, 0, emsg(p, ":2: expected 300 values, found 3"));

    /* bad numbers in a wanted row */
    p = write_file("nan_word.vec", "a 1 2\nb 1 abc\n");
    check_fail(__LINE__, p, want_b, 2, emsg(p, ":2: bad number 'abc'"));
    p = write_file("bad2.vec", "2 2\na 1 2\nb 1.2.3 4\n");
    check_fail(__LINE__, p, want_b, 2, emsg(p, ":3: bad number '1.2.3'"));
    p = write_file("bad3.vec", "b 1e 4\n");
    check_fail(__LINE__, p, want_b, 2, emsg(p, ":1: bad number '1e'"));
    p = write_file("bad4.vec", "b -- 4\n");
    check_fail(__LINE__, p, want_b, 2, emsg(p, ":1: bad number '--'"));
    p = write_file("bad5.vec", "b 4 0x\n");
    check_fail(__LINE__, p, want_b, 2, emsg(p, ":1: bad number '0x'"));
    /* ...but rows that are not wanted are not parsed */
    {
        static const char *const want_a[] = {"a", NULL};
        strmap m;
        want_words(&m, want_a);
        float *out = NULL;
        CHECK(vectors_load(tpath("nan_word.vec"), &m, 2, &out, NULL, NULL) == 0);
        free(out);
        strmap_free(&m);
    }

    /* non-finite values */
    static const char *const nonfinite[] = {"nan", "NaN", "inf", "-inf", "Infinity", "1e39", "-1e400", NULL};
    for (int i = 0; nonfinite[i]; i++) {
        char text[128];
        snprintf(text, sizeof text, "2 2\na 1 2\nb 0.5 %s\n", nonfinite[i]);
        p = write_file("nonfinite.vec", text);
        check_fail(__LINE__, p, want_b, 2, emsg(p, ":3: non-finite value"));
    }

    /* dimension differing from the expected one */
    p = write_file("dim_hdr.vec", "2 200\n");
    check_fail(__LINE__, p, NULL, 300, emsg(p, ":1: vectors have dimension 200, expected 300"));
    p = write_file("dim_row.vec", "a 1 2 3\nb 1 2 3\n");
    check_fail(__LINE__, p, NULL, 4, emsg(p, ":1: vectors have dimension 3, expected 4"));
    p = write_file("dim_row2.vec", "\na 1 2 3\n");
    check_fail(__LINE__, p, NULL, 4, emsg(p, ":2: vectors have dimension 3, expected 4"));

    /* header count disagreeing with the rows */
    p = write_file("count.vec", "5 2\na 1 2\nb 3 4\nc 5 6\n");
    check_fail(__LINE__, p, NULL, 2, emsg(p, ": header says 5 vectors, file has 3"));
    p = write_gz("count.vec.gz", "1 2\na 1 2\nb 3 4\n", 16);
    check_fail(__LINE__, p, NULL, 2, emsg(p, ": header says 1 vectors, file has 2"));

    /* no vectors */
    p = write_file("empty.vec", "");
    check_fail(__LINE__, p, NULL, 0, emsg(p, ": no vectors"));
    p = write_gz("empty.vec.gz", "", 0);
    check_fail(__LINE__, p, NULL, 0, emsg(p, ": no vectors"));
    p = write_file("blank.vec", "\n\r\n  \n");
    check_fail(__LINE__, p, NULL, 0, emsg(p, ": no vectors"));
    p = write_file("hdronly.vec", "0 300\n");
    check_fail(__LINE__, p, NULL, 0, emsg(p, ": no vectors"));

    /* malformed first lines */
    p = write_file("zero_dim.vec", "5 0\n");
    check_fail(__LINE__, p, NULL, 0, emsg(p, ":1: header gives dimension 0"));
    p = write_file("lonely.vec", "word\n");
    check_fail(__LINE__, p, NULL, 0,
               emsg(p, ":1: expected a \"count dim\" header or a word and its vector"));

    /* missing file */
    p = tpath("does-not-exist.vec");
    check_fail(__LINE__, p, NULL, 0, emsg(p, ": No such file or directory"));
}

/* ---- vectors_words ---- */

static void test_words(void)
{
    const char *text = "4 2\nzeta 1 2\nalpha 3 4\nmu 5 6\nalpha 7 8\n";
    const char *files[3] = {
        write_file("words.vec", text),
        write_gz("words.vec.gz", text, strlen(text)),
        write_file("words_nohdr.vec", text + 4),
    };
    for (int f = 0; f < 3; f++) {
        strmap m;
        strmap_init(&m);
        long dim = 0;
        int rc = vectors_words(files[f], &m, &dim);
        CHECK_MSG(rc == 0, "%s", err_msg());
        CHECK_INT(dim, 2);
        CHECK_INT(m.n, 3);
        if (m.n == 3) {
            CHECK_STR(strmap_key(&m, 0), "zeta");
            CHECK_STR(strmap_key(&m, 1), "alpha");
            CHECK_STR(strmap_key(&m, 2), "mu");
        }
        strmap_free(&m);
    }
    /* words already present keep their id */
    strmap m;
    strmap_init(&m);
    strmap_put(&m, "mu", 2, NULL);
    strmap_put(&m, "<unk>", 5, NULL);
    long dim = 0;
    CHECK(vectors_words(files[0], &m, &dim) == 0);
    CHECK_INT(m.n, 4);
    CHECK_INT(strmap_get(&m, "mu", 2), 0);
    CHECK_INT(strmap_get(&m, "<unk>", 5), 1);
    CHECK_INT(strmap_get(&m, "zeta", 4), 2);
    CHECK_INT(strmap_get(&m, "alpha", 5), 3);
    strmap_free(&m);

    /* field counts and header are validated */
    const char *p = write_file("words_bad.vec", "a 1 2\nb 1 2\nc 1\n");
    strmap_init(&m);
    CHECK(vectors_words(p, &m, &dim) == -1);
    CHECK_STR(err_msg(), emsg(p, ":3: expected 2 values, found 1"));
    strmap_free(&m);
    p = tpath("count.vec");
    strmap_init(&m);
    CHECK(vectors_words(p, &m, &dim) == -1);
    CHECK_STR(err_msg(), emsg(p, ": header says 5 vectors, file has 3"));
    strmap_free(&m);
    p = tpath("empty.vec");
    strmap_init(&m);
    CHECK(vectors_words(p, &m, &dim) == -1);
    CHECK_STR(err_msg(), emsg(p, ": no vectors"));
    strmap_free(&m);
}

/* ---- word2vec binary format (-binary 1), plain and gzip ---- */

/* Append "word " + dim little-endian floats (+ "\n" when nl) to buf. */
static size_t bin_entry(char *buf, size_t at, const char *word, const float *v, int dim, int nl)
{
    size_t wl = strlen(word);
    memcpy(buf + at, word, wl);
    buf[at + wl] = ' ';
    at += wl + 1;
    for (int k = 0; k < dim; k++) {
        uint32_t u;
        memcpy(&u, &v[k], 4);
        for (int b = 0; b < 4; b++) buf[at++] = (char)(u >> (8 * b));   /* little-endian */
    }
    if (nl) buf[at++] = '\n';
    return at;
}

/* The BASIC_BODY vectors in binary form; nl: newline after each entry (as
 * word2vec writes) or not (as gensim writes). */
static size_t make_binary(char *buf, int nl, int count)
{
    static const float the[] = {0.1f, -0.2f, 0.3f, -0.4f}, good[] = {-0.0823242f, 1.5e-05f, 2, -3.25f},
                       comma[] = {1, 2, 3, 4}, bad[] = {1e-3f, -100, 0.5f, 5};
    size_t n = (size_t)sprintf(buf, "%d 4\n", count);
    n = bin_entry(buf, n, "the", the, 4, nl);
    n = bin_entry(buf, n, "good", good, 4, nl);
    n = bin_entry(buf, n, "\xef\xbc\x8c", comma, 4, nl);
    n = bin_entry(buf, n, "bad", bad, 4, nl);
    return n;
}

static void test_binary(void)
{
    char buf[512];
    size_t n = make_binary(buf, 1, 4);
    check_basic(write_raw("w2v.bin", buf, n), 4);
    check_basic(write_gz("w2v.bin.gz", buf, n), 4);
    /* detected by content: any name */
    check_basic(write_raw("w2v_bin.vec", buf, n), 4);
    n = make_binary(buf, 0, 4);
    check_basic(write_raw("w2v_nonl.bin", buf, n), 4);

    /* words only, in file order */
    strmap m;
    strmap_init(&m);
    long dim = 0;
    CHECK_MSG(vectors_words(tpath("w2v_nonl.bin"), &m, &dim) == 0, "%s", err_msg());
    CHECK_INT(dim, 4);
    CHECK_INT(m.n, 4);
    if (m.n == 4) {
        CHECK_STR(strmap_key(&m, 0), "the");
        CHECK_STR(strmap_key(&m, 2), "\xef\xbc\x8c");
        CHECK_STR(strmap_key(&m, 3), "bad");
    }
    strmap_free(&m);

    /* errors name the file and the entry */
    static const char *const w[] = {"good", "bad", NULL};
    n = make_binary(buf, 1, 4);
    const char *p = write_raw("trunc.bin", buf, n - 7);
    check_fail(__LINE__, p, w, 4, emsg(p, ": vector 4: truncated (10 of 16 bytes)"));
    p = write_gz("trunc.bin.gz", buf, n - 7);
    check_fail(__LINE__, p, w, 4, emsg(p, ": vector 4: truncated (10 of 16 bytes)"));
    p = write_raw("trunc_space.bin", buf, n - 17);
    check_fail(__LINE__, p, w, 4, emsg(p, ": vector 4: truncated (0 of 16 bytes)"));
    p = write_raw("trunc_word.bin", buf, n - 18);
    check_fail(__LINE__, p, w, 4, emsg(p, ": vector 4: truncated (word without a vector)"));
    check_fail(__LINE__, tpath("w2v.bin"), w, 3, emsg(tpath("w2v.bin"), ":1: vectors have dimension 4, expected 3"));
    n = make_binary(buf, 1, 5);
    p = write_raw("count.bin", buf, n);
    check_fail(__LINE__, p, w, 4, emsg(p, ": header says 5 vectors, file has 4"));
    /* a NaN in a wanted row is an error, in a row nobody wants it is not read */
    float nanv[4] = {1, NAN, 3, 4};
    n = (size_t)sprintf(buf, "2 4\n");
    n = bin_entry(buf, n, "x", nanv, 4, 1);
    n = bin_entry(buf, n, "bad", nanv, 4, 1);
    p = write_raw("nan.bin", buf, n);
    check_fail(__LINE__, p, w, 4, emsg(p, ": vector 2 ('bad'): non-finite value"));
    static const char *const wx[] = {"good", NULL};
    want_words(&m, wx);
    float *out = NULL;
    vec_stats st;
    CHECK(vectors_load(p, &m, 4, &out, NULL, &st) == 0);
    CHECK_INT(st.rows, 2);
    CHECK_INT(st.found, 0);
    free(out);
    strmap_free(&m);
}

/* ---- conformance: the word2vec files gensim loads (its test_data has text
 * and binary files of each kind), written here from what gensim accepts
 * (no file of theirs copied): every variant gives the BASIC_BODY values. */
static void test_gensim_formats(void)
{
    char buf[1024], alt[1024];
    /* text: header with trailing blanks, CRLF, no final newline */
    snprintf(buf, sizeof buf, "4 4 \n%s", BASIC_BODY);
    check_basic(write_file("g_hdr_space.vec", buf), 4);
    size_t n = 0;
    for (const char *p = "4 4\n"; *p; p++) buf[n++] = *p;
    for (const char *p = BASIC_BODY; *p; p++) {
        if (*p == '\n') buf[n++] = '\r';
        buf[n++] = *p;
    }
    check_basic(write_raw("g_crlf.vec", buf, n), 4);
    snprintf(buf, sizeof buf, "4 4\n%s", BASIC_BODY);
    check_basic(write_raw("g_nofinal.vec", buf, strlen(buf) - 1), 4);
    /* text: a space at the end of each row (older gensim wrote one) */
    n = 0;
    for (const char *p = "4 4\n"; *p; p++) buf[n++] = *p;
    for (const char *p = BASIC_BODY; *p; p++) {
        if (*p == '\n') buf[n++] = ' ';
        buf[n++] = *p;
    }
    check_basic(write_raw("g_trailing.vec", buf, n), 4);

    /* binary: without the newline after the last vector only */
    n = make_binary(buf, 1, 4);
    check_basic(write_raw("g_bin_nolast.bin", buf, n - 1), 4);
    /* binary: a CRLF header (written on Windows) */
    n = make_binary(buf, 0, 4);
    size_t h = (size_t)(strchr(buf, '\n') - buf);
    memcpy(alt, buf, h);
    alt[h] = '\r';
    memcpy(alt + h + 1, buf + h, n - h);
    check_basic(write_raw("g_bin_crlf.bin", alt, n + 1), 4);
    /* binary: newlines after some vectors and not others (gensim skips a
     * newline before each word) */
    static const float the[] = {0.1f, -0.2f, 0.3f, -0.4f}, good[] = {-0.0823242f, 1.5e-05f, 2, -3.25f},
                       comma[] = {1, 2, 3, 4}, bad[] = {1e-3f, -100, 0.5f, 5};
    n = (size_t)sprintf(buf, "4 4\n");
    n = bin_entry(buf, n, "the", the, 4, 1);
    n = bin_entry(buf, n, "good", good, 4, 0);
    n = bin_entry(buf, n, "\xef\xbc\x8c", comma, 4, 1);
    n = bin_entry(buf, n, "bad", bad, 4, 0);
    check_basic(write_raw("g_bin_mixed.bin", buf, n), 4);
    /* binary, gzip'd, without newlines (gensim's own output) */
    n = make_binary(buf, 0, 4);
    check_basic(write_gz("g_bin.bin.gz", buf, n), 4);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 2; }
    test_basic();
    test_format();
    test_duplicates();
    test_numbers();
    test_large();
    test_gzip();
    test_errors();
    test_words();
    test_binary();
    test_gensim_formats();
    for (int i = 0; i < nmade; i++) {
        unlink(made[i]);
        free(made[i]);
    }
    rmdir(tmpdir);
    TEST_END();
}
