/* test_modelfile.c - the .ssm container: round trip, layout, validation,
 * corruption detection and atomic replacement. */
#include "model/modelfile.h"
#include "base/err.h"
#include "base/fileio.h"
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "testfiles.h"

static uint64_t rd64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static void wr32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void wr64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Recompute the trailer CRC of a file image (so a patch is seen by the
 * checks after the checksum). */
static void fix_crc(unsigned char *p, size_t n)
{
    wr32(p + n - 8, (uint32_t)crc32(0, p, (uInt)(n - 8)));
}

/* Build a structurally valid file image around arbitrary JSON text and
 * data_len bytes of data (each byte = its index). */
static unsigned char *craft(const char *json, size_t data_len, size_t *len)
{
    size_t jl = strlen(json);
    size_t doff = (64 + jl + 63) / 64 * 64;
    size_t n = doff + data_len + 8;
    unsigned char *p = xcalloc(1, n);
    memcpy(p, "SEQSENT\x1a", 8);
    wr32(p + 8, 1);
    wr64(p + 16, 64);
    wr64(p + 24, jl);
    wr64(p + 32, doff);
    wr64(p + 40, data_len);
    wr64(p + 48, n);
    memcpy(p + 64, json, jl);
    memset(p + 64 + jl, ' ', doff - 64 - jl);
    for (size_t i = 0; i < data_len; i++) p[doff + i] = (unsigned char)i;
    memcpy(p + n - 4, "END", 4);
    fix_crc(p, n);
    *len = n;
    return p;
}

/* mf_read of a crafted file: NULL expected, returns the error message. */
static const char *crafted_error(const char *json, size_t data_len)
{
    size_t n;
    unsigned char *img = craft(json, data_len, &n);
    spit(pth("crafted.ssm"), img, n);
    free(img);
    mfile *m = mf_read(pth("crafted.ssm"));
    if (m) { mf_free(m); return "(loaded)"; }
    return err_msg();
}

static int count_tmp(const char *d)
{
    DIR *dp = opendir(d);
    if (!dp) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)))
        if (strstr(e->d_name, ".tmp.")) n++;
    closedir(dp);
    return n;
}

static void rm_tree(const char *d)
{
    DIR *dp = opendir(d);
    if (!dp) return;
    struct dirent *e;
    char sub[512];
    while ((e = readdir(dp))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(sub, sizeof sub, "%s/%s", d, e->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) rm_tree(sub);
        else unlink(sub);
    }
    closedir(dp);
    rmdir(d);
}

static int starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- sample model ------------------------------------------------------- */

static float f_a[3 * 5];
static int32_t i_b[7];
static int64_t l_c[2 * 3 * 4];
static unsigned char u_d[1 * 2 * 3 * 5];
static float f_e[1000];

static mfile *sample(void)
{
    for (int i = 0; i < 15; i++) f_a[i] = (float)i * 0.25f - 1.0f;
    for (int i = 0; i < 7; i++) i_b[i] = (i - 3) * 1000003;
    for (int i = 0; i < 24; i++) l_c[i] = (int64_t)(i - 12) * 1000000000007LL;
    for (int i = 0; i < 30; i++) u_d[i] = (unsigned char)(i * 37);
    for (int i = 0; i < 1000; i++) f_e[i] = (float)i / 7.0f;
    /* awkward bit patterns must survive untouched */
    uint32_t nan_bits = 0x7fc12345u, neg_zero = 0x80000000u, inf = 0x7f800000u, denorm = 1;
    memcpy(&f_e[0], &nan_bits, 4);
    memcpy(&f_e[1], &neg_zero, 4);
    memcpy(&f_e[2], &inf, 4);
    memcpy(&f_e[3], &denorm, 4);

    mfile *m = mf_new();
    cJSON_AddStringToObject(m->meta, "kind", "model");
    cJSON_AddStringToObject(m->meta, "note", "h\xc3\xa9llo \"quoted\"\n");
    cJSON_AddNumberToObject(m->meta, "epochs", 12);
    cJSON *net = cJSON_AddObjectToObject(m->meta, "network");
    cJSON_AddNumberToObject(net, "hidden", 128);
    cJSON_AddNumberToObject(m->meta, "lr", 0.001);
    /* a user-supplied "tensors" key is replaced by the real list */
    cJSON_AddStringToObject(m->meta, "tensors", "bogus");

    mf_put(m, "a", DT_F32, 2, (int64_t[]){ 3, 5 }, f_a, 1);
    mf_put(m, "b", DT_I32, 1, (int64_t[]){ 7 }, i_b, 0);
    mf_put(m, "c", DT_I64, 3, (int64_t[]){ 2, 3, 4 }, l_c, 1);
    mf_put(m, "d", DT_U8, 4, (int64_t[]){ 1, 2, 3, 5 }, u_d, 0);
    mf_put(m, "empty", DT_F32, 2, (int64_t[]){ 0, 8 }, NULL, 1);
    mf_put(m, "e/long.name with spaces", DT_F32, 1, (int64_t[]){ 1000 }, f_e, 0);
    return m;
}

static void test_dtypes(void)
{
    CHECK_INT(mf_dtype_size(DT_F32), 4);
    CHECK_INT(mf_dtype_size(DT_I32), 4);
    CHECK_INT(mf_dtype_size(DT_I64), 8);
    CHECK_INT(mf_dtype_size(DT_U8), 1);
    CHECK_STR(mf_dtype_name(DT_F32), "f32");
    CHECK_STR(mf_dtype_name(DT_I32), "i32");
    CHECK_STR(mf_dtype_name(DT_I64), "i64");
    CHECK_STR(mf_dtype_name(DT_U8), "u8");
    CHECK_INT(mf_dtype_size(DT_F16), 2);
    CHECK_STR(mf_dtype_name(DT_F16), "f16");
}

static void check_tensor(const mfile *m, const char *name, mf_dtype dt, int ndim,
                         const int64_t *shape, const void *want, size_t nbytes);

/* IEEE binary16: exact values, rounding to nearest even, overflow,
 * subnormals, inf/NaN, and the round trip of every f16 bit pattern. */
