/* test_vocab.c - token counting, vocabulary construction (id order, limits,
 * determinism), the plain-text listing (round trip, optional counts, errors,
 * BOM / CRLF) and Keras pad_sequences semantics of pad_sequence(). */
#include "text/vocab.h"
#include "base/err.h"
#include "test.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[64];

static char *pth(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void spit(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    fwrite(s, 1, strlen(s), f);
    fclose(f);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = xmalloc((size_t)n + 1);
    size_t r = fread(p, 1, (size_t)n, f);
    p[r] = '\0';
    fclose(f);
    return p;
}

static void rm_dir(void)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) unlink(pth(e->d_name));
    closedir(d);
    rmdir(dir);
}

static void add(counter *c, const char *tok, int64_t n) { counter_add(c, tok, strlen(tok), n); }

static int32_t id_of(const vocab *v, const char *tok) { return vocab_id(v, tok, strlen(tok)); }

/* ---- counter + vocab_build ---- */

static void test_counter(void)
{
    counter c;
    counter_init(&c);
    add(&c, "a", 1);
    add(&c, "b", 2);
    add(&c, "a", 3);
    /* len-delimited: only the first 3 bytes count */
    counter_add(&c, "catalog", 3, 1);
    CHECK_INT(c.m.n, 3);
    CHECK_INT(c.total, 7);
    CHECK_INT(c.cnt[strmap_get(&c.m, "a", 1)], 4);
    CHECK_INT(c.cnt[strmap_get(&c.m, "b", 1)], 2);
    CHECK_INT(c.cnt[strmap_get(&c.m, "cat", 3)], 1);
    CHECK_INT(strmap_get(&c.m, "catalog", 7), -1);
    /* growth past the initial capacity keeps counts */
    char tok[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(tok, sizeof tok, "t%d", i);
        add(&c, tok, i % 7 + 1);
    }
    CHECK_INT(c.m.n, 3003);
    CHECK_INT(c.cnt[strmap_get(&c.m, "t2999", 5)], 2999 % 7 + 1);
    CHECK_INT(c.cnt[strmap_get(&c.m, "a", 1)], 4);
    counter_free(&c);
}

static void test_build_order(void)
{
    counter c;
    counter_init(&c);
    /* counts: the 5, dog 3, cat 3, ant 3, zebra 1, "Zoo" 3, "é" 3 */
    add(&c, "zebra", 1);
    add(&c, "dog", 3);
    add(&c, "the", 2);
    add(&c, "cat", 3);
    add(&c, "the", 3);
    add(&c, "\xC3\xA9", 3);   /* é: bytes C3 A9, after every ASCII token */
    add(&c, "ant", 3);
    add(&c, "Zoo", 3);        /* 'Z' (0x5A) sorts before lower case */
    vocab v;
    vocab_build(&v, &c, 1, 0);
    const char *want[] = { VOCAB_PAD_TOKEN, VOCAB_UNK_TOKEN, "the", "Zoo", "ant", "cat", "dog",
                           "\xC3\xA9", "zebra" };
    const int64_t wantc[] = { 0, 0, 5, 3, 3, 3, 3, 3, 1 };
    CHECK_INT(v.n, 9);
    for (int i = 0; i < 9 && (size_t)i < v.n; i++) {
        CHECK_STR(vocab_token(&v, i), want[i]);
        CHECK_INT(v.counts[i], wantc[i]);
        CHECK_INT(id_of(&v, want[i]), i);
    }
    CHECK_INT(VOCAB_PAD, 0);
    CHECK_INT(VOCAB_UNK, 1);
    /* unknown tokens map to 1 */
    CHECK_INT(id_of(&v, "unseen"), VOCAB_UNK);
    CHECK_INT(id_of(&v, ""), VOCAB_UNK);
    CHECK_INT(id_of(&v, "The"), VOCAB_UNK);
    CHECK_INT(vocab_id(&v, "therapy", 3), 2);   /* length-delimited lookup */
    vocab_free(&v);

    /* min_count */
    vocab_build(&v, &c, 3, 0);
    CHECK_INT(v.n, 8);
    CHECK_INT(id_of(&v, "zebra"), VOCAB_UNK);
    CHECK_INT(id_of(&v, "\xC3\xA9"), 7);
    vocab_free(&v);
    vocab_build(&v, &c, 4, 0);
    CHECK_INT(v.n, 3);
    CHECK_INT(id_of(&v, "the"), 2);
    vocab_free(&v);
    vocab_build(&v, &c, 100, 0);
    CHECK_INT(v.n, 2);
    CHECK_STR(vocab_token(&v, 0), VOCAB_PAD_TOKEN);
    CHECK_STR(vocab_token(&v, 1), VOCAB_UNK_TOKEN);
    CHECK_INT(id_of(&v, "the"), VOCAB_UNK);
    vocab_free(&v);

    /* max_size counts pad and unk */
    vocab_build(&v, &c, 1, 4);
    CHECK_INT(v.n, 4);
    CHECK_STR(vocab_token(&v, 2), "the");
    CHECK_STR(vocab_token(&v, 3), "Zoo");
    CHECK_INT(id_of(&v, "ant"), VOCAB_UNK);
    vocab_free(&v);
    vocab_build(&v, &c, 1, 2);
    CHECK_INT(v.n, 2);
    vocab_free(&v);
    vocab_build(&v, &c, 1, 9);     /* exactly everything */
    CHECK_INT(v.n, 9);
    vocab_free(&v);
    vocab_build(&v, &c, 1, 1000);
    CHECK_INT(v.n, 9);
    vocab_free(&v);
    /* both limits */
    vocab_build(&v, &c, 3, 5);
    CHECK_INT(v.n, 5);
    CHECK_STR(vocab_token(&v, 4), "ant");
    vocab_free(&v);

    counter_free(&c);

    /* an empty counter gives pad + unk only */
    counter_init(&c);
    vocab_build(&v, &c, 1, 0);
    CHECK_INT(v.n, 2);
    CHECK_INT(id_of(&v, "x"), VOCAB_UNK);
    vocab_free(&v);
    counter_free(&c);
}

