/* cli.h - steps shared by several subcommands (vocab, embed, train, tokenize). */
#ifndef SEQSENT_CLI_H
#define SEQSENT_CLI_H

#include "text/csv.h"
#include "model/model.h"
#include "text/wordspace.h"
#include "cli/opts.h"

/* Set m's tokenizer from the options: settings, and the dictionary from
 * --dict (a file, "jieba" or "none": one token per Han character), or
 * --dict-vectors; else, for Chinese data (--lang zh, or texts[0..n) are
 * Chinese: texts_are_chinese), the default dictionary (cli_default_dict),
 * or the words of vectors_fallback (train --embed's file) when jieba's
 * dict.txt is not installed. */
int cli_setup_tokenizer(model *m, const common_opts *c, const char *vectors_fallback,
                        char *const *texts, size_t n, const char *note_cmd);
/* The default dictionary for Chinese into m (no dictionary yet): jieba's
 * dict.txt from Debian's python3-jieba; without it none, and (unless
 * note_cmd is NULL: quiet) the line "CMD: no dictionary: ..." on stderr. */
int cli_default_dict(model *m, const char *note_cmd);
/* Count the tokens of every text and build m->voc. */
void cli_build_vocab(model *m, char *const *texts, size_t n, long min_count, long max_size);
/* Load vectors for m's vocabulary into m->emb, report coverage on stderr
 * (unless quiet) and record it in m->embed_info. */
int cli_embed(model *m, const char *vec_path, long expect_dim, int quiet);
/* Make mat [voc.n, dim] (taken over, freed) m's embedding, its <pad> and
 * <unk> rows zero, and start m->embed_info with source and dim (returned,
 * for more fields). */
cJSON *cli_set_embedding(model *m, float *mat, int dim, const char *source);
/* Word vectors for nn and analogies: a word2vec file (text or binary, .gz
 * ok), or a model file's embedding.  m owns the vocabulary and vectors ws
 * reads; -1 with err_set on failure. */
int cli_load_wordspace(const char *path, model *m, wordspace *ws);
/* Read a base: a model file, or a plain "token<TAB>count" listing. */
int cli_load_base(model *m, const char *path);
/* Whether path starts with the model file magic. */
int is_model_file(const char *path);
/* Read texts: CSV/TSV column or lines, from path ("-" = stdin).  With
 * --exclude files (c->nexclude), rows whose text is also in one of them are
 * left out (counted in d->excluded and said on stderr). */
int cli_load_texts(const char *path, const common_opts *c, int need_labels, dataset *d);
/* The model's record of --exclude: train_info.excluded {files, texts: n}
 * (nothing without --exclude). */
void cli_note_excluded(cJSON *train_info, const common_opts *c, size_t n);
/* The texts of all npaths files, in order (labels not needed); dies with the
 * file's error.  Free with cli_texts_free. */
typedef struct cli_texts { char **text; size_t n; dataset *ds; int nds; } cli_texts;
void cli_texts_load(cli_texts *t, char *const *paths, int npaths, const common_opts *c);
/* How many texts --exclude left out of them. */
size_t cli_texts_excluded(const cli_texts *t);
void cli_texts_free(cli_texts *t);
/* A new bundle with the texts of all npaths files and the tokenizer of the
 * options for them (vocab and vectors read a corpus this way); dies on
 * errors.  note_cmd: see cli_setup_tokenizer. */
void cli_corpus_load(model *m, cli_texts *t, char *const *paths, int npaths, const common_opts *c,
                     const char *note_cmd);
/* "PATH: N invalid UTF-8 sequences read as U+FFFD" on stderr when n > 0. */
void cli_note_bad_utf8(const char *path, size_t n);
/* "CMD: P% of the tokens of PATH are not in the model's vocabulary: ..." on
 * stderr when over 30% of the tokens read are unknown: text in another
 * language, or tokenized otherwise than the training data (the model's
 * answers then mean little). */
