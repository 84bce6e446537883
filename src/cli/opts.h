/* opts.h - the option parser and usage text shared by every subcommand.
 *
 * Each subcommand describes its options in a table; opt_next() walks argv
 * with getopt_long (options and operands in any order), answers --help from
 * the table, and turns bad options into a one-line message and exit 2.
 */
#ifndef SEQSENT_OPTS_H
#define SEQSENT_OPTS_H

#include <stdint.h>
#include <stdio.h>
#include "text/csv.h"
#include "text/tokenize.h"

typedef struct cmd_opt {
    const char *name;     /* long name without "--" */
    int id;               /* short option char, or a unique value >= 256 */
    int has_arg;          /* 0 or 1 */
    const char *arg;      /* argument name shown in help, e.g. "N" */
    const char *help;     /* one line */
} cmd_opt;

/* A group heading in an option table ("Network:"): id 0, shown in --help
 * above the options that follow it. */
#define OPT_GROUP(title) { title, 0, 0, NULL, "" }
#define OPT_IS_GROUP(o) ((o)->id == 0)

typedef struct cmd_spec {
    const char *name;     /* "train" */
    const char *usage;    /* "[options] FILE -o MODEL" */
    const char *summary;  /* one line */
    const cmd_opt *opts;  /* terminated by {0} */
    const char *notes;    /* extra help text after the options, or NULL */
} cmd_spec;

/* Next option: returns its id and sets *arg, or -1 when options are done
 * (operands are then argv[*optind_out .. argc)).  --help prints the help and
 * exits 0; an unknown option or a missing argument exits 2. */
int opt_next(const cmd_spec *s, int argc, char **argv, const char **arg);
int opt_operands(void);     /* index of the first operand after opt_next returned -1 */
/* The arguments parsed (operands and option values, up to max into list)
 * but those of --output, --plot, --errors and --log: whatever may name a
 * file the run reads.  Returns their count. */
int opt_input_args(const char **list, int max);
/* Forget the parse so far: the next opt_next starts on a new argv (train
 * --refit parses its first run's recorded options again after a --resume). */
