/* csv.h - reading labelled text data: CSV (RFC 4180), TSV, plain lines.
 *
 * The reader works on a file descriptor with its own buffer, so that
 * `predict` can tell when the next record is not yet available
 * (csv_would_block) and flush its pending batch instead of waiting: a
 * pipeline then sees results line by line when input arrives slowly.
 */
#ifndef SEQSENT_CSV_H
#define SEQSENT_CSV_H

#include <stddef.h>

typedef enum {
    FMT_AUTO = 0,   /* by extension: .tsv/.tab -> TSV, .txt -> LINES, else CSV */
    FMT_CSV,        /* RFC 4180, ',' separated, "" quoting, fields may span lines */
    FMT_TSV,        /* tab separated, no quoting; one record per line */
    FMT_LINES,      /* one field per line: the whole line */
    FMT_FASTTEXT    /* fastText: "__label__pos some text" per line (.ft, .fasttext, or a
                       .txt whose first line starts with __label__) */
} data_format;

typedef struct csv_reader csv_reader;

/* Open path for reading ("-" = stdin; gzip'd data inflated).  A UTF-8 BOM at
 * the start is skipped; a UTF-16 one converts the file.
 * Returns NULL with err_set("path: strerror") on failure.  FMT_AUTO is
 * resolved with data_format_guess(path). */
csv_reader *csv_open(const char *path, data_format fmt);
/* The same through an encoding (base/instream.h: an iconv name, or NULL for
 * UTF-8, checked); gzip'd input is inflated either way. */
csv_reader *csv_open_enc(const char *path, data_format fmt, const char *encoding);
/* Invalid UTF-8 sequences read so far (they become U+FFFD in tokens). */
size_t csv_bad_utf8(const csv_reader *r);
/* Next record.  Returns 1 and sets *fields / *nfields (valid until the next
 * call), 0 at end of input, -1 on error with err_set("path:line: problem").
 * A final line without newline is a record; trailing "\r\n" / "\n" are never
 * part of a field (so the same text gives the same fields whatever the line
 * ending).  Blank lines in CSV/TSV are skipped.  NUL bytes and unbalanced
 * quotes are errors. */
int csv_next(csv_reader *r, char ***fields, size_t *nfields);
/* 1-based line number where the last returned record started. */
long csv_line(const csv_reader *r);
const char *csv_path(const csv_reader *r);
/* 1 when the next csv_next() would have to wait for input: no complete
 * record is buffered, even after reading what the source already holds
 * (which this does, without waiting: the last record's fields are then
 * invalid, as after csv_next). */
int csv_would_block(csv_reader *r);
void csv_close(csv_reader *r);

data_format data_format_guess(const char *path);
/* FMT_AUTO resolved for a data set: data_format_guess, and a .txt file (not
 * stdin) whose first line starts with __label__ is fastText.  Other formats
 * are returned as given. */
data_format data_format_detect(const char *path, data_format fmt, const char *encoding);
/* The same with fastText's label prefix (NULL = DEFAULT_LABEL_PREFIX). */
data_format data_format_detect_prefix(const char *path, data_format fmt, const char *encoding, const char *prefix);
/* FMT_AUTO resolved for texts without labels (predict, tokenize): stdin and
 * names that do not say .csv/.tsv/.tab/.ft/.fasttext are plain lines (a
 * corpus.utf8 is text), a .txt starting with __label__ is fastText. */
data_format data_format_for_texts(const char *path, data_format fmt, const char *encoding);
data_format data_format_for_texts_prefix(const char *path, data_format fmt, const char *encoding, const char *prefix);
/* "csv", "tsv", "lines", "fasttext", "auto" -> format; -1 if unknown. */
int data_format_parse(const char *s);

/* fastText's label prefix unless --label-prefix says otherwise (fastText -label). */
#define DEFAULT_LABEL_PREFIX "__label__"
/* A row's labels as one string: several (multi-label data) are joined by
 * LABEL_SEP, in file order, each once.  No label contains the byte. */
