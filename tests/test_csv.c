/* test_csv.c - unit tests for src/csv.c (CSV/TSV/lines reader, dataset_load).
 * Every input file is written at run time into a mkdtemp directory. */
#include "text/csv.h"
#include "base/err.h"
#include "test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/seqsent-test-csv-XXXXXX";
static char pathbuf[8][512];
static int pathnext;

/* Write len bytes to tmpdir/name; returns the path (one of 8 rotating
 * static buffers). */
static const char *write_file_n(const char *name, const char *data, size_t len)
{
    char *p = pathbuf[pathnext++ % 8];
    snprintf(p, sizeof pathbuf[0], "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    if (!f) { perror(p); exit(2); }
    if (len && fwrite(data, 1, len, f) != len) { perror(p); exit(2); }
    fclose(f);
    return p;
}

static const char *write_file(const char *name, const char *data)
{
    return write_file_n(name, data, strlen(data));
}

/* Read every record of path and render it as "LINE:f1|f2|...;" per record
 * into out.  Returns csv_next's final result (0 at end, -1 on error). */
static int dump(const char *path, data_format fmt, char *out, size_t cap)
{
    csv_reader *r = csv_open(path, fmt);
    size_t used = 0;
    out[0] = '\0';
    if (!r) return -2;
    char **f;
    size_t nf;
    int k;
    while ((k = csv_next(r, &f, &nf)) > 0) {
        used += (size_t)snprintf(out + used, cap - used, "%ld:", csv_line(r));
        for (size_t i = 0; i < nf && used < cap; i++)
            used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "|" : "", f[i]);
        if (used < cap) used += (size_t)snprintf(out + used, cap - used, ";");
        if (used >= cap) { fprintf(stderr, "dump: buffer too small\n"); exit(2); }
    }
    csv_close(r);
    return k;
}

static char out[4096];

static void test_formats(void)
{
    CHECK_INT(data_format_guess("a.tsv"), FMT_TSV);
    CHECK_INT(data_format_guess("dir.x/a.TAB"), FMT_TSV);
    CHECK_INT(data_format_guess("a.txt"), FMT_LINES);
    CHECK_INT(data_format_guess("a.csv"), FMT_CSV);
    CHECK_INT(data_format_guess("dir.tsv/a"), FMT_CSV);
    CHECK_INT(data_format_guess("-"), FMT_CSV);
    CHECK_INT(data_format_parse("csv"), FMT_CSV);
    CHECK_INT(data_format_parse("tsv"), FMT_TSV);
    CHECK_INT(data_format_parse("lines"), FMT_LINES);
    CHECK_INT(data_format_parse("auto"), FMT_AUTO);
    CHECK_INT(data_format_parse("xml"), -1);
}

static void test_quoting(void)
{
    const char *p = write_file("q.csv",
        "a,\"b,c\",\"d\"\"e\",\"f\ng\"\n"
        "\"\",x,\"\"\"\"\n"
        "\"ab\"c,d\n"              /* lenient: text after the closing quote */
        "un\"quoted,\"multi\n\nline\"\n"
        "last,x\n");
    CHECK_INT(dump(p, FMT_AUTO, out, sizeof out), 0);
    CHECK_STR(out, "1:a|b,c|d\"e|f\ng;3:|x|\";4:abc|d;5:un\"quoted|multi\n\nline;8:last|x;");

    /* Empty fields. */
    p = write_file("e.csv", ",\na,,\n");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, "1:|;2:a||;");
}

static void test_line_endings(void)
{
    const char *p = write_file("crlf.csv", "a,b\r\nc,\"d\r\ne\"\r\nf,g\r\n");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, "1:a|b;2:c|d\ne;4:f|g;");

    /* Mixed CRLF / LF give the same fields as pure LF. */
    char lf[256];
    p = write_file("lf.csv", "a,b\nc,\"d\ne\"\nf,\"g\"\n");
    CHECK_INT(dump(p, FMT_CSV, lf, sizeof lf), 0);
    p = write_file("mixed.csv", "a,b\r\nc,\"d\ne\"\r\nf,\"g\"\n");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, lf);
    CHECK_STR(out, "1:a|b;2:c|d\ne;4:f|g;");

    /* A "\r" that is not before "\n" stays; only the final one goes. */
    p = write_file("cr.csv", "a\rb,c\r\r\n");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, "1:a\rb|c\r;");

    /* No final newline. */
    p = write_file("nofinal.csv", "a,b\nc,d");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, "1:a|b;2:c|d;");
    p = write_file("nofinal2.csv", "a,b\r\n\"c\",\"d\"\r");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, "1:a|b;2:c|d;");
    p = write_file("nofinal3.csv", "x");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, "1:x;");

    /* Empty file. */
    p = write_file("empty.csv", "");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, "");
}

