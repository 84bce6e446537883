/* test_unknown.c - the known word most like an unknown one (text/unknown.h):
 * cosines of character n-gram sets worked out by hand, the threshold, ties
 * to the more frequent word, code points (not bytes) as characters, words
 * too long to match, reserved ids never answered, several threads on one
 * matcher, the same answers from a model's vocabulary as from the
 * vocabulary it was built from, and the answers of a brute-force search
 * over every known word on random words (many ties); and the n-grams
 * themselves (text/chargrams.h): counts by hand, code points, the length
 * limit, n-grams shared between words, each known word's features. */
#include "text/chargrams.h"
#include "text/unknown.h"
#include "base/err.h"
#include "base/tensor.h"
#include "test.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A vocabulary of words[i] with count counts[i] (ids by count: the
 * highest first, after <pad> and <unk>). */
static void make_vocab(vocab *v, const char *const *words, const int64_t *counts, int n)
{
    counter c;
    counter_init(&c);
    for (int i = 0; i < n; i++) counter_add(&c, words[i], strlen(words[i]), counts[i]);
    vocab_build(v, &c, 1, 0);
    counter_free(&c);
}

static int32_t id_of(const vocab *v, const char *w) { return strmap_get(&v->m, w, strlen(w)); }

static int32_t match(unk_match *u, const char *w, double *cos)
{
    return unk_match_id(u, w, strlen(w), cos);
}

/* "abcd": between the marks 6 characters, n-grams of 3..6: 4 + 3 + 2 + 1 =
 * 10, all distinct.  "abcde": 5 + 4 + 3 + 2 = 14.  They share the grams
 * of "^abcd" with the start mark: ^ab ^abc ^abcd abc abcd bcd (6), so the
 * cosine is 6 / sqrt(10 x 14). */
static void test_cosine(void)
{
    static const char *const w[] = { "abcde", "xyz" };
    static const int64_t n[] = { 5, 3 };
    vocab v;
    make_vocab(&v, w, n, 2);
    unk_match *u = unk_match_new(&v, 0.5);
    double c;
    CHECK_INT(match(u, "abcd", &c), id_of(&v, "abcde"));
    CHECK_NEAR(c, 6 / sqrt(10.0 * 14), 1e-12);
    /* a word known to the vocabulary is its own best match: cosine 1 */
    CHECK_INT(match(u, "abcde", &c), id_of(&v, "abcde"));
    CHECK_NEAR(c, 1, 1e-12);
    /* nothing shared: <unk>, cosine 0 */
    CHECK_INT(match(u, "qqqq", &c), VOCAB_UNK);
    CHECK_NEAR(c, 0, 0);
    /* "xy" (4 characters with the marks: ^xy xy$ ^xy$ = 3 grams) against
     * "xyz" (^xy xyz yz$ ^xyz xyz$ ^xyz$ = 6): one shared, 1 / sqrt(18) */
    CHECK_INT(match(u, "xy", &c), VOCAB_UNK);
    CHECK_NEAR(c, 1 / sqrt(18.0), 1e-12);
    unk_match_free(u);
    vocab_free(&v);
}

/* The threshold admits a cosine equal to it and refuses one below. */
static void test_threshold(void)
{
    static const char *const w[] = { "abcde" };
    static const int64_t n[] = { 1 };
    vocab v;
    make_vocab(&v, w, n, 1);
    double exact = 6 / sqrt(10.0 * 14);   /* "abcd" against "abcde": 0.507 */
    unk_match *at = unk_match_new(&v, exact), *above = unk_match_new(&v, exact + 1e-6);
    CHECK_INT(match(at, "abcd", NULL), id_of(&v, "abcde"));
    CHECK_INT(match(above, "abcd", NULL), VOCAB_UNK);
    CHECK_NEAR(unk_match_min_cos(at), exact, 0);
    unk_match_free(at);
    unk_match_free(above);
    vocab_free(&v);
}

/* Two known words equally like the unknown one: the more frequent (lower
 * id) wins, whichever order they were counted in. */
static void test_tie(void)
{
    static const char *const w1[] = { "xabcd", "abcdx" };
    static const int64_t n1[] = { 2, 9 }, n2[] = { 9, 2 };
    for (int k = 0; k < 2; k++) {
        vocab v;
        make_vocab(&v, w1, k ? n2 : n1, 2);
        unk_match *u = unk_match_new(&v, 0.1);
        double c;
        /* "abcd" (10 grams) shares 6 with each (14 grams): with "xabcd" abc
         * bcd cd$ abcd bcd$ abcd$, with "abcdx" ^ab abc bcd ^abc abcd ^abcd */
        int32_t got = match(u, "abcd", &c);
        CHECK_INT(got, 2);
        CHECK_STR(vocab_token(&v, got), k ? "xabcd" : "abcdx");
        CHECK_NEAR(c, 6 / sqrt(10.0 * 14), 1e-12);
        unk_match_free(u);
        vocab_free(&v);
    }
}