void opt_reset(void);
void opt_help(const cmd_spec *s, FILE *f);
/* Print "seqsent CMD: message" and "Try 'seqsent CMD --help'." and exit 2. */
void usage_error(const cmd_spec *s, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* Print "seqsent: <err_msg()>" and exit with code.  In an MPI job (usage_error,
 * die_err and die): "seqsent (rank R of N): ...", and the whole job ends
 * (dist_abort); an empty message is a job-wide error rank 0 reports. */
void die_err(int code) __attribute__((noreturn));
void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* Flush stdout and exit 1 with "seqsent: <stdout>: <error>" if any write
 * failed; a reader that went away (EPIPE) is a quiet exit 0. */
void finish_stdout(void);

/* Checked number parsing: out-of-range or malformed values are usage errors. */
long opt_long(const cmd_spec *s, const char *opt, const char *v, long lo, long hi);
double opt_double(const cmd_spec *s, const char *opt, const char *v, double lo, double hi);
/* A byte count: digits with an optional K, M or G (powers of 1024), e.g. "1M". */
size_t opt_size(const cmd_spec *s, const char *opt, const char *v, size_t lo, size_t hi);
/* "pre" -> 1, "post" -> 0 (--padding / --truncating); anything else is a usage error. */
int opt_pre_post(const cmd_spec *s, const char *opt, const char *v);

/* Shared option groups. */
#define OPT_TOKENIZER_IDS 300
enum {
    OPT_LANG = OPT_TOKENIZER_IDS, OPT_DICT, OPT_DICT_VECTORS, OPT_USER_DICT, OPT_NO_NORMALIZE, OPT_SQUEEZE,
    OPT_FORMAT, OPT_TEXT_COL, OPT_LABEL_COL, OPT_NO_HEADER, OPT_THREADS, OPT_ENCODING, OPT_HEADER,
    OPT_JOIN_EXTRA, OPT_T2S, OPT_LABEL_SEP, OPT_LABEL_PREFIX, OPT_EXCLUDE
};
#define TOKENIZER_OPTS \
    { "lang", OPT_LANG, 1, "zh|en|auto", "language of the text (default auto: Chinese runs segmented, the rest tokenized as English)" }, \
    { "dict", OPT_DICT, 1, "FILE|jieba|none", "Chinese segmentation dictionary: a file, 'word [freq [tag]]' per line (jieba dict.txt format), jieba (python3-jieba's dict.txt) or none (a token per Han character) (default jieba for Chinese data, else none)" }, \
    { "dict-vectors", OPT_DICT_VECTORS, 1, "FILE", "use the words of a word2vec file as the segmentation dictionary" }, \
    { "user-dict", OPT_USER_DICT, 1, "FILE", "extra words (same format) that always win, e.g. product names; on top of the dictionary" }, \
    { "t2s", OPT_T2S, 0, NULL, "convert traditional Chinese to simplified before segmentation (OpenCC t2s.json; kept in the model)" }, \
    { "no-normalize", OPT_NO_NORMALIZE, 0, NULL, "no NFKC normalisation or case folding" }, \
    { "squeeze", OPT_SQUEEZE, 0, NULL, "squeeze letters repeated 3+ times to 2 (\"soooo\" -> \"soo\")" }
#define DATA_OPTS \
    { "format", OPT_FORMAT, 1, "csv|tsv|lines|fasttext|auto", "input format (default auto: .tsv TSV, .txt lines or fastText (__label__), .ft fastText, else CSV)" }, \
    { "text-col", OPT_TEXT_COL, 1, "COL", "text column: header name or 1-based number (default: text/review/sentence..., else last)" }, \
    { "label-col", OPT_LABEL_COL, 1, "COL", "label column: header name or 1-based number (default: label/class/sentiment..., else first)" }, \
    { "header", OPT_HEADER, 0, NULL, "the first row is a header (default: detected by its column names)" }, \
    { "no-header", OPT_NO_HEADER, 0, NULL, "the first row is data, not a header" }, \
    { "join-extra", OPT_JOIN_EXTRA, 0, NULL, "with the text column last, a row with more fields than the first keeps the rest as the text (default: an error)" }, \
    { "encoding", OPT_ENCODING, 1, "NAME", "the data's encoding, converted with iconv (e.g. gb18030, big5, utf-16, latin1; default UTF-8, checked)" }

/* Commands that learn from text (train, distill, pretrain, vectors, vocab):
 * texts never to learn from, e.g. a test set's (cli_load_texts leaves them
 * out of every file the command reads). */
#define EXCLUDE_OPT \
    { "exclude", OPT_EXCLUDE, 1, "FILE", "leave out every text also in FILE (the test set: no test text is learnt from, even unlabelled), or a near copy (the same letters and digits, or cut short); FILE's format by its name; repeatable" }

/* How labels are written (commands that read labels: train, distill, eval;
 * predict takes the prefix, to find the text of fastText lines). */
#define LABEL_PREFIX_OPT \
    { "label-prefix", OPT_LABEL_PREFIX, 1, "PREFIX", "fastText lines: labels are the leading tokens starting with PREFIX (fastText -label; default __label__)" }
#define LABEL_OPTS \
    { "label-sep", OPT_LABEL_SEP, 1, "SEP", "CSV/TSV: the label field holds several labels separated by SEP, e.g. '|' or ',' (multi-label data; default: one label per row)" }, \
    LABEL_PREFIX_OPT

/* eval and predict: override a model's reading of unknown words (its
 * option id is the command's own). */
#define MATCH_UNKNOWN_OPT(id) \
    { "match-unknown", id, 1, "COS", "override the model's reading of words its vocabulary lacks: the known word most like each (character 3- to 6-gram cosine >= COS; as train --match-unknown), 0 = <unk> (default: the model's setting)" }

/* eval and predict: override the weight of a model's naive Bayes head
 * (train --naive-bayes; its option id is the command's own). */
#define NAIVE_BAYES_WEIGHT_OPT(id) \
    { "naive-bayes-weight", id, 1, "W", "override the weight of the model's naive Bayes head (train --naive-bayes) in its probabilities, 0..1; 0 = the network alone (default: the weight chosen in training)" }

/* Settings collected from the shared groups. */
typedef struct common_opts {
    tok_config tok;
    const char *dict_path;
    const char *dict_vectors;
    const char *user_dict;
    int tok_set;          /* any tokenizer option given */
    data_opts data;
    int threads;
    const char *exclude[16];   /* --exclude files */
    int nexclude;
} common_opts;

void common_opts_init(common_opts *c);
/* Handle a shared option; returns 1 if id was one of them. */
int common_opt(const cmd_spec *s, common_opts *c, int id, const char *arg);

#endif
