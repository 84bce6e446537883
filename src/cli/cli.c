/* cli.c - pipeline steps shared by the vocab, embed, train and tokenize commands. */
#include "cli/cli.h"
#include "base/err.h"
#include "base/fileio.h"
#include "base/strmap.h"
#include "base/tensor.h"
#include "text/normalize.h"
#include "text/utf8.h"
#include "text/vectors.h"
#include "train/dist.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* jieba's dict.txt where Debian's python3-jieba installs it, or NULL;
 * SEQSENT_JIEBA_DICT names another file (empty: none). */
static const char *jieba_dict_path(void)
{
    static char found[4096];
    static const char *const where[] = {
        "/usr/lib/python3/dist-packages/jieba/dict.txt",
        "/usr/lib/python3*/*-packages/jieba/dict.txt",
        "/usr/local/lib/python3*/*-packages/jieba/dict.txt",
    };
    const char *env = getenv("SEQSENT_JIEBA_DICT");
    if (env) return *env && access(env, R_OK) == 0 ? env : NULL;
    for (size_t i = 0; i < sizeof where / sizeof *where; i++) {
        glob_t g;
        int ok = glob(where[i], 0, NULL, &g) == 0 && g.gl_pathc > 0;
        if (ok) snprintf(found, sizeof found, "%s", g.gl_pathv[0]);
        globfree(&g);
        if (ok) return found;
    }
    return NULL;
}

/* Load the dictionary file path into m, its source named by fmt ("%s" the
 * path, "%zu" the number of words). */
static int load_dict_file(model *m, const char *path, const char *fmt)
{
    m->dict = segdict_new();
    if (segdict_load(m->dict, path) < 0) return -1;
    size_t len = strlen(path) + strlen(fmt) + 32;
    m->dict_source = xmalloc(len);
    snprintf(m->dict_source, len, fmt, path, segdict_size(m->dict));
    return 0;
}

#define JIEBA_SOURCE "jieba (%s, %zu words)"
#define NO_DICT_NOTE "no dictionary: Chinese cut into single characters; install python3-jieba or pass --dict"

int cli_default_dict(model *m, const char *note_cmd)
{
    free(m->dict_source);   /* tokenize's "none" until its first Han text */
    m->dict_source = NULL;
    const char *path = jieba_dict_path();
    if (path) return load_dict_file(m, path, JIEBA_SOURCE);
    m->dict_source = xstrdup("none");
    if (note_cmd) fprintf(stderr, "%s: " NO_DICT_NOTE "\n", note_cmd);
    return 0;
}

/* The words of the word2vec file vec as the dictionary, ranked. */
static int load_vectors_dict(model *m, const char *vec)
{
    strmap words;
    strmap_init(&words);
    long dim;
    if (vectors_words(vec, &words, &dim) < 0) { strmap_free(&words); return -1; }
    const char **list = xmalloc((words.n + 1) * sizeof *list);
    for (size_t i = 0; i < words.n; i++) list[i] = strmap_key(&words, (int32_t)i);
    m->dict = segdict_new();
    segdict_add_ranked(m->dict, list, words.n);
    free(list);
    strmap_free(&words);
    size_t len = strlen(vec) + 16;
    m->dict_source = xmalloc(len);
    snprintf(m->dict_source, len, "vectors:%s", vec);
    return 0;
}

