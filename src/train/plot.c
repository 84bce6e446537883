/* plot.c - training curves (loss and accuracy by epoch) as a standalone SVG.
 *
 * Layout (user units = pixels): a 960 x 420 canvas with a white background,
 * the title centred at the top, a shared legend under it, and two panels
 * side by side, loss on the left and accuracy on the right.  Each panel has
 * a frame, light horizontal grid lines at the y ticks, tick marks and
 * labels on both axes, an axis title on each, and one path per series
 * (training solid, validation dashed) with its points marked (training
 * filled, validation hollow) when there are at most 60 epochs.
 *
 * Axis ranges: x spans the epochs with a small margin (whole-number ticks);
 * y spans the finite values rounded out to "nice" tick steps (1, 2 or 5
 * times a power of ten), and the accuracy axis stays within [0, 1].
 *
 * Every number is printed with a fixed format, no time or random input is
 * used, so the same history gives the same bytes.
 */
#include "train/plot.h"
#include "base/err.h"
#include "base/fileio.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 960
#define H 420
#define PANEL_W 480
#define PLOT_TOP 100
#define PLOT_BOTTOM (H - 62)
#define MARGIN_L 78
#define MARGIN_R 24
#define MAX_MARKERS 60

static const char *const COLOR_TRAIN = "#1f77b4";
static const char *const COLOR_VAL = "#ff7f0e";

typedef struct series {
    const char *key;       /* "loss", "val_loss", ... */
    const char *id;        /* element id, e.g. "loss-train" */
    int val;               /* validation: dashed, hollow markers */
    double *y;             /* [n], NaN = missing */
    int finite;            /* number of finite values */
} series;

typedef struct axis {
    double lo, hi, step;   /* range and tick step */
    int decimals;          /* for tick labels */
} axis;

/* Heckbert's "nice numbers": 1, 2, 5 or 10 times a power of ten. */
static double nice_num(double x, int round_it)
{
    double e = floor(log10(x)), f = x / pow(10, e), nf;
    if (round_it) nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nf * pow(10, e);
}

static int step_decimals(double step)
{
    int d = (int)-floor(log10(step) + 1e-9);
    return d < 0 ? 0 : d > 10 ? 10 : d;
}

/* y axis over [lo, hi] with about 5 ticks; clamp01 keeps it within [0, 1]. */
static axis y_axis(double lo, double hi, int clamp01)
{
    axis a;
    if (!(hi - lo > 1e-12 * (fabs(lo) + fabs(hi)) && hi - lo > 1e-300)) {   /* flat (or a single value) */
        double pad = fabs(lo) * 0.1 > 0.05 ? fabs(lo) * 0.1 : 0.05;
        lo -= pad;
        hi += pad;
    } else {   /* a little air, so that extreme points are off the frame */
        double pad = (hi - lo) * 0.03;
        lo -= pad;
        hi += pad;
    }
    if (clamp01) {
        if (lo < 0) lo = 0;
        if (hi > 1) hi = 1;
    }
    double range = nice_num(hi - lo, 0);
    a.step = nice_num(range / 4, 1);
    a.lo = floor(lo / a.step + 1e-9) * a.step;
    a.hi = ceil(hi / a.step - 1e-9) * a.step;
    if (clamp01) {
        if (a.lo < 0) a.lo = 0;
        if (a.hi > 1) a.hi = 1;
    }
    if (a.hi <= a.lo) a.hi = a.lo + a.step;
    a.decimals = step_decimals(a.step);
    return a;
}

/* x axis over epochs [lo, hi]: whole-number ticks, a margin on both sides. */
static axis x_axis(double lo, double hi)
{
    axis a;
    double span = hi - lo;
    a.step = span > 0 ? nice_num(span / 8, 1) : 1;
    if (a.step < 1) a.step = 1;
    double pad = span > 0 ? span * 0.04 : 0.5;
    a.lo = lo - pad;
    a.hi = hi + pad;
    a.decimals = step_decimals(a.step);
    return a;
}

/* Title text for XML: & < > " ' escaped, control characters and invalid
 * UTF-8 replaced (by a space and U+FFFD). */
