/* test_plot.c - plot_history_svg: well-formed, deterministic SVG; errors. */
#include "base/err.h"
#include "train/plot.h"
#include "test.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/seqsent-test-plot.XXXXXX";

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    size_t r;
    while ((r = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n < 2) b = realloc(b, cap *= 2);
    }
    fclose(f);
    b[n] = '\0';
    if (len) *len = n;
    return b;
}

static int count(const char *s, const char *needle)
{
    int c = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle)) c++;
    return c;
}

/* A small XML checker: tags nest and match, attributes are name="value",
 * text holds no stray '<' or '&' other than entity references.  Returns
 * NULL when well formed, else a description. */
static const char *xml_check(const char *s)
{
    static char why[200];
    char stack[64][32];
    int depth = 0, roots = 0;
    const char *p = s;
    while (*p) {
        if (*p != '<') {
            if (*p == '&') {
                const char *e = strchr(p, ';');
                if (!e || e - p > 8) return "bare '&' in text";
                p = e + 1;
            } else {
                if (!depth && !isspace((unsigned char)*p)) return "text outside the root element";
                p++;
            }
            continue;
        }
        p++;
        int closing = *p == '/';
        if (closing) p++;
        char name[32];
        size_t k = 0;
        while (isalnum((unsigned char)*p) || *p == '-' || *p == ':') {
            if (k < sizeof name - 1) name[k++] = *p;
            p++;
        }
        name[k] = '\0';
        if (!k) return "tag without a name";
        if (closing) {
            while (isspace((unsigned char)*p)) p++;
            if (*p != '>') return "junk in a closing tag";
            p++;
            if (!depth || strcmp(stack[depth - 1], name)) {
                snprintf(why, sizeof why, "</%s> does not close <%s>", name, depth ? stack[depth - 1] : "");
                return why;
            }
            depth--;
            continue;
        }
        for (;;) {   /* attributes */
            while (isspace((unsigned char)*p)) p++;
            if (*p == '>' || (*p == '/' && p[1] == '>')) break;
            if (!isalpha((unsigned char)*p)) return "bad attribute name";
            while (isalnum((unsigned char)*p) || *p == '-' || *p == ':') p++;
            if (*p++ != '=') return "attribute without '='";
            if (*p++ != '"') return "attribute value not quoted";
            while (*p && *p != '"') {
                if (*p == '<') return "'<' in an attribute value";
                p++;
            }
            if (*p++ != '"') return "unterminated attribute value";
        }
        if (*p == '/') { p += 2; if (!depth) roots++; continue; }
        p++;
        if (!depth) roots++;
        if (depth == 64) return "nesting too deep";
        snprintf(stack[depth++], sizeof stack[0], "%s", name);
    }
    if (depth) return "unclosed element";
    if (roots != 1) return "not exactly one root element";
    return NULL;
}

/* Every number in attribute values and text is finite: no nan/inf anywhere. */
static int all_finite(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (!strncasecmp(p, "nan", 3) && !isalpha((unsigned char)p[3]) && (p == s || !isalpha((unsigned char)p[-1]))) return 0;
        if (!strncasecmp(p, "inf", 3) && (p == s || !isalpha((unsigned char)p[-1]))) return 0;
    }
    /* and the path data parse as numbers */
    for (const char *p = strstr(s, " d=\""); p; p = strstr(p + 1, " d=\"")) {
        const char *q = p + 4;
        while (*q && *q != '"') {
            if (*q == 'M' || *q == 'L' || *q == ' ') { q++; continue; }
            char *end;
            double v = strtod(q, &end);
            if (end == q || !isfinite(v) || v < -1 || v > 2000) return 0;
            q = end;
        }
    }
    return 1;
}