static void test_bom_blank(void)
{
    const char *p = write_file("bom.csv", "\xEF\xBB\xBFlabel,text\n1,hi\n");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, "1:label|text;2:1|hi;");
    p = write_file("bomonly.csv", "\xEF\xBB\xBF");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, "");
    p = write_file("bom.txt", "\xEF\xBB\xBFhello\r\n");
    CHECK_INT(dump(p, FMT_AUTO, out, sizeof out), 0);
    CHECK_STR(out, "1:hello;");
    /* A BOM later in the file is data. */
    p = write_file("bom2.csv", "a\n\xEF\xBB\xBF" "b\n");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, "1:a;2:\xEF\xBB\xBF" "b;");
    /* Short files that start like a BOM. */
    p = write_file("ef.csv", "\xEF");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, "1:\xEF;");

    p = write_file("blank.csv", "\n\na,b\n\r\n\nc,d\n\n\r\n");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, "3:a|b;6:c|d;");
    p = write_file("blank.tsv", "\r\na\tb\n\n");
    CHECK_INT(dump(p, FMT_AUTO, out, sizeof out), 0);
    CHECK_STR(out, "2:a|b;");
    p = write_file("blanks.csv", "\n\r\n\n");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), 0);
    CHECK_STR(out, "");
}

static void test_errors(void)
{
    char want[700];
    const char *p = write_file("unbal.csv", "a,b\nc,d\r\ne,\"f\ng\n\nh,i\n");
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), -1);
    CHECK_STR(out, "1:a|b;2:c|d;");        /* records before it are fine */
    snprintf(want, sizeof want, "%s:3: unbalanced quote (field opened here never closed); close it, and write a quote inside a quoted field as two (\"\")", p);
    CHECK_STR(err_msg(), want);

    /* The error is sticky. */
    csv_reader *r = csv_open(p, FMT_CSV);
    char **f;
    size_t nf;
    CHECK(r != NULL);
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_INT(csv_next(r, &f, &nf), -1);
    err_clear();
    CHECK_INT(csv_next(r, &f, &nf), -1);
    CHECK_STR(err_msg(), want);
    CHECK_INT(csv_would_block(r), 0);
    csv_close(r);

    p = write_file_n("nul.csv", "a,b\nc,\"x\ny\0z\"\n", 15);
    CHECK_INT(dump(p, FMT_CSV, out, sizeof out), -1);
    CHECK_STR(out, "1:a|b;");
    snprintf(want, sizeof want, "%s:3: NUL byte in input: not a text file, or UTF-16 without a byte-order mark (pass --encoding utf-16le or utf-16be)", p);
    CHECK_STR(err_msg(), want);

    p = write_file_n("nul.txt", "ok\n\0", 4);
    CHECK_INT(dump(p, FMT_AUTO, out, sizeof out), -1);
    snprintf(want, sizeof want, "%s:2: NUL byte in input: not a text file, or UTF-16 without a byte-order mark (pass --encoding utf-16le or utf-16be)", p);
    CHECK_STR(err_msg(), want);

    snprintf(want, sizeof want, "%s/missing.csv", tmpdir);
    CHECK(csv_open(want, FMT_AUTO) == NULL);
    CHECK(strstr(err_msg(), "missing.csv: No such file") != NULL);
}