/* Characters are code points: a 2-character Chinese word has 3 n-grams
 * (^ab ab$ ^ab$), not those of its 6 bytes. */
static void test_code_points(void)
{
    static const char *const w[] = { "好吃", "很好吃" };
    static const int64_t n[] = { 5, 1 };
    vocab v;
    make_vocab(&v, w, n, 2);
    unk_match *u = unk_match_new(&v, 0.3);
    double c;
    /* "好吃的" (^好吃 好吃的 吃的$ ^好吃的 好吃的$ ^好吃的$: 6) against "好吃"
     * (3): ^好吃 shared: 1 / sqrt(18); against "很好吃" (6): none */
    CHECK_INT(match(u, "好吃的", &c), VOCAB_UNK);
    CHECK_NEAR(c, 1 / sqrt(18.0), 1e-12);
    CHECK_INT(id_of(&v, "好吃"), 2);
    /* "真好吃" against "很好吃": 好吃$ shared of 6 each: 1 / 6; against
     * "好吃": 好吃$ shared, 1 / sqrt(18) = 0.236 > 1/6: "好吃" */
    CHECK_INT(match(u, "真好吃", &c), VOCAB_UNK);
    CHECK_NEAR(c, 1 / sqrt(18.0), 1e-12);
    unk_match_free(u);
    u = unk_match_new(&v, 0.2);
    CHECK_INT(match(u, "真好吃", &c), id_of(&v, "好吃"));
    unk_match_free(u);
    vocab_free(&v);
}

/* A word of more than 40 characters neither matches nor is matched; the
 * reserved tokens are never an answer. */
static void test_long_and_reserved(void)
{
    char long_word[64];
    memset(long_word, 'a', 41);
    long_word[41] = '\0';
    const char *w[] = { long_word, "aaaa" };
    static const int64_t n[] = { 9, 1 };
    vocab v;
    make_vocab(&v, w, n, 2);
    unk_match *u = unk_match_new(&v, 0.01);
    long_word[40] = '\0';   /* 40 a's: matches "aaaa", never the 41 */
    CHECK_INT(match(u, long_word, NULL), id_of(&v, "aaaa"));
    long_word[40] = 'a';
    CHECK_INT(match(u, long_word, NULL), VOCAB_UNK);   /* 41: too long to match */
    CHECK_INT(match(u, "<unk", NULL), VOCAB_UNK);   /* like "<unk>", which is no answer */
    CHECK_INT(match(u, "<pad", NULL), VOCAB_UNK);
    CHECK_INT(match(u, "", NULL), VOCAB_UNK);   /* ^$: no 3-gram in 2 characters */
    unk_match_free(u);
    vocab_free(&v);
}

/* One matcher, several threads at once from its first use (the index is
 * built once, under the lock): each gets the answers one thread gets. */
enum { THREADS = 4, WORDS = 2000 };
static vocab tv;
static int32_t want[WORDS];
static void word_k(char *buf, int k) { snprintf(buf, 32, "w%dq%d", k % 97, k); }
static void *worker(void *arg)
{
    unk_match *u = arg;
    long bad = 0;
    char buf[32];
    for (int k = 0; k < WORDS; k++) {
        word_k(buf, k);
        buf[0] = 'v';   /* unknown: the w... word is its best match */
        bad += match(u, buf, NULL) != want[k];
    }
    return (void *)bad;
}

static void test_threads(void)
{
    counter c;
    counter_init(&c);
    char buf[32];
    for (int k = 0; k < WORDS; k++) {
        word_k(buf, k);
        counter_add(&c, buf, strlen(buf), 1 + k % 7);
    }
    vocab_build(&tv, &c, 1, 0);
    counter_free(&c);
    unk_match *one = unk_match_new(&tv, 0.25);
    for (int k = 0; k < WORDS; k++) {
        word_k(buf, k);
        buf[0] = 'v';
        want[k] = match(one, buf, NULL);
    }
    word_k(buf, 5);
    CHECK_INT(want[5], id_of(&tv, buf));
    unk_match *u = unk_match_new(&tv, 0.25);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, u);
    long bad = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += (long)r;
    }
    CHECK_INT(bad, 0);
    unk_match_free(u);
    unk_match_free(one);
    vocab_free(&tv);
}

/* A model's vocabulary (vocab_adopt: the file's tokens where they are)
 * answers as the one it was saved from. */