void cli_note_unknown(const char *cmd, const char *path, size_t tokens, size_t unknown);
/* fn(line, reader, ctx) for every line of path ("-" = stdin), as plain
 * lines; stdout is flushed whenever the next line is not there yet, so a
 * pipeline sees each result as its input arrives.  Dies on read or write
 * errors. */
typedef void (*cli_line_fn)(char *line, const csv_reader *r, void *ctx);
void cli_each_line(const char *path, cli_line_fn fn, void *ctx);
/* fn(text, NULL, ctx) for every text of the nfiles files (none: stdin),
 * streamed as predict reads them: plain lines, the text column of CSV/TSV
 * rows or the text of fastText lines (the input options of c decide which,
 * --encoding and --header included), one call per row, an empty text too.
 * Whenever the next text is not there yet, and at the end of each file
 * (or before a read error ends the run), idle(ctx) if not NULL -- a
 * command that batches its texts flushes them there -- then stdout is
 * flushed, so a pipeline sees each result as its input arrives. */
void cli_each_text(char *const *paths, int nfiles, const common_opts *c, cli_line_fn fn, void (*idle)(void *ctx),
                   void *ctx);
/* Die (exit 1, "seqsent: path: problem") unless an output file can be
 * written at path: a temp file is created beside it and removed again, as
 * the real write will do, so a run never trains for an hour and then
 * finds its -o directory missing.  NULL and "-" (stdout) pass. */
void cli_check_output(const char *path);
/* Whether s[0..n) is valid UTF-8 (RFC 3629: no overlong forms, surrogates
 * or code points above U+10FFFF). */
int cli_utf8_valid(const char *s, size_t n);
/* A copy of s with invalid UTF-8 replaced by U+FFFD (with the stray
 * continuation bytes after it), so that JSON built from it is valid. */
char *cli_utf8_clean(const char *s);
/* One text's prediction as `predict --output-format jsonl` prints it (serve
 * answers with the same objects): {"label": labels[best], "probability",
 * "probabilities": {label: p, ...} in label order, and "top": [{"label",
 * "probability"}, ...] for the ntop labels of top when ntop > 0}, every
 * probability rounded to 6 decimals.  labels: the L names as valid UTF-8
 * (cli_utf8_clean), p: the L probabilities. */
cJSON *cli_prediction_json(char *const *labels, int L, const double *p, int best, const int *top, int ntop);
/* The same for a multi-label model: {"labels": [the nchosen labels of
 * order, the ones with p >= the threshold, most probable first],
 * "probabilities": {label: p, ...} in label order (independent: they need
 * not sum to 1), and "top" for the first ntop of order when ntop > 0}. */
cJSON *cli_multilabel_json(char *const *labels, int L, const double *p, const int *order, int nchosen, int ntop);
/* Resolve --threads (0 = all cores) and give BLAS that many; returns it. */
int cli_set_threads(int threads);
/* The same for inference (predict, eval): the threads are the inference
 * pool's workers, each with single-threaded BLAS (workers.h), so BLAS is
 * kept at one thread -- given more, OpenBLAS starts its own pool, whose
 * threads spin (sched_yield) beside the workers for a while after each
 * change of count: 4% of a 2-thread predict. */
int cli_set_threads_inference(int threads);
/* A training command started by mpirun (train/dist.h): join the job;
 * ranks other than 0 go quiet (*quiet, *quiet2 = 1): rank 0 alone prints
 * progress and writes files.  The command leaves the job (dist_finish)
 * when it is done; any other exit (an error) makes mpirun end the job. */
void cli_join_job(int *quiet, int *quiet2);
/* Under mpirun with more ranks than shards per batch: say that some ranks
 * idle (rank 0, unless quiet). */
void cli_note_idle_ranks(const char *cmd, int shards, int quiet);
/* Training interrupted (checkpoint written by rank 0): every rank waits for
 * the others, then exits 130 (SIGINT) or 143 (SIGTERM; under mpirun when
 * any rank got SIGTERM), which mpirun passes on as its own status. */
void cli_exit_interrupted(int sig) __attribute__((noreturn));

#endif
