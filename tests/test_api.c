/* test_api.c - the public C API (include/seqsent.h), linked from
 * libseqsent.a: predictions equal `seqsent predict`'s printed
 * probabilities (6 decimals), top-k, metadata, sentence vectors, errors
 * (missing, corrupt, untrained files, bad arguments), and several threads
 * predicting and encoding on one model with the results of one thread.
 * Models are trained with the binary named by $SEQSENT (default ./seqsent)
 * into a mkdtemp directory. */
#include "seqsent.h"
#include "test.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static char tmpdir[] = "/tmp/seqsent-test-api-XXXXXX";
static const char *bin;

static char *path_in(const char *name)
{
    static char buf[8][512];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
    return p;
}

static int sh(const char *fmt, const char *a, const char *b)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    return system(cmd);
}

/* The lines of a file (at most max). */
static int read_lines(const char *path, char **lines, int max)
{
    FILE *f = fopen(path, "r");
    char buf[4096];
    int n = 0;
    if (!f) return 0;
    while (n < max && fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\n")] = '\0';
        lines[n++] = strdup(buf);
    }
    fclose(f);
    return n;
}

/* One prediction run of texts: labels and probabilities. */
typedef struct run {
    const seqsent_model *m;
    const char *const *texts;
    int n, rc, reps;
    int *labels;
    double *probs;
    float *vec;
} run;

static void *predict_job(void *arg)
{
    run *r = arg;
    int L = seqsent_num_labels(r->m), D = seqsent_dim(r->m);
    int *lab = malloc(sizeof(int) * r->n);
    double *pr = malloc(sizeof(double) * r->n * L);
    float *v = malloc(sizeof(float) * r->n * D);
    for (int i = 0; i < r->reps && r->rc == 0; i++) {
        r->rc |= seqsent_predict(r->m, r->texts, (size_t)r->n, lab, pr, NULL, 0);
        r->rc |= seqsent_encode(r->m, r->texts, (size_t)r->n, v, NULL, 0);
        if (memcmp(lab, r->labels, sizeof(int) * r->n) || memcmp(pr, r->probs, sizeof(double) * r->n * L) ||
            memcmp(v, r->vec, sizeof(float) * r->n * D))
            r->rc = 99;   /* differs from the single-threaded results */
    }
    free(lab);
    free(pr);
    free(v);
    return NULL;
}

/* The CLI's output for the texts, as lines. */
static int cli_predict(const char *model, const char *texts, const char *opts, char **lines, int max)
{
    char out[600];
    snprintf(out, sizeof out, "%s/cli.out", tmpdir);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' predict -m '%s' --threads 1 %s <'%s' >'%s'", bin, model, opts, texts, out);
    if (system(cmd) != 0) return 0;
    return read_lines(out, lines, max);
}

enum { MAXT = 400 };