static void test_f16(void)
{
    static const struct { float f; uint16_t h; } exact[] = {
        { 0.0f, 0x0000 }, { -0.0f, 0x8000 }, { 1.0f, 0x3c00 }, { -2.0f, 0xc000 }, { 0.5f, 0x3800 },
        { 65504.0f, 0x7bff }, { 6.103515625e-05f, 0x0400 } /* smallest normal */,
        { 5.9604644775390625e-08f, 0x0001 } /* smallest subnormal */, { 0.333251953125f, 0x3555 },
    };
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++) {
        CHECK_MSG(f32_to_f16(exact[i].f) == exact[i].h, "f32_to_f16(%g) = %04x, want %04x", exact[i].f,
                  f32_to_f16(exact[i].f), exact[i].h);
        CHECK_MSG(f16_to_f32(exact[i].h) == exact[i].f, "f16_to_f32(%04x) = %g", exact[i].h, f16_to_f32(exact[i].h));
    }
    CHECK_INT(f32_to_f16(1.0f + 1.0f / 2048), 0x3c00);          /* tie: to even (down) */
    CHECK_INT(f32_to_f16(1.0f + 3.0f / 2048), 0x3c02);          /* tie: to even (up) */
    CHECK_INT(f32_to_f16(1.0f + 1.5f / 2048), 0x3c01);          /* above the tie */
    CHECK_INT(f32_to_f16(65520.0f), 0x7c00);                    /* rounds past the largest: inf */
    CHECK_INT(f32_to_f16(1e10f), 0x7c00);
    CHECK_INT(f32_to_f16(-1e10f), 0xfc00);
    CHECK_INT(f32_to_f16(1e-10f), 0x0000);                      /* underflow to zero */
    CHECK_INT(f32_to_f16(INFINITY), 0x7c00);
    CHECK(isnan(f16_to_f32(f32_to_f16(NAN))));
    int bad = 0;
    for (uint32_t h = 0; h < 0x10000; h++) {   /* every non-NaN half survives f16 -> f32 -> f16 */
        float f = f16_to_f32((uint16_t)h);
        if (isnan(f)) continue;
        bad += f32_to_f16(f) != h;
    }
    CHECK_INT(bad, 0);
    /* relative error of a conversion is at most 2^-11 in the normal range */
    double worst = 0;
    for (int i = 1; i < 100000; i++) {
        float f = (float)(i * 0.6180339887 - 30000.0) / 777.0f;
        double e = fabs(f16_to_f32(f32_to_f16(f)) - f) / fabs(f);
        if (fabs(f) > 6.2e-5 && e > worst) worst = e;
    }
    CHECK_MSG(worst <= 1.0 / 2048 + 1e-12, "worst relative error %g", worst);

    /* a file with an f16 tensor is format version 2, one without stays version 1 */
    mfile *m = mf_new();
    uint16_t h[3] = { 0x3c00, 0xc000, 0x3555 };
    int64_t s = 3;
    mf_put(m, "h", DT_F16, 1, &s, h, 0);
    CHECK_INT(mf_write(m, pth("f16.ssm")), 0);
    mf_free(m);
    mfile *r = mf_read(pth("f16.ssm"));
    CHECK(r != NULL);
    if (r) {
        CHECK_INT(((const unsigned char *)r->map)[8], 2);
        check_tensor(r, "h", DT_F16, 1, &s, h, sizeof h);
        mf_free(r);
    }
    m = mf_new();
    float f[2] = { 1, 2 };
    s = 2;
    mf_put(m, "f", DT_F32, 1, &s, f, 0);
    CHECK_INT(mf_write(m, pth("f32.ssm")), 0);
    mf_free(m);
    r = mf_read(pth("f32.ssm"));
    CHECK(r != NULL);
    if (r) {
        CHECK_INT(((const unsigned char *)r->map)[8], 1);
        mf_free(r);
    }
}

static void check_tensor(const mfile *m, const char *name, mf_dtype dt, int ndim,
                         const int64_t *shape, const void *want, size_t nbytes)
{
    const mf_tensor *t = mf_get(m, name);
    CHECK_MSG(t != NULL, "tensor %s", name);
    if (!t) return;
    CHECK_INT(t->dtype, dt);
    CHECK_INT(t->ndim, ndim);
    for (int i = 0; i < ndim; i++) CHECK_INT(t->shape[i], shape[i]);
    CHECK_INT(t->nbytes, nbytes);
    CHECK_INT(t->owned, 0);
    CHECK_MSG(nbytes == 0 || memcmp(t->data, want, nbytes) == 0, "tensor %s bits differ", name);
    /* usable straight from the map: 64-byte aligned inside it */
    const char *base = m->map;
    CHECK_MSG((const char *)t->data >= base && (const char *)t->data + nbytes <= base + m->maplen,
              "tensor %s not inside the map", name);
    CHECK_INT(((const char *)t->data - base) % 64, 0);
    CHECK_INT((uintptr_t)t->data % 64, 0);  /* mmap is page aligned */
}

