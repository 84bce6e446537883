/* trainer.h - the steps of `train`, shared with `distill` (a student
 * trained on a teacher's probabilities): the options that shape the model
 * and the run, and the run itself from loaded data to the written file. */
#ifndef SEQSENT_TRAINER_H
#define SEQSENT_TRAINER_H

#include "cli/opts.h"
#include "model/checkpoint.h"
#include "nn/net.h"
#include "text/csv.h"
#include "train/encode.h"

enum {
    O_FROM = 400, O_VOCAB, O_EMBED, O_FREEZE, O_EMBED_DIM, O_LAYERS, O_HIDDEN, O_MAXLEN,
    O_PADDING, O_TRUNCATING, O_EPOCHS, O_BATCH, O_LR, O_SEED, O_VAL, O_MASK, O_MIN_COUNT,
    O_MAX_SIZE, O_QUIET, O_RESUME, O_SAVE_EVERY, O_EARLY_STOP, O_CLIP_NORM, O_EMA, O_WORD_DROPOUT, O_ADVERSARIAL, O_HALF, O_LOG, O_VAL_SPLIT, O_BUCKET, O_CELL, O_BIDIR, O_DROPOUT, O_DENSE, O_OPTIM, O_WD, O_MOMENTUM,
    O_LR_DECAY, O_CLASS_WEIGHT, O_PLOT, O_POOL, O_ATTN_UNITS, O_SHARDS, O_ALLOW_RARE, O_DISCR, O_UNFREEZE, O_SLANTED,
    O_MONITOR, O_KERAS, O_NO_MASK, O_NO_BUCKET, O_NO_BIDIR, O_MULTILABEL, O_WORD2VEC, O_NO_WORD2VEC,
    O_MATCH_UNKNOWN, O_BAG, O_BAG_BUCKETS, O_NAIVE_BAYES, O_NO_NAIVE_BAYES, O_NB_WEIGHT, O_NB_SCALE, O_REFIT,
    O_NB_CHARS,
    O_TRAINER_END   /* a command's own options start here */
};


/* One row per option: its metavar ("N", "FILE"...) says that it takes a
 * value, "" that it is a flag. */
#define OPT(name, id, metavar, help) { name, id, sizeof(metavar) > 1, metavar, help }

/* train's option rows in --help order, by topic under group headings, the
 * shared data and tokenizer options included (a command adds its own).
 * TRAIN_OPTIONS_WITH(NAIVE_BAYES_ROWS): train's, with the naive Bayes head
 * among the network's rows (train and distill: a student's head is counted
 * on its rows' labels, its own or the teacher's decisions). */
#define NO_ROWS
#define NAIVE_BAYES_ROWS \
    OPT("naive-bayes", O_NAIVE_BAYES, "", "beside the network, naive Bayes over the words and word pairs, mixed into its probabilities by a weight chosen on the validation rows (default on with validation data and one label a row; --keras off)"), \
    OPT("no-naive-bayes", O_NO_NAIVE_BAYES, "", "no naive Bayes head (as --keras)"), \
    OPT("naive-bayes-weight", O_NB_WEIGHT, "W", "the head's weight (0..1) as given, not chosen on the validation rows; with --naive-bayes-scale none are needed (e.g. --val-split 0; see --refit)"), \
    OPT("naive-bayes-scale", O_NB_SCALE, "S", "the scale of the head's log probabilities (0.001..100), given rather than chosen on the validation rows"), \
    OPT("naive-bayes-chars", O_NB_CHARS, "MIN-MAX", "the head also counts each word's character n-grams of MIN to MAX characters, with marks at the word's ends (fastText's subwords; 1 <= MIN <= MAX <= 9; default 3-6; 0 = words and word pairs only)"),
/* --refit, among the validation rows (train and distill). */
#define REFIT_ROWS \
    OPT("refit", O_REFIT, "", "then train again from the start on every row (the validation split's too) for the epochs kept, with the head's weight and scale (twice the time; off)"),