static cJSON *history(int epochs, int with_val)
{
    cJSON *h = cJSON_CreateArray();
    for (int e = 1; e <= epochs; e++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "epoch", e);
        cJSON_AddNumberToObject(o, "loss", 0.7 / e);
        cJSON_AddNumberToObject(o, "accuracy", 0.5 + 0.09 * e);
        if (with_val) {
            cJSON_AddNumberToObject(o, "val_loss", 0.72 / sqrt(e));
            cJSON_AddNumberToObject(o, "val_accuracy", 0.48 + 0.07 * e);
        }
        cJSON_AddItemToArray(h, o);
    }
    return h;
}

static void check_svg(const char *path, int with_val, int epochs, const char *label)
{
    size_t len;
    char *s = slurp(path, &len);
    CHECK_MSG(s != NULL, "%s: %s not written", label, path);
    if (!s) return;
    CHECK_MSG(!strncmp(s, "<svg", 4), "%s: starts with <svg", label);
    size_t n = len;
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    CHECK_MSG(n >= 6 && !strncmp(s + n - 6, "</svg>", 6), "%s: ends with </svg>", label);
    CHECK_MSG(strstr(s, "xmlns=\"http://www.w3.org/2000/svg\"") != NULL, "%s: SVG namespace", label);
    const char *why = xml_check(s);
    CHECK_MSG(why == NULL, "%s: well-formed: %s", label, why ? why : "");
    CHECK_MSG(all_finite(s), "%s: all numbers finite", label);
    CHECK_MSG(strstr(s, "<path id=\"loss-train\"") != NULL, "%s: loss-train path", label);
    CHECK_MSG(strstr(s, "<path id=\"accuracy-train\"") != NULL, "%s: accuracy-train path", label);
    int nval = (strstr(s, "<path id=\"loss-validation\"") != NULL) + (strstr(s, "<path id=\"accuracy-validation\"") != NULL);
    CHECK_MSG(nval == (with_val ? 2 : 0), "%s: %d validation paths", label, nval);
    CHECK_INT(count(s, "<path "), with_val ? 4 : 2);
    CHECK_INT(count(s, "stroke-dasharray"), with_val ? 3 : 0);   /* 2 paths + legend */
    /* one marker per point and series, plus one per legend entry */
    CHECK_INT(count(s, "<circle "), epochs * (with_val ? 4 : 2) + (with_val ? 2 : 1));
    /* every path has one M and epochs-1 L */
    const char *p = strstr(s, "<path id=\"loss-train\"");
    const char *d = p ? strstr(p, " d=\"") : NULL;
    if (d) {
        int m = 0, l = 0;
        for (const char *q = d + 4; *q && *q != '"'; q++) { m += *q == 'M'; l += *q == 'L'; }
        CHECK_INT(m, 1);
        CHECK_INT(l, epochs - 1);
    }
    CHECK_MSG(strstr(s, ">Loss<") && strstr(s, ">Accuracy<") && strstr(s, ">epoch<"), "%s: panel and axis titles", label);
    CHECK_MSG(strstr(s, ">training<") != NULL, "%s: legend", label);
    CHECK_MSG(!with_val == !strstr(s, ">validation<"), "%s: validation legend iff validation data", label);
    free(s);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 1; }
    char p1[256], p2[256], p3[256], p4[256];
    snprintf(p1, sizeof p1, "%s/val.svg", tmpdir);
    snprintf(p2, sizeof p2, "%s/noval.svg", tmpdir);
    snprintf(p3, sizeof p3, "%s/again.svg", tmpdir);
    snprintf(p4, sizeof p4, "%s/empty.svg", tmpdir);

    /* 5 epochs with validation */
    cJSON *hv = history(5, 1);
    CHECK_INT(plot_history_svg(hv, "movies <en> & \"friends\"", p1), 0);
    check_svg(p1, 1, 5, "with validation");
    char *s = slurp(p1, NULL);
    CHECK(s && strstr(s, "movies &lt;en&gt; &amp; &quot;friends&quot;") != NULL);
    CHECK(s && strstr(s, "<title>movies &lt;en&gt;") != NULL);
    /* deterministic: the same input gives the same bytes */
    CHECK_INT(plot_history_svg(hv, "movies <en> & \"friends\"", p3), 0);
    char *s2 = slurp(p3, NULL);
    CHECK(s && s2 && strcmp(s, s2) == 0);
    free(s);
    free(s2);

    /* 5 epochs without validation, default title */
    cJSON *hn = history(5, 0);
    CHECK_INT(plot_history_svg(hn, NULL, p2), 0);
    check_svg(p2, 0, 5, "without validation");
    s = slurp(p2, NULL);
    CHECK(s && strstr(s, "Training history") != NULL);
    free(s);

    /* a single epoch and a flat accuracy still give finite axes */
    cJSON *h1 = history(1, 1);
    CHECK_INT(plot_history_svg(h1, "one", p3), 0);
    check_svg(p3, 1, 1, "one epoch");

    /* a gap (null loss) splits the line into two segments */
    cJSON *hg = history(5, 0);
    cJSON_ReplaceItemInObject(cJSON_GetArrayItem(hg, 2), "loss", cJSON_CreateNull());
    CHECK_INT(plot_history_svg(hg, "gap", p3), 0);
    s = slurp(p3, NULL);
    const char *d = s ? strstr(strstr(s, "<path id=\"loss-train\""), " d=\"") : NULL;
    int m = 0;
    for (const char *q = d ? d + 4 : ""; *q && *q != '"'; q++) m += *q == 'M';
    CHECK_INT(m, 2);
    CHECK(s && xml_check(s) == NULL && all_finite(s));
    free(s);

    /* invalid UTF-8 and control characters in the title stay well formed */
    CHECK_INT(plot_history_svg(hn, "bad \xff\xfe utf8 \x01 \xe4\xb8\xad", p3), 0);
    s = slurp(p3, NULL);
    CHECK(s && xml_check(s) == NULL && strstr(s, "\xef\xbf\xbd") && strstr(s, "\xe4\xb8\xad") && !strchr(s, '\x01'));
    free(s);

    /* errors: empty history, not an array, non-object entry, nothing finite; no file written */
    cJSON *empty = cJSON_CreateArray();
    err_clear();
    CHECK_INT(plot_history_svg(empty, "x", p4), -1);
    CHECK(strstr(err_msg(), "empty") != NULL);
    CHECK(access(p4, F_OK) != 0);
    CHECK_INT(plot_history_svg(NULL, "x", p4), -1);
    cJSON *obj = cJSON_CreateObject();
    CHECK_INT(plot_history_svg(obj, "x", p4), -1);
    cJSON *bad = cJSON_CreateArray();
    cJSON_AddItemToArray(bad, cJSON_CreateNumber(1));
    CHECK_INT(plot_history_svg(bad, "x", p4), -1);
    cJSON *nothing = cJSON_CreateArray();
    cJSON *e1 = cJSON_CreateObject();
    cJSON_AddNumberToObject(e1, "epoch", 1);
    cJSON_AddItemToArray(nothing, e1);
    CHECK_INT(plot_history_svg(nothing, "x", p4), -1);
    CHECK(access(p4, F_OK) != 0);
    /* an unwritable path is an error naming it */
    CHECK_INT(plot_history_svg(hn, "x", "/nonexistent-dir/x.svg"), -1);
    CHECK(strstr(err_msg(), "/nonexistent-dir/x.svg") != NULL);

    cJSON_Delete(hv);
    cJSON_Delete(hn);
    cJSON_Delete(h1);
    cJSON_Delete(hg);
    cJSON_Delete(empty);
    cJSON_Delete(obj);
    cJSON_Delete(bad);
    cJSON_Delete(nothing);
    unlink(p1);
    unlink(p2);
    unlink(p3);
    rmdir(tmpdir);
    TEST_END();
}