static void put_escaped(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            switch (c) {
            case '&': fputs("&amp;", f); break;
            case '<': fputs("&lt;", f); break;
            case '>': fputs("&gt;", f); break;
            case '"': fputs("&quot;", f); break;
            case '\'': fputs("&apos;", f); break;
            default: fputc(c < 0x20 || c == 0x7f ? ' ' : (int)c, f);
            }
            p++;
            continue;
        }
        int len = (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        int ok = len > 0;
        for (int i = 1; ok && i < len; i++) ok = (p[i] & 0xC0) == 0x80;   /* stops at the NUL */
        if (ok && len == 3) ok = !(c == 0xE0 && p[1] < 0xA0) && !(c == 0xED && p[1] > 0x9F);
        if (ok && len == 4) ok = !(c == 0xF0 && p[1] < 0x90) && !(c == 0xF4 && p[1] > 0x8F);
        if (!ok) {
            fputs("\xEF\xBF\xBD", f);
            p++;
            continue;
        }
        fwrite(p, 1, (size_t)len, f);
        p += len;
    }
}

static double sx(const axis *a, double left, double right, double x)
{
    return left + (x - a->lo) / (a->hi - a->lo) * (right - left);
}

static double sy(const axis *a, double x)
{
    return PLOT_BOTTOM - (x - a->lo) / (a->hi - a->lo) * (PLOT_BOTTOM - PLOT_TOP);
}

static void panel(FILE *f, int index, const char *name, const char *ylabel, const double *ep, size_t n,
                  const axis *xa, series *s, int ns, int clamp01)
{
    double x0 = index * PANEL_W, left = x0 + MARGIN_L, right = x0 + PANEL_W - MARGIN_R;
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < ns; k++)
        for (size_t i = 0; i < n; i++)
            if (isfinite(s[k].y[i])) {
                if (s[k].y[i] < lo) lo = s[k].y[i];
                if (s[k].y[i] > hi) hi = s[k].y[i];
            }
    int any = lo <= hi;
    axis ya = any ? y_axis(lo, hi, clamp01) : (axis){ 0, 1, 0.2, 1 };

    fprintf(f, "<g id=\"panel-%s\">\n", name);
    fprintf(f, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">%s</text>\n",
            (left + right) / 2, PLOT_TOP - 12, ylabel[0] == 'l' ? "Loss" : ylabel[0] == 'm' ? "Micro-F1" : "Accuracy");
    /* grid, y ticks and labels */
    int nyt = (int)floor((ya.hi - ya.lo) / ya.step + 1e-6);
    for (int i = 0; i <= nyt; i++) {
        double v = ya.lo + i * ya.step;
        if (fabs(v) < ya.step * 1e-9) v = 0;
        double y = sy(&ya, v);
        if (i > 0 && i < nyt)
            fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#e6e6e6\" stroke-width=\"1\"/>\n",
                    left, y, right, y);
        fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#444444\" stroke-width=\"1\"/>\n",
                left - 5, y, left, y);
        fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%.*f</text>\n", left - 8, y + 4, ya.decimals, v);
    }
    /* x ticks and labels */
    double first = ceil(xa->lo / xa->step - 1e-9) * xa->step;
    for (int i = 0; i < 1000; i++) {
        double v = first + i * xa->step;
        if (v > xa->hi + 1e-9) break;
        double x = sx(xa, left, right, v);
        fprintf(f, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#444444\" stroke-width=\"1\"/>\n",
                x, PLOT_BOTTOM, x, PLOT_BOTTOM + 5);
        fprintf(f, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%.*f</text>\n", x, PLOT_BOTTOM + 19,
                xa->decimals, v);
    }
    fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"none\" stroke=\"#444444\" stroke-width=\"1\"/>\n",
            left, PLOT_TOP, right - left, PLOT_BOTTOM - PLOT_TOP);
    /* axis titles */
    fprintf(f, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">epoch</text>\n",
            (left + right) / 2, PLOT_BOTTOM + 42);
    double ym = (PLOT_TOP + PLOT_BOTTOM) / 2.0, xl = x0 + 22;
    fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 %.2f %.2f)\">%s</text>\n",
            xl, ym, xl, ym, ylabel);
    if (!any)
        fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" fill=\"#888888\">no data</text>\n",
                (left + right) / 2, ym);
    /* series */
    for (int k = 0; k < ns; k++) {
        if (!s[k].finite) continue;
        const char *color = s[k].val ? COLOR_VAL : COLOR_TRAIN;
        fprintf(f, "<path id=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\"%s d=\"",
                s[k].id, color, s[k].val ? " stroke-dasharray=\"6 4\"" : "");
        int pen = 0, started = 0;   /* pen 0: the next point starts a segment (after a gap) */
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(s[k].y[i])) { pen = 0; continue; }
            fprintf(f, "%s%c%.2f %.2f", started ? " " : "", pen ? 'L' : 'M', sx(xa, left, right, ep[i]),
                    sy(&ya, s[k].y[i]));
            pen = started = 1;
        }
        fputs("\"/>\n", f);
        if (n <= MAX_MARKERS) {
            fprintf(f, "<g fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\">\n", s[k].val ? "#ffffff" : color, color);
            for (size_t i = 0; i < n; i++)
                if (isfinite(s[k].y[i]))
                    fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3\"/>\n", sx(xa, left, right, ep[i]), sy(&ya, s[k].y[i]));
            fputs("</g>\n", f);
        }
    }
    fputs("</g>\n", f);
}