static void test_round_trip(void)
{
    mfile *m = sample();
    CHECK_INT(m->n, 6);
    CHECK_INT(mf_write(m, pth("rt.ssm")), 0);
    mf_free(m);
    CHECK_INT(count_tmp(dir), 0);

    mfile *r = mf_read(pth("rt.ssm"));
    CHECK(r != NULL);
    if (!r) { fprintf(stderr, "%s\n", err_msg()); return; }
    CHECK_INT(r->n, 6);
    CHECK(r->map != NULL);
    check_tensor(r, "a", DT_F32, 2, (int64_t[]){ 3, 5 }, f_a, sizeof f_a);
    check_tensor(r, "b", DT_I32, 1, (int64_t[]){ 7 }, i_b, sizeof i_b);
    check_tensor(r, "c", DT_I64, 3, (int64_t[]){ 2, 3, 4 }, l_c, sizeof l_c);
    check_tensor(r, "d", DT_U8, 4, (int64_t[]){ 1, 2, 3, 5 }, u_d, sizeof u_d);
    check_tensor(r, "empty", DT_F32, 2, (int64_t[]){ 0, 8 }, NULL, 0);
    check_tensor(r, "e/long.name with spaces", DT_F32, 1, (int64_t[]){ 1000 }, f_e, sizeof f_e);
    /* order is preserved */
    CHECK_STR(r->t[0].name, "a");
    CHECK_STR(r->t[5].name, "e/long.name with spaces");

    CHECK(cJSON_IsObject(r->meta));
    CHECK(cJSON_GetObjectItemCaseSensitive(r->meta, "tensors") == NULL);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r->meta, "kind")), "model");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r->meta, "note")),
              "h\xc3\xa9llo \"quoted\"\n");
    CHECK_NEAR(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r->meta, "epochs")), 12, 0);
    CHECK_NEAR(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r->meta, "lr")), 0.001, 0);
    cJSON *net = cJSON_GetObjectItemCaseSensitive(r->meta, "network");
    CHECK_NEAR(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(net, "hidden")), 128, 0);
    CHECK(mf_get(r, "nope") == NULL);
    mf_free(r);

    /* byte layout of the header and trailer */
    size_t n;
    unsigned char *p = slurp(pth("rt.ssm"), &n);
    CHECK(memcmp(p, "SEQSENT\x1a", 8) == 0);
    CHECK(memcmp(p + 8, "\x01\0\0\0\0\0\0\0", 8) == 0);  /* version 1 LE, flags 0 */
    CHECK_INT(rd64(p + 16), 64);
    uint64_t jl = rd64(p + 24), doff = rd64(p + 32), dlen = rd64(p + 40);
    CHECK_INT(doff % 64, 0);
    CHECK(doff >= 64 + jl && doff < 64 + jl + 64);
    CHECK_INT(rd64(p + 48), n);
    CHECK_INT(rd64(p + 56), 0);
    CHECK_INT(doff + dlen + 8, n);
    CHECK(p[64] == '{' && p[64 + jl - 1] == '}');
    int spaces = 1;
    for (uint64_t i = 64 + jl; i < doff; i++) spaces &= p[i] == ' ';
    CHECK(spaces);
    CHECK(memcmp(p + n - 4, "END\0", 4) == 0);
    uint32_t crc = (uint32_t)crc32(0, p, (uInt)(n - 8));
    CHECK(p[n - 8] == (crc & 0xff) && p[n - 7] == ((crc >> 8) & 0xff) &&
          p[n - 6] == ((crc >> 16) & 0xff) && p[n - 5] == (crc >> 24));
    /* the tensor list in the JSON itself */
    cJSON *j = cJSON_ParseWithLength((const char *)p + 64, jl);
    cJSON *ts = cJSON_GetObjectItemCaseSensitive(j, "tensors");
    CHECK_INT(cJSON_GetArraySize(ts), 6);
    cJSON *t0 = cJSON_GetArrayItem(ts, 0), *t1 = cJSON_GetArrayItem(ts, 1);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t0, "dtype")), "f32");
    CHECK_INT(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t0, "offset")), 0);
    CHECK_INT(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t0, "nbytes")), 60);
    CHECK_INT(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t1, "offset")), 64);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t0, "shape")), 2);
    /* alignment padding between tensors is zero */
    int zero = 1;
    for (uint64_t i = doff + 60; i < doff + 64; i++) zero &= p[i] == 0;
    CHECK(zero);
    cJSON_Delete(j);
    free(p);
}

static void test_rewrite_mapped(void)
{
    /* A model read from a file can be modified and written over that same
     * file: its tensors still point into the old (renamed-over) mapping. */
    mfile *r = mf_read(pth("rt.ssm"));
    CHECK(r != NULL);
    if (!r) return;
    int32_t extra[3] = { 1, 2, 3 };
    mf_put(r, "extra", DT_I32, 1, (int64_t[]){ 3 }, extra, 1);
    mf_remove(r, "d");
    cJSON_AddStringToObject(r->meta, "again", "yes");
    CHECK_INT(mf_write(r, pth("rt.ssm")), 0);
    mf_free(r);
    r = mf_read(pth("rt.ssm"));
    CHECK(r != NULL);
    if (!r) return;
    CHECK_INT(r->n, 6);
    CHECK(mf_get(r, "d") == NULL);
    check_tensor(r, "a", DT_F32, 2, (int64_t[]){ 3, 5 }, f_a, sizeof f_a);
    check_tensor(r, "extra", DT_I32, 1, (int64_t[]){ 3 }, extra, sizeof extra);
    check_tensor(r, "e/long.name with spaces", DT_F32, 1, (int64_t[]){ 1000 }, f_e, sizeof f_e);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r->meta, "again")), "yes");
    mf_free(r);
}

static void test_put_replace(void)
{
    mfile *m = mf_new();
    float x[4] = { 1, 2, 3, 4 };
    int32_t y[6] = { 1, 2, 3, 4, 5, 6 };
    mf_put(m, "w", DT_F32, 1, (int64_t[]){ 4 }, x, 1);
    mf_put(m, "v", DT_F32, 1, (int64_t[]){ 4 }, x, 0);
    CHECK_INT(m->n, 2);
    CHECK(mf_get(m, "w")->data != x);
    CHECK_INT(mf_get(m, "w")->owned, 1);
    CHECK(mf_get(m, "v")->data == x);
    CHECK_INT(mf_get(m, "v")->owned, 0);
    x[0] = 100;  /* the copy does not see this */
    CHECK_NEAR(((const float *)mf_get(m, "w")->data)[0], 1, 0);

    mf_put(m, "w", DT_I32, 2, (int64_t[]){ 2, 3 }, y, 1);
    CHECK_INT(m->n, 2);
    const mf_tensor *t = mf_get(m, "w");
    CHECK_INT(t->dtype, DT_I32);
    CHECK_INT(t->ndim, 2);
    CHECK_INT(t->shape[1], 3);
    CHECK_INT(t->nbytes, 24);
    CHECK(memcmp(t->data, y, 24) == 0);
    /* replacing a tensor with (a copy of) its own data */
    mf_put(m, "w", DT_I32, 1, (int64_t[]){ 6 }, mf_get(m, "w")->data, 1);
    CHECK(memcmp(mf_get(m, "w")->data, y, 24) == 0);
    CHECK_INT(mf_get(m, "w")->ndim, 1);
    /* borrowed replaced by owned and back */
    mf_put(m, "v", DT_I32, 1, (int64_t[]){ 6 }, y, 1);
    mf_put(m, "v", DT_F32, 1, (int64_t[]){ 4 }, x, 0);
    CHECK(mf_get(m, "v")->data == x);

    const int32_t *p = mf_get_checked(m, "w", DT_I32, 6);
    CHECK(p != NULL && p[5] == 6);
    err_clear();
    CHECK(mf_get_checked(m, "nope", DT_F32, 4) == NULL);
    CHECK_STR(err_msg(), "model has no tensor 'nope'");
    CHECK(mf_get_checked(m, "w", DT_I32, 5) == NULL);
    CHECK_STR(err_msg(), "tensor 'w' has 6 elements, expected 5");
    CHECK(mf_get_checked(m, "w", DT_F32, 6) == NULL);
    CHECK_STR(err_msg(), "tensor 'w' has dtype i32, expected f32");

    mf_remove(m, "w");
    mf_remove(m, "not there");
    CHECK_INT(m->n, 1);
    CHECK(mf_get(m, "w") == NULL);
    CHECK(mf_get(m, "v") != NULL);
    for (int i = 0; i < 40; i++) {  /* growth */
        char nm[16];
        snprintf(nm, sizeof nm, "t%d", i);
        mf_put(m, nm, DT_U8, 1, (int64_t[]){ 1 }, "z", 1);
    }
    CHECK_INT(m->n, 41);
    CHECK(mf_get(m, "t39") != NULL);
    mf_free(m);
    mf_free(NULL);
}

