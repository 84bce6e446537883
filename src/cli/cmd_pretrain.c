/* cmd_pretrain.c - `seqsent pretrain CORPUS... -o LM`: unlabelled text ->
 * an embedding and recurrent stack trained as a language model (nn/lm.h),
 * the starting point of `train --from LM`. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "cli/opts.h"
#include "cli/progress.h"
#include "train/dist.h"
#include "train/lmdata.h"
#include "train/setup.h"
#include "train/train.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    O_FROM = 400, O_EMBED, O_FREEZE, O_EMBED_DIM, O_CELL, O_LAYERS, O_HIDDEN, O_BIDIR, O_DROPOUT, O_TIE,
    O_SAMPLES, O_MAXLEN, O_EPOCHS, O_BATCH, O_SHARDS, O_LR, O_CLIP_NORM, O_SEED, O_VAL_SPLIT, O_EARLY_STOP,
    O_SAVE_EVERY, O_RESUME, O_LOG, O_MIN_COUNT, O_MAX_SIZE, O_QUIET
};

#define OPT(name, id, metavar, help) { name, id, sizeof(metavar) > 1, metavar, help }

/* The fresh-run defaults that differ from train's. */
enum { DEFAULT_SAMPLES = 1024, DEFAULT_ROW = 100, DEFAULT_BATCH = 64 };
#define DEFAULT_CLIP 1.0
#define DEFAULT_VAL_SPLIT 0.02

static const cmd_opt options[] = {
    OPT("output", 'o', "LM", "write the language model here (required; written atomically)"),
    OPT("from", O_FROM, "FILE", "start from a file written by 'vocab', 'embed' or 'pretrain' (tokenizer, vocabulary, vectors; a language model's weights too: pretrain on)"),
    OPT("embed", O_EMBED, "VECTORS", "initialise the embedding from word2vec vectors, as train --embed"),
    OPT("freeze", O_FREEZE, "", "do not train the embedding"),
    OPT("embed-dim", O_EMBED_DIM, "N", "embedding size when no vectors are given (default 300)"),
    OPT("cell", O_CELL, "lstm|gru|rnn", "recurrent cell (default lstm)"),
    OPT("layers", O_LAYERS, "N", "stacked recurrent layers (default 2)"),
    OPT("hidden", O_HIDDEN, "H", "units per layer and direction (default 128)"),
    OPT("bidirectional", O_BIDIR, "", "a forward and a backward language model (next and previous token), kept apart"),
    OPT("dropout", O_DROPOUT, "P", "inverted dropout on every recurrent layer's input (default 0)"),
    OPT("tie", O_TIE, "", "the output embedding is the input one (needs --hidden equal to the embedding size)"),
    OPT("samples", O_SAMPLES, "N", "draws of the sampled softmax per batch (default 1024): each predicted token costs (distinct draws + 1) x hidden multiply-adds"),
    OPT("maxlen", O_MAXLEN, "N", "tokens per training row; longer texts are cut into rows overlapping by one token (default 100)"),
    OPT("epochs", O_EPOCHS, "N", "passes over the corpus (default 5)"),
    OPT("batch", O_BATCH, "N", "rows per mini-batch (default 64)"),
    OPT("shards", O_SHARDS, "N", "cut each batch into N shards summed in a fixed order (default 2)"),
    OPT("lr", O_LR, "RATE", "Adam learning rate (default 0.001)"),
    OPT("clip-norm", O_CLIP_NORM, "X", "scale gradients down when their global norm exceeds X (default 1; 0 = off)"),
    OPT("seed", O_SEED, "N", "random seed: same seed, same model, whatever --threads (default 1)"),
    OPT("val-split", O_VAL_SPLIT, "FRACTION", "hold out this fraction of the texts; their perplexity is printed after every epoch (default 0.02; 0 = none)"),
    OPT("early-stop", O_EARLY_STOP, "N", "stop when held-out loss has not improved for N epochs; keep the best epoch's weights"),
    OPT("save-every", O_SAVE_EVERY, "N", "write a checkpoint (with optimizer state) to the -o file every N epochs"),
    OPT("resume", O_RESUME, "CHECKPOINT", "continue an interrupted run from its checkpoint (same corpus; -o defaults to CHECKPOINT)"),
    OPT("log", O_LOG, "FILE", "append one JSON object per epoch (JSON lines)"),
    OPT("min-count", O_MIN_COUNT, "N", "drop tokens seen fewer than N times (default 1)"),
    OPT("max-size", O_MAX_SIZE, "N", "keep at most N vocabulary entries incl. <pad> and <unk> (default all)"),
    OPT("threads", OPT_THREADS, "N", "CPU threads (default: all cores); changes speed only, never results"),
    OPT("quiet", O_QUIET, "", "no progress or per-epoch lines on stderr"),
    TOKENIZER_OPTS,
    DATA_OPTS,
    EXCLUDE_OPT,
    { 0 }
};