int cli_setup_tokenizer(model *m, const common_opts *c, const char *vectors_fallback,
                        char *const *texts, size_t n, const char *note_cmd)
{
    m->tok = c->tok;
    free(m->dict_source);   /* a listing base set "none" */
    m->dict_source = NULL;
    segdict_free(m->dict);
    m->dict = NULL;
    if (c->dict_path && !strcmp(c->dict_path, "none")) {
        m->dict_source = xstrdup("none");
    } else if (c->dict_path && !strcmp(c->dict_path, "jieba")) {
        const char *path = jieba_dict_path();
        if (!path)
            return err_set("--dict jieba: jieba's dict.txt not found (install Debian's python3-jieba, "
                           "or set SEQSENT_JIEBA_DICT, or pass --dict FILE)");
        if (load_dict_file(m, path, JIEBA_SOURCE) < 0) return -1;
    } else if (c->dict_path) {
        if (load_dict_file(m, c->dict_path, "file:%s") < 0) return -1;
    } else if (c->dict_vectors) {
        if (load_vectors_dict(m, c->dict_vectors) < 0) return -1;
    } else if (c->tok.lang == LANG_ZH || (c->tok.lang == LANG_AUTO && texts && texts_are_chinese(texts, n))) {
        /* jieba's dictionary even with vectors: word vectors are trained on
         * jieba's segmentation (sgns: "jieba precise"), and cutting the text
         * the way they were cut beat cutting it into the vectors' own words
         * (more of them found) on ChnSentiCorp's dev splits (BENCHMARKS.md,
         * session 18); the vectors' words only when jieba's is not there */
        if (vectors_fallback && !jieba_dict_path()) {
            if (load_vectors_dict(m, vectors_fallback) < 0) return -1;
        } else if (cli_default_dict(m, note_cmd) < 0) {
            return -1;
        }
    } else {
        m->dict_source = xstrdup("none");
    }
    if (c->user_dict) {   /* user words on top, winning over the dictionary's splits */
        if (!m->dict) m->dict = segdict_new();
        if (segdict_load_user(m->dict, c->user_dict) < 0) return -1;
        size_t len = strlen(m->dict_source) + strlen(c->user_dict) + 8;
        char *src = xmalloc(len);
        snprintf(src, len, "%s+user:%s", m->dict_source, c->user_dict);
        free(m->dict_source);
        m->dict_source = src;
    }
    return 0;
}

void cli_build_vocab(model *m, char *const *texts, size_t n, long min_count, long max_size)
{
    tokenizer *tk = model_tokenizer(m);
    counter cnt;
    counter_init(&cnt);
    toklist tl = {0};
    for (size_t i = 0; i < n; i++) {
        toklist_clear(&tl);
        tokenize(tk, texts[i], strlen(texts[i]), &tl);
        for (size_t j = 0; j < tl.n; j++) {
            const char *t = toklist_get(&tl, j);
            counter_add(&cnt, t, strlen(t), 1);
        }
    }
    toklist_free(&tl);
    if (m->have_vocab) vocab_free(&m->voc);
    vocab_build(&m->voc, &cnt, min_count, (size_t)max_size);
    m->have_vocab = 1;
    counter_free(&cnt);
}

cJSON *cli_set_embedding(model *m, float *mat, int dim, const char *source)
{
    memset(mat, 0, sizeof(float) * 2 * (size_t)dim);   /* <pad>, <unk>: not words, start at zero */
    if (m->emb_owned) ffree(m->emb);
    m->emb = fzeros(m->voc.n * (size_t)dim);
    memcpy(m->emb, mat, m->voc.n * (size_t)dim * sizeof(float));
    m->emb_owned = 1;
    m->embed_dim = dim;
    free(mat);
    cJSON_Delete(m->embed_info);
    cJSON *e = m->embed_info = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "source", source);
    cJSON_AddNumberToObject(e, "dim", dim);
    return e;
}

int cli_embed(model *m, const char *vec_path, long expect_dim, int quiet)
{
    float *mat = NULL;
    unsigned char *found = NULL;
    vec_stats st;
    if (vectors_load(vec_path, &m->voc.m, expect_dim, &mat, &found, &st) < 0) return -1;
    long types = 0, types_found = 0;
    long long toks = 0, toks_found = 0;
    for (size_t i = 2; i < m->voc.n; i++) {
        types++;
        toks += m->voc.counts[i];
        if (found[i]) { types_found++; toks_found += m->voc.counts[i]; }
    }
    free(found);
    cJSON *e = cli_set_embedding(m, mat, (int)st.dim, vec_path);
    cJSON_AddNumberToObject(e, "vectors_in_file", (double)st.rows);
    cJSON_AddNumberToObject(e, "types", (double)types);
    cJSON_AddNumberToObject(e, "types_found", (double)types_found);
    cJSON_AddNumberToObject(e, "tokens", (double)toks);
    cJSON_AddNumberToObject(e, "tokens_found", (double)toks_found);
    cJSON_AddNumberToObject(e, "type_coverage", types ? (double)types_found / types : 0);
    cJSON_AddNumberToObject(e, "token_coverage", toks ? (double)toks_found / toks : 0);
    if (!quiet)
        fprintf(stderr, "embed: %s: %ld vectors of dimension %ld; vocabulary coverage: "
                "%ld/%ld types (%.1f%%), %lld/%lld tokens (%.1f%%)\n",
                vec_path, st.rows, st.dim, types_found, types, types ? 100.0 * types_found / types : 0,
                toks_found, toks, toks ? 100.0 * toks_found / toks : 0);
    return 0;
}