static void test_empty_model(void)
{
    mfile *m = mf_new();
    CHECK_INT(mf_write(m, pth("empty.ssm")), 0);
    mf_free(m);
    mfile *r = mf_read(pth("empty.ssm"));
    CHECK(r != NULL);
    if (r) {
        CHECK_INT(r->n, 0);
        CHECK(cJSON_IsObject(r->meta) && cJSON_GetArraySize(r->meta) == 0);
        mf_free(r);
    }
    struct stat st;
    CHECK(stat(pth("empty.ssm"), &st) == 0 && st.st_size == 64 + 64 + 8);
}

static void test_bad_files(void)
{
    char want[512];
    mfile *r;

    r = mf_read(pth("does-not-exist.ssm"));
    CHECK(r == NULL);
    snprintf(want, sizeof want, "%s: No such file or directory", pth("does-not-exist.ssm"));
    CHECK_STR(err_msg(), want);

    r = mf_read(dir);
    CHECK(r == NULL);
    snprintf(want, sizeof want, "%s: Is a directory", dir);
    CHECK_STR(err_msg(), want);

    spit(pth("zero.ssm"), "", 0);
    CHECK(mf_read(pth("zero.ssm")) == NULL);
    snprintf(want, sizeof want, "%s: not a seqsent model file", pth("zero.ssm"));
    CHECK_STR(err_msg(), want);

    const char *text = "label,text\npos,\"what a lovely film, I laughed and cried\"\n"
                       "neg,\"dreadful: two hours I will never get back\"\n";
    spit(pth("data.csv"), text, strlen(text));
    CHECK(mf_read(pth("data.csv")) == NULL);
    snprintf(want, sizeof want, "%s: not a seqsent model file", pth("data.csv"));
    CHECK_STR(err_msg(), want);
    spit(pth("short.txt"), "hi\n", 3);
    CHECK(mf_read(pth("short.txt")) == NULL);
    snprintf(want, sizeof want, "%s: not a seqsent model file", pth("short.txt"));
    CHECK_STR(err_msg(), want);

    size_t n;
    unsigned char *good = slurp(pth("rt.ssm"), &n);
    unsigned char *p = xmalloc(n + 16);

    /* wrong magic */
    memcpy(p, good, n);
    p[0] = 'X';
    spit(pth("magic.ssm"), p, n);
    CHECK(mf_read(pth("magic.ssm")) == NULL);
    snprintf(want, sizeof want, "%s: not a seqsent model file", pth("magic.ssm"));
    CHECK_STR(err_msg(), want);

    /* truncated: inside the header, and by one byte, and magic only */
    snprintf(want, sizeof want, "%s: truncated model file", pth("trunc.ssm"));
    size_t cuts[] = { 8, 40, 71, 72, 200, n - 8, n - 1 };
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        spit(pth("trunc.ssm"), good, cuts[i]);
        CHECK_MSG(mf_read(pth("trunc.ssm")) == NULL, "cut at %zu", cuts[i]);
        CHECK_STR(err_msg(), want);
    }
    /* trailing data */
    memcpy(p, good, n);
    p[n] = '\n';
    spit(pth("trail.ssm"), p, n + 1);
    CHECK(mf_read(pth("trail.ssm")) == NULL);
    snprintf(want, sizeof want, "%s: model file has trailing data", pth("trail.ssm"));
    CHECK_STR(err_msg(), want);

    /* newer version, with a valid checksum so the version check triggers */
    memcpy(p, good, n);
    wr32(p + 8, MF_VERSION + 1);
    fix_crc(p, n);
    spit(pth("v2.ssm"), p, n);
    CHECK(mf_read(pth("v2.ssm")) == NULL);
    snprintf(want, sizeof want, "%s: model format version %d is newer than this seqsent supports (%d)",
             pth("v2.ssm"), MF_VERSION + 1, MF_VERSION);
    CHECK_STR(err_msg(), want);
    /* ... and it wins over a bad checksum and a wrong length */
    wr32(p + 8, 4000000000u);
    spit(pth("v2.ssm"), p, n - 3);
    CHECK(mf_read(pth("v2.ssm")) == NULL);
    snprintf(want, sizeof want,
             "%s: model format version 4000000000 is newer than this seqsent supports (%d)",
             pth("v2.ssm"), MF_VERSION);
    CHECK_STR(err_msg(), want);

    /* checksum: a flipped data byte, a flipped CRC byte, a bad end mark */
    snprintf(want, sizeof want, "%s: checksum mismatch (file is corrupt)", pth("crc.ssm"));
    size_t spots[] = { n - 9, n - 8, n - 5, n - 4, n - 2, 100 };
    for (size_t i = 0; i < sizeof spots / sizeof *spots; i++) {
        memcpy(p, good, n);
        p[spots[i]] ^= 0x10;
        spit(pth("crc.ssm"), p, n);
        CHECK_MSG(mf_read(pth("crc.ssm")) == NULL, "flip at %zu", spots[i]);
        CHECK_STR(err_msg(), want);
    }

    /* header fields that pass the checksum but make no sense */
    struct { size_t at; uint64_t v; int w64; } hdr[] = {
        { 12, 1, 0 },        /* flags */
        { 56, 7, 1 },        /* reserved */
        { 16, 128, 1 },      /* json offset */
        { 24, n, 1 },        /* json length */
        { 32, 65, 1 },       /* data offset misaligned */
        { 40, 64, 1 },       /* data length */
        { 8, 0, 0 },         /* version 0 */
    };
    for (size_t i = 0; i < sizeof hdr / sizeof *hdr; i++) {
        memcpy(p, good, n);
        if (hdr[i].w64) wr64(p + hdr[i].at, hdr[i].v);
        else wr32(p + hdr[i].at, (uint32_t)hdr[i].v);
        fix_crc(p, n);
        spit(pth("hdr.ssm"), p, n);
        CHECK_MSG(mf_read(pth("hdr.ssm")) == NULL, "header field at %zu", hdr[i].at);
        snprintf(want, sizeof want, "%s: corrupt metadata: ", pth("hdr.ssm"));
        CHECK_MSG(starts_with(err_msg(), want), "got %s", err_msg());
    }

    /* broken JSON that still passes the checksum */
    memcpy(p, good, n);
    p[64] = '[';
    fix_crc(p, n);
    spit(pth("json.ssm"), p, n);
    CHECK(mf_read(pth("json.ssm")) == NULL);
    snprintf(want, sizeof want, "%s: corrupt metadata: JSON syntax error", pth("json.ssm"));
    CHECK_MSG(starts_with(err_msg(), want), "got %s", err_msg());

    free(p);
    free(good);
}