static const cmd_spec spec = {
    .name = "pretrain", .usage = "[options] CORPUS... -o LM", .opts = options,
    .summary =
    "Pretrain the embedding and recurrent layers as a language model on unlabelled text:\n"
    "each token predicts the next (and, with --bidirectional, the previous) one.  CORPUS:\n"
    "plain lines, or the text column of CSV/TSV (.gz ok; several files; '-' = stdin).\n"
    "Fine-tune a classifier from the result with: seqsent train DATA --from LM -o MODEL.",
    .notes = "The output layer is a sampled softmax: per batch, --samples draws from the unigram\n"
             "distribution raised to 0.75; held-out perplexity uses the full softmax.  Texts of fewer\n"
             "than two tokens have nothing to predict and are skipped (counted).  --threads never\n"
             "changes results; SIGINT or SIGTERM writes a checkpoint to -o (--resume goes on).\n"
             "'mpirun -np N seqsent pretrain ...' trains over N processes with the same bits.\n",
};

typedef struct args {
    common_opts co;
    train_opts to;
    net_config nc;
    const char *out, *from, *embed, *resume_path;
    char **corpus;
    int ncorpus, embed_dim, maxlen, quiet, epochs_set, shape_set;
    long min_count, max_size;
} args;

static void parse_option(args *a, int c, const char *arg)
{
    train_opts *to = &a->to;
    net_config *nc = &a->nc;
    switch (c) {
    case 'o': a->out = arg; break;
    case O_FROM: a->from = arg; break;
    case O_EMBED: a->embed = arg; break;
    case O_FREEZE: nc->freeze = 1; break;
    case O_EMBED_DIM: a->embed_dim = (int)opt_long(&spec, "embed-dim", arg, 1, 4096); break;
    case O_CELL:
        if ((nc->cell = (cell_type)cell_parse(arg)) == (cell_type)-1)
            usage_error(&spec, "--cell: expected lstm, gru or rnn, got '%s'", arg);
        a->shape_set = 1;
        break;
    case O_LAYERS: nc->layers = (int)opt_long(&spec, "layers", arg, 1, 16); a->shape_set = 1; break;
    case O_HIDDEN: nc->hidden = (int)opt_long(&spec, "hidden", arg, 1, 4096); a->shape_set = 1; break;
    case O_BIDIR: nc->bidir = 1; a->shape_set = 1; break;
    case O_DROPOUT: nc->dropout = (float)opt_double(&spec, "dropout", arg, 0, 0.95); break;
    case O_TIE: nc->lm_tie = 1; break;
    case O_SAMPLES: nc->lm_samples = (int)opt_long(&spec, "samples", arg, 1, 1 << 20); break;
    case O_MAXLEN: a->maxlen = (int)opt_long(&spec, "maxlen", arg, 2, 100000); break;
    case O_EPOCHS: to->epochs = (int)opt_long(&spec, "epochs", arg, 1, 100000); a->epochs_set = 1; break;
    case O_BATCH: to->batch = (int)opt_long(&spec, "batch", arg, 1, 65536); break;
    case O_SHARDS: to->shards = (int)opt_long(&spec, "shards", arg, 1, TRAIN_MAX_SHARDS); break;
    case O_LR: to->lr = opt_double(&spec, "lr", arg, 1e-9, 10); break;
    case O_CLIP_NORM: to->clip_norm = opt_double(&spec, "clip-norm", arg, 0, 1e9); break;
    case O_SEED: to->seed = (uint64_t)opt_long(&spec, "seed", arg, 0, 0x7fffffffL); break;
    case O_VAL_SPLIT: to->val_split = opt_double(&spec, "val-split", arg, 0, 0.9); break;
    case O_EARLY_STOP: to->early_stop = (int)opt_long(&spec, "early-stop", arg, 1, 100000); break;
    case O_SAVE_EVERY: to->save_every = (int)opt_long(&spec, "save-every", arg, 1, 100000); break;
    case O_RESUME: a->resume_path = arg; break;
    case O_LOG: to->log_path = arg; break;
    case O_MIN_COUNT: a->min_count = opt_long(&spec, "min-count", arg, 1, 1L << 40); break;
    case O_MAX_SIZE: a->max_size = opt_long(&spec, "max-size", arg, 3, 1L << 30); break;
    case O_QUIET: a->quiet = 1; break;
    }
}

