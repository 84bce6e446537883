/* datasplit.h - a seeded train/test split of a data file, record by record.
 *
 * Every record of the input goes to exactly one of two outputs, train and
 * test, in file order, in the input's format; a CSV/TSV header row goes to
 * both.  Records are re-written field by field: CSV with RFC 4180 quoting
 * where a field needs it (comma, quote, CR or LF), TSV joined by tabs, lines
 * as they are, each ended by "\n".  Reading an output back gives the same
 * fields as reading the input (a BOM and CRLF line ends are not kept).
 *
 * Which rows are held out depends only on the seed and the number of rows
 * (and, when stratified, on the label of each row): the rows of each group
 * (one group, or one per label in order of first appearance) are shuffled
 * with the seeded generator and the first ones of the shuffle go to the
 * test part.  Stratified, the test rows are shared out among the labels in
 * proportion to their counts, rounded by largest remainder so that the
 * total is exact.
 */
#ifndef SEQSENT_DATASPLIT_H
#define SEQSENT_DATASPLIT_H

#include <stddef.h>
#include <stdint.h>
#include "text/csv.h"

typedef struct split_opts {
    data_format fmt;        /* CSV, TSV or LINES (fastText files are split as lines) */
    const data_opts *data;  /* column rules: header detection, the label column */
    double test;            /* the test part: a fraction (0 < test < 1) or a row count (>= 1) */
    uint64_t seed;
    int stratify;           /* one group per label (needs CSV or TSV) */
} split_opts;

/* What a split did, for a summary. */
typedef struct split_result {
    char *source;           /* the input's name ("<stdin>" for "-") */
    size_t n, ntest;        /* data rows, of which test rows */
    size_t ngroups;         /* 1, or the number of labels when stratified */
    char **label;           /* [ngroups] the labels when stratified, else NULL */
    size_t *count, *test;   /* [ngroups] rows and test rows per group */
} split_result;

/* Split the records of path ("-" = stdin) into out[0] (train) and out[1]
 * (test), both written atomically: renamed into place only when both are
 * complete.  Errors name the input ("path:line: ...") or the output. */
int data_split(const char *path, const split_opts *o, const char *const out[2], split_result *r);
void split_result_free(split_result *r);

#endif