int is_model_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 0;
    char buf[8];
    ssize_t r = read(fd, buf, 8);
    close(fd);
    return r == 8 && memcmp(buf, "SEQSENT\x1a", 8) == 0;
}

int cli_load_base(model *m, const char *path)
{
    if (is_model_file(path)) return model_load(m, path, MODEL_COPY);
    if (access(path, R_OK) != 0) return err_set("%s: %s", path, strerror(errno));
    model_init(m);
    if (vocab_read_text(&m->voc, path) < 0) return -1;
    m->have_vocab = 1;
    m->dict_source = xstrdup("none");
    return 0;
}

/* s without leading and trailing white space: *len bytes from the result. */
static const char *trimmed(const char *s, size_t *len)
{
    while (*s == ' ' || (*s >= '\t' && *s <= '\r')) s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r'))) n--;
    *len = n;
    return s;
}

/* --exclude: drop d's rows whose text is a text of one of c's exclude
 * files, or a near copy of one, and say how many on stderr.  A near copy
 * has the same letters and digits (text_match_key: other spaces,
 * punctuation, case or full-width forms -- a review pasted again on
 * another site), or is cut short: its letters and digits begin the
 * other's, or the other's begin its, EXCLUDE_PREFIX or more of them.
 * 251 of ChnSentiCorp's test reviews are in online_shopping.train so,
 * beside the 906 there as they are.  Only a whole text cut short: two
 * texts that merely open alike stay apart (templated English reviews
 * share 40 letters of "I went in with no expectations. The ...").  A
 * text with no letter or digit matches only itself (trimmed).  An exclude
 * file is read by its own name's format (a CSV test set beside a corpus
 * of lines) with the data options' columns and encoding.  -1 with err_set
 * when one cannot be read. */
#define EXCLUDE_PREFIX 40

typedef struct {
    strmap exact;      /* the files' texts, trimmed */
    strmap keys;       /* their match keys */
    strmap prefixes;   /* the first EXCLUDE_PREFIX characters of the keys that long */
    int32_t *first;    /* prefix id -> its first key id (-1: none) */
    int32_t *next;     /* key id -> the next key id of its prefix (-1: none) */
} exclusion;

static void exclusion_add(exclusion *x, const char *t, size_t len)
{
    size_t nch, pb, klen;
    strmap_put(&x->exact, t, len, NULL);
    char *k = text_match_key(t, len, EXCLUDE_PREFIX, &nch, &pb, &klen);
    int is_new = 0;
    int32_t id = nch ? strmap_put(&x->keys, k, klen, &is_new) : -1;
    if (is_new && nch >= EXCLUDE_PREFIX) {
        int pnew;
        int32_t p = strmap_put(&x->prefixes, k, pb, &pnew);
        if (pnew) {
            x->first = xrealloc(x->first, x->prefixes.n * sizeof *x->first);
            x->first[p] = -1;
        }
        x->next = xrealloc(x->next, x->keys.n * sizeof *x->next);
        x->next[id] = x->first[p];
        x->first[p] = id;
    }
    free(k);
}

/* 0: t is none of x's texts; 1: one of them as it is; 2: a near copy. */
static int exclusion_match(const exclusion *x, const char *t, size_t len)
{
    if (strmap_get(&x->exact, t, len) >= 0) return 1;
    size_t nch, pb, klen;
    char *k = text_match_key(t, len, EXCLUDE_PREFIX, &nch, &pb, &klen);
    int near = nch && strmap_get(&x->keys, k, klen) >= 0;
    int32_t p = !near && nch >= EXCLUDE_PREFIX ? strmap_get(&x->prefixes, k, pb) : -1;
    for (int32_t id = p >= 0 ? x->first[p] : -1; id >= 0 && !near; id = x->next[id]) {
        size_t ol = strmap_keylen(&x->keys, id);
        near = !memcmp(k, strmap_key(&x->keys, id), ol < klen ? ol : klen);   /* one begins the other */
    }
    free(k);
    return near ? 2 : 0;
}

static void exclusion_free(exclusion *x)
{
    strmap_free(&x->exact);
    strmap_free(&x->keys);
    strmap_free(&x->prefixes);
    free(x->first);
    free(x->next);
}