static void parse_args(int argc, char **argv, args *a)
{
    memset(a, 0, sizeof *a);
    common_opts_init(&a->co);
    train_opts_init(&a->to);
    a->to.batch = DEFAULT_BATCH;
    a->to.clip_norm = DEFAULT_CLIP;
    a->to.val_split = DEFAULT_VAL_SPLIT;
    a->nc = (net_config){ .layers = 2, .hidden = 128, .cell = CELL_LSTM, .lm = 1, .mask = 1,
                          .lm_samples = DEFAULT_SAMPLES };
    a->maxlen = DEFAULT_ROW;
    a->min_count = 1;
    const char *arg;
    int c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1)
        if (!common_opt(&spec, &a->co, c, arg)) parse_option(a, c, arg);
    int first = opt_operands();
    if (argc == first) usage_error(&spec, "no corpus given ('-' reads stdin)");
    a->corpus = argv + first;
    a->ncorpus = argc - first;
    if (a->resume_path && !a->out) a->out = a->resume_path;
    if (!a->out) usage_error(&spec, "no output file: give -o LM");
    if (a->resume_path && (a->from || a->embed || a->co.tok_set))
        usage_error(&spec, "--resume continues a run: its vocabulary, tokenizer and vectors come from the checkpoint");
    if (a->from && a->co.tok_set) usage_error(&spec, "tokenizer options cannot change a --from base (its vocabulary was built with its own tokenizer)");
    if (a->to.early_stop && !(a->to.val_split > 0)) usage_error(&spec, "--early-stop needs held-out text: --val-split FRACTION");
    a->to.quiet = a->quiet;
    a->to.out = a->out;
    train_opts_resolve(&a->to, 1, 0, 0);
    cli_check_output(a->out);
    cli_check_output(a->to.log_path);
}

/* Texts in file order, split into training and held-out texts by seed. */
static void split_texts(const args *a, const cli_texts *tx, char ***tr, size_t *ntr, char ***va, size_t *nva)
{
    *tr = xmalloc((tx->n + 1) * sizeof **tr);
    *va = xmalloc((tx->n + 1) * sizeof **va);
    *ntr = *nva = 0;
    rng r;
    rng_seed(&r, a->to.seed ^ 0x5851F42D4C957F2DULL);
    for (size_t i = 0; i < tx->n; i++) {
        if (rng_uniform(&r) < a->to.val_split) (*va)[(*nva)++] = tx->text[i];
        else (*tr)[(*ntr)++] = tx->text[i];
    }
}

/* --resume: the checkpoint, its recorded options (the held-out split's
 * seed and fraction among them) and its position. */
static void open_checkpoint(args *a, model *m, train_state *st)
{
    int fresh;
    if (train_resume(m, a->resume_path, &a->to, a->epochs_set, st, &fresh) < 0) die_err(EXIT_FAIL);
    if (!m->net || !m->net->cfg.lm) die(EXIT_FAIL, "%s: not a language model checkpoint (kind '%s')", a->resume_path, model_kind(m));
    /* the same held-out texts: the recorded fraction (none recorded: none) */
    const cJSON *vs = cJSON_GetObjectItemCaseSensitive(m->train_info, "val_split");
    a->to.val_split = cJSON_IsNumber(vs) ? vs->valuedouble : 0;
    if (fresh && !a->quiet) fprintf(stderr, "pretrain: %s holds no optimizer state: training on with fresh Adam moments\n", a->resume_path);
}

/* A fresh run's model: a base (a language model goes on with its network),
 * or a new vocabulary from the training texts. */
static void open_model(args *a, model *m, char **texts, size_t n)
{
    if (a->from) {
        if (cli_load_base(m, a->from) < 0) die_err(EXIT_FAIL);
        if (m->net && !m->net->cfg.lm) die(EXIT_FAIL, "%s: a classifier; pretrain starts from a vocabulary, vectors or a language model", a->from);
        if (m->net) {   /* pretrain on: its network and settings, fresh history */
            if (a->shape_set) usage_error(&spec, "--cell, --layers, --hidden and --bidirectional come from the --from language model");
            cJSON_Delete(m->train_info);
            m->train_info = NULL;
            return;
        }
        model_as_base(m, 1);
    } else {
        model_init(m);
        if (cli_setup_tokenizer(m, &a->co, a->embed, texts, n, a->quiet ? NULL : "pretrain") < 0) die_err(EXIT_FAIL);
        cli_build_vocab(m, texts, n, a->min_count, a->max_size);
    }
    if (a->embed && cli_embed(m, a->embed, a->embed_dim, a->quiet) < 0) die_err(EXIT_FAIL);
    if (m->emb && a->embed_dim && a->embed_dim != m->embed_dim)
        usage_error(&spec, "--embed-dim %d differs from the vectors' dimension %d", a->embed_dim, m->embed_dim);
    if (!m->emb) m->embed_dim = a->embed_dim ? a->embed_dim : 300;
    if (a->nc.lm_tie && a->nc.hidden != m->embed_dim)
        usage_error(&spec, "--tie needs --hidden %d (the embedding size; now %d)", m->embed_dim, a->nc.hidden);
    m->maxlen = a->maxlen;
    m->pad_pre = m->trunc_pre = 0;   /* rows are cut, never truncated; padding after the text */
}

