/* opts.c - shared option parsing, help text and fatal errors. */
#include "cli/opts.h"
#include "base/err.h"
#include "cli/suggest.h"
#include "text/t2s.h"
#include "train/dist.h"

#include <errno.h>
#include <getopt.h>
#include <iconv.h>
#include <poll.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static struct option longopts[128];
static char shortopts[256];
static const cmd_spec *built_for;

static void build(const cmd_spec *s)
{
    int n = 0;
    char *p = shortopts;
    *p++ = ':';   /* leading ':': a missing argument is reported as ':' */
    for (const cmd_opt *o = s->opts; o && o->name && n < 126; o++) {
        if (OPT_IS_GROUP(o)) continue;
        longopts[n++] = (struct option){ o->name, o->has_arg ? required_argument : no_argument, NULL, o->id };
        if (o->id < 256) {
            *p++ = (char)o->id;
            if (o->has_arg) *p++ = ':';
        }
    }
    longopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
    longopts[n] = (struct option){ 0, 0, 0, 0 };
    *p++ = 'h';
    *p = '\0';
    built_for = s;
    optind = 1;
    opterr = 0;
}

static const cmd_opt *find(const cmd_spec *s, int id)
{
    for (const cmd_opt *o = s->opts; o && o->name; o++)
        if (o->id == id && !OPT_IS_GROUP(o)) return o;
    return NULL;
}

/* The width help is wrapped to: $COLUMNS, else the terminal's when f is
 * one, else 80. */
static int help_width(FILE *f)
{
    const char *env = getenv("COLUMNS");
    char *end;
    long w = env ? strtol(env, &end, 10) : 0;
    if (env && *env && !*end && w > 0) return w > 1000 ? 1000 : (int)w;
    struct winsize ws;
    if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

/* One option line: the left column (indent + 30 wide), then the help
 * wrapped at word boundaries to width, continuation lines under the help
 * column (at least 20 characters of help a line). */
static void help_row(FILE *f, int indent, const char *left, const char *help, int width)
{
    int col = indent + 31, room = width - col < 20 ? 20 : width - col;
    int at = fprintf(f, "%*s%-30s ", indent, "", left);
    if (at > col) room -= at - col;   /* a long left column pushes the first line right */
    const char *p = help;
    while (*p) {
        size_t n = strlen(p);
        if ((int)n > room) {   /* the last space that fits, else the first one */
            n = (size_t)room;
            while (n > 0 && p[n] != ' ') n--;
            if (n == 0) n = strcspn(p, " ");
        }
        fprintf(f, "%.*s\n", (int)n, p);
        p += n;
        while (*p == ' ') p++;
        if (*p) fprintf(f, "%*s", col, "");
        room = width - col < 20 ? 20 : width - col;
    }
    if (!*help) fputc('\n', f);
}

/* Print p[0..n) (no newline inside) wrapped at spaces to width, the
 * continuation lines indented by ind. */
static void wrap_line(FILE *f, const char *p, size_t n, size_t ind, int width)
{
    const char *e = p + n;
    int first = 1;
    while (p < e) {
        size_t room = (size_t)width - (first ? 0 : ind), k = (size_t)(e - p);
        if (k > room) {   /* the last space that fits, else the end of the word */
            k = room;
            while (k > 0 && p[k] != ' ') k--;
            if (k == 0) k = 1 + strcspn(p + 1, " ");
            if (k > (size_t)(e - p)) k = (size_t)(e - p);
        }
        size_t shown = k;
        while (shown > 0 && p[shown - 1] == ' ') shown--;
        fprintf(f, "%*s%.*s\n", first ? 0 : (int)ind, "", (int)shown, p);
        p += k;
        while (p < e && *p == ' ') p++;
        first = 0;
    }
}

/* Help prose wrapped to width: a paragraph of unindented lines with one
 * longer than width is joined and wrapped again; an indented line (an
 * example, a list) too long is folded on its own, under its indentation. */
static void fold_text(FILE *f, const char *text, int width)
{
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, "\n"), ind = strspn(p, " ");
        if (n == 0 || ind > 0) {
            if (n == 0) fputc('\n', f);
            else wrap_line(f, p, n, ind, width);
            p += n + (p[n] == '\n');
            continue;
        }
        const char *q = p;   /* the paragraph: unindented lines up to a blank or indented one */
        int long_line = 0;
        while (*q && *q != '\n' && *q != ' ') {
            size_t m = strcspn(q, "\n");
            if ((int)m > width) long_line = 1;
            q += m + (q[m] == '\n');
        }
        if (!long_line) {
            fwrite(p, 1, (size_t)(q - p), f);
            if (q[-1] != '\n') fputc('\n', f);
        } else {
            char *joined = xmalloc((size_t)(q - p) + 1);
            size_t len = 0;
            for (const char *r = p; r < q; r++) joined[len++] = *r == '\n' ? ' ' : *r;
            while (len && joined[len - 1] == ' ') len--;
            wrap_line(f, joined, len, 0, width);
            free(joined);
        }
        p = q;
    }
}