static void test_bad_metadata(void)
{
    char pre[300];
    snprintf(pre, sizeof pre, "%s: corrupt metadata: ", pth("crafted.ssm"));
    const char *msg;

    /* the crafting helper itself makes loadable files */
    msg = crafted_error("{\"tensors\":[{\"name\":\"x\",\"dtype\":\"f32\",\"shape\":[2,3],"
                        "\"offset\":64,\"nbytes\":24}],\"k\":1}", 88);
    CHECK_STR(msg, "(loaded)");
    msg = crafted_error("{\"tensors\":[]}   \n ", 0);
    CHECK_STR(msg, "(loaded)");

    struct { const char *json; size_t dlen; const char *detail; } bad[] = {
        { "{\"tensors\":[{\"name\":\"x\",\"dtype\":\"f32\",\"shape\":[2,3],\"offset\":64,"
          "\"nbytes\":24}]}", 87, "tensor 'x' lies outside the data section" },
        { "{\"tensors\":[{\"name\":\"x\",\"dtype\":\"f32\",\"shape\":[2,3],\"offset\":32,"
          "\"nbytes\":24}]}", 128, "tensor 'x' is misaligned" },
        { "{\"tensors\":[{\"name\":\"x\",\"dtype\":\"f32\",\"shape\":[2,3],\"offset\":0,"
          "\"nbytes\":20}]}", 128, "tensor 'x' size does not match its shape" },
        { "{\"tensors\":[{\"name\":\"x\",\"dtype\":\"f64\",\"shape\":[2,3],\"offset\":0,"
          "\"nbytes\":48}]}", 128, "tensor 'x' has an unknown dtype" },
        { "{\"tensors\":[{\"name\":\"x\",\"dtype\":\"u8\",\"shape\":[1,1,1,1,1],\"offset\":0,"
          "\"nbytes\":1}]}", 128, "tensor 'x' has a bad shape" },
        { "{\"tensors\":[{\"name\":\"x\",\"dtype\":\"u8\",\"shape\":[],\"offset\":0,"
          "\"nbytes\":0}]}", 128, "tensor 'x' has a bad shape" },
        { "{\"tensors\":[{\"name\":\"x\",\"dtype\":\"u8\",\"shape\":[-1],\"offset\":0,"
          "\"nbytes\":0}]}", 128, "tensor 'x' has a bad shape" },
        { "{\"tensors\":[{\"name\":\"x\",\"dtype\":\"u8\",\"shape\":[1.5],\"offset\":0,"
          "\"nbytes\":1}]}", 128, "tensor 'x' has a bad shape" },
        { "{\"tensors\":[{\"name\":\"x\",\"dtype\":\"u8\",\"shape\":[\"4\"],\"offset\":0,"
          "\"nbytes\":4}]}", 128, "tensor 'x' has a bad shape" },
        { "{\"tensors\":[{\"name\":\"x\",\"dtype\":\"u8\",\"shape\":[4],\"offset\":-64,"
          "\"nbytes\":4}]}", 128, "tensor 'x' has a bad offset or size" },
        { "{\"tensors\":[{\"name\":\"x\",\"dtype\":\"u8\",\"shape\":[4],\"nbytes\":4}]}",
          128, "tensor 'x' has a bad offset or size" },
        { "{\"tensors\":[{\"name\":\"x\",\"dtype\":\"i64\",\"shape\":[4294967296,4294967296],"
          "\"offset\":0,\"nbytes\":0}]}", 128, "tensor 'x' size does not match its shape" },
        { "{\"tensors\":[{\"dtype\":\"u8\",\"shape\":[4],\"offset\":0,\"nbytes\":4}]}",
          128, "tensor entry without a name" },
        { "{\"tensors\":[7]}", 0, "tensor entry without a name" },
        { "{\"tensors\":[{\"name\":\"x\",\"dtype\":\"u8\",\"shape\":[4],\"offset\":0,"
          "\"nbytes\":4},{\"name\":\"x\",\"dtype\":\"u8\",\"shape\":[4],\"offset\":64,"
          "\"nbytes\":4}]}", 128, "duplicate tensor 'x'" },
        { "{\"kind\":\"model\"}", 0, "no \"tensors\" array" },
        { "{\"tensors\":{}}", 0, "no \"tensors\" array" },
        { "[1,2,3]", 0, "metadata is not a JSON object" },
        { "{\"tensors\":[]} {}", 0, "text after the JSON object" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        msg = crafted_error(bad[i].json, bad[i].dlen);
        char want[600];
        snprintf(want, sizeof want, "%s%s", pre, bad[i].detail);
        CHECK_STR(msg, want);
    }
    msg = crafted_error("{\"tensors\":[}", 0);
    CHECK_MSG(starts_with(msg, pre), "got %s", msg);
}

/* Every single flipped byte (two different bit patterns) must be caught. */
static void test_flip_every_byte(void)
{
    mfile *m = mf_new();
    cJSON_AddStringToObject(m->meta, "kind", "vocab");
    float w[40];
    for (int i = 0; i < 40; i++) w[i] = (float)i;
    int64_t ids[5] = { 1, 2, 3, 4, 5 };
    mf_put(m, "w", DT_F32, 2, (int64_t[]){ 8, 5 }, w, 1);
    mf_put(m, "ids", DT_I64, 1, (int64_t[]){ 5 }, ids, 1);
    CHECK_INT(mf_write(m, pth("flip-src.ssm")), 0);
    mf_free(m);

    size_t n;
    unsigned char *good = slurp(pth("flip-src.ssm"), &n);
    unsigned char *p = xmalloc(n);
    const char *path = pth("flip.ssm");
    char pre[300];
    snprintf(pre, sizeof pre, "%s: ", path);
    int loaded = 0, nomsg = 0, tried = 0;
    static const unsigned char masks[] = { 0x01, 0x80, 0xff };
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < sizeof masks; k++) {
            memcpy(p, good, n);
            p[i] ^= masks[k];
            spit(path, p, n);
            err_clear();
            mfile *r = mf_read(path);
            tried++;
            if (r) {
                loaded++;
                fprintf(stderr, "flip at %zu mask %02x was not detected\n", i, masks[k]);
                mf_free(r);
            } else if (!starts_with(err_msg(), pre) || strlen(err_msg()) <= strlen(pre)) {
                nomsg++;
            }
        }
    }
    CHECK(tried == (int)(3 * n));
    CHECK_INT(loaded, 0);
    CHECK_INT(nomsg, 0);
    /* and the original still loads */
    mfile *r = mf_read(pth("flip-src.ssm"));
    CHECK(r != NULL);
    mf_free(r);
    free(p);
    free(good);
}