static void test_tsv_lines(void)
{
    const char *p = write_file("t.tsv", "a\t\"b,c\"\t\r\nd\te\"\"\n\"x\n");
    CHECK_INT(dump(p, FMT_AUTO, out, sizeof out), 0);
    CHECK_STR(out, "1:a|\"b,c\"|;2:d|e\"\";3:\"x;");

    /* FMT_LINES: \r\n and \n give identical fields; blank lines count. */
    char lf[256];
    p = write_file("l1.txt", "x, \"y\"\n\nlast");
    CHECK_INT(dump(p, FMT_AUTO, lf, sizeof lf), 0);
    CHECK_STR(lf, "1:x, \"y\";2:;3:last;");
    p = write_file("l2.txt", "x, \"y\"\r\n\r\nlast\r\n");
    CHECK_INT(dump(p, FMT_AUTO, out, sizeof out), 0);
    CHECK_STR(out, lf);
    p = write_file("l3", "a\n\n");
    CHECK_INT(dump(p, FMT_LINES, out, sizeof out), 0);
    CHECK_STR(out, "1:a;2:;");
}

static void test_long_lines(void)
{
    const size_t N = 10 * 1024 * 1024;
    char *big = xmalloc(N + 64);
    /* Unquoted 10 MB field. */
    memcpy(big, "1,", 2);
    for (size_t i = 0; i < N; i++) big[2 + i] = (char)('a' + i % 26);
    memcpy(big + 2 + N, "\r\n2,short\n", 10);
    const char *p = write_file_n("big.csv", big, N + 12);
    csv_reader *r = csv_open(p, FMT_CSV);
    char **f;
    size_t nf;
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_INT(nf, 2);
    CHECK_INT(strlen(f[1]), N);
    CHECK(f[1][0] == 'a' && f[1][N - 1] == (char)('a' + (N - 1) % 26));
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_INT(csv_line(r), 2);
    CHECK_STR(f[1], "short");
    CHECK_INT(csv_next(r, &f, &nf), 0);
    csv_close(r);

    /* Quoted 10 MB field with a newline every 1000 bytes and doubled quotes,
     * no final newline. */
    size_t n = 0, nl = 0;
    big[n++] = '"';
    for (size_t i = 0; i < N; i++) {
        char c = (char)('a' + i % 26);
        if (i % 1000 == 999) { c = '\n'; nl++; }
        else if (i % 1000 == 500) c = ',';
        big[n++] = c;
    }
    memcpy(big + n, "\"\"\",x\nnext", 10);
    n += 10;
    p = write_file_n("bigq.csv", big, n);
    r = csv_open(p, FMT_CSV);
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_INT(nf, 2);
    CHECK_INT(strlen(f[0]), N + 1);
    CHECK(f[0][N] == '"' && f[0][999] == '\n' && f[0][500] == ',');
    CHECK_STR(f[1], "x");
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_INT(csv_line(r), (long)nl + 2);
    CHECK_STR(f[0], "next");
    CHECK_INT(csv_next(r, &f, &nf), 0);
    csv_close(r);

    /* 10 MB line in FMT_LINES. */
    for (size_t i = 0; i < N; i++) big[i] = (char)('a' + i % 26);
    memcpy(big + N, "\nz\n", 3);
    p = write_file_n("big.txt", big, N + 3);
    r = csv_open(p, FMT_AUTO);
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_INT(nf, 1);
    CHECK_INT(strlen(f[0]), N);
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[0], "z");
    csv_close(r);
    free(big);
}

static void write_all(int fd, const char *s)
{
    size_t n = strlen(s);
    if (write(fd, s, n) != (ssize_t)n) { perror("write"); exit(2); }
}

/* A reader of a new pipe's read end, in format fmt; *w gets its write end. */
static csv_reader *pipe_reader(data_format fmt, int *w)
{
    int fds[2];
    char name[64];
    if (pipe(fds) < 0) { perror("pipe"); exit(2); }
    snprintf(name, sizeof name, "/dev/fd/%d", fds[0]);
    csv_reader *r = csv_open(name, fmt);
    if (!r) { fprintf(stderr, "csv_open %s: %s\n", name, err_msg()); exit(2); }
    close(fds[0]);
    *w = fds[1];
    return r;
}