void opt_help(const cmd_spec *s, FILE *f)
{
    int width = help_width(f), indent = 2;
    fprintf(f, "Usage: seqsent %s %s\n", s->name, s->usage);
    fold_text(f, s->summary, width);
    fprintf(f, "\nOptions:\n");
    for (const cmd_opt *o = s->opts; o && o->name; o++)
        if (OPT_IS_GROUP(o)) indent = 4;   /* options under group headings */
    for (const cmd_opt *o = s->opts; o && o->name; o++) {
        if (OPT_IS_GROUP(o)) {
            fprintf(f, "  %s\n", o->name);
            continue;
        }
        char left[64];
        if (o->id < 256)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->id, o->name, o->has_arg ? " " : "", o->has_arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name, o->has_arg ? " " : "", o->has_arg ? o->arg : "");
        help_row(f, indent, left, o->help, width);
    }
    help_row(f, indent, "-h, --help", "show this help and exit", width);
    if (s->notes) {
        fputc('\n', f);
        fold_text(f, s->notes, width);
    }
}

/* "seqsent: MESSAGE", or in an MPI job "seqsent (rank R of N): MESSAGE",
 * in one write: mpirun forwards a rank's writes one by one, and its own
 * abort notice can come between two of them. */
static void say(const char *msg)
{
    if (dist_size() > 1) fprintf(stderr, "seqsent (rank %d of %d): %s\n", dist_rank(), dist_size(), msg);
    else fprintf(stderr, "seqsent: %s\n", msg);
}

/* Errors end the whole MPI job (the other ranks would wait for this one). */
void usage_error(const cmd_spec *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "seqsent %s: ", s->name);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'seqsent %s --help' for more information.\n", s->name);
    dist_abort(EXIT_USAGE);
}

/* An empty message: an MPI job's error that rank 0 reports (its abort
 * ends this rank while it waits). */
void die_err(int code)
{
    if (err_msg()[0]) {
        say(err_msg());
    } else {
        dist_barrier();
    }
    dist_abort(code);
}

void die(int code, const char *fmt, ...)
{
    va_list ap;
    char *msg;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    say(n < 0 ? fmt : msg);
    if (n >= 0) free(msg);
    dist_abort(code);
}

/* Whether stdout is a pipe nobody reads any more: a closed reader is a
 * normal end for a filter (`| head -1`), not an error. */
static int reader_gone(void)
{
    struct pollfd p = { .fd = 1, .events = POLLOUT };
    return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

void finish_stdout(void)
{
    int e0 = errno;   /* callers come here right after a failed write: keep its cause */
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout)) return;
    if (!errno) errno = e0;
    if (errno == EPIPE || reader_gone()) exit(EXIT_OK);
    die(EXIT_FAIL, "<stdout>: %s", errno ? strerror(errno) : "write error");
}

/* ---- other tools' spellings ----------------------------------------------
 * Keras and fastText users type their own names for our options.  An alias
 * is rewritten to the first of its targets that the command has; fastText's
 * single-dash long options ("-epoch 5") are read as "--epochs 5".  Options
 * seqsent does not have get an answer instead of "unknown". */