#define TRAIN_OPTIONS TRAIN_OPTIONS_WITH(NO_ROWS, NO_ROWS)
#define TRAIN_OPTIONS_WITH(network_rows, validation_rows) \
    OPT_GROUP("Data & vocabulary:"), \
    DATA_OPTS, \
    EXCLUDE_OPT, \
    LABEL_OPTS, \
    TOKENIZER_OPTS, \
    OPT("vocab", O_VOCAB, "FILE", "reuse a vocabulary: a model file or a 'token<TAB>count' listing"), \
    OPT("min-count", O_MIN_COUNT, "N", "drop tokens seen fewer than N times (default 1)"), \
    OPT("match-unknown", O_MATCH_UNKNOWN, "COS", "read a word the vocabulary lacks as the known word most like it, when the cosine of their character 3- to 6-gram sets is at least COS (\"inhabited\" -> \"inhabit\"); kept in the model (default 0.6, --keras 0; 0 = <unk>)"), \
    OPT("max-size", O_MAX_SIZE, "N", "keep at most N vocabulary entries incl. <pad> and <unk> (default all)"), \
    OPT("embed", O_EMBED, "VECTORS", "initialise the embedding from word2vec vectors (text or binary, .gz ok); Chinese is still cut by jieba's dictionary, the way such vectors are trained (by their own words only without python3-jieba, or with --dict-vectors)"), \
    OPT("word2vec", O_WORD2VEC, "", "initialise the embedding with word2vec vectors trained first on the training texts (skip-gram, one thread: reproducible; --embed-dim default 64 with it): the default without --embed, --from or --keras"), \
    OPT("no-word2vec", O_NO_WORD2VEC, "", "without --embed: a random embedding (--embed-dim default 300), not word2vec on the training texts"), \
    OPT("allow-rare-labels", O_ALLOW_RARE, "", "accept a label seen once (or in < 1% of the median count) and labels differing only in case (by default an error: a header or row misread)"), \
    OPT_GROUP("Network:"), \
    OPT("from", O_FROM, "FILE", "start from a file written by 'vocab', 'embed' or 'pretrain' (a language model: fine-tune its embedding and recurrent layers; their shape and --mask follow it)"), \
    OPT("embed-dim", O_EMBED_DIM, "N", "embedding size when no vectors are given (default 300); with vectors, must match them"), \
    OPT("freeze", O_FREEZE, "", "do not train the embedding (frozen, as Keras trainable=False)"), \
    OPT("keras", O_KERAS, "", "the Keras recipe's semantics and defaults: 2 LSTM layers of 128, final state, every step computed, no dropout, batch 32, Adam 0.001, 5 epochs, no validation split (options given still apply)"), \
    OPT("cell", O_CELL, "lstm|gru|rnn", "recurrent cell (default gru, as Keras reset_after; --keras: lstm; rnn = SimpleRNN tanh)"), \
    OPT("layers", O_LAYERS, "N", "stacked recurrent layers (default 1; --keras: 2)"), \
    OPT("hidden", O_HIDDEN, "H", "units per layer and direction (default 64; --keras: 128)"), \
    OPT("bidirectional", O_BIDIR, "", "read each layer's input both ways; outputs and final states concatenated (the default; not with --keras)"), \
    OPT("no-bidirectional", O_NO_BIDIR, "", "read forwards only (as --keras)"), \
    OPT("dropout", O_DROPOUT, "P", "inverted dropout on every recurrent layer's input and before the dense layer (training only; default 0.5; --keras: 0)"), \
    OPT("dense", O_DENSE, "H", "a hidden ReLU dense layer of H units before the output (default none)"), \
    OPT("pool", O_POOL, "last|max|mean|attention", "summary of the top layer: mean over time (default), max over time, the final states (--keras), or a learnt weighted mean (attention)"), \
    OPT("attention-units", O_ATTN_UNITS, "A", "--pool attention: units of its scoring layer (default: the top layer's width, 2 x --hidden when bidirectional)"), \
    OPT("bag", O_BAG, "G", "beside the summary, a bag of words and word bigrams as fastText has: the mean of their G-wide embeddings (bigrams hashed); 0 = none (default 32, Chinese text and --keras 0)"), \
    OPT("bag-buckets", O_BAG_BUCKETS, "N", "rows for the bag's hashed word bigrams (default 8 per vocabulary word, a power of two, 1024 to 131072)"), \
    network_rows \
    OPT("multilabel", O_MULTILABEL, "", "one sigmoid per label, each with binary cross-entropy (one-vs-all, fastText -loss ova), even when every row has one label (default: when some row has 2+ labels)"), \
    OPT("maxlen", O_MAXLEN, "N", "sequence length (default: 95th percentile of training lengths)"), \
    OPT("padding", O_PADDING, "pre|post", "where padding goes (default pre, as Keras)"), \
    OPT("truncating", O_TRUNCATING, "pre|post", "which end long texts lose (default pre, as Keras)"), \
    OPT("mask", O_MASK, "", "skip padding steps (state carried through), as Keras mask_zero; stored in the model (the default; not with --keras)"), \
    OPT("no-mask", O_NO_MASK, "", "compute every step, padding included (as --keras)"), \
    OPT_GROUP("Training:"), \
    OPT("epochs", O_EPOCHS, "N", "passes over the training data, at most (default 15, fewer when early stopping ends the run; --keras: 5)"), \
    OPT("batch", O_BATCH, "N", "mini-batch size (default 64; --keras: 32)"), \
    OPT("bucket", O_BUCKET, "", "batches of similar lengths, each trimmed to its longest row (the default; not with --keras)"), \
    OPT("no-bucket", O_NO_BUCKET, "", "batches of random rows at the full --maxlen (as --keras)"), \
    OPT("shards", O_SHARDS, "N", "cut each batch into N shards whose gradients are summed in a fixed order; threads share out the shards (default 2; at most 64)"), \
    OPT("optimizer", O_OPTIM, "adam|adamw|sgd", "optimizer (default adam: beta1 .9, beta2 .999, eps 1e-7, as Keras)"), \
    OPT("lr", O_LR, "RATE", "learning rate (default 0.002; --keras: 0.001; 0.01 for sgd)"), \
    OPT("lr-decay", O_LR_DECAY, "F", "multiply the learning rate by F after every epoch (default 1: constant)"), \
    OPT("discriminative", O_DISCR, "F", "fine-tuning: each layer's learning rate is the one above's / F (ULMFiT: 2.6; default off)"), \
    OPT("gradual-unfreeze", O_UNFREEZE, "", "fine-tuning: epoch 1 trains the dense layers only, each further epoch one more layer down (ULMFiT)"), \
    OPT("slanted", O_SLANTED, "", "slanted triangular learning rate: up over the first 10% of steps, then down to lr/32 (ULMFiT)"), \
    OPT("weight-decay", O_WD, "W", "decoupled weight decay for adamw (default 0.01; biases excluded)"), \
    OPT("momentum", O_MOMENTUM, "M", "momentum for sgd (default 0.9)"), \
    OPT("class-weight", O_CLASS_WEIGHT, "auto", "weight each class's loss by n / (classes x count), for imbalanced data (multi-label: each label's positive term by its negative / positive rows)"), \
    OPT("clip-norm", O_CLIP_NORM, "X", "scale gradients down when their global norm exceeds X"), \
    OPT("word-dropout", O_WORD_DROPOUT, "P", "replace each token by <unk> with probability P while training (default 0)"), \
    OPT("adversarial", O_ADVERSARIAL, "EPS", "adversarial training: each step also trains on the embedded input moved by EPS x its norm in the direction that raises the loss most (Miyato et al. 2017; twice the compute; default 0.02, --keras 0; 0 = off)"), \
    OPT("ema", O_EMA, "M", "keep a moving average of the weights (momentum M) and use it for validation, early stopping and the saved model (Keras use_ema; default 0.99, --keras 0; 0 = off)"), \
    OPT("seed", O_SEED, "N", "random seed: same seed, same model, whatever --threads (default 1)"), \
    OPT("threads", OPT_THREADS, "N", "CPU threads (default: all cores); changes speed only, never results (at most --shards of them train)"), \
    OPT_GROUP("Validation & checkpoints:"), \
    OPT("val", O_VAL, "FILE", "validation data, scored after every epoch"), \
    OPT("val-split", O_VAL_SPLIT, "FRACTION", "hold out this fraction of the training rows for validation, chosen with --seed (default 0.1 without --val, from 20 rows; --keras and 0: none)"), \
    OPT("early-stop", O_EARLY_STOP, "N", "stop when validation loss (or --monitor accuracy) has not improved for N epochs; keep the best epoch's weights (default 3 with validation data; --keras and 0: off)"), \
    OPT("monitor", O_MONITOR, "loss|accuracy", "what picks the best epoch and counts early stopping's patience: validation loss (default) or accuracy (micro-F1 multi-label; ties go to the lower loss)"), \
    validation_rows \
    OPT("save-every", O_SAVE_EVERY, "N", "write a checkpoint (with optimizer state) to the -o file every N epochs"), \
    OPT("resume", O_RESUME, "CHECKPOINT", "continue an interrupted run from its checkpoint (same data; -o defaults to CHECKPOINT)"), \
    OPT_GROUP("Output:"), \
    OPT("output", 'o', "MODEL", "write the trained model here (required; written atomically)"), \
    OPT("log", O_LOG, "FILE", "append one JSON object per epoch (JSON lines)"), \
    OPT("plot", O_PLOT, "FILE.svg", "draw the loss and accuracy curves (train, and validation if any) as an SVG chart"), \
    OPT("half", O_HALF, "", "store the trained weights as 16-bit floats: half the file; probabilities change in the 3rd-4th digit (checkpoints stay 32-bit)"), \
    OPT("quiet", O_QUIET, "", "no progress, label or per-epoch lines on stderr")