static void test_would_block(void)
{
    int w;
    csv_reader *r = pipe_reader(FMT_CSV, &w);
    char **f;
    size_t nf;

    CHECK_INT(csv_would_block(r), 1);                  /* nothing buffered */
    write_all(w, "a,b\n1,\"hel");                 /* 1.5 records */
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[0], "a");
    CHECK_INT(csv_would_block(r), 1);                  /* half a record */
    write_all(w, "lo\n");                         /* newline inside quotes */
    CHECK_INT(csv_would_block(r), 1);                  /* not read yet */
    write_all(w, "world\",2\r\n\r\n3,x\n4,");
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_INT(nf, 3);
    CHECK_STR(f[1], "hello\nworld");
    CHECK_STR(f[2], "2");
    CHECK_INT(csv_line(r), 2);
    CHECK_INT(csv_would_block(r), 0);                  /* "3,x\n" is buffered */
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[1], "x");
    CHECK_INT(csv_line(r), 5);
    CHECK_INT(csv_would_block(r), 1);                  /* "4," */
    write_all(w, "y\n\n");
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[1], "y");
    CHECK_INT(csv_would_block(r), 1);                  /* just a blank line */
    close(w);
    CHECK_INT(csv_next(r, &f, &nf), 0);
    CHECK_INT(csv_would_block(r), 0);
    csv_close(r);

    /* FMT_LINES: a blank line is a record, so it is "complete". */
    r = pipe_reader(FMT_LINES, &w);
    write_all(w, "x\n\n");
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_INT(csv_would_block(r), 0);
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[0], "");
    CHECK_INT(csv_would_block(r), 1);
    /* A 2-byte first line must not wait for a 3rd byte (BOM check). */
    close(w);
    CHECK_INT(csv_next(r, &f, &nf), 0);
    csv_close(r);

    r = pipe_reader(FMT_LINES, &w);
    write_all(w, "a\n");
    CHECK_INT(csv_next(r, &f, &nf), 1);                /* would hang if wrong */
    CHECK_STR(f[0], "a");
    write_all(w, "\xEF\xBB");
    CHECK_INT(csv_would_block(r), 1);
    close(w);
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[0], "\xEF\xBB");
    csv_close(r);
}

/* A regular file never waits: csv_would_block is 0 before every record,
 * across the 64 KiB reads (it was 1 at each boundary, which cut predict's
 * batches short); a pipe holding the rest of a record: read, then 0; a
 * pipe holding only part of one: read, then 1. */
static void test_would_block_sources(void)
{
    enum { N = 20000 };
    char *big = xmalloc((size_t)N * 16 + 1), *q = big;
    for (int i = 0; i < N; i++) q += sprintf(q, "%d,text %d\n", i % 2, i);
    csv_reader *r = csv_open(write_file_n("big.csv", big, (size_t)(q - big)), FMT_CSV);
    free(big);
    CHECK(r != NULL);
    if (!r) return;
    char **f;
    size_t nf;
    int records = 0, blocked = 0;
    while (!(blocked += csv_would_block(r)) && csv_next(r, &f, &nf) == 1) records++;
    CHECK_INT(records, N);
    CHECK_INT(blocked, 0);
    csv_close(r);

    int w;
    r = pipe_reader(FMT_LINES, &w);
    write_all(w, "one\ntw");
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[0], "one");
    CHECK_INT(csv_would_block(r), 1);                  /* "tw" and an empty pipe */
    write_all(w, "o\nthr");
    CHECK_INT(csv_would_block(r), 0);                  /* "o\n" waits in the pipe: read */
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[0], "two");
    CHECK_INT(csv_would_block(r), 1);                  /* "thr" read, no line end */
    close(w);
    CHECK_INT(csv_would_block(r), 0);                  /* end of input: the last line is whole */
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[0], "thr");
    CHECK_INT(csv_next(r, &f, &nf), 0);
    csv_close(r);
}

/* A pipe's first read that stops between a "\r" and its "\n" leaves a CRLF
 * input CRLF: the line ends are decided by a "\n", or by the first 64 KiB
 * (here: the whole input) holding none.  Read as CR-only, every line gained
 * a blank one after it: an empty record in FMT_LINES, line numbers one too
 * far in CSV (tests/fuzz/fuzz_csv.c's cut reads found it). */