static void test_atomic(void)
{
    char want[512];
    mode_t old_mask = umask(022);

    /* a directory that does not exist: error names the path, nothing made */
    mfile *m = sample();
    const char *bad = pth("no/such/dir/out.ssm");
    CHECK(mf_write(m, bad) == -1);
    snprintf(want, sizeof want, "%s: No such file or directory", bad);
    CHECK_STR(err_msg(), want);
    CHECK(access(pth("no"), F_OK) != 0);
    CHECK_INT(count_tmp(dir), 0);

    /* the path is a directory: rename fails, the temp file goes away */
    mkdir(pth("adir"), 0755);
    CHECK(mf_write(m, pth("adir")) == -1);
    snprintf(want, sizeof want, "%s: Is a directory", pth("adir"));
    CHECK_STR(err_msg(), want);
    struct stat st;
    CHECK(stat(pth("adir"), &st) == 0 && S_ISDIR(st.st_mode));
    CHECK_INT(count_tmp(dir), 0);

    /* file mode: 0644 under umask 022, not mkstemp's 0600 */
    CHECK_INT(mf_write(m, pth("mode.ssm")), 0);
    CHECK(stat(pth("mode.ssm"), &st) == 0);
    CHECK_INT(st.st_mode & 0777, 0644);
    umask(077);
    CHECK_INT(mf_write(m, pth("mode.ssm")), 0);
    CHECK(stat(pth("mode.ssm"), &st) == 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    umask(022);

    /* a relative path (no directory part) */
    char cwd[4096];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir(dir) == 0);
    CHECK_INT(mf_write(m, "relative.ssm"), 0);
    mfile *r = mf_read("relative.ssm");
    CHECK(r != NULL && r->n == 6);
    mf_free(r);
    CHECK_INT(count_tmp("."), 0);
    CHECK(chdir(cwd) == 0);

    /* abort leaves an existing file untouched and no temp file behind */
    CHECK_INT(mf_write(m, pth("keep.ssm")), 0);
    size_t n0, n1;
    unsigned char *before = slurp(pth("keep.ssm"), &n0);
    atomic_file af;
    CHECK_INT(atomic_open(&af, pth("keep.ssm")), 0);
    CHECK(af.fd >= 0 && af.tmp != NULL);
    if (af.tmp) {
        const char *base = strrchr(af.tmp, '/');
        CHECK(base && starts_with(base, "/.keep.ssm.tmp."));
        CHECK_INT(strlen(base), strlen("/.keep.ssm.tmp.XXXXXX"));
    }
    CHECK_INT(count_tmp(dir), 1);
    CHECK(write(af.fd, "garbage", 7) == 7);
    atomic_abort(&af);
    CHECK_INT(af.fd, -1);
    CHECK_INT(count_tmp(dir), 0);
    unsigned char *after = slurp(pth("keep.ssm"), &n1);
    CHECK(n0 == n1 && memcmp(before, after, n0) == 0);
    free(after);

    /* commit replaces it */
    CHECK_INT(atomic_open(&af, pth("keep.ssm")), 0);
    CHECK(write(af.fd, "hello\n", 6) == 6);
    CHECK_INT(atomic_commit(&af), 0);
    CHECK_INT(count_tmp(dir), 0);
    after = slurp(pth("keep.ssm"), &n1);
    CHECK(n1 == 6 && memcmp(after, "hello\n", 6) == 0);
    free(after);
    CHECK(stat(pth("keep.ssm"), &st) == 0);
    CHECK_INT(st.st_mode & 0777, 0644);

    /* a write that fails halfway (file size limit: works even as root)
     * reports the path and leaves the old file as it was */
    spit(pth("keep.ssm"), before, n0);
    float *big = xcalloc(1 << 16, sizeof *big);
    mf_put(m, "big", DT_F32, 1, (int64_t[]){ 1 << 16 }, big, 0);
    struct rlimit old_lim, lim;
    getrlimit(RLIMIT_FSIZE, &old_lim);
    lim = old_lim;
    lim.rlim_cur = 100000;
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    CHECK(mf_write(m, pth("keep.ssm")) == -1);
    setrlimit(RLIMIT_FSIZE, &old_lim);
    signal(SIGXFSZ, old_sig);
    snprintf(want, sizeof want, "%s: File too large", pth("keep.ssm"));
    CHECK_STR(err_msg(), want);
    CHECK_INT(count_tmp(dir), 0);
    after = slurp(pth("keep.ssm"), &n1);
    CHECK(n0 == n1 && memcmp(before, after, n0) == 0);
    free(after);
    free(before);
    /* without the limit the same model writes and reads back */
    CHECK_INT(mf_write(m, pth("keep.ssm")), 0);
    r = mf_read(pth("keep.ssm"));
    CHECK(r != NULL && mf_get_checked(r, "big", DT_F32, 1 << 16) != NULL);
    mf_free(r);
    free(big);
    mf_free(m);

    CHECK(atomic_open(&af, "") == -1);
    umask(old_mask);
}