#define LABEL_SEP '\x1f'
/* The number of labels in a row's label string; label_next walks them:
 * *len of the one at s, returns the next one or NULL. */
int label_count(const char *s);
const char *label_next(const char *s, size_t *len);

/* A whole labelled data set in memory. */
typedef struct dataset {
    char **text;      /* n texts */
    char **label;     /* n label strings, one label or several (LABEL_SEP); NULL array when loaded without labels */
    int multi;        /* some row has 2 or more labels */
    long *line;       /* n source line numbers, for error messages */
    size_t n;
    size_t skipped_empty;   /* rows skipped because the text was empty */
    size_t bad_utf8;        /* invalid UTF-8 sequences in the file (read as U+FFFD) */
    size_t excluded;        /* rows left out after loading: their text is in an --exclude file */
    char *path;
} dataset;

typedef struct data_opts {
    data_format fmt;        /* FMT_AUTO by default */
    const char *text_col;   /* header name or 1-based number; NULL = default */
    const char *label_col;  /* header name or 1-based number; NULL = default */
    int header;             /* -1 auto-detect (default), 0 none, 1 present */
    const char *encoding;   /* iconv name of the file's encoding; NULL = UTF-8 (checked) */
    int join_extra;         /* CSV/TSV rows with more fields than the first row: with the text
                               column last, the extra fields are joined back into the text
                               (with the separator); otherwise such rows are an error */
    const char *label_sep;  /* CSV/TSV: the label field holds several labels split by this
                               string (multi-label data); NULL = one label per row */
    const char *label_prefix;   /* fastText labels start with this; NULL = DEFAULT_LABEL_PREFIX */
} data_opts;

/* Load a whole file.  Columns: a name is matched against the header (case
 * insensitive); a number is 1-based.  Defaults: the label column is the one
 * named label/class/sentiment/target/y, else column 1; the text column is the
 * one named text/review/sentence/comment/content/review_text, else the last
 * column.  With header == -1 the first row is a header when one of its fields
 * is one of those names or equals text_col/label_col.  FMT_LINES gives texts
 * only.  need_labels: every row must have a non-empty label.  Rows with empty
 * text are skipped and counted.  Several labels on a row (fastText lines
 * with several prefixed tokens, a CSV/TSV label field split by label_sep)
 * are kept in one label string (LABEL_SEP) and set out->multi.  Errors:
 * "path:line: problem". */
int dataset_load(const char *path, const data_opts *o, int need_labels, dataset *out);
/* Whether `distinct` different labels in `rows` rows are texts rather than
 * labels (20 rows or more, 90% of them different): dataset_load's error
 * when the columns were not given, and split --stratify's. */
int labels_look_like_texts(size_t rows, size_t distinct);
/* dataset_load's column rules on a first row, for other readers of rows
 * (split): *header (o->header, or detected), the 0-based text and label
 * columns.  -1 + err_set("path: ...") when a named column is not there. */
int csv_columns(const char *path, const data_opts *o, char **first, size_t nfirst,
                int *header, long *text_col, long *label_col);
void dataset_free(dataset *d);

/* Texts one by one, streaming (predict): the text column of CSV/TSV rows
 * (dataset_load's header and column rules, field counts checked), the text
 * after the __label__ tokens of fastText lines, or whole lines.  fmt must be
 * resolved (not FMT_AUTO).  Empty texts are returned too (one result per
 * row).  text_next: 1 and *text (valid until the next call), 0 at the end,
 * -1 with err_set("path:line: problem"). */
typedef struct text_reader text_reader;
text_reader *text_reader_open(const char *path, data_format fmt, const data_opts *o);
int text_next(text_reader *t, char **text);
/* 1 when the next text_next() may have to wait for input. */
int text_would_block(text_reader *t);
/* The file's name as errors give it, and its invalid UTF-8 sequences so
 * far (read as U+FFFD; the reader's caller says so, never in silence). */
const char *text_path(const text_reader *t);
size_t text_bad_utf8(const text_reader *t);
void text_reader_close(text_reader *t);

#endif