static void test_crlf_split_read(void)
{
    int w;
    char **f;
    size_t nf;
    csv_reader *r = pipe_reader(FMT_LINES, &w);
    write_all(w, "a\r");
    CHECK_INT(csv_would_block(r), 1);                  /* "\r": a line end or not, not known yet */
    write_all(w, "\nb\r\n");
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[0], "a");
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[0], "b");                              /* not "" */
    CHECK_INT(csv_line(r), 2);
    close(w);
    CHECK_INT(csv_next(r, &f, &nf), 0);
    csv_close(r);

    r = pipe_reader(FMT_CSV, &w);
    write_all(w, "label,text\r");
    CHECK_INT(csv_would_block(r), 1);
    write_all(w, "\n1,\"go\r\nod\"\r\n0,bad\r\n");
    close(w);
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[1], "text");
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[1], "go\nod");                        /* not "go\n\nod" */
    CHECK_INT(csv_line(r), 2);
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[1], "bad");
    CHECK_INT(csv_line(r), 4);
    CHECK_INT(csv_next(r, &f, &nf), 0);
    csv_close(r);

    /* CR-only through a pipe, the "\r"s in separate reads: decided at the
     * end of the input (no "\n" in it), every "\r" a line end. */
    r = pipe_reader(FMT_LINES, &w);
    write_all(w, "x\r");
    CHECK_INT(csv_would_block(r), 1);
    write_all(w, "y\rz");
    close(w);
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[0], "x");
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[0], "y");
    CHECK_INT(csv_next(r, &f, &nf), 1);
    CHECK_STR(f[0], "z");
    CHECK_INT(csv_line(r), 3);
    CHECK_INT(csv_next(r, &f, &nf), 0);
    csv_close(r);
}

static void test_stdin(void)
{
    const char *p = write_file("in.csv", "label,text\n1,a\n,b\n");
    int saved = dup(0), fd = open(p, O_RDONLY);
    dup2(fd, 0);
    close(fd);
    dataset d;
    CHECK_INT(dataset_load("-", NULL, 1, &d), -1);
    CHECK_STR(err_msg(), "<stdin>:3: empty label; give the row its label, or leave the row out");
    dup2(saved, 0);
    close(saved);
}