/* A larger tensor goes through in big writes and comes back bit-identical. */
static void test_large(void)
{
    size_t n = (size_t)6 << 20;  /* 24 MB of f32 */
    float *x = xmalloc(n * sizeof *x);
    uint32_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        memcpy(&x[i], &s, 4);
    }
    mfile *m = mf_new();
    mf_put(m, "u8", DT_U8, 1, (int64_t[]){ 3 }, "abc", 1);  /* makes the next one need padding */
    mf_put(m, "x", DT_F32, 2, (int64_t[]){ (int64_t)(n / 1024), 1024 }, x, 0);
    CHECK_INT(mf_write(m, pth("large.ssm")), 0);
    mf_free(m);
    mfile *r = mf_read(pth("large.ssm"));
    CHECK(r != NULL);
    if (r) {
        const float *y = mf_get_checked(r, "x", DT_F32, n);
        CHECK(y != NULL && memcmp(x, y, n * sizeof *x) == 0);
        CHECK_INT(((const char *)y - (const char *)r->map) % 64, 0);
        mf_free(r);
    }
    /* the CRC of a big file is computed in pieces on several threads,
     * each reading its piece with pread (modelfile.c, crc_piece_run): a
     * flipped byte in any piece is caught */
    struct stat st;
    CHECK_INT(stat(pth("large.ssm"), &st), 0);
    size_t size = (size_t)st.st_size, at[] = { 100, size / 3, size / 2 + 7, size - 100 };
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        int fd = open(pth("large.ssm"), O_RDWR);
        unsigned char b = 0;
        CHECK(fd >= 0 && pread(fd, &b, 1, (off_t)at[i]) == 1);
        b ^= 0x10;
        CHECK(fd >= 0 && pwrite(fd, &b, 1, (off_t)at[i]) == 1);
        r = mf_read(pth("large.ssm"));
        CHECK_MSG(r == NULL && strstr(err_msg(), "checksum mismatch"), "byte %zu of %zu: %s", at[i], size, err_msg());
        mf_free(r);
        /* mf_read_begin: the same verdict from mf_verify; freed unverified */
        r = mf_read_begin(pth("large.ssm"));   /* byte 100: the metadata, also a mismatch */
        CHECK_MSG(r ? mf_verify(r) == -1 && strstr(err_msg(), "checksum mismatch")
                    : strstr(err_msg(), "checksum mismatch") != NULL, "byte %zu: %s", at[i], err_msg());
        CHECK(!r || mf_verify(r) == 0);   /* checked once */
        mf_free(r);
        mf_free(mf_read_begin(pth("large.ssm")));
        b ^= 0x10;   /* and back: the file reads again */
        CHECK(fd >= 0 && pwrite(fd, &b, 1, (off_t)at[i]) == 1);
        if (fd >= 0) close(fd);
        r = mf_read(pth("large.ssm"));
        CHECK(r != NULL);
        mf_free(r);
        r = mf_read_begin(pth("large.ssm"));
        CHECK(r != NULL && mf_verify(r) == 0);
        mf_free(r);
    }
    free(x);
    unlink(pth("large.ssm"));
}

/* ---- block checksums (mf_read_lazy, mf_need) ---- */

static int lazy_big(const char *name) { return !strcmp(name, "big"); }
static int lazy_all(const char *name) { (void)name; return 1; }

/* Flip byte `at` of file src into dst. */
static void flip_to(const char *src, const char *dst, size_t at, unsigned char mask)
{
    size_t n;
    unsigned char *p = slurp(src, &n);
    if (at < n) p[at] ^= mask;
    spit(dst, p, n);
    free(p);
}

/* File offset of a tensor's data. */
static size_t data_at(const char *path, const char *name)
{
    mfile *r = mf_read(path);
    const mf_tensor *t = r ? mf_get(r, name) : NULL;
    size_t at = t ? (size_t)((const unsigned char *)t->data - (const unsigned char *)r->map) : 0;
    mf_free(r);
    return at;
}

/* A file's blocks are checked as they are needed: a flipped byte in a lazy
 * tensor is reported by mf_need for its block only, one elsewhere at once
 * or by mf_verify; the header, metadata and table are checked against the
 * file's CRC at the open. */