/* Same counts, inserted in different orders (and split into several adds),
 * give the same vocabulary. */
static void test_build_deterministic(void)
{
    enum { N = 200 };
    char toks[N][16];
    int64_t cnt[N];
    for (int i = 0; i < N; i++) {
        snprintf(toks[i], sizeof toks[i], "w%03d", (i * 37) % N);
        cnt[i] = 1 + (i * 13) % 9;   /* many ties */
    }
    vocab v[3];
    for (int run = 0; run < 3; run++) {
        counter c;
        counter_init(&c);
        uint64_t s = 12345 + (uint64_t)run * 777;
        int perm[N];
        for (int i = 0; i < N; i++) perm[i] = i;
        if (run == 1)
            for (int i = 0; i < N; i++) perm[i] = N - 1 - i;
        if (run == 2)
            for (int i = N - 1; i > 0; i--) {
                s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                int j = (int)((s >> 33) % (uint64_t)(i + 1)), t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
        if (run == 0) {
            for (int i = 0; i < N; i++) add(&c, toks[perm[i]], cnt[perm[i]]);
        } else {
            /* one at a time, interleaved */
            for (int64_t k = 1; k <= 9; k++)
                for (int i = 0; i < N; i++)
                    if (cnt[perm[i]] >= k) add(&c, toks[perm[i]], 1);
        }
        vocab_build(&v[run], &c, 1, 0);
        counter_free(&c);
    }
    CHECK_INT(v[0].n, N + 2);
    int same = 1;
    for (int run = 1; run < 3; run++) {
        CHECK_INT(v[run].n, v[0].n);
        for (size_t i = 0; i < v[0].n && i < v[run].n; i++) {
            same &= strcmp(vocab_token(&v[0], (int32_t)i), vocab_token(&v[run], (int32_t)i)) == 0;
            same &= v[0].counts[i] == v[run].counts[i];
        }
    }
    CHECK(same);
    /* and the order is count desc, token asc */
    int sorted = 1;
    for (size_t i = 3; i < v[0].n; i++) {
        int64_t a = v[0].counts[i - 1], b = v[0].counts[i];
        sorted &= a > b || (a == b && strcmp(vocab_token(&v[0], (int32_t)i - 1),
                                             vocab_token(&v[0], (int32_t)i)) < 0);
    }
    CHECK(sorted);
    for (int run = 0; run < 3; run++) vocab_free(&v[run]);
}

/* ---- listings ---- */

static void test_listing_round_trip(void)
{
    counter c;
    counter_init(&c);
    add(&c, "good", 7);
    add(&c, "bad", 4);
    add(&c, "\xE5\xA5\xBD", 4);   /* 好 */
    add(&c, "movie", 9);
    add(&c, "it's", 1);
    vocab v;
    vocab_build(&v, &c, 1, 0);
    counter_free(&c);
    const char *p = pth("voc.txt");
    CHECK_INT(vocab_write_text(&v, p), 0);
    char *txt = slurp(p);
    CHECK_STR(txt, "movie\t9\ngood\t7\nbad\t4\n\xE5\xA5\xBD\t4\nit's\t1\n");
    free(txt);

    vocab r;
    CHECK_INT(vocab_read_text(&r, p), 0);
    CHECK_INT(r.n, v.n);
    for (size_t i = 0; i < v.n && i < r.n; i++) {
        CHECK_STR(vocab_token(&r, (int32_t)i), vocab_token(&v, (int32_t)i));
        CHECK_INT(r.counts[i], v.counts[i]);
    }
    CHECK_INT(id_of(&r, "bad"), 4);
    CHECK_INT(id_of(&r, "nope"), VOCAB_UNK);
    vocab_free(&r);

    /* write the re-read vocabulary again: identical bytes */
    CHECK_INT(vocab_read_text(&r, p), 0);
    CHECK_INT(vocab_write_text(&r, pth("voc2.txt")), 0);
    char *a = slurp(p), *b = slurp(pth("voc2.txt"));
    CHECK(a && b && strcmp(a, b) == 0);
    free(a); free(b);
    vocab_free(&r);
    vocab_free(&v);

    /* a vocabulary of pad + unk only writes an empty listing */
    counter_init(&c);
    vocab_build(&v, &c, 1, 0);
    counter_free(&c);
    CHECK_INT(vocab_write_text(&v, pth("empty.txt")), 0);
    txt = slurp(pth("empty.txt"));
    CHECK_STR(txt, "");
    free(txt);
    vocab_free(&v);
}

static void test_listing_read(void)
{
    vocab v;
    /* no counts: ids follow the file order, counts 0 */
    spit(pth("nocount.txt"), "zeta\nalpha\n\nmid\n");
    CHECK_INT(vocab_read_text(&v, pth("nocount.txt")), 0);
    CHECK_INT(v.n, 5);
    CHECK_STR(vocab_token(&v, 0), VOCAB_PAD_TOKEN);
    CHECK_STR(vocab_token(&v, 1), VOCAB_UNK_TOKEN);
    CHECK_STR(vocab_token(&v, 2), "zeta");
    CHECK_STR(vocab_token(&v, 3), "alpha");
    CHECK_STR(vocab_token(&v, 4), "mid");
    for (size_t i = 0; i < v.n; i++) CHECK_INT(v.counts[i], 0);
    vocab_free(&v);

    /* mixed, without a final newline; counts not required to be sorted */
    spit(pth("mixed.txt"), "a\t2\nb\nc\t10");
    CHECK_INT(vocab_read_text(&v, pth("mixed.txt")), 0);
    CHECK_INT(v.n, 5);
    CHECK_INT(id_of(&v, "c"), 4);
    CHECK_INT(v.counts[2], 2);
    CHECK_INT(v.counts[3], 0);
    CHECK_INT(v.counts[4], 10);
    vocab_free(&v);

    /* BOM and CRLF */
    spit(pth("bom.txt"), "\xEF\xBB\xBFhello\t3\r\nworld\t2\r\n\r\nfoo\r\n");
    CHECK_INT(vocab_read_text(&v, pth("bom.txt")), 0);
    CHECK_INT(v.n, 5);
    CHECK_STR(vocab_token(&v, 2), "hello");
    CHECK_INT(strlen(vocab_token(&v, 2)), 5);
    CHECK_INT(v.counts[2], 3);
    CHECK_STR(vocab_token(&v, 3), "world");
    CHECK_INT(v.counts[3], 2);
    CHECK_STR(vocab_token(&v, 4), "foo");
    CHECK_INT(id_of(&v, "hello"), 2);
    CHECK_INT(id_of(&v, "foo"), 4);
    vocab_free(&v);
    spit(pth("bom2.txt"), "\xEF\xBB\xBFonly\r\n");
    CHECK_INT(vocab_read_text(&v, pth("bom2.txt")), 0);
    CHECK_INT(v.n, 3);
    CHECK_STR(vocab_token(&v, 2), "only");
    vocab_free(&v);
    /* a BOM on a later line is not special */
    spit(pth("bom3.txt"), "x\n\xEF\xBB\xBFy\n");
    CHECK_INT(vocab_read_text(&v, pth("bom3.txt")), 0);
    CHECK_INT(v.n, 4);
    CHECK_STR(vocab_token(&v, 3), "\xEF\xBB\xBFy");
    vocab_free(&v);
}

static int msg_starts(const char *prefix)
{
    return strncmp(err_msg(), prefix, strlen(prefix)) == 0;
}

static void test_listing_errors(void)
{
    vocab v;
    char want[300];

    spit(pth("badcount.txt"), "a\t1\nb\tx\n");
    err_clear();
    CHECK_INT(vocab_read_text(&v, pth("badcount.txt")), -1);
    snprintf(want, sizeof want, "%s:2:", pth("badcount.txt"));
    CHECK_MSG(msg_starts(want), "got '%s'", err_msg());
    CHECK_MSG(strstr(err_msg(), "count") != NULL, "got '%s'", err_msg());

    spit(pth("neg.txt"), "a\t1\nb\t2\nc\t-3\n");
    CHECK_INT(vocab_read_text(&v, pth("neg.txt")), -1);
    snprintf(want, sizeof want, "%s:3:", pth("neg.txt"));
    CHECK_MSG(msg_starts(want), "got '%s'", err_msg());

    spit(pth("trail.txt"), "a\t12abc\n");
    CHECK_INT(vocab_read_text(&v, pth("trail.txt")), -1);
    snprintf(want, sizeof want, "%s:1:", pth("trail.txt"));
    CHECK_MSG(msg_starts(want), "got '%s'", err_msg());

    spit(pth("nocnt.txt"), "a\t\n");
    CHECK_INT(vocab_read_text(&v, pth("nocnt.txt")), -1);
    snprintf(want, sizeof want, "%s:1:", pth("nocnt.txt"));
    CHECK_MSG(msg_starts(want), "got '%s'", err_msg());

    spit(pth("dup.txt"), "a\t3\nb\t2\n\na\t1\n");
    CHECK_INT(vocab_read_text(&v, pth("dup.txt")), -1);
    snprintf(want, sizeof want, "%s:4:", pth("dup.txt"));
    CHECK_MSG(msg_starts(want), "got '%s'", err_msg());
    CHECK_MSG(strstr(err_msg(), "duplicate") != NULL, "got '%s'", err_msg());

    spit(pth("emptytok.txt"), "a\t3\n\t2\n");
    CHECK_INT(vocab_read_text(&v, pth("emptytok.txt")), -1);
    snprintf(want, sizeof want, "%s:2:", pth("emptytok.txt"));
    CHECK_MSG(msg_starts(want), "got '%s'", err_msg());

    spit(pth("empty.txt"), "");
    CHECK_INT(vocab_read_text(&v, pth("empty.txt")), -1);
    snprintf(want, sizeof want, "%s:", pth("empty.txt"));
    CHECK_MSG(msg_starts(want), "got '%s'", err_msg());
    CHECK_MSG(strstr(err_msg(), "empty") != NULL, "got '%s'", err_msg());

    spit(pth("blank.txt"), "\xEF\xBB\xBF\r\n\n\r\n");
    CHECK_INT(vocab_read_text(&v, pth("blank.txt")), -1);
    snprintf(want, sizeof want, "%s:", pth("blank.txt"));
    CHECK_MSG(msg_starts(want), "got '%s'", err_msg());

    CHECK_INT(vocab_read_text(&v, pth("missing.txt")), -1);
    snprintf(want, sizeof want, "%s:", pth("missing.txt"));
    CHECK_MSG(msg_starts(want), "got '%s'", err_msg());

    /* writing into a directory that does not exist fails */
    vocab ok;
    spit(pth("ok.txt"), "q\n");
    CHECK_INT(vocab_read_text(&ok, pth("ok.txt")), 0);
    CHECK_INT(vocab_write_text(&ok, pth("no/such/dir.txt")), -1);
    vocab_free(&ok);
}

/* ---- padding ---- */

static int pad_eq(const int32_t *ids, size_t n, int maxlen, int pad_pre, int trunc_pre,
                  int32_t value, const int32_t *want)
{
    int32_t out[32];
    for (int i = 0; i < 32; i++) out[i] = -777;
    pad_sequence(ids, n, maxlen, pad_pre, trunc_pre, value, out);
    int ok = memcmp(out, want, (size_t)maxlen * sizeof *out) == 0 && out[maxlen] == -777;
    if (!ok) {
        fprintf(stderr, "pad_sequence(n=%zu maxlen=%d pad_pre=%d trunc_pre=%d value=%d): got",
                n, maxlen, pad_pre, trunc_pre, value);
        for (int i = 0; i <= maxlen; i++) fprintf(stderr, " %d", out[i]);
        fprintf(stderr, "\n");
    }
    return ok;
}

/* Expected values written from keras.preprocessing.sequence.pad_sequences:
 * padding / truncating default "pre", value default 0; an empty sequence
 * gives a row of `value`. */
static void test_pad(void)
{
    const int32_t s5[] = { 11, 12, 13, 14, 15 };
    const int32_t s2[] = { 7, 8 };

    /* n < maxlen: truncating irrelevant */
    { const int32_t w[] = { 0, 0, 0, 7, 8 }; CHECK(pad_eq(s2, 2, 5, 1, 1, 0, w)); CHECK(pad_eq(s2, 2, 5, 1, 0, 0, w)); }
    { const int32_t w[] = { 7, 8, 0, 0, 0 }; CHECK(pad_eq(s2, 2, 5, 0, 1, 0, w)); CHECK(pad_eq(s2, 2, 5, 0, 0, 0, w)); }

    /* n == maxlen: unchanged in all four combinations */
    for (int pp = 0; pp < 2; pp++)
        for (int tp = 0; tp < 2; tp++) CHECK(pad_eq(s5, 5, 5, pp, tp, 0, s5));

    /* n > maxlen: padding irrelevant; pre drops from the start, post from the end */
    { const int32_t w[] = { 13, 14, 15 }; CHECK(pad_eq(s5, 5, 3, 1, 1, 0, w)); CHECK(pad_eq(s5, 5, 3, 0, 1, 0, w)); }
    { const int32_t w[] = { 11, 12, 13 }; CHECK(pad_eq(s5, 5, 3, 1, 0, 0, w)); CHECK(pad_eq(s5, 5, 3, 0, 0, 0, w)); }
    { const int32_t w[] = { 15 }; CHECK(pad_eq(s5, 5, 1, 1, 1, 0, w)); }
    { const int32_t w[] = { 11 }; CHECK(pad_eq(s5, 5, 1, 1, 0, 0, w)); }

    /* n == 0: all value */
    { const int32_t w[] = { 0, 0, 0, 0 };
      for (int pp = 0; pp < 2; pp++)
          for (int tp = 0; tp < 2; tp++) CHECK(pad_eq(s5, 0, 4, pp, tp, 0, w)); }
    { const int32_t w[] = { -1, -1, -1 }; CHECK(pad_eq(NULL, 0, 3, 1, 1, -1, w)); CHECK(pad_eq(NULL, 0, 3, 0, 0, -1, w)); }

    /* custom value */
    { const int32_t w[] = { 9, 9, 9, 7, 8 }; CHECK(pad_eq(s2, 2, 5, 1, 1, 9, w)); }
    { const int32_t w[] = { 7, 8, 9, 9, 9 }; CHECK(pad_eq(s2, 2, 5, 0, 0, 9, w)); }
    { const int32_t w[] = { 11, 12, 13, 14, 15, -5 }; CHECK(pad_eq(s5, 5, 6, 0, 1, -5, w)); }
    { const int32_t w[] = { -5, 11, 12, 13, 14, 15 }; CHECK(pad_eq(s5, 5, 6, 1, 0, -5, w)); }
    /* value is not used when truncating */
    { const int32_t w[] = { 12, 13, 14, 15 }; CHECK(pad_eq(s5, 5, 4, 1, 1, 9, w)); }

    /* Keras' own doc example: [[1],[2,3],[4,5,6]] with the defaults, maxlen 3 */
    { const int32_t a[] = { 1 }, b[] = { 2, 3 }, c[] = { 4, 5, 6 };
      const int32_t wa[] = { 0, 0, 1 }, wb[] = { 0, 2, 3 }, wc[] = { 4, 5, 6 };
      CHECK(pad_eq(a, 1, 3, 1, 1, 0, wa)); CHECK(pad_eq(b, 2, 3, 1, 1, 0, wb)); CHECK(pad_eq(c, 3, 3, 1, 1, 0, wc));
      /* padding="post" */
      const int32_t pa[] = { 1, 0, 0 }, pb[] = { 2, 3, 0 };
      CHECK(pad_eq(a, 1, 3, 0, 1, 0, pa)); CHECK(pad_eq(b, 2, 3, 0, 1, 0, pb));
      /* maxlen=2 */
      const int32_t ma[] = { 0, 1 }, mb[] = { 2, 3 }, mc[] = { 5, 6 }, mcp[] = { 4, 5 };
      CHECK(pad_eq(a, 1, 2, 1, 1, 0, ma)); CHECK(pad_eq(b, 2, 2, 1, 1, 0, mb));
      CHECK(pad_eq(c, 3, 2, 1, 1, 0, mc)); CHECK(pad_eq(c, 3, 2, 1, 0, 0, mcp)); }

    /* output may be reused: every position is written */
    int32_t out[4] = { 42, 42, 42, 42 };
    pad_sequence(s2, 2, 4, 0, 1, 0, out);
    CHECK(out[0] == 7 && out[1] == 8 && out[2] == 0 && out[3] == 0);
    pad_sequence(s2, 1, 4, 1, 1, 0, out);
    CHECK(out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 7);
}

/* vocab_adopt (a model's vocabulary, used in place): the same ids, tokens,
 * counts and lookups as adding the tokens; adding more copies them first
 * and leaves the borrowed bytes alone; malformed lists are refused. */
static void test_adopt(void)
{
    enum { N = 3000 };
    vocab a, b;
    memset(&a, 0, sizeof a);
    strmap_init(&a.m);
    static char blob[N * 8];
    static int64_t counts[N];
    size_t len = 0;
    char t[32];
    for (int i = 0; i < N; i++) {
        snprintf(t, sizeof t, "w%d", i * 7919 % 10007);
        vocab_add(&a, t, strlen(t), i);
        memcpy(blob + len, t, strlen(t) + 1);
        len += strlen(t) + 1;
        counts[i] = i;
    }
    char *copy = xmalloc(len);
    memcpy(copy, blob, len);
    CHECK_INT(vocab_adopt(&b, blob, len, counts, N), 0);
    CHECK_INT(b.n, N);
    int ok = 1;
    for (int i = 0; ok && i < N; i++) {
        const char *tok = vocab_token(&a, i);
        ok &= vocab_id(&b, tok, strlen(tok)) == i && !strcmp(vocab_token(&b, i), tok) && b.counts[i] == i;
    }
    CHECK(ok);
    CHECK_INT(vocab_id(&b, "nope", 4), VOCAB_UNK);
    CHECK_INT(vocab_add(&b, "w0", 2, 99), 0);                      /* known: no copy needed */
    CHECK(b.borrowed);
    for (int i = 0; i < 100; i++) {                                 /* new: copied, then grown */
        snprintf(t, sizeof t, "new%d", i);
        CHECK_INT(vocab_add(&b, t, strlen(t), 1000 + i), N + i);
    }
    CHECK(!b.borrowed);
    ok = 1;
    for (int i = 0; ok && i < N + 100; i++) {
        const char *tok = vocab_token(&b, i);
        ok &= vocab_id(&b, tok, strlen(tok)) == i && b.counts[i] == (i < N ? i : 1000 + i - N);
        if (i < N) ok &= !strcmp(tok, vocab_token(&a, i));
    }
    CHECK(ok);
    CHECK(!memcmp(blob, copy, len));                                /* the borrowed bytes untouched */
    vocab_free(&b);
    vocab_free(&a);
    free(copy);

    /* not n tokens, a token twice */
    CHECK_INT(vocab_adopt(&b, "a\0b\0", 4, counts, 3), -1);
    CHECK_INT(vocab_adopt(&b, "a\0b\0c", 5, counts, 2), -1);
    CHECK_INT(vocab_adopt(&b, "a\0b\0a\0", 6, counts, 3), -2);
    CHECK_INT(vocab_adopt(&b, "a\0b\0", 4, counts, 2), 0);
    vocab_free(&b);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/seqsent-vocab-XXXXXX");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
    test_counter();
    test_build_order();
    test_build_deterministic();
    test_listing_round_trip();
    test_listing_read();
    test_listing_errors();
    test_pad();
    test_adopt();
    rm_dir();
    TEST_END();
}