static void test_dataset(void)
{
    dataset d;
    char want[700];
    data_opts o = { .fmt = FMT_AUTO, .header = -1 };

    /* Header detected, default columns by name. */
    const char *p = write_file("d1.csv", "\xEF\xBB\xBFLabel,Text\n1,good\n\n0,\"bad, really\"\n");
    CHECK_INT(dataset_load(p, &o, 1, &d), 0);
    CHECK_INT(d.n, 2);
    CHECK_STR(d.label[0], "1");
    CHECK_STR(d.text[0], "good");
    CHECK_INT(d.line[0], 2);
    CHECK_STR(d.label[1], "0");
    CHECK_STR(d.text[1], "bad, really");
    CHECK_INT(d.line[1], 4);
    CHECK_INT(d.skipped_empty, 0);
    CHECK_STR(d.path, p);
    dataset_free(&d);

    /* Named defaults in other positions, extra columns. */
    p = write_file("d2.csv", "id,review,sentiment\n7,nice, pos \n8,meh,neg\n");
    CHECK_INT(dataset_load(p, NULL, 1, &d), 0);
    CHECK_INT(d.n, 2);
    CHECK_STR(d.text[0], "nice");
    CHECK_STR(d.label[0], "pos");       /* labels are trimmed */
    CHECK_STR(d.label[1], "neg");
    dataset_free(&d);

    /* Column selection by name (case-insensitive) and by number. */
    p = write_file("d3.csv", "id,stars,body\n1,5,great\n2,1,awful\n");
    o.text_col = "BODY";
    o.label_col = "Stars";
    CHECK_INT(dataset_load(p, &o, 1, &d), 0);
    CHECK_INT(d.n, 2);
    CHECK_STR(d.text[1], "awful");
    CHECK_STR(d.label[1], "1");
    dataset_free(&d);
    o.text_col = "3";
    o.label_col = "2";
    o.header = 1;
    CHECK_INT(dataset_load(p, &o, 1, &d), 0);
    CHECK_INT(d.n, 2);
    CHECK_STR(d.text[0], "great");
    CHECK_STR(d.label[0], "5");
    dataset_free(&d);
    /* By number, header auto: "id,stars,body" has no known name -> data. */
    o.header = -1;
    o.text_col = "1";
    o.label_col = "2";
    CHECK_INT(dataset_load(p, &o, 1, &d), 0);
    CHECK_INT(d.n, 3);
    CHECK_STR(d.text[0], "id");
    CHECK_STR(d.label[0], "stars");
    CHECK_INT(d.line[2], 3);
    dataset_free(&d);

    /* Headerless defaults: label = column 1, text = last column. */
    p = write_file("d4.csv", "pos,x,great movie\nneg,y,\"dull, long\"\n");
    o.text_col = o.label_col = NULL;
    CHECK_INT(dataset_load(p, &o, 1, &d), 0);
    CHECK_INT(d.n, 2);
    CHECK_STR(d.label[1], "neg");
    CHECK_STR(d.text[1], "dull, long");
    CHECK_INT(d.line[0], 1);
    dataset_free(&d);
    /* header = 0 forces the first row to be data even with known names. */
    p = write_file("d5.csv", "label,text\n1,a\n");
    o.header = 0;
    CHECK_INT(dataset_load(p, &o, 1, &d), 0);
    CHECK_INT(d.n, 2);
    CHECK_STR(d.label[0], "label");
    dataset_free(&d);
    o.header = -1;

    /* Unknown column name. */
    o.text_col = "xyz";
    CHECK_INT(dataset_load(p, &o, 1, &d), -1);
    snprintf(want, sizeof want, "%s: no column named 'xyz' (columns: label, text)", p);
    CHECK_STR(err_msg(), want);
    CHECK(d.text == NULL && d.n == 0);
    o.text_col = "0";
    CHECK_INT(dataset_load(p, &o, 1, &d), -1);
    CHECK(strstr(err_msg(), "bad column number '0'") != NULL);
    o.text_col = NULL;

    /* Empty texts skipped and counted; empty label / too few columns. */
    p = write_file("d6.csv", "label,text\n1,\n0,ok\n1,\"\"\n,\n");
    CHECK_INT(dataset_load(p, &o, 1, &d), 0);
    CHECK_INT(d.n, 1);
    CHECK_INT(d.skipped_empty, 3);
    CHECK_STR(d.text[0], "ok");
    dataset_free(&d);
    p = write_file("d7.csv", "label,text\n1,a\n ,b\n");
    CHECK_INT(dataset_load(p, &o, 1, &d), -1);
    snprintf(want, sizeof want, "%s:3: empty label; give the row its label, or leave the row out", p);
    CHECK_STR(err_msg(), want);
    CHECK_INT(dataset_load(p, &o, 0, &d), 0);      /* labels not required */
    CHECK_INT(d.n, 2);
    CHECK(d.label != NULL);
    CHECK_STR(d.label[1], "");
    dataset_free(&d);
    p = write_file("d8.csv", "label,text\n1,a\n\n2\n");
    CHECK_INT(dataset_load(p, &o, 1, &d), -1);
    snprintf(want, sizeof want, "%s:4: expected 2 fields, saw 1 (line 1 has 2 columns); "
             "a missing field, or a line break inside an unquoted field?", p);
    CHECK_STR(err_msg(), want);
    /* Errors from the reader come through with their line. */
    p = write_file("d9.csv", "label,text\n1,\"a\n");
    CHECK_INT(dataset_load(p, &o, 1, &d), -1);
    snprintf(want, sizeof want, "%s:2: unbalanced quote (field opened here never closed); close it, and write a quote inside a quoted field as two (\"\")", p);
    CHECK_STR(err_msg(), want);
    /* One column: no labels possible. */
    p = write_file("d10.csv", "great\nbad\n");
    CHECK_INT(dataset_load(p, &o, 1, &d), -1);
    CHECK(strstr(err_msg(), "same") != NULL);
    CHECK_INT(dataset_load(p, &o, 0, &d), 0);
    CHECK_INT(d.n, 2);
    CHECK(d.label == NULL);
    dataset_free(&d);

    /* TSV. */
    p = write_file("d.tsv", "sentiment\ttext\npos\tsays \"hi\", ok\r\n");
    CHECK_INT(dataset_load(p, &o, 1, &d), 0);
    CHECK_INT(d.n, 1);
    CHECK_STR(d.text[0], "says \"hi\", ok");
    CHECK_STR(d.label[0], "pos");
    dataset_free(&d);

    /* FMT_LINES: texts only, empty lines skipped and counted. */
    p = write_file("d.txt", "first\r\n\r\nlabel,text\n\nlast");
    CHECK_INT(dataset_load(p, &o, 0, &d), 0);
    CHECK_INT(d.n, 3);
    CHECK(d.label == NULL);
    CHECK_STR(d.text[1], "label,text");
    CHECK_INT(d.line[2], 5);
    CHECK_INT(d.skipped_empty, 2);
    dataset_free(&d);
    CHECK_INT(dataset_load(p, &o, 1, &d), -1);
    CHECK(strstr(err_msg(), "no labels") != NULL);

    /* Empty file: an empty data set. */
    p = write_file("d0.csv", "");
    CHECK_INT(dataset_load(p, &o, 1, &d), 0);
    CHECK_INT(d.n, 0);
    dataset_free(&d);
    dataset_free(&d);      /* harmless twice */
}