static void test_blocks(void)
{
    enum { N = 200000 };   /* 800 KB: 13 blocks of 64 KiB */
    float *big = xmalloc(N * sizeof *big);
    for (int i = 0; i < N; i++) big[i] = (float)i * 0.5f;
    mfile *m = mf_new();
    cJSON_AddStringToObject(m->meta, "kind", "test");
    mf_put(m, "small", DT_U8, 1, (int64_t[]){ 3 }, "abc", 1);
    mf_put(m, "big", DT_F32, 2, (int64_t[]){ N / 100, 100 }, big, 0);
    mf_put(m, "after", DT_I32, 1, (int64_t[]){ 2 }, (int32_t[]){ 7, 8 }, 1);
    const char *good = pth("blk.ssm"), *bad = pth("blk-bad.ssm");
    CHECK_INT(mf_write(m, good), 0);
    mf_free(m);

    /* the table: in the metadata, not in the model's own "meta" */
    mfile *r = mf_read_lazy(good, lazy_big);
    CHECK(r && r->blk != NULL);
    if (!r) return;
    CHECK(cJSON_GetObjectItemCaseSensitive(r->meta, "checksums") == NULL);
    CHECK_INT(mf_verify(r), 0);
    const float *b = mf_get_checked(r, "big", DT_F32, N);
    CHECK(b && mf_need(r, b, N * sizeof *b) == 0 && memcmp(b, big, N * sizeof *b) == 0);
    CHECK_INT(mf_need(r, big, 4), 0);   /* not the map's bytes */
    mf_free(r);

    char want[600];
    snprintf(want, sizeof want, "%s: checksum mismatch (file is corrupt)", bad);
    size_t at = data_at(good, "big"), row = 100 * sizeof(float);
    /* a byte of row 1000 (block 6 of the data): rows elsewhere read, not it */
    flip_to(good, bad, at + 1000 * row + 17, 0x20);
    r = mf_read_lazy(bad, lazy_big);
    CHECK(r != NULL && mf_verify(r) == 0);
    if (r) {
        b = mf_get_checked(r, "big", DT_F32, N);
        CHECK_INT(mf_need(r, b, row), 0);
        CHECK_INT(mf_need(r, b + 1999 * 100, row), 0);
        CHECK_INT(mf_need(r, b + 1000 * 100, row), -1);
        CHECK_MSG(starts_with(err_msg(), want), "%s", err_msg());
        CHECK_INT(mf_need(r, b + 1000 * 100, row), -1);   /* and again: never marked good */
        CHECK_INT(mf_need(r, b, N * sizeof *b), -1);
        mf_free(r);
    }
    /* the whole-file readers see it at once */
    CHECK(mf_read(bad) == NULL && starts_with(err_msg(), want));
    r = mf_read_begin(bad);
    CHECK(r != NULL && mf_verify(r) == -1 && starts_with(err_msg(), want));
    mf_free(r);
    /* lazy = NULL: every tensor's blocks by mf_verify */
    r = mf_read_lazy(bad, NULL);
    CHECK(r != NULL && mf_verify(r) == -1 && starts_with(err_msg(), want));
    mf_free(r);

    /* in a tensor not left lazy: mf_verify, before the model is used */
    flip_to(good, bad, data_at(good, "after") + 1, 0x01);
    r = mf_read_lazy(bad, lazy_big);
    CHECK(r != NULL && mf_verify(r) == -1 && starts_with(err_msg(), want));
    mf_free(r);
    /* in the metadata, the table or the trailer's CRC: the CRC rebuilt from
     * the table differs, so the file is checked whole (and fails) */
    struct stat st;
    CHECK_INT(stat(good, &st), 0);
    size_t size = (size_t)st.st_size, spots[] = { 70, size - 8 - 4 * 13 + 5, size - 8 - 1, size - 6 };
    for (size_t i = 0; i < sizeof spots / sizeof *spots; i++) {
        flip_to(good, bad, spots[i], 0x04);
        r = mf_read_lazy(bad, lazy_big);
        CHECK_MSG(r == NULL ? strstr(err_msg(), "checksum mismatch") != NULL
                            : r->blk == NULL && mf_verify(r) == -1 && strstr(err_msg(), "checksum mismatch"),
                  "byte %zu of %zu: %s", spots[i], size, r ? "loaded" : err_msg());
        mf_free(r);
    }
    free(big);
}

/* Every single flipped byte of a file opened block by block is caught by
 * the open, mf_verify, or mf_need of the tensor it lies in: with every
 * tensor needed, no flip goes unreported. */
static void test_blocks_flip_every_byte(void)
{
    mfile *m = sample();
    CHECK_INT(mf_write(m, pth("bflip-src.ssm")), 0);
    mf_free(m);
    size_t n;
    unsigned char *good = slurp(pth("bflip-src.ssm"), &n);
    unsigned char *p = xmalloc(n);
    const char *path = pth("bflip.ssm");
    int missed = 0, unnamed = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(p, good, n);
        p[i] ^= 0x41;
        spit(path, p, n);
        err_clear();
        mfile *r = mf_read_lazy(path, lazy_all);
        int caught = r == NULL || mf_verify(r) < 0;
        for (size_t k = 0; r && !caught && k < r->n; k++) caught = mf_need(r, r->t[k].data, r->t[k].nbytes) < 0;
        if (!caught) {
            missed++;
            fprintf(stderr, "lazy: flip at %zu of %zu not detected\n", i, n);
        } else if (!starts_with(err_msg(), path)) {
            unnamed++;
        }
        mf_free(r);
    }
    CHECK_INT(missed, 0);
    CHECK_INT(unnamed, 0);
    free(p);
    free(good);
}

/* A file without block checksums (written before them): mf_read_lazy
 * checks it whole, mf_need has nothing to do. */
static void test_blocks_old_file(void)
{
    const char *json = "{\"kind\":\"x\",\"tensors\":[{\"name\":\"big\",\"dtype\":\"u8\",\"shape\":[100],\"offset\":0,\"nbytes\":100}]}";
    size_t n;
    unsigned char *img = craft(json, 100, &n);
    spit(pth("old.ssm"), img, n);
    mfile *r = mf_read_lazy(pth("old.ssm"), lazy_big);
    CHECK(r != NULL && r->blk == NULL && mf_verify(r) == 0);
    CHECK(r && mf_need(r, mf_get(r, "big")->data, 100) == 0);
    mf_free(r);
    img[n - 9 - 50] ^= 1;   /* a byte of "big" */
    spit(pth("old.ssm"), img, n);
    r = mf_read_lazy(pth("old.ssm"), lazy_big);
    CHECK(r != NULL && mf_verify(r) == -1 && strstr(err_msg(), "checksum mismatch"));
    mf_free(r);
    free(img);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s", "/tmp/seqsent-mf-XXXXXX");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    test_dtypes();
    test_f16();
    test_round_trip();
    test_rewrite_mapped();
    test_put_replace();
    test_empty_model();
    test_bad_files();
    test_bad_metadata();
    test_flip_every_byte();
    test_atomic();
    test_large();
    test_blocks();
    test_blocks_flip_every_byte();
    test_blocks_old_file();
    rm_tree(dir);
    TEST_END();
}