static const struct { const char *alias, *targets[2]; } aliases[] = {
    { "batch-size", { "batch" } },         { "batch_size", { "batch" } },
    { "validation-split", { "val-split" } }, { "validation_split", { "val-split" } },
    { "validation-data", { "val" } },      { "validation", { "val" } },
    { "learning-rate", { "lr" } },         { "learning_rate", { "lr" } },
    { "optimiser", { "optimizer" } },      { "epoch", { "epochs" } },
    { "max-len", { "maxlen" } },           { "max_len", { "maxlen" } },
    { "early-stopping", { "early-stop" } }, { "patience", { "early-stop" } },
    { "units", { "hidden" } },             { "dim", { "embed-dim", "dim" } },
    { "minCount", { "min-count" } },       { "min_count", { "min-count" } },
    { "thread", { "threads" } },           { "ws", { "window" } },
    { "label", { "label-prefix" } },
    { "neg", { "negative" } },             { "autotune-validation", { "autotune-val" } },
};
static const struct { const char *name, *answer; } absent[] = {
    { "wordNgrams", "seqsent has no word n-grams: the recurrent layers read word order themselves" },
    { "minn", "seqsent has no character n-grams (fastText -minn/-maxn)" },
    { "maxn", "seqsent has no character n-grams (fastText -minn/-maxn)" },
    { "loss", "the loss follows from the labels: sigmoid + binary cross-entropy for 2, softmax for more, one sigmoid per label (fastText's -loss ova) for multi-label data or with --multilabel" },
    { "bucket-size", "--bucket takes no size: batches are grouped by length automatically" },
};

static const cmd_opt *find_name(const cmd_spec *s, const char *name, size_t len)
{
    for (const cmd_opt *o = s->opts; o && o->name; o++)
        if (!OPT_IS_GROUP(o) && strlen(o->name) == len && !strncmp(o->name, name, len)) return o;
    return NULL;
}

/* The canonical option for an alias of it, or NULL. */
static const cmd_opt *alias_of(const cmd_spec *s, const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
        if (strlen(aliases[i].alias) != len || strncmp(aliases[i].alias, name, len)) continue;
        for (int k = 0; k < 2 && aliases[i].targets[k]; k++) {
            const cmd_opt *o = find_name(s, aliases[i].targets[k], strlen(aliases[i].targets[k]));
            if (o) return o;
        }
    }
    return NULL;
}

static int is_absent(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof absent / sizeof *absent; i++)
        if (strlen(absent[i].name) == len && !strncmp(absent[i].name, name, len)) return 1;
    return 0;
}

/* Rewrite aliases and single-dash long options in argv (before getopt sees
 * them); option arguments are stepped over, "--" ends the options. */
static void rewrite_aliases(const cmd_spec *s, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (!strcmp(a, "--")) return;
        if (a[0] != '-' || !a[1]) continue;
        int dashes = a[1] == '-' ? 2 : 1;
        const char *name = a + dashes;
        size_t len = strcspn(name, "=");
        const cmd_opt *o = find_name(s, name, len);
        if (dashes == 1 && len >= 2 && !o && is_absent(name, len)) {   /* answered by unknown_option */
            size_t n = strlen(a) + 2;
            char *r = xmalloc(n);
            snprintf(r, n, "-%s", a);
            argv[i] = r;
            continue;
        }
        if (dashes == 1 && (len < 2 || (!o && !alias_of(s, name, len)))) {   /* short options */
            const cmd_opt *sh = find(s, (unsigned char)a[1]);
            if (sh && sh->has_arg && !a[2]) i++;
            continue;
        }
        if (!o && (o = alias_of(s, name, len)) == NULL) continue;
        if (dashes == 1 || strncmp(name, o->name, len) || strlen(o->name) != len) {
            size_t n = strlen(o->name) + strlen(name + len) + 3;
            char *r = xmalloc(n);   /* lives as long as argv */
            snprintf(r, n, "--%s%s", o->name, name + len);
            argv[i] = r;
        }
        if (o->has_arg && !name[len]) i++;   /* "--opt VALUE": skip the value */
    }
}