static void test_many_rows(void)
{
    const size_t N = 60000;
    char *buf = xmalloc(N * 64 + 32), *w = buf;
    w += sprintf(w, "label,text\n");
    for (size_t i = 0; i < N; i++)
        w += sprintf(w, "%zu,\"row %zu, some text\"\r\n", i % 2, i);
    const char *p = write_file_n("many.csv", buf, (size_t)(w - buf));
    free(buf);
    dataset d;
    CHECK_INT(dataset_load(p, NULL, 1, &d), 0);
    CHECK_INT(d.n, N);
    CHECK_STR(d.text[N - 1], "row 59999, some text");
    CHECK_STR(d.label[N - 1], "1");
    CHECK_INT(d.line[N - 1], (long)N + 1);
    dataset_free(&d);
}

/* ---- conformance: the cases of csv-spectrum and of CPython's test_csv
 * (excel dialect, reader side), written here from what those suites check
 * (no file of theirs copied).  Each case: input bytes, the records as dump()
 * renders them ("LINE:f1|f2;"). */
typedef struct csv_case { const char *name, *in, *want; } csv_case;

static void run_cases(const csv_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *p = write_file(c[i].name, c[i].in);
        int rc = dump(p, FMT_CSV, out, sizeof out);
        CHECK_MSG(rc == 0 && !strcmp(out, c[i].want), "%s: rc %d, got \"%s\", want \"%s\"",
                  c[i].name, rc, out, c[i].want);
    }
}

static void test_csv_spectrum(void)
{
    static const csv_case cases[] = {
        { "comma_in_quotes.csv", "first,last,address,city,zip\nJane,Roe,5 main st.,\"Springfield, XY\",01234\n",
          "1:first|last|address|city|zip;2:Jane|Roe|5 main st.|Springfield, XY|01234;" },
        { "empty.csv", "a,b,c\n1,\"\",\"\"\n2,3,4\n", "1:a|b|c;2:1||;3:2|3|4;" },
        { "empty_crlf.csv", "a,b,c\r\n1,\"\",\"\"\r\n2,3,4\r\n", "1:a|b|c;2:1||;3:2|3|4;" },
        { "escaped_quotes.csv", "a,b\n1,\"so \"\"so\"\" so\"\n3,4\n", "1:a|b;2:1|so \"so\" so;3:3|4;" },
        { "json.csv", "key,val\n1,\"{\"\"kind\"\": \"\"spot\"\", \"\"xy\"\": [1.5, 0.25]}\"\n",
          "1:key|val;2:1|{\"kind\": \"spot\", \"xy\": [1.5, 0.25]};" },
        { "newlines.csv", "a,b,c\n1,2,3\n\"Long ago\nthere was\",5,6\n7,8,9\n",
          "1:a|b|c;2:1|2|3;3:Long ago\nthere was|5|6;5:7|8|9;" },
        { "newlines_crlf.csv", "a,b,c\r\n1,2,3\r\n\"Long ago\r\nthere was\",5,6\r\n7,8,9\r\n",
          "1:a|b|c;2:1|2|3;3:Long ago\nthere was|5|6;5:7|8|9;" },
        { "quotes_and_newlines.csv", "a,b\n1,\"so \n\"\"so\"\" \nso\"\n3,4\n", "1:a|b;2:1|so \n\"so\" \nso;5:3|4;" },
        { "simple.csv", "a,b,c\n1,2,3\n", "1:a|b|c;2:1|2|3;" },
        { "simple_crlf.csv", "a,b,c\r\n1,2,3\r\n", "1:a|b|c;2:1|2|3;" },
        { "utf8.csv", "a,b,c\n1,2,3\n4,5,\xca\xa4\n", "1:a|b|c;2:1|2|3;3:4|5|\xca\xa4;" },
        { "location.csv", "place,coords\nSomewhere,\"12.5,-3.25\"\n", "1:place|coords;2:Somewhere|12.5,-3.25;" },
    };
    run_cases(cases, sizeof cases / sizeof *cases);
}

