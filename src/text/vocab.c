/* vocab.c - token counting, vocabulary construction, listings, padding
 * (see vocab.h).
 *
 * Tokens are counted and looked up through base/strmap (one hash table per
 * counter / vocabulary); ids are assigned by a total order (count, then
 * bytes), so the same data always gives the same ids on every machine and
 * the listing written for a model reads back to the same vocabulary.
 */
#include "text/vocab.h"
#include "base/err.h"
#include "base/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void counter_init(counter *c) { memset(c, 0, sizeof *c); strmap_init(&c->m); }

void counter_free(counter *c) { strmap_free(&c->m); free(c->cnt); memset(c, 0, sizeof *c); }

void counter_add(counter *c, const char *tok, size_t len, int64_t n)
{
    int32_t id = strmap_put(&c->m, tok, len, NULL);
    if ((size_t)id >= c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        while (cap <= (size_t)id) cap *= 2;
        c->cnt = xrealloc(c->cnt, cap * sizeof *c->cnt);
        memset(c->cnt + c->cap, 0, (cap - c->cap) * sizeof *c->cnt);
        c->cap = cap;
    }
    c->cnt[id] += n;
    c->total += n;
}

static const counter *sort_ctx;

static int by_count_then_token(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    int64_t cx = sort_ctx->cnt[x], cy = sort_ctx->cnt[y];
    if (cx != cy) return cx > cy ? -1 : 1;
    return strcmp(strmap_key(&sort_ctx->m, x), strmap_key(&sort_ctx->m, y));
}

/* counts for cap tokens (geometric growth: a realloc per token is a copy
 * per token); borrowed ones copied into our own. */
static void counts_room(vocab *v, size_t cap)
{
    if (v->borrowed) {
        int64_t *own = xmalloc(cap * sizeof *own);
        memcpy(own, v->counts, v->n * sizeof *own);
        v->counts = own;
        v->borrowed = 0;
    } else {
        v->counts = xrealloc(v->counts, cap * sizeof *v->counts);
    }
    v->cap = cap;
}

int32_t vocab_add(vocab *v, const char *tok, size_t len, int64_t count)
{
    int is_new;
    int32_t id = strmap_put(&v->m, tok, len, &is_new);
    if (is_new) {
        if (v->m.n > v->cap || v->borrowed) counts_room(v, v->m.n > 2 * v->cap ? v->m.n : 2 * v->cap);
        v->counts[id] = count;
        v->n = v->m.n;
    }
    return id;
}

int vocab_adopt(vocab *v, const char *tokens, size_t bytes, const int64_t *counts, size_t n)
{
    memset(v, 0, sizeof *v);
    strmap_init(&v->m);
    int rc = strmap_adopt(&v->m, tokens, bytes, n);
    if (rc < 0) {
        strmap_free(&v->m);
        return rc;
    }
    v->counts = (int64_t *)counts;  /* only read while borrowed */
    v->n = n;
    v->borrowed = 1;
    return 0;
}

static void vocab_start(vocab *v)
{
    memset(v, 0, sizeof *v);
    strmap_init(&v->m);
    vocab_add(v, VOCAB_PAD_TOKEN, strlen(VOCAB_PAD_TOKEN), 0);
    vocab_add(v, VOCAB_UNK_TOKEN, strlen(VOCAB_UNK_TOKEN), 0);
}

void vocab_build(vocab *v, const counter *c, int64_t min_count, size_t max_size)
{
    vocab_start(v);
    int32_t *order = xmalloc((c->m.n + 1) * sizeof *order);
    size_t k = 0;
    for (size_t i = 0; i < c->m.n; i++)
        if (c->cnt[i] >= min_count) order[k++] = (int32_t)i;
    sort_ctx = c;
    qsort(order, k, sizeof *order, by_count_then_token);
    for (size_t i = 0; i < k; i++) {
        if (max_size && v->n >= max_size) break;
        /* a data token spelled like a reserved one maps to it */
        vocab_add(v, strmap_key(&c->m, order[i]), strmap_keylen(&c->m, order[i]), c->cnt[order[i]]);
    }
    free(order);
}

void vocab_free(vocab *v)
{
    strmap_free(&v->m);
    if (!v->borrowed) free(v->counts);
    memset(v, 0, sizeof *v);
}

int vocab_write_text(const vocab *v, const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return err_set("%s: %s", path, strerror(errno));
    for (size_t i = 2; i < v->n; i++)
        fprintf(f, "%s\t%lld\n", vocab_token(v, (int32_t)i), (long long)v->counts[i]);
    fclose(f);
    int rc = write_file_atomic(path, buf, len);
    free(buf);
    return rc;
}

int vocab_read_text(vocab *v, const char *path)
{
    vocab_start(v);
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        int e = errno;
        vocab_free(v);
        return err_set("%s: %s", path, strerror(e));
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            memmove(line, line + 3, (size_t)len - 2);
            len -= 3;
        }
        if (len == 0) continue;
        if (memchr(line, '\0', (size_t)len)) { rc = err_set("%s:%ld: NUL byte in input", path, lineno); break; }
        char *tab = strchr(line, '\t');
        long long count = 0;
        size_t toklen = tab ? (size_t)(tab - line) : (size_t)len;
        if (tab) {
            char *end;
            errno = 0;
            count = strtoll(tab + 1, &end, 10);
            if (end == tab + 1 || *end || errno || count < 0) {
                rc = err_set("%s:%ld: bad count '%s' (expected token<TAB>count)", path, lineno, tab + 1);
                break;
            }
        }
        if (toklen == 0) { rc = err_set("%s:%ld: empty token", path, lineno); break; }
        int32_t before = (int32_t)v->n;
        int32_t id = vocab_add(v, line, toklen, count);
        if (id < before) {   /* seen before, or spelled like <pad>/<unk> */
            rc = err_set("%s:%ld: duplicate token '%.*s'", path, lineno, (int)toklen, line);
            break;
        }
    }
    int read_err = rc == 0 && ferror(f) ? errno : 0;   /* getline failed: not EOF */
    free(line);
    if (f != stdin) fclose(f);
    if (read_err) rc = err_set("%s: %s", path, strerror(read_err));
    else if (rc == 0 && v->n <= 2) rc = err_set("%s: empty vocabulary", path);
    if (rc < 0) vocab_free(v);
    return rc;
}

void pad_sequence(const int32_t *ids, size_t n, int maxlen, int pad_pre, int trunc_pre,
                  int32_t value, int32_t *out)
{
    size_t keep = n < (size_t)maxlen ? n : (size_t)maxlen;
    const int32_t *src = trunc_pre ? ids + (n - keep) : ids;
    size_t pad = (size_t)maxlen - keep;
    int32_t *dst = pad_pre ? out + pad : out;
    if (keep) memcpy(dst, src, keep * sizeof *src);
    int32_t *p = pad_pre ? out : out + keep;
    for (size_t i = 0; i < pad; i++) p[i] = value;
}