/* What the command line asks for. */
typedef struct train_args {
    const cmd_spec *spec;    /* the command, for usage errors */
    const char *cmd;         /* its name, the prefix of its messages */
    common_opts co;
    train_opts to;
    net_config nc;           /* the network's shape; its sizes from the data come later */
    const char *train_path, *out, *from, *vocab_path, *embed, *val_path, *resume_path, *plot_path;
    int embed_dim, maxlen, pad_pre, trunc_pre, half, quiet, allow_rare, multilabel;
    int naive_bayes;         /* --naive-bayes: a naive Bayes head fitted after training (nn/nbhead.h) */
    double nb_weight, nb_scale;   /* --naive-bayes-weight/-scale: the head's, given (NAN: chosen on the validation rows) */
    int nb_cmin, nb_cmax;    /* --naive-bayes-chars: its words' character n-grams (0: none) */
    int refit;               /* --refit: train again on every row (trainer_refit) */
    int refit_resumed;       /* --resume of a --refit's first run: the second follows (cmd_train) */
    struct cJSON *refit_args;   /* --refit's command line (recorded in the first run's file), or NULL */
    int refit_epochs;        /* what the first run chose: its kept epoch, */
    double refit_weight, refit_scale;   /* its head's weight and scale (NAN: no head) */
    int epochs_set, lr_set, wd_set, mom_set, shape_set;
    int keras;               /* --keras: the recipe's defaults instead of train's own */
    int word2vec;            /* --word2vec: the embedding from vectors trained on the data first */
    int word2vec_auto;       /* ... by default (no --embed, --from, --keras): unless a base has an embedding */
    int val_auto;            /* the validation split is the default one (too few rows: none) */
    uint64_t given[2];       /* bit o - O_FROM (of 128): option o was given */
    long min_count, max_size;
    double match_unknown;    /* --match-unknown (model.h) */
    struct autotune_args *autotune;   /* train --autotune-val: the search (cli/autotune.h), or NULL */
    size_t own_rows;         /* > 0: the training rows past the first own_rows are copies made
                              * from them (distill --augment): the vocabulary, maxlen, word2vec
                              * and the bag's language come from the first own_rows only */
} train_args;