static int exclude_rows(dataset *d, const common_opts *c)
{
    exclusion x = {0};
    strmap_init(&x.exact);
    strmap_init(&x.keys);
    strmap_init(&x.prefixes);
    for (int f = 0; f < c->nexclude; f++) {
        data_opts o = c->data;
        o.fmt = data_format_for_texts(c->exclude[f], FMT_AUTO, o.encoding);
        o.label_sep = NULL;
        dataset ds;
        if (dataset_load(c->exclude[f], &o, 0, &ds) < 0) {
            exclusion_free(&x);
            return -1;
        }
        for (size_t i = 0; i < ds.n; i++) {
            size_t len;
            const char *t = trimmed(ds.text[i], &len);
            exclusion_add(&x, t, len);
        }
        dataset_free(&ds);
    }
    size_t k = 0, near = 0;
    for (size_t i = 0; i < d->n; i++) {
        size_t len;
        const char *t = trimmed(d->text[i], &len);
        int m = exclusion_match(&x, t, len);
        if (m) {
            near += m == 2;
            free(d->text[i]);
            if (d->label) free(d->label[i]);
            continue;
        }
        d->text[k] = d->text[i];
        if (d->label) d->label[k] = d->label[i];
        d->line[k++] = d->line[i];
    }
    d->excluded = d->n - k;
    char how[160] = "";
    if (near)
        snprintf(how, sizeof how, "; %zu of them near copies: the same letters and digits, or cut short", near);
    fprintf(stderr, "seqsent: %s: %zu of %zu text%s left out: also in %s%s (--exclude%s)\n", d->path, d->excluded,
            d->n, d->n == 1 ? "" : "s", c->exclude[0], c->nexclude > 1 ? " or another --exclude file" : "", how);
    d->n = k;
    exclusion_free(&x);
    return 0;
}

int cli_load_texts(const char *path, const common_opts *c, int need_labels, dataset *d)
{
    if (dataset_load(path, &c->data, need_labels, d) < 0) return -1;
    cli_note_bad_utf8(d->path, d->bad_utf8);
    if (c->nexclude && exclude_rows(d, c) < 0) {
        dataset_free(d);
        return -1;
    }
    return 0;
}

size_t cli_texts_excluded(const cli_texts *t)
{
    size_t n = 0;
    for (int i = 0; i < t->nds; i++) n += t->ds[i].excluded;
    return n;
}

void cli_note_excluded(cJSON *train_info, const common_opts *c, size_t n)
{
    if (!c->nexclude) return;
    cJSON *x = cJSON_AddObjectToObject(train_info, "excluded");
    cJSON *files = cJSON_AddArrayToObject(x, "files");
    for (int i = 0; i < c->nexclude; i++) cJSON_AddItemToArray(files, cJSON_CreateString(c->exclude[i]));
    cJSON_AddNumberToObject(x, "texts", (double)n);
}

void cli_texts_load(cli_texts *t, char *const *paths, int npaths, const common_opts *c)
{
    memset(t, 0, sizeof *t);
    t->ds = xcalloc((size_t)npaths, sizeof *t->ds);
    for (int i = 0; i < npaths; i++) {
        dataset *d = &t->ds[t->nds++];
        if (cli_load_texts(paths[i], c, 0, d) < 0) die_err(EXIT_FAIL);
        t->text = xrealloc(t->text, (t->n + d->n + 1) * sizeof *t->text);
        if (d->n) memcpy(t->text + t->n, d->text, d->n * sizeof *t->text);   /* an empty file has no array */
        t->n += d->n;
    }
}

void cli_corpus_load(model *m, cli_texts *t, char *const *paths, int npaths, const common_opts *c,
                     const char *note_cmd)
{
    model_init(m);
    cli_texts_load(t, paths, npaths, c);
    if (cli_setup_tokenizer(m, c, NULL, t->text, t->n, note_cmd) < 0) die_err(EXIT_FAIL);
}

void cli_note_bad_utf8(const char *path, size_t n)
{
    if (n)   /* a few stray bytes: read, but never in silence */
        fprintf(stderr, "seqsent: %s: %zu invalid UTF-8 sequence%s read as U+FFFD\n", path, n, n == 1 ? "" : "s");
}

void cli_note_unknown(const char *cmd, const char *path, size_t tokens, size_t unknown)
{
    if (tokens && (double)unknown > 0.3 * (double)tokens)
        fprintf(stderr, "seqsent: %s: %.0f%% of the tokens of %s are not in the model's vocabulary: is it the "
                "language and tokenizer the model was trained on?\n", cmd, 100.0 * (double)unknown / (double)tokens,
                path);
}