/* "unknown option": say what was meant when we can tell. */
static void unknown_option(const cmd_spec *s, const char *arg)
{
    if (arg[0] != '-' || arg[1] != '-') usage_error(s, "unknown option '%s'", arg);
    const char *name = arg + 2;
    size_t len = strcspn(name, "=");
    char typed[80];
    snprintf(typed, sizeof typed, "%.*s", (int)(len < 79 ? len : 79), name);
    for (size_t i = 0; i < sizeof absent / sizeof *absent; i++)
        if (!strcmp(typed, absent[i].name)) usage_error(s, "unknown option '--%s': %s", typed, absent[i].answer);
    /* an ambiguous prefix: list the candidates */
    char cands[512] = "";
    int nc = 0;
    const char *names[130];
    size_t nn = 0;
    for (const cmd_opt *o = s->opts; o && o->name; o++) {
        if (OPT_IS_GROUP(o)) continue;
        if (nn < 128) names[nn++] = o->name;
        if (len && !strncmp(o->name, typed, len) && strlen(cands) + strlen(o->name) + 5 < sizeof cands) {
            strcat(cands, nc++ ? ", --" : "--");
            strcat(cands, o->name);
        }
    }
    names[nn++] = "help";
    if (nc > 1) usage_error(s, "option '--%s' is ambiguous: %s", typed, cands);
    const char *best = suggest_closest(typed, names, nn);
    if (best) usage_error(s, "unknown option '--%s'; did you mean '--%s'?", typed, best);
    usage_error(s, "unknown option '--%s'", typed);
}

/* The argv being parsed, and the arguments of its options that name files
 * the run writes (--output, --plot, --errors, --log): opt_input_args gives
 * the rest, the files a run may read, for cli_check_output. */
static char **parsed_argv;
static int parsed_argc;
static const char *out_args[16];
static int n_out_args;

static int names_output(const cmd_opt *o)
{
    return o && (!strcmp(o->name, "output") || !strcmp(o->name, "plot") || !strcmp(o->name, "errors") ||
                 !strcmp(o->name, "log"));
}

int opt_next(const cmd_spec *s, int argc, char **argv, const char **arg)
{
    if (built_for != s) {
        build(s);
        rewrite_aliases(s, argc, argv);
    }
    parsed_argv = argv;
    parsed_argc = argc;
    int idx = -1;
    int c = getopt_long(argc, argv, shortopts, longopts, &idx);
    *arg = optarg;
    if (c == -1) return -1;
    if (optarg && n_out_args < 16 && names_output(find(s, c))) out_args[n_out_args++] = optarg;
    if (c == 'h') { opt_help(s, stdout); exit(EXIT_OK); }
    if (c == ':') {
        const cmd_opt *o = find(s, optopt);
        if (o) usage_error(s, "option '--%s' needs an argument (%s)", o->name, o->arg);
        usage_error(s, "option '%s' needs an argument", argv[optind - 1]);
    }
    if (c == '?') {
        if (optopt && optopt < 256 && !find(s, optopt)) usage_error(s, "unknown option '-%c'", optopt);
        unknown_option(s, argv[optind - 1]);
    }
    return c;
}

int opt_operands(void) { return optind; }

int opt_input_args(const char **list, int max)
{
    int n = 0;
    for (int i = 1; i < parsed_argc && n < max; i++) {
        int out = 0;
        const char *a = parsed_argv[i], *eq = !strncmp(a, "--", 2) ? strchr(a, '=') : NULL;
        if (eq) a = eq + 1;   /* --exclude=FILE: the value (out_args point there too) */
        for (int k = 0; k < n_out_args && !out; k++) out = a == out_args[k];
        if (!out) list[n++] = a;
    }
    return n;
}

void opt_reset(void)
{
    n_out_args = 0;
    built_for = NULL;
    optind = 0;   /* GNU getopt: start over */
}

long opt_long(const cmd_spec *s, const char *opt, const char *v, long lo, long hi)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end || errno || x < lo || x > hi)
        usage_error(s, "--%s: expected an integer from %ld to %ld, got '%s'", opt, lo, hi, v);
    return x;
}

double opt_double(const cmd_spec *s, const char *opt, const char *v, double lo, double hi)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end || errno || !isfinite(x) || x < lo || x > hi)
        usage_error(s, "--%s: expected a number from %g to %g, got '%s'", opt, lo, hi, v);
    return x;
}