static void test_cpython_excel(void)
{
    static const csv_case cases[] = {
        { "py_single.csv", "abc\n", "1:abc;" },
        { "py_simple.csv", "1,2,3,4,5\n", "1:1|2|3|4|5;" },
        { "py_empty_fields.csv", ",\n", "1:|;" },
        { "py_singlequoted.csv", "\"\"\n", "1:;" },
        { "py_sq_left_empty.csv", "\"\",\n", "1:|;" },
        { "py_sq_right_empty.csv", ",\"\"\n", "1:|;" },
        { "py_single_quoted_quote.csv", "\"\"\"\"\n", "1:\";" },
        { "py_quoted_quotes.csv", "\"\"\"\"\"\"\n", "1:\"\";" },
        { "py_inline_quote.csv", "a\"\"b\n", "1:a\"\"b;" },      /* quotes inside an unquoted field are data */
        { "py_inline_quotes.csv", "a\"b\"c\n", "1:a\"b\"c;" },
        { "py_lone_quote.csv", "a\"b\n", "1:a\"b;" },
        { "py_quotes_and_more.csv", "\"a\"b\n", "1:ab;" },        /* text after the closing quote is kept */
        { "py_quoted_nl.csv", "1,\"2\n3\",4\n5,6,7\n", "1:1|2\n3|4;3:5|6|7;" },
        { "py_quoted_sep.csv", "1,\",\",3\n", "1:1|,|3;" },
        { "py_eol_lf.csv", "a,b\n", "1:a|b;" },
        { "py_eol_crlf.csv", "a,b\r\n", "1:a|b;" },
        { "py_eol_cr.csv", "a,b\r", "1:a|b;" },                 /* CR-only line ends */
        { "py_cr_lines.csv", "a,b\rc,d\r", "1:a|b;2:c|d;" },
        /* a quoted line break becomes "\n", as "\r\n" does in every file (Python keeps "\r") */
        { "py_cr_lines_nofinal.csv", "a,b\rc,\"d\re\"\rf,g", "1:a|b;2:c|d\ne;4:f|g;" },
        { "py_no_final_eol.csv", "1,2\n3,4", "1:1|2;2:3|4;" },
        { "py_spaces.csv", " a , b \n", "1: a | b ;" },           /* spaces are data (skipinitialspace off) */
        { "py_space_quote.csv", "a, \"b\"\n", "1:a| \"b\";" },   /* a quote not at the field start is data */
        { "py_dubious_quote.csv", "12,12,1\",\n", "1:12|12|1\"|;" },
    };
    run_cases(cases, sizeof cases / sizeof *cases);
}

static void cleanup(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 2; }
    test_formats();
    test_quoting();
    test_line_endings();
    test_bom_blank();
    test_errors();
    test_tsv_lines();
    test_long_lines();
    test_would_block();
    test_would_block_sources();
    test_crlf_split_read();
    test_stdin();
    test_dataset();
    test_many_rows();
    test_csv_spectrum();
    test_cpython_excel();
    cleanup();
    TEST_END();
}