static void test_adopted(void)
{
    static const char *const w[] = { "inhabit", "critics", "repetitive", "lesser" };
    static const int64_t n[] = { 4, 3, 2, 1 };
    vocab v, a;
    make_vocab(&v, w, n, 4);
    size_t bytes = 0;
    for (size_t i = 0; i < v.n; i++) bytes += strmap_keylen(&v.m, (int32_t)i) + 1;
    char *blob = xmalloc(bytes), *p = blob;
    for (size_t i = 0; i < v.n; i++) {
        size_t l = strmap_keylen(&v.m, (int32_t)i) + 1;
        memcpy(p, vocab_token(&v, (int32_t)i), l);
        p += l;
    }
    memset(&a, 0, sizeof a);
    CHECK_INT(vocab_adopt(&a, blob, bytes, v.counts, v.n), 0);
    unk_match *uv = unk_match_new(&v, 0.6), *ua = unk_match_new(&a, 0.6);
    static const char *const q[] = { "inhabited", "critics'", "repetitively", "lessen", "zebra" };
    static const char *const ans[] = { "inhabit", "critics", "repetitive", NULL, NULL };
    for (int i = 0; i < 5; i++) {
        int32_t x = match(uv, q[i], NULL), y = match(ua, q[i], NULL);
        CHECK_INT(x, y);
        if (ans[i]) CHECK_STR(vocab_token(&v, x), ans[i]);
        else CHECK_INT(x, VOCAB_UNK);
    }
    unk_match_free(uv);
    unk_match_free(ua);
    vocab_free(&a);
    vocab_free(&v);
    free(blob);
}


/* ---- brute force: every known word's n-gram set as strings ---- */

/* The distinct n-grams (3..6 characters, marks '^' '$') of ASCII word w
 * into g[][8]: their count. */
static int ref_grams(const char *w, char g[][8])
{
    char b[64];
    int L = snprintf(b, sizeof b, "^%s$", w), k = 0;
    for (int i = 0; i < L; i++)
        for (int m = UNK_MATCH_MINN; m <= UNK_MATCH_MAXN && i + m <= L; m++) {
            char x[8];
            memcpy(x, b + i, (size_t)m);
            x[m] = 0;
            int dup = 0;
            for (int j = 0; j < k && !dup; j++) dup = !strcmp(g[j], x);
            if (!dup) strcpy(g[k++], x);
        }
    return k;
}

/* Words of 2..8 letters of "abcd" (shared grams, repeated grams and equal
 * cosines are common): the matcher's answer and cosine are the brute
 * force's, whose tie goes to the lower id, by the scan (a fresh matcher's
 * first word) and by the index (one matcher's later words). */
static void test_reference(void)
{
    enum { W = 400, Q = 300 };
    static char words[W][12];
    static const char *wp[W];
    static int64_t counts[W];
    rng r;
    rng_seed(&r, 7);
    int n = 0;
    while (n < W) {
        int len = 2 + (int)rng_below(&r, 7);
        for (int i = 0; i < len; i++) words[n][i] = (char)('a' + rng_below(&r, 4));
        words[n][len] = 0;
        int dup = 0;
        for (int j = 0; j < n && !dup; j++) dup = !strcmp(words[j], words[n]);
        if (dup) continue;
        wp[n] = words[n];
        counts[n] = 1 + (int64_t)rng_below(&r, 50);
        n++;
    }
    vocab v;
    make_vocab(&v, wp, counts, W / 2);   /* the first half known, the rest are queries too */
    unk_match *u = unk_match_new(&v, 0.3);
    static char kg[W][64][8];
    static int kn[W];
    for (size_t id = VOCAB_UNK + 1; id < v.n; id++) kn[id] = ref_grams(vocab_token(&v, (int32_t)id), kg[id]);
    int agree = 0, matched = 0;
    for (int q = 0; q < Q; q++) {
        const char *w = words[q % W];
        char qg[64][8];
        int k = ref_grams(w, qg);
        int32_t best = VOCAB_UNK;
        double best_cos = 0;
        for (size_t id = VOCAB_UNK + 1; id < v.n; id++) {
            int common = 0;
            for (int a = 0; a < k; a++)
                for (int b = 0; b < kn[id]; b++) common += !strcmp(qg[a], kg[id][b]);
            double c = common / sqrt((double)k * kn[id]);
            if (c > best_cos) { best_cos = c; best = (int32_t)id; }   /* ascending ids: a tie keeps the lower */
        }
        double c, c1;
        int32_t got = unk_match_id(u, w, strlen(w), &c);   /* the scan, then the index */
        unk_match *fresh = unk_match_new(&v, 0.3);   /* its first word: the scan */
        int32_t got1 = unk_match_id(fresh, w, strlen(w), &c1);
        unk_match_free(fresh);
        int32_t want = best_cos >= 0.3 - 1e-12 ? best : VOCAB_UNK;
        agree += got == want && fabs(c - best_cos) < 1e-12 && got1 == want && fabs(c1 - best_cos) < 1e-12;
        matched += want != VOCAB_UNK;
    }
    CHECK_INT(agree, Q);
    CHECK(matched > Q / 2);   /* the check is not about <unk> alone */
    unk_match_free(u);
    vocab_free(&v);
}