static void legend_item(FILE *f, double x, double y, const char *color, int dashed, const char *label)
{
    fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
            x, y, x + 30, y, color, dashed ? " stroke-dasharray=\"6 4\"" : "");
    fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"/>\n",
            x + 15, y, dashed ? "#ffffff" : color, color);
    fprintf(f, "<text x=\"%.2f\" y=\"%.2f\">%s</text>\n", x + 38, y + 4, label);
}

int plot_history_svg(const cJSON *history, const char *title, const char *path)
{
    if (!cJSON_IsArray(history)) return err_set("training history: not a JSON array");
    size_t n = (size_t)cJSON_GetArraySize(history);
    if (n == 0) return err_set("training history is empty: nothing to plot");

    series s[4] = {
        { "loss", "loss-train", 0, NULL, 0 }, { "val_loss", "loss-validation", 1, NULL, 0 },
        { "accuracy", "accuracy-train", 0, NULL, 0 }, { "val_accuracy", "accuracy-validation", 1, NULL, 0 },
    };
    /* a multi-label run records micro-F1 where a classifier has accuracy */
    int multi = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(history, 0), "micro_f1") != NULL;
    if (multi) {
        s[2].key = "micro_f1";
        s[3].key = "val_micro_f1";
    }
    double *ep = xmalloc(n * sizeof *ep);
    for (int k = 0; k < 4; k++) s[k].y = xmalloc(n * sizeof *s[k].y);
    size_t i = 0;
    int rc = 0;
    const cJSON *h;
    cJSON_ArrayForEach(h, history) {
        if (!cJSON_IsObject(h)) {
            rc = err_set("training history: entry %zu is not an object", i + 1);
            goto out;
        }
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(h, "epoch");
        ep[i] = cJSON_IsNumber(e) && isfinite(e->valuedouble) ? e->valuedouble : (double)(i + 1);
        for (int k = 0; k < 4; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, s[k].key);
            s[k].y[i] = cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : NAN;
            s[k].finite += isfinite(s[k].y[i]);
        }
        i++;
    }
    if (!s[0].finite && !s[2].finite && !s[1].finite && !s[3].finite) {
        rc = err_set("training history: no finite loss or accuracy to plot");
        goto out;
    }

    double emin = ep[0], emax = ep[0];
    for (i = 1; i < n; i++) {
        if (ep[i] < emin) emin = ep[i];
        if (ep[i] > emax) emax = ep[i];
    }
    axis xa = x_axis(emin, emax);
    int has_val = s[1].finite || s[3].finite;

    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (!f) { rc = err_set("%s: %s", path, strerror(errno)); goto out; }
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
               "font-size=\"12\" fill=\"#222222\">\n", W, H, W, H);
    if (!title || !*title) title = "Training history";
    fputs("<title>", f);
    put_escaped(f, title);
    fputs("</title>\n", f);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", W, H);
    fprintf(f, "<text x=\"%d\" y=\"30\" text-anchor=\"middle\" font-size=\"18\" font-weight=\"bold\">", W / 2);
    put_escaped(f, title);
    fputs("</text>\n", f);
    /* legend, centred under the title */
    fputs("<g id=\"legend\">\n", f);
    double lw = has_val ? 80 + 24 + 115 : 80, lx = (W - lw) / 2;
    legend_item(f, lx, 56, COLOR_TRAIN, 0, "training");
    if (has_val) legend_item(f, lx + 80 + 24, 56, COLOR_VAL, 1, "validation");
    fputs("</g>\n", f);
    panel(f, 0, "loss", "loss", ep, n, &xa, s, 2, 0);
    panel(f, 1, "accuracy", multi ? "micro-F1" : "accuracy", ep, n, &xa, s + 2, 2, 1);
    fputs("</svg>\n", f);
    if (fclose(f) != 0) {
        free(mem);
        rc = err_set("%s: %s", path, strerror(errno));
        goto out;
    }
    rc = write_file_atomic(path, mem, len);
    free(mem);
out:
    free(ep);
    for (int k = 0; k < 4; k++) free(s[k].y);
    return rc;
}