/* train's defaults (trainer_check applies them to what was not given): a
 * masked, length-bucketed, one-layer bidirectional GRU of 64 units per
 * direction, mean pooling, dropout 0.5, batches of 64, Adam at 0.002, up to
 * 15 epochs with early stopping (patience 3) on a 10% validation split, the
 * best epoch kept -- chosen by validation accuracy over ChnSentiCorp,
 * online_shopping and mr (BENCHMARKS.md "Defaults") -- and adversarial
 * training at 0.02 (dev splits of ChnSentiCorp and mr: +1.2 points each,
 * BENCHMARKS.md "Adversarial training") and a moving average of the weights
 * at 0.99 with warm-up (dev splits: mr +0.4, ChnSentiCorp +0.1: BENCHMARKS.md
 * "Session 9"), and unknown words read as the known word most like them
 * at a character n-gram cosine of 0.6 (dev splits: mr +0.4, ChnSentiCorp
 * +0.04: BENCHMARKS.md "Session 10"), and for text that is not Chinese a
 * bag of words and bigrams of 32 features beside the summary (dev splits:
 * mr +1.0; on Chinese it lost 0.2-0.5, so there it is off: BENCHMARKS.md
 * "Session 11"), and naive Bayes over the words and word pairs mixed into
 * the network's probabilities by a weight chosen on the validation rows
 * (dev splits: mr +0.6, ChnSentiCorp +0.1: BENCHMARKS.md "Session 14").
 * --keras: the
 * reference recipe's exact semantics instead (2 x LSTM 128, final state,
 * every step computed, pre-padding, batch 32, Adam 0.001, 5 epochs, no
 * validation). */