/* the distinct hashes of w's n-grams, ascending: their count */
static int distinct_grams(const char *w, int minn, int maxn, uint32_t *h)
{
    return chargrams_distinct(w, strlen(w), minn, maxn, h);
}

static int common(const uint32_t *a, int na, const uint32_t *b, int nb)
{
    int n = 0;
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++) n += a[i] == b[j];
    return n;
}

static void test_chargrams(void)
{
    uint32_t a[CHARGRAM_MAX_GRAMS(1, CHARGRAM_MAX_N)], b[CHARGRAM_MAX_GRAMS(1, CHARGRAM_MAX_N)];
    /* "<cat>": <ca cat at> <cat cat> <cat> */
    CHECK_INT(chargrams("cat", 3, 3, 6, a), 6);
    CHECK_INT(distinct_grams("cat", 3, 6, a), 6);
    CHECK_INT(chargrams("abcd", 4, 1, 1, a), 6);   /* each letter and the two marks */
    CHECK_INT(chargrams("aaaa", 4, 1, 1, a), 6);
    CHECK_INT(chargrams_distinct("aaaa", 4, 1, 1, a), 3);   /* <, a, >: ascending, each once */
    CHECK(a[0] < a[1] && a[1] < a[2]);
    CHECK_INT(chargrams("\xe9\x85\x92\xe5\xba\x97", 6, 3, 6, a), 3);   /* 酒店: two code points, not six bytes */
    CHECK_INT(chargrams("\xe9\x85\x92\xe5\xba\x97", 6, 1, 2, a), 7);
    char w[64];
    memset(w, 'x', 41);
    w[41] = 0;
    CHECK_INT(chargrams(w, 41, 3, 6, a), 0);   /* too long */
    CHECK(chargrams(w, CHARGRAM_MAX_CHARS, 3, 6, a) > 0);
    /* "cats" shares <ca cat <cat with "cat" and nothing with "dog" */
    int na = distinct_grams("cat", 3, 6, a), nb = distinct_grams("cats", 3, 6, b);
    CHECK_INT(nb, 10);
    CHECK_INT(common(a, na, b, nb), 3);
    int nd = distinct_grams("dog", 3, 6, b);
    CHECK_INT(common(a, na, b, nd), 0);

    /* each known word's features: ids by hash, shared ids for shared grams */
    static const char *const words[] = { "cat", "cats", "dog" };
    static const int64_t counts[] = { 3, 2, 1 };
    vocab v;
    make_vocab(&v, words, counts, 3);
    int32_t *off, *feat, F;
    chargram_features(&v, 3, 6, &off, &feat, &F);
    CHECK_INT(F, 6 + 10 + 6 - 3);
    CHECK(off[0] == 0 && off[1] == 0 && off[2] == 0);   /* <pad>, <unk>: none */
    int32_t cat = id_of(&v, "cat"), cats = id_of(&v, "cats"), dog = id_of(&v, "dog");
    CHECK_INT(off[cat + 1] - off[cat], 6);
    CHECK_INT(off[cats + 1] - off[cats], 10);
    CHECK_INT(off[dog + 1] - off[dog], 6);
    CHECK_INT(off[v.n], 22);
    int shared = 0, ascending = 1;
    for (int32_t i = off[cat]; i < off[cat + 1]; i++)
        for (int32_t j = off[cats]; j < off[cats + 1]; j++) shared += feat[i] == feat[j];
    for (size_t id = 2; id < v.n; id++)
        for (int32_t i = off[id] + 1; i < off[id + 1]; i++) ascending &= feat[i - 1] < feat[i];
    CHECK_INT(shared, 3);
    CHECK(ascending);
    for (int32_t i = 0; i < off[v.n]; i++) CHECK(feat[i] >= 0 && feat[i] < F);
    free(off);
    free(feat);
    vocab_free(&v);
}

int main(void)
{
    test_chargrams();
    test_cosine();
    test_threshold();
    test_tie();
    test_code_points();
    test_long_and_reserved();
    test_threads();
    test_adopted();
    test_reference();
    TEST_END();
}
