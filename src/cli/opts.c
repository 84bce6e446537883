/* opts.c - shared option parsing, help text and fatal errors. */
#include "cli/opts.h"
#include "base/err.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct option longopts[128];
static char shortopts[256];
static const cmd_spec *built_for;

static void build(const cmd_spec *s)
{
    int n = 0;
    char *p = shortopts;
    *p++ = ':';   /* leading ':': a missing argument is reported as ':' */
    for (const cmd_opt *o = s->opts; o && o->name && n < 126; o++) {
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
        if (o->id == id) return o;
    return NULL;
}

void opt_help(const cmd_spec *s, FILE *f)
{
    fprintf(f, "Usage: seqsent %s %s\n%s\n\nOptions:\n", s->name, s->usage, s->summary);
    for (const cmd_opt *o = s->opts; o && o->name; o++) {
        char left[64];
        if (o->id < 256)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->id, o->name, o->has_arg ? " " : "", o->has_arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name, o->has_arg ? " " : "", o->has_arg ? o->arg : "");
        fprintf(f, "  %-30s %s\n", left, o->help);
    }
    fprintf(f, "  %-30s %s\n", "-h, --help", "show this help and exit");
    if (s->notes) fprintf(f, "\n%s", s->notes);
}

void usage_error(const cmd_spec *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "seqsent %s: ", s->name);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'seqsent %s --help' for more information.\n", s->name);
    exit(EXIT_USAGE);
}

void die_err(int code)
{
    fprintf(stderr, "seqsent: %s\n", err_msg());
    exit(code);
}

void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "seqsent: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(code);
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

int opt_next(const cmd_spec *s, int argc, char **argv, const char **arg)
{
    if (built_for != s) build(s);
    int idx = -1;
    int c = getopt_long(argc, argv, shortopts, longopts, &idx);
    *arg = optarg;
    if (c == -1) return -1;
    if (c == 'h') { opt_help(s, stdout); exit(EXIT_OK); }
    if (c == ':') {
        const cmd_opt *o = find(s, optopt);
        if (o) usage_error(s, "option '--%s' needs an argument (%s)", o->name, o->arg);
        usage_error(s, "option '%s' needs an argument", argv[optind - 1]);
    }
    if (c == '?') {
        if (optopt && optopt < 256 && !find(s, optopt)) usage_error(s, "unknown option '-%c'", optopt);
        usage_error(s, "unknown option '%s'", argv[optind - 1]);
    }
    return c;
}

int opt_operands(void) { return optind; }

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
    case OPT_NO_HEADER: c->data.header = 0; return 1;
    case OPT_THREADS: c->threads = (int)opt_long(s, "threads", arg, 1, 256); return 1;
    }
    return 0;
}