/* Predict the texts with the API and the CLI: same lines to 6 decimals. */
static void compare_with_cli(const char *model, const char *textfile)
{
    char *texts[MAXT], *want[MAXT], err[512];
    int n = read_lines(textfile, texts, MAXT);
    CHECK(n > 100);
    seqsent_model *m = seqsent_open(model, err, sizeof err);
    CHECK_MSG(m != NULL, "%s", err);
    if (!m) return;
    int L = seqsent_num_labels(m);
    int *labels = malloc(sizeof(int) * n);
    double *probs = malloc(sizeof(double) * n * L);
    CHECK_INT(seqsent_predict(m, (const char *const *)texts, (size_t)n, labels, probs, err, sizeof err), 0);

    /* default: label<TAB>probability */
    int nw = cli_predict(model, textfile, "", want, MAXT), same = 0;
    CHECK_INT(nw, n);
    for (int i = 0; i < n && i < nw; i++) {
        char got[600];
        snprintf(got, sizeof got, "%s\t%.6f", seqsent_label(m, labels[i]), probs[i * L + labels[i]]);
        same += !strcmp(got, want[i]);
        if (strcmp(got, want[i])) fprintf(stderr, "line %d: got '%s', want '%s'\n", i + 1, got, want[i]);
        free(want[i]);
    }
    CHECK_INT(same, n);

    /* --all: every label's probability */
    nw = cli_predict(model, textfile, "--all", want, MAXT);
    same = 0;
    for (int i = 0; i < n && i < nw; i++) {
        char got[2048];
        size_t o = 0;
        for (int k = 0; k < L; k++)
            o += snprintf(got + o, sizeof got - o, "%s%s:%.6f", k ? "\t" : "", seqsent_label(m, k), probs[i * L + k]);
        same += !strcmp(got, want[i]);
        if (strcmp(got, want[i])) fprintf(stderr, "--all line %d: got '%s', want '%s'\n", i + 1, got, want[i]);
        free(want[i]);
    }
    CHECK_INT(same, n);

    /* --top-k 2 and seqsent_top_k */
    nw = cli_predict(model, textfile, "--top-k 2", want, MAXT);
    same = 0;
    for (int i = 0; i < n && i < nw; i++) {
        int top[2];
        char got[1024];
        CHECK_INT(seqsent_top_k(m, probs + i * L, 2, top), 2);
        snprintf(got, sizeof got, "%s\t%.6f\t%s\t%.6f", seqsent_label(m, top[0]), probs[i * L + top[0]],
                 seqsent_label(m, top[1]), probs[i * L + top[1]]);
        same += !strcmp(got, want[i]);
        free(want[i]);
    }
    CHECK_INT(same, n);
    int top[8];
    CHECK_INT(seqsent_top_k(m, probs, 8, top), L);   /* k is reduced to the labels */
    CHECK(probs[top[0]] >= probs[top[1]]);
    CHECK_INT(seqsent_top_k(m, probs, 0, top), 0);

    /* several threads on the one model, against one thread's results */
    run base = { m, (const char *const *)texts, n, 0, 1, labels, probs, NULL };
    base.vec = malloc(sizeof(float) * n * seqsent_dim(m));
    CHECK_INT(seqsent_encode(m, base.texts, (size_t)n, base.vec, err, sizeof err), 0);
    enum { NT = 4 };
    pthread_t th[NT];
    run r[NT];
    for (int t = 0; t < NT; t++) {
        r[t] = base;
        r[t].reps = 3;
        CHECK_INT(pthread_create(&th[t], NULL, predict_job, &r[t]), 0);
    }
    for (int t = 0; t < NT; t++) {
        pthread_join(th[t], NULL);
        CHECK_MSG(r[t].rc == 0, "thread %d: rc %d", t, r[t].rc);
    }
    /* a text's result does not depend on its batch: the same bits alone */
    int lab1;
    double p1[64];
    CHECK_INT(seqsent_predict(m, (const char *const *)texts + 7, 1, &lab1, p1, NULL, 0), 0);
    CHECK_INT(lab1, labels[7]);
    CHECK(memcmp(p1, probs + 7 * L, sizeof(double) * L) == 0);
    const int D = seqsent_dim(m);
    float *v1 = malloc(sizeof(float) * D);
    for (int i = 0; i < n; i += 7) {
        CHECK_INT(seqsent_encode(m, (const char *const *)texts + i, 1, v1, NULL, 0), 0);
        CHECK_MSG(memcmp(v1, base.vec + (size_t)i * D, sizeof(float) * D) == 0, "text %d's vector alone", i);
    }
    free(v1);

    free(base.vec);
    free(labels);
    free(probs);
    for (int i = 0; i < n; i++) free(texts[i]);
    seqsent_close(m);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    bin = getenv("SEQSENT");
    if (!bin || !*bin) bin = "./seqsent";
    char *m3 = strdup(path_in("m3.ssm")), *m2 = strdup(path_in("m2.ssm"));
    char *t3 = strdup(path_in("t3.txt")), *t2 = strdup(path_in("t2.txt"));
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' train tests/data/tweets3.train.csv -o '%s' --epochs 2 --hidden 8 --embed-dim 8 --seed 7 --no-bidirectional >/dev/null 2>&1", bin, m3);
    CHECK_INT(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "'%s' train tests/data/movies_en.train.csv -o '%s' --epochs 2 --hidden 6 --embed-dim 8 --seed 7 --bidirectional --cell gru >/dev/null 2>&1", bin, m2);
    CHECK_INT(system(cmd), 0);
    CHECK_INT(sh("cut -d, -f2- tests/data/tweets3.test.csv | sed 1d >'%s'%s", t3, ""), 0);
    CHECK_INT(sh("cut -d, -f2- tests/data/movies_en.test.csv | sed 1d >'%s'%s", t2, ""), 0);

    /* version */
    CHECK(seqsent_version() && *seqsent_version());
    CHECK_INT(seqsent_api_version(), SEQSENT_API_VERSION);

    /* metadata */
    char err[512];
    seqsent_model *m = seqsent_open(m3, err, sizeof err);
    CHECK(m != NULL);
    if (m) {
        CHECK_INT(seqsent_num_labels(m), 3);
        CHECK_STR(seqsent_label(m, 0), "negative");
        CHECK_STR(seqsent_label(m, 2), "positive");
        CHECK(seqsent_label(m, 3) == NULL && seqsent_label(m, -1) == NULL);
        CHECK_INT(seqsent_label_index(m, "neutral"), 1);
        CHECK_INT(seqsent_label_index(m, "nope"), -1);
        CHECK_STR(seqsent_kind(m), "model");
        CHECK(seqsent_maxlen(m) > 0);
        CHECK_INT(seqsent_dim(m), 8 + 32);   /* 8 units, and the bag English text has by default */
        const char *meta = seqsent_metadata(m);
        CHECK(meta && meta[0] == '{' && strstr(meta, "\"labels\":[\"negative\",\"neutral\",\"positive\"]"));
        /* bad arguments are errors, not crashes */
        const char *bad[2] = { "fine", NULL };
        int lab[2];
        CHECK_INT(seqsent_predict(m, bad, 2, lab, NULL, err, sizeof err), -1);
        CHECK_STR(err, "seqsent_predict: text 1 is NULL");
        CHECK_STR(seqsent_last_error(), "seqsent_predict: text 1 is NULL");
        CHECK_INT(seqsent_predict(m, bad, 1, lab, NULL, NULL, 0), 0);   /* labels only */
        CHECK_INT(seqsent_predict(m, NULL, 0, NULL, NULL, NULL, 0), 0);
        CHECK_INT(seqsent_encode(m, bad, 1, NULL, err, sizeof err), -1);
        CHECK_INT(seqsent_predict_threshold(m, bad, 1, 2.0, lab, NULL, err, sizeof err), -1);
        seqsent_close(m);
    }
    m = seqsent_open(m2, err, sizeof err);
    CHECK(m != NULL);
    if (m) {
        CHECK_INT(seqsent_num_labels(m), 2);
        CHECK_INT(seqsent_dim(m), 12 + 32);   /* 2 directions x 6 units, and the default bag's 32 */
        const char *t[3] = { "a great film", "dull and flat", "ok" };
        int lab[3];
        double p[6];
        CHECK_INT(seqsent_predict_threshold(m, t, 3, 0.0, lab, p, NULL, 0), 0);
        CHECK(lab[0] == 1 && lab[1] == 1 && lab[2] == 1);
        CHECK_INT(seqsent_predict_threshold(m, t, 3, 1.0, lab, p, NULL, 0), 0);
        CHECK(lab[0] == 0 || p[1] >= 1.0);
        CHECK_NEAR(p[0] + p[1], 1.0, 1e-12);
        seqsent_close(m);
    }

    /* errors: the library's messages */
    char *missing = path_in("missing.ssm");
    CHECK(seqsent_open(missing, err, sizeof err) == NULL);
    char want[700];
    snprintf(want, sizeof want, "%s: No such file or directory", missing);
    CHECK_STR(err, want);
    CHECK_STR(seqsent_last_error(), want);
    char small[8];
    CHECK(seqsent_open(missing, small, sizeof small) == NULL);
    CHECK_INT(strlen(small), 7);   /* truncated, terminated */
    CHECK(seqsent_open(NULL, NULL, 0) == NULL);
    CHECK(seqsent_open(missing, NULL, 0) == NULL);
    FILE *f = fopen(path_in("corrupt.ssm"), "wb");
    if (f) { fputs("SEQSENT\x1a garbage", f); fclose(f); }
    CHECK(seqsent_open(path_in("corrupt.ssm"), err, sizeof err) == NULL);
    CHECK(strstr(err, "corrupt.ssm: ") != NULL);
    CHECK_INT(sh("head -c 3000 '%s' >'%s'", m3, path_in("short.ssm")), 0);
    CHECK(seqsent_open(path_in("short.ssm"), err, sizeof err) == NULL);
    CHECK(strstr(err, "short.ssm: ") != NULL);
    snprintf(cmd, sizeof cmd, "'%s' vocab tests/data/tweets3.train.csv -o '%s' >/dev/null 2>&1", bin, path_in("v.ssm"));
    CHECK_INT(system(cmd), 0);
    CHECK(seqsent_open(path_in("v.ssm"), err, sizeof err) == NULL);
    CHECK(strstr(err, "not a trained model (kind 'vocab')") != NULL);
    seqsent_close(NULL);

    /* predictions equal the CLI's; threads */
    compare_with_cli(m3, t3);
    compare_with_cli(m2, t2);

    sh("rm -rf '%s'%s", tmpdir, "");
    free(m3); free(m2); free(t3); free(t2);
    TEST_END();
}