void cli_each_line(const char *path, cli_line_fn fn, void *ctx)
{
    csv_reader *r = csv_open(path, FMT_LINES);
    if (!r) die_err(EXIT_FAIL);
    char **fields;
    size_t nf;
    int rc;
    while ((rc = csv_next(r, &fields, &nf)) == 1) {
        fn(fields[0], r, ctx);
        /* a write error (disk full, reader gone) ends the run at once */
        if (ferror(stdout) || (csv_would_block(r) && fflush(stdout) != 0)) finish_stdout();
    }
    if (rc < 0) die_err(EXIT_FAIL);
    cli_note_bad_utf8(csv_path(r), csv_bad_utf8(r));
    csv_close(r);
}

void cli_each_text(char *const *paths, int nfiles, const common_opts *c, cli_line_fn fn, void (*idle)(void *ctx),
                   void *ctx)
{
    for (int f = 0; f < (nfiles ? nfiles : 1); f++) {
        const char *path = nfiles ? paths[f] : "-";
        data_format fmt = data_format_for_texts_prefix(path, c->data.fmt, c->data.encoding, c->data.label_prefix);
        text_reader *r = text_reader_open(path, fmt, &c->data);
        if (!r) die_err(EXIT_FAIL);
        char *text;
        int rc;
        while ((rc = text_next(r, &text)) == 1) {
            fn(text, NULL, ctx);
            /* a write error (disk full, reader gone) ends the run at once */
            if (ferror(stdout)) finish_stdout();
            if (text_would_block(r)) {
                if (idle) idle(ctx);
                if (fflush(stdout) != 0) finish_stdout();
            }
        }
        if (rc < 0 && idle) {   /* the texts before the bad one first; idle may set a message of its own */
            char *msg = xstrdup(err_msg());
            idle(ctx);
            die(EXIT_FAIL, "%s", msg);
        }
        if (rc < 0) die_err(EXIT_FAIL);
        if (idle) idle(ctx);
        cli_note_bad_utf8(text_path(r), text_bad_utf8(r));
        text_reader_close(r);
    }
}

void cli_texts_free(cli_texts *t)
{
    for (int i = 0; i < t->nds; i++) dataset_free(&t->ds[i]);
    free(t->ds);
    free(t->text);
    memset(t, 0, sizeof *t);
}

void cli_check_output(const char *path)
{
    if (!path || !strcmp(path, "-")) return;
    struct stat so, si;
    if (stat(path, &so) == 0 && S_ISREG(so.st_mode)) {
        /* the output renamed into place would replace a file this run
         * reads: data lost (a model given as input may be replaced: embed
         * BASE -o BASE, train --resume M -o M) */
        const char *args[256];
        int n = opt_input_args(args, 256);
        for (int i = 0; i < n; i++)
            if (strcmp(args[i], "-") && stat(args[i], &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino &&
                !is_model_file(args[i]))
                die(EXIT_USAGE, "%s: the output would replace %s, a file this run reads; give the output another name",
                    path, args[i]);
    }
    atomic_file af;
    if (atomic_open(&af, path) < 0) die_err(EXIT_FAIL);
    atomic_abort(&af);   /* removes the temp file (a device is only closed) */
}

static int resolve_threads(int threads)
{
    if (threads > 0) return threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int cli_set_threads(int threads)
{
    threads = resolve_threads(threads);
    blas_set_threads(threads);   /* a pool of our own workers sets it to 1 while it lives */
    return threads;
}

int cli_set_threads_inference(int threads)
{
    blas_set_threads(1);
    return resolve_threads(threads);
}

void cli_join_job(int *quiet, int *quiet2)
{
    if (dist_start(NULL, NULL) < 0) die_err(EXIT_FAIL);
    if (dist_rank() > 0) *quiet = *quiet2 = 1;
}

void cli_note_idle_ranks(const char *cmd, int shards, int quiet)
{
    int n = dist_size();
    if (n > shards && !quiet)
        fprintf(stderr, "%s: note: %d ranks but %d shards per batch: %d rank%s idle; give --shards a multiple of the rank count\n",
                cmd, n, shards, n - shards, n - shards == 1 ? "" : "s");
}

void cli_exit_interrupted(int sig)
{
    /* every rank waits here (a rank's exit status 130 ends the job: not
     * before rank 0 has written), and all exit with one status, whichever
     * rank mpirun reports first: SIGTERM's if any rank got SIGTERM (a rank
     * that got no signal stopped because another did) */
    sig = dist_any(sig == SIGTERM);
    dist_finish();
    exit(sig ? EXIT_SIGTERM : EXIT_SIGINT);
}

/* The length of the valid UTF-8 character at s[0..rem), or 0. */
static size_t utf8_char(const unsigned char *s, size_t rem)
{
    uint32_t cp;
    return s[0] < 0x80 ? 1 : dec_utf8(s, rem, &cp);
}

int cli_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    for (size_t len; p < e; p += len)
        if (!(len = utf8_char(p, (size_t)(e - p)))) return 0;
    return 1;
}

char *cli_utf8_clean(const char *s)
{
    size_t n = strlen(s);
    char *o = xmalloc(3 * n + 1), *w = o;
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        size_t len = utf8_char(p, (size_t)(e - p));
        if (!len) {
            memcpy(w, "\xEF\xBF\xBD", 3);
            w += 3;
            p++;
            while (p < e && (*p & 0xC0) == 0x80) p++;   /* with its stray continuation bytes */
            continue;
        }
        memcpy(w, p, len);
        w += len;
        p += len;
    }
    *w = '\0';
    return o;
}