#define TRAIN_DEFAULT_EPOCHS 15
#define TRAIN_DEFAULT_VAL_SPLIT 0.1
#define TRAIN_DEFAULT_PATIENCE 3
#define TRAIN_DEFAULT_DROPOUT 0.5
#define TRAIN_DEFAULT_HIDDEN 64
#define TRAIN_DEFAULT_BAG_BUCKETS 131072
#define TRAIN_DEFAULT_BAG 32
#define TRAIN_DEFAULT_NAIVE_BAYES 1
#define TRAIN_DEFAULT_NB_CMIN 3   /* the head's character n-grams: fastText's subwords' 3..6 */
#define TRAIN_DEFAULT_NB_CMAX 6
#define TRAIN_DEFAULT_BATCH 64
#define TRAIN_DEFAULT_LR 0.002     /* Adam, AdamW (SGD: 0.01) */
#define TRAIN_DEFAULT_ADVERSARIAL 0.02
#define TRAIN_DEFAULT_EMA 0.99
#define TRAIN_DEFAULT_MATCH_UNKNOWN 0.6
/* the automatic split needs this many rows (fewer: no validation) */
#define TRAIN_AUTO_SPLIT_MIN_ROWS 20

/* Fresh-run defaults. */
void trainer_init(train_args *a, const cmd_spec *spec);
/* Apply option c (one of TRAIN_OPTIONS or the common ones); 0 when it is
 * neither. */
int trainer_option(train_args *a, int c, const char *arg);
/* After the options: check them against each other, resolve the defaults
 * that depend on others, and check the outputs writable. */
void trainer_check(train_args *a);

/* Hold out the validation rows of tr into va (--val-split, or the default
 * split, which small data sets go without). */
void trainer_split(train_args *a, dataset *tr, dataset *va);

/* What distill gives besides the rows: the teacher's labels (the student's
 * outputs, in that order) and per row its probabilities. */
typedef struct train_targets {
    const char *teacher;     /* its file, recorded in the model */
    char **labels;
    int nlabels;
    const float *soft_tr, *soft_va;   /* [rows, K], K = 1 for 2 labels */
    int augment;             /* distill --augment: copies per training row (recorded) */
    const struct augment_opts *aug;   /* and how they were drawn (recorded) */
    double hard_weight;      /* distill --hard-weight (recorded) */
} train_targets;

/* Train on tr (va: validation rows, n = 0 for none) and write the model;
 * targets NULL for train.  Dies on errors; exits 130/143 when interrupted.
 * In an MPI job rank 0 writes; the command leaves the job (dist_finish)
 * when it is done. */
/* The naive Bayes head --naive-bayes and --naive-bayes-chars ask for,
 * counted on the encoded training rows (its weight and scale not chosen):
 * add_naive_bayes's, and its size for --autotune-modelsize. */
struct nb_head *trainer_count_head(const train_args *a, const model *m, const encoded *tr);

void trainer_run(train_args *a, dataset *tr, dataset *va, const train_targets *targets);

/* --refit, after trainer_run on tr and va: train again from the start on
 * all their rows (in file order) for the epochs the run kept, with its naive
 * Bayes head's weight and scale, as `train --val-split 0 --epochs E
 * --naive-bayes-weight W --naive-bayes-scale S` would; the model replaces
 * the first. */
void trainer_refit(train_args *a, dataset *tr, dataset *va);

/* The options of --refit's second run, after trainer_run on validation
 * rows va: no validation, the kept epochs, the head's weight and scale,
 * said on stderr with the rows it trains on.  0 (nothing changed) without
 * --refit or without validation rows (a note).  distill then builds its
 * rows again, as its command line without a split would. */
int trainer_refit_prepare(train_args *a, const dataset *va, size_t rows);

/* --refit's record of the command line: argv[1..] as a JSON array (the
 * first run's file keeps it, train_info.refit_args); and back, as an argv
 * of argc strings whose argv[0] is cmd (trainer_args_free frees it). */
struct cJSON *trainer_args_json(int argc, char **argv);
char **trainer_args_argv(const struct cJSON *args, const char *cmd, int *argc);
void trainer_args_free(char **argv, int argc);

/* A --resume that finished a --refit's first run builds the second from
 * the recorded command line, parsed into b: the data file, output,
 * --quiet and --threads are the resume's (a), and so is what the first
 * run chose (epochs, the head's weight and scale). */
void trainer_refit_resumed_args(train_args *b, const train_args *a);

#endif