int cmd_pretrain(int argc, char **argv)
{
    args a;
    parse_args(argc, argv, &a);
    cli_join_job(&a.quiet, &a.to.quiet);
    a.to.threads = cli_set_threads(a.co.threads);
    model m;
    train_state st;
    if (a.resume_path) open_checkpoint(&a, &m, &st);
    cli_texts tx;
    cli_texts_load(&tx, a.corpus, a.ncorpus, &a.co);
    char **trt, **vat;
    size_t ntr, nva;
    split_texts(&a, &tx, &trt, &ntr, &vat, &nva);
    if (!a.resume_path) open_model(&a, &m, trt, ntr);
    encoded etr, eva;
    size_t short_tr, short_va;
    lm_encode(&m, trt, ntr, m.maxlen, &etr, &short_tr);
    lm_encode(&m, vat, nva, m.maxlen, &eva, &short_va);
    if (etr.n == 0) die(EXIT_FAIL, "%s: no text with two or more tokens to learn from", a.corpus[0]);
    const cJSON *rows = a.resume_path ? cJSON_GetObjectItemCaseSensitive(m.train_info, "rows") : NULL;
    if (cJSON_IsNumber(rows) && rows->valuedouble != (double)etr.n)   /* other text: not the run it goes on with */
        die(EXIT_FAIL, "%s: the checkpoint's run trained on %.0f rows, the corpus gives %zu: resume with the same corpus (and the same --exclude files)",
            a.resume_path, rows->valuedouble, etr.n);
    if (!a.quiet)
        fprintf(stderr, "pretrain: %zu texts (%zu held out), %zu tokens, %zu rows of <= %d; %zu texts of < 2 tokens skipped; "
                "vocabulary %zu (%.1f%% of tokens unknown); dictionary %s\n", tx.n, nva, etr.tokens + eva.tokens,
                etr.n, m.maxlen, short_tr + short_va, m.voc.n,
                etr.tokens ? 100.0 * etr.unknown / etr.tokens : 0.0, m.dict_source);
    if (!a.resume_path && !m.net) {
        if (setup_network(&m, &a.nc, &a.to) < 0) die_err(EXIT_FAIL);
        lm_block_cross(m.net, 0);
    }
    if (!a.resume_path) {
        train_opts_to_json(&a.to, m.train_info = cJSON_CreateObject(), a.corpus[0], etr.n, a.embed != NULL);
        cJSON *files = cJSON_AddArrayToObject(m.train_info, "corpus");
        for (int i = 0; i < a.ncorpus; i++) cJSON_AddItemToArray(files, cJSON_CreateString(a.corpus[i]));
        cJSON_AddNumberToObject(m.train_info, "tokens", (double)etr.tokens);
        cJSON_AddNumberToObject(m.train_info, "held_out_texts", (double)nva);
        cli_note_excluded(m.train_info, &a.co, cli_texts_excluded(&tx));
    }
    progress pg;
    progress_attach(&pg, "pretrain", &a.to);
    cli_note_idle_ranks("pretrain", a.to.shards, a.quiet);
    int rc = train_run(&m, &etr, eva.n ? &eva : NULL, &a.to, a.resume_path ? &st : NULL);
    if (rc < 0) die_err(EXIT_FAIL);
    if (rc == TRAIN_INTERRUPTED) cli_exit_interrupted(progress_signal());
    if (dist_rank() == 0 && model_save(&m, a.out) < 0) die_err(EXIT_FAIL);   /* an MPI job: rank 0 writes */
    if (!a.quiet) fprintf(stderr, "pretrain: wrote %s\n", a.out);
    encoded_free(&etr);
    encoded_free(&eva);
    free(trt);
    free(vat);
    cli_texts_free(&tx);
    model_free(&m);
    dist_finish();
    return EXIT_OK;
}