/* Probabilities rounded to 6 decimals, as printed in TSV (cJSON prints them short). */
static double r6(double p) { return round(p * 1e6) / 1e6; }

/* "probabilities" and, with ntop > 0, "top" into obj. */
static void add_probabilities(cJSON *obj, char *const *labels, int L, const double *p, const int *top, int ntop)
{
    cJSON *all = cJSON_AddObjectToObject(obj, "probabilities");
    for (int k = 0; k < L; k++) cJSON_AddNumberToObject(all, labels[k], r6(p[k]));
    if (ntop > 0) {
        cJSON *arr = cJSON_AddArrayToObject(obj, "top");
        for (int i = 0; i < ntop; i++) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "label", labels[top[i]]);
            cJSON_AddNumberToObject(t, "probability", r6(p[top[i]]));
            cJSON_AddItemToArray(arr, t);
        }
    }
}

cJSON *cli_prediction_json(char *const *labels, int L, const double *p, int best, const int *top, int ntop)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "label", labels[best]);
    cJSON_AddNumberToObject(obj, "probability", r6(p[best]));
    add_probabilities(obj, labels, L, p, top, ntop);
    return obj;
}

cJSON *cli_multilabel_json(char *const *labels, int L, const double *p, const int *order, int nchosen, int ntop)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON *chosen = cJSON_AddArrayToObject(obj, "labels");
    for (int i = 0; i < nchosen; i++) cJSON_AddItemToArray(chosen, cJSON_CreateString(labels[order[i]]));
    add_probabilities(obj, labels, L, p, order, ntop);
    return obj;
}

int cli_load_wordspace(const char *path, model *m, wordspace *ws)
{
    if (is_model_file(path)) {   /* a model's (or an embed file's) embedding */
        if (model_load(m, path, 0) < 0) return -1;
        if (!m->emb && m->net && m->net->prec) {   /* quantized: the rows as floats */
            m->emb = falloc(m->voc.n * (size_t)m->embed_dim);
            m->emb_owned = 1;
            for (size_t i = 0; i < m->voc.n; i++) net_embedding_row(m->net, (int32_t)i, m->emb + i * (size_t)m->embed_dim);
        }
        if (!m->emb) {
            model_free(m);
            return err_set("%s: a vocabulary without vectors; give a word2vec file or a model with an embedding", path);
        }
        wordspace_init(ws, &m->voc, m->emb, m->voc.n, m->embed_dim);
        return 0;
    }
    model_init(m);   /* word2vec: every word, in file order */
    strmap_init(&m->voc.m);
    m->have_vocab = 1;
    long dim = 0;
    if (vectors_words(path, &m->voc.m, &dim) < 0) return -1;
    m->voc.n = m->voc.m.n;
    m->voc.counts = xcalloc(m->voc.n + 1, sizeof *m->voc.counts);
    float *vec;
    vec_stats st;
    if (vectors_load(path, &m->voc.m, dim, &vec, NULL, &st) < 0) return -1;
    m->emb = vec;
    m->emb_owned = 1;
    m->embed_dim = (int)dim;
    wordspace_init(ws, &m->voc, vec, m->voc.n, (int)dim);
    return 0;
}