size_t opt_size(const cmd_spec *s, const char *opt, const char *v, size_t lo, size_t hi)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    int shift = 0;
    if (end != v && *end && !end[1]) {
        const char *units = "KMG", *u = strchr(units, *end);
        if (u) { shift = 10 * (int)(u - units + 1); end++; }
    }
    if (end == v || *end || errno || *v == '-' || x > (hi >> shift) || (x << shift) < lo)
        usage_error(s, "--%s: expected a size from %zu to %zu bytes (K, M, G: KiB, MiB, GiB), got '%s'", opt, lo,
                    hi, v);
    return (size_t)(x << shift);
}

int opt_pre_post(const cmd_spec *s, const char *opt, const char *v)
{
    if (!strcmp(v, "pre")) return 1;
    if (!strcmp(v, "post")) return 0;
    usage_error(s, "--%s: expected pre or post, got '%s'", opt, v);
}

void common_opts_init(common_opts *c)
{
    memset(c, 0, sizeof *c);
    tok_config_default(&c->tok);
    c->data.fmt = FMT_AUTO;
    c->data.header = -1;
    c->threads = 0;
}

int common_opt(const cmd_spec *s, common_opts *c, int id, const char *arg)
{
    switch (id) {
    case OPT_LANG: {
        int l = tok_lang_parse(arg);
        if (l < 0) usage_error(s, "--lang: expected zh, en or auto, got '%s'", arg);
        c->tok.lang = (tok_lang)l;
        c->tok_set = 1;
        return 1;
    }
    case OPT_DICT: c->dict_path = arg; c->tok_set = 1; return 1;
    case OPT_T2S:
        if (t2s_ready() < 0) die(EXIT_USAGE, "--t2s: %s", err_msg());
        c->tok.t2s = 1;
        c->tok_set = 1;
        return 1;
    case OPT_DICT_VECTORS: c->dict_vectors = arg; c->tok_set = 1; return 1;
    case OPT_USER_DICT: c->user_dict = arg; c->tok_set = 1; return 1;
    case OPT_NO_NORMALIZE: c->tok.normalize = 0; c->tok_set = 1; return 1;
    case OPT_SQUEEZE: c->tok.squeeze = 1; c->tok_set = 1; return 1;
    case OPT_FORMAT: {
        int f = data_format_parse(arg);
        if (f < 0) usage_error(s, "--format: expected csv, tsv, lines, fasttext or auto, got '%s'", arg);
        c->data.fmt = (data_format)f;
        return 1;
    }
    case OPT_TEXT_COL: c->data.text_col = arg; return 1;
    case OPT_LABEL_COL: c->data.label_col = arg; return 1;
    case OPT_NO_HEADER:
    case OPT_HEADER: {
        int h = id == OPT_HEADER;
        if (c->data.header == !h) usage_error(s, "--header and --no-header exclude each other");
        c->data.header = h;
        return 1;
    }
    case OPT_JOIN_EXTRA:
        if (!strcmp(s->name, "split"))
            usage_error(s, "--join-extra: split copies rows as they are; it joins no fields");
        c->data.join_extra = 1;
        return 1;
    case OPT_ENCODING: {
        iconv_t cd = iconv_open("UTF-8", arg);
        if (cd == (iconv_t)-1) usage_error(s, "--encoding: unknown encoding '%s' (iconv -l lists the names)", arg);
        iconv_close(cd);
        c->data.encoding = arg;
        return 1;
    }
    case OPT_THREADS: c->threads = (int)opt_long(s, "threads", arg, 1, 256); return 1;
    case OPT_EXCLUDE:
        if (c->nexclude == (int)(sizeof c->exclude / sizeof *c->exclude))
            usage_error(s, "--exclude: at most %d files (join them into one)", c->nexclude);
        c->exclude[c->nexclude++] = arg;
        return 1;
    case OPT_LABEL_SEP:
        if (!*arg) usage_error(s, "--label-sep: give the separator between labels, e.g. '|' or ','");
        c->data.label_sep = arg;
        return 1;
    case OPT_LABEL_PREFIX:
        if (!*arg || arg[strcspn(arg, " \t\r\v\f")])
            usage_error(s, "--label-prefix: give a prefix without blanks, e.g. __label__");
        c->data.label_prefix = arg;
        return 1;
    }
    return 0;
}
