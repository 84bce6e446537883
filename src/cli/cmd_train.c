/* cmd_train.c - `seqsent train FILE -o MODEL`: data -> trained model file. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "cli/opts.h"
#include "train/plot.h"
#include "train/train.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    O_FROM = 400, O_VOCAB, O_EMBED, O_FREEZE, O_EMBED_DIM, O_LAYERS, O_HIDDEN, O_MAXLEN,
    O_PADDING, O_TRUNCATING, O_EPOCHS, O_BATCH, O_LR, O_SEED, O_VAL, O_MASK, O_MIN_COUNT,
    O_MAX_SIZE, O_QUIET, O_RESUME, O_SAVE_EVERY, O_EARLY_STOP, O_CLIP_NORM, O_EMA, O_WORD_DROPOUT, O_HALF, O_LOG, O_VAL_SPLIT, O_BUCKET, O_CELL, O_BIDIR, O_DROPOUT, O_DENSE, O_OPTIM, O_WD, O_MOMENTUM,
    O_LR_DECAY, O_CLASS_WEIGHT, O_PLOT, O_POOL
};

static const cmd_opt options[] = {
    { "output", 'o', 1, "MODEL", "write the trained model here (required; written atomically)" },
    { "from", O_FROM, 1, "FILE", "start from a file written by 'vocab' or 'embed' (tokenizer, vocabulary, vectors)" },
    { "vocab", O_VOCAB, 1, "FILE", "reuse a vocabulary: a model file or a 'token<TAB>count' listing" },
    { "embed", O_EMBED, 1, "VECTORS", "initialise the embedding from word2vec vectors (text or binary, .gz ok); their words also become the segmentation dictionary unless --dict is given" },
    { "freeze", O_FREEZE, 0, NULL, "do not train the embedding (frozen, as Keras trainable=False)" },
    { "embed-dim", O_EMBED_DIM, 1, "N", "embedding size when no vectors are given (default 300); with vectors, must match them" },
    { "cell", O_CELL, 1, "lstm|gru|rnn", "recurrent cell (default lstm; gru as Keras reset_after, rnn = SimpleRNN tanh)" },
    { "layers", O_LAYERS, 1, "N", "stacked recurrent layers (default 2)" },
    { "hidden", O_HIDDEN, 1, "H", "units per layer and direction (default 128)" },
    { "bidirectional", O_BIDIR, 0, NULL, "read each layer's input both ways; outputs and final states concatenated" },
    { "dropout", O_DROPOUT, 1, "P", "inverted dropout on every recurrent layer's input and before the dense layer (training only; default 0)" },
    { "dense", O_DENSE, 1, "H", "a hidden ReLU dense layer of H units before the output (default none)" },
    { "pool", O_POOL, 1, "last|max|mean", "summary of the top layer: final states (default, as Keras), or max / mean over time" },
    { "maxlen", O_MAXLEN, 1, "N", "sequence length (default: 95th percentile of training lengths)" },
    { "padding", O_PADDING, 1, "pre|post", "where padding goes (default pre, as Keras)" },
    { "truncating", O_TRUNCATING, 1, "pre|post", "which end long texts lose (default pre, as Keras)" },
    { "mask", O_MASK, 0, NULL, "skip padding steps (state carried through), as Keras mask_zero; stored in the model" },
    { "bucket", O_BUCKET, 0, NULL, "batches of similar lengths, each trimmed to its longest row (faster; changes batch composition)" },
    { "epochs", O_EPOCHS, 1, "N", "passes over the training data (default 5)" },
    { "batch", O_BATCH, 1, "N", "mini-batch size (default 32)" },
    { "optimizer", O_OPTIM, 1, "adam|adamw|sgd", "optimizer (default adam: beta1 .9, beta2 .999, eps 1e-7, as Keras)" },
    { "lr", O_LR, 1, "RATE", "learning rate (default 0.001; 0.01 for sgd)" },
    { "lr-decay", O_LR_DECAY, 1, "F", "multiply the learning rate by F after every epoch (default 1: constant)" },
    { "weight-decay", O_WD, 1, "W", "decoupled weight decay for adamw (default 0.01; biases excluded)" },
    { "momentum", O_MOMENTUM, 1, "M", "momentum for sgd (default 0.9)" },
    { "class-weight", O_CLASS_WEIGHT, 1, "auto", "weight each class's loss by n / (classes x count), for imbalanced data" },
    { "seed", O_SEED, 1, "N", "random seed: same seed and thread count, same model (default 1)" },
    { "val", O_VAL, 1, "FILE", "validation data, scored after every epoch" },
    { "val-split", O_VAL_SPLIT, 1, "FRACTION", "hold out this fraction of the training rows for validation (chosen with --seed)" },
    { "early-stop", O_EARLY_STOP, 1, "N", "stop when validation loss has not improved for N epochs; keep the best epoch's weights" },
    { "clip-norm", O_CLIP_NORM, 1, "X", "scale gradients down when their global norm exceeds X" },
    { "word-dropout", O_WORD_DROPOUT, 1, "P", "replace each token by <unk> with probability P while training (default 0)" },
    { "ema", O_EMA, 1, "M", "keep a moving average of the weights (momentum M, e.g. 0.99) and use it for validation, early stopping and the saved model (Keras use_ema)" },
    { "save-every", O_SAVE_EVERY, 1, "N", "write a checkpoint (with optimizer state) to the -o file every N epochs" },
    { "resume", O_RESUME, 1, "CHECKPOINT", "continue an interrupted run from its checkpoint (same data; -o defaults to CHECKPOINT)" },
    { "log", O_LOG, 1, "FILE", "append one JSON object per epoch (JSON lines)" },
    { "plot", O_PLOT, 1, "FILE.svg", "draw the loss and accuracy curves (train, and validation if any) as an SVG chart" },
    { "min-count", O_MIN_COUNT, 1, "N", "drop tokens seen fewer than N times (default 1)" },
    { "max-size", O_MAX_SIZE, 1, "N", "keep at most N vocabulary entries incl. <pad> and <unk> (default all)" },
    { "threads", OPT_THREADS, 1, "N", "CPU threads (default: all cores); changes speed, and results only in float rounding" },
    { "quiet", O_QUIET, 0, NULL, "no progress or per-epoch lines on stderr" },
    { "half", O_HALF, 0, NULL, "store the trained weights as 16-bit floats: half the file; probabilities change in the 3rd-4th digit (checkpoints stay 32-bit)" },
    TOKENIZER_OPTS,
    DATA_OPTS,
    { 0 }
};

static const cmd_spec spec = {
    "train", "[options] FILE -o MODEL",
    "Train a classifier: embedding -> recurrent layers (LSTM by default) -> dense sigmoid\n"
    "(2 labels) or softmax (3+ labels).  FILE is CSV/TSV with a label and a text column\n"
    "('-' = stdin).  Every setting is stored in the model file.",
    options,
    "Options that change results: --embed --freeze --embed-dim --cell --layers --hidden\n"
    "--bidirectional --dropout --word-dropout --dense --pool --maxlen --padding --truncating --mask --bucket --epochs\n"
    "--batch --optimizer --lr --lr-decay --weight-decay --momentum --clip-norm --ema --class-weight\n"
    "--seed --val-split --early-stop --min-count --max-size and the tokenizer options.\n"
    "--bucket also skips padding steps, which changes results without --mask.  --threads\n"
    "changes results only in float rounding (same thread count, same bits).  --quiet, --log,\n"
    "--save-every change nothing but output.\n"
};

static int numeric(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return end != s && *end == '\0';
}

static int cmp_labels_num(const void *a, const void *b)
{
    double x = strtod(*(char *const *)a, NULL), y = strtod(*(char *const *)b, NULL);
    return x < y ? -1 : x > y;
}

static int cmp_labels_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Distinct labels, sorted (numerically when all are numbers). */
static void collect_labels(model *m, const dataset *d)
{
    strmap seen;
    strmap_init(&seen);
    for (size_t i = 0; i < d->n; i++) strmap_put(&seen, d->label[i], strlen(d->label[i]), NULL);
    m->nlabels = (int)seen.n;
    m->labels = xcalloc(seen.n, sizeof *m->labels);
    int all_num = 1;
    for (size_t i = 0; i < seen.n; i++) {
        double v;
        m->labels[i] = xstrdup(strmap_key(&seen, (int32_t)i));
        all_num &= numeric(m->labels[i], &v);
    }
    qsort(m->labels, seen.n, sizeof *m->labels, all_num ? cmp_labels_num : cmp_labels_str);
    strmap_free(&seen);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static int auto_maxlen(model *m, const dataset *d)
{
    tokenizer *tk = model_tokenizer(m);
    size_t *len = xmalloc((d->n + 1) * sizeof *len);
    toklist tl = {0};
    for (size_t i = 0; i < d->n; i++) {
        toklist_clear(&tl);
        tokenize(tk, d->text[i], strlen(d->text[i]), &tl);
        len[i] = tl.n;
    }
    toklist_free(&tl);
    qsort(len, d->n, sizeof *len, cmp_size);
    size_t p95 = d->n ? len[(size_t)(0.95 * (d->n - 1))] : 1;
    free(len);
    if (p95 < 1) p95 = 1;
    if (p95 > 1000) p95 = 1000;
    return (int)p95;
}

/* The signal that asked training to stop (0: none).  File-static, written
 * only by the handler; the loop reads it through train_opts.stop. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
    signal(sig, SIG_DFL);   /* a second signal stops at once */
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Progress on stderr: a line rewritten in place per batch on a terminal,
 * one line per epoch, and why a run ended early. */
static void report(const train_event *ev, void *ctx)
{
    int tty = *(const int *)ctx;
    switch (ev->kind) {
    case TRAIN_EV_BATCH: {
        if (!tty) break;
        double el = ev->seconds, rate = el > 0 ? ev->done / el : 0;
        double eta = rate > 0 ? (ev->total - ev->done) / rate : 0;
        fprintf(stderr, "\repoch %d/%d [%zu/%zu] loss %.4f acc %.4f %.0f samples/s ETA %.0fs   ",
                ev->epoch, ev->epochs, ev->done, ev->total, ev->loss, ev->accuracy, rate, eta);
        break;
    }
    case TRAIN_EV_BREAK:
        if (tty) fputc('\n', stderr);
        break;
    case TRAIN_EV_EPOCH: {
        char vbuf[128] = "";
        if (ev->have_val)
            snprintf(vbuf, sizeof vbuf, " - val_loss %.4f - val_acc %.4f", ev->val_loss, ev->val_accuracy);
        fprintf(stderr, "%sepoch %d/%d - loss %.4f - acc %.4f%s - %.1fs (%.0f samples/s)%s\n",
                tty ? "\r" : "", ev->epoch, ev->epochs, ev->loss, ev->accuracy, vbuf, ev->seconds,
                ev->samples_per_second, tty ? "          " : "");
        break;
    }
    case TRAIN_EV_EARLY_STOP:
        fprintf(stderr, "train: early stop: validation loss has not improved for %d epochs; "
                "keeping the weights of epoch %d\n", ev->patience, ev->best_epoch);
        break;
    case TRAIN_EV_INTERRUPTED:
        if (ev->done < ev->total)
            fprintf(stderr, "train: interrupted in epoch %d at %zu/%zu; checkpoint written to %s "
                    "(continue with --resume %s)\n", ev->epoch, ev->done, ev->total, ev->checkpoint, ev->checkpoint);
        else
            fprintf(stderr, "train: interrupted after epoch %d; checkpoint written to %s "
                    "(continue with --resume %s)\n", ev->epoch, ev->checkpoint, ev->checkpoint);
        break;
    }
}

/* Move a seeded random fraction of the training rows into a validation set. */
static void split_validation(dataset *tr, dataset *va, double frac, uint64_t seed)
{
    size_t n = tr->n, nv = (size_t)(frac * n + 0.5);
    if (nv < 1) nv = 1;
    if (nv >= n) die(EXIT_FAIL, "%s: --val-split %g leaves no training rows", tr->path, frac);
    size_t *idx = xmalloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    rng r;
    rng_seed(&r, seed ^ 0x7a11da7eULL);
    rng_shuffle(&r, idx, n);
    unsigned char *is_val = xcalloc(n, 1);
    for (size_t i = 0; i < nv; i++) is_val[idx[i]] = 1;
    memset(va, 0, sizeof *va);
    va->text = xmalloc(nv * sizeof *va->text);
    va->label = xmalloc(nv * sizeof *va->label);
    va->line = xmalloc(nv * sizeof *va->line);
    va->path = xstrdup(tr->path);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {   /* keep file order in both parts */
        if (is_val[i]) {
            va->text[va->n] = tr->text[i]; va->label[va->n] = tr->label[i]; va->line[va->n] = tr->line[i];
            va->n++;
        } else {
            tr->text[k] = tr->text[i]; tr->label[k] = tr->label[i]; tr->line[k] = tr->line[i];
            k++;
        }
    }
    tr->n = k;
    free(idx);
    free(is_val);
}

/* Refuse sizes that cannot fit in memory before allocating anything big. */
static void check_memory(const model *m, int hidden, int layers, int batch, int threads, int freeze)
{
    double V = (double)m->voc.n, E = m->embed_dim, H = hidden, L = layers, T = m->maxlen, B = batch;
    double weights = V * E + E * 4 * H + (L - 1) * H * 4 * H + L * (H * 4 * H + 4 * H) + H * 8;
    double trainable = weights - (freeze ? V * E : 0);
    /* weights + gradient + two Adam moments per trainable value, and a
     * gradient per extra worker; activations per worker: input, per layer
     * gates and their gradients (4H each) and c, tanh(c), h (H each) */
    double acts = T * B * (E + 2 * (E > H ? E : H) + L * (8 * H + 3 * H));
    double bytes = 4 * (weights + 3 * trainable + (threads - 1) * trainable + acts);
    double phys = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (phys > 0 && bytes > 0.8 * phys)
        die(EXIT_FAIL, "these settings need about %.1f GiB of memory (vocabulary %.0f x %.0f, %d x LSTM-%d, "
            "maxlen %.0f, batch %d) and this machine has %.1f GiB; use smaller --hidden, --layers, "
            "--maxlen, --batch, --embed-dim or --max-size", bytes / 1073741824.0, V, E, layers, hidden,
            T, batch, phys / 1073741824.0);
}

int cmd_train(int argc, char **argv)
{
    common_opts co;
    common_opts_init(&co);
    const char *out = NULL, *from = NULL, *vocab_path = NULL, *embed = NULL, *val_path = NULL, *arg;
    int freeze = 0, embed_dim = 0, layers = 2, hidden = 128, maxlen = 0, pad_pre = 1, trunc_pre = 1;
    int half = 0;
    int mask = 0, quiet = 0, epochs_set = 0, bidir = 0, dense = 0, class_weight = 0, wd_set = 0, mom_set = 0;
    int lr_set = 0;
    double dropout = 0;
    int pool = POOL_LAST;
    cell_type cell = CELL_LSTM;
    const char *resume_path = NULL, *plot_path = NULL;
    double val_split = 0;
    long min_count = 1, max_size = 0;
    train_opts to = { .epochs = 5, .batch = 32, .lr = 0.001, .seed = 1 };
    int c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1) {
        if (common_opt(&spec, &co, c, arg)) continue;
        switch (c) {
        case 'o': out = arg; break;
        case O_FROM: from = arg; break;
        case O_VOCAB: vocab_path = arg; break;
        case O_EMBED: embed = arg; break;
        case O_FREEZE: freeze = 1; break;
        case O_EMBED_DIM: embed_dim = (int)opt_long(&spec, "embed-dim", arg, 1, 4096); break;
        case O_LAYERS: layers = (int)opt_long(&spec, "layers", arg, 1, 16); break;
        case O_HIDDEN: hidden = (int)opt_long(&spec, "hidden", arg, 1, 4096); break;
        case O_MAXLEN: maxlen = (int)opt_long(&spec, "maxlen", arg, 1, 100000); break;
        case O_PADDING: pad_pre = opt_pre_post(&spec, "padding", arg); break;
        case O_TRUNCATING: trunc_pre = opt_pre_post(&spec, "truncating", arg); break;
        case O_MASK: mask = 1; break;
        case O_BUCKET: to.bucket = 1; break;
        case O_CELL: {
            int ct = cell_parse(arg);
            if (ct < 0) usage_error(&spec, "--cell: expected lstm, gru or rnn, got '%s'", arg);
            cell = (cell_type)ct;
            break;
        }
        case O_BIDIR: bidir = 1; break;
        case O_POOL:
            if ((pool = pool_parse(arg)) < 0) usage_error(&spec, "--pool: expected last, max or mean, got '%s'", arg);
            break;
        case O_DROPOUT: dropout = opt_double(&spec, "dropout", arg, 0, 0.95); break;
        case O_DENSE: dense = (int)opt_long(&spec, "dense", arg, 1, 65536); break;
        case O_OPTIM: {
            int ok = optim_parse(arg);
            if (ok < 0) usage_error(&spec, "--optimizer: expected adam, adamw or sgd, got '%s'", arg);
            to.optim = (optim_kind)ok;
            break;
        }
        case O_WD: to.weight_decay = opt_double(&spec, "weight-decay", arg, 0, 10); wd_set = 1; break;
        case O_MOMENTUM: to.momentum = opt_double(&spec, "momentum", arg, 0, 0.9999); mom_set = 1; break;
        case O_LR_DECAY: to.lr_decay = opt_double(&spec, "lr-decay", arg, 1e-6, 1); break;
        case O_CLASS_WEIGHT:
            if (strcmp(arg, "auto")) usage_error(&spec, "--class-weight: only 'auto' is supported, got '%s'", arg);
            class_weight = 1;
            break;
        case O_EPOCHS: to.epochs = (int)opt_long(&spec, "epochs", arg, 1, 100000); epochs_set = 1; break;
        case O_BATCH: to.batch = (int)opt_long(&spec, "batch", arg, 1, 65536); break;
        case O_LR: to.lr = opt_double(&spec, "lr", arg, 1e-9, 10); lr_set = 1; break;
        case O_SEED: to.seed = (uint64_t)opt_long(&spec, "seed", arg, 0, 0x7fffffffL); break;
        case O_VAL: val_path = arg; break;
        case O_MIN_COUNT: min_count = opt_long(&spec, "min-count", arg, 1, 1L << 40); break;
        case O_MAX_SIZE: max_size = opt_long(&spec, "max-size", arg, 3, 1L << 30); break;
        case O_QUIET: quiet = 1; break;
        case O_RESUME: resume_path = arg; break;
        case O_SAVE_EVERY: to.save_every = (int)opt_long(&spec, "save-every", arg, 1, 100000); break;
        case O_EARLY_STOP: to.early_stop = (int)opt_long(&spec, "early-stop", arg, 1, 100000); break;
        case O_CLIP_NORM: to.clip_norm = opt_double(&spec, "clip-norm", arg, 1e-9, 1e9); break;
        case O_WORD_DROPOUT: to.word_dropout = opt_double(&spec, "word-dropout", arg, 0, 0.99); break;
        case O_HALF: half = 1; break;
        case O_EMA: to.ema = opt_double(&spec, "ema", arg, 1e-6, 0.999999); break;
        case O_LOG: to.log_path = arg; break;
        case O_PLOT: plot_path = arg; break;
        case O_VAL_SPLIT: val_split = opt_double(&spec, "val-split", arg, 0.0001, 0.9); break;
        }
    }
    int first = opt_operands();
    if (argc - first != 1) usage_error(&spec, argc - first ? "expected one training file" : "no training file given ('-' reads stdin)");
    if (resume_path && !out) out = resume_path;
    if (!out) usage_error(&spec, "no output file: give -o MODEL");
    if (from && vocab_path) usage_error(&spec, "--from and --vocab both give a vocabulary; use one");
    if (resume_path && (from || vocab_path || embed || co.tok_set))
        usage_error(&spec, "--resume continues a run: its vocabulary, tokenizer and vectors come from the checkpoint");
    if (from && co.tok_set) usage_error(&spec, "tokenizer options cannot change a --from base (its vocabulary was built with its own tokenizer)");
    if (val_path && val_split > 0) usage_error(&spec, "--val and --val-split exclude each other");
    if (to.early_stop && !val_path && !(val_split > 0)) usage_error(&spec, "--early-stop needs validation data: --val FILE or --val-split FRACTION");
    to.quiet = quiet;
    to.out = out;
    if (to.optim == OPTIM_SGD && !lr_set) to.lr = 0.01;
    if (!wd_set) to.weight_decay = to.optim == OPTIM_ADAMW ? 0.01 : 0;
    if (!mom_set) to.momentum = to.optim == OPTIM_SGD ? 0.9 : 0;
    if (wd_set && to.optim != OPTIM_ADAMW) usage_error(&spec, "--weight-decay needs --optimizer adamw");
    if (mom_set && to.optim != OPTIM_SGD) usage_error(&spec, "--momentum needs --optimizer sgd");
    const char *train_path = argv[first];
    to.threads = cli_set_threads(co.threads);

    dataset tr = {0}, va = {0};
    if (cli_load_texts(train_path, &co, 1, &tr) < 0) die_err(EXIT_FAIL);
    if (tr.n == 0) die(EXIT_FAIL, "%s: no training rows", train_path);
    if (val_path && cli_load_texts(val_path, &co, 1, &va) < 0) die_err(EXIT_FAIL);
    if (val_split > 0) split_validation(&tr, &va, val_split, to.seed);

    model m;
    train_state st;
    int resumed = 0;
    if (resume_path) {
        if (model_load(&m, resume_path, 1) < 0) die_err(EXIT_FAIL);
        if (!m.net) die(EXIT_FAIL, "%s: not a checkpoint of a trained model", resume_path);
        if (m.nmembers) die(EXIT_FAIL, "%s: an ensemble cannot be trained on; train its members separately", resume_path);
        resumed = train_state_load(&m, &st);
        if (resumed < 0) die_err(EXIT_FAIL);
        if (!resumed && !quiet)
            fprintf(stderr, "train: %s holds no optimizer state (a finished model): training on with fresh Adam moments\n", resume_path);
        const cJSON *ti = m.train_info;
        const cJSON *v;
        if (!epochs_set && ti && cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(ti, "epochs"))) to.epochs = (int)v->valuedouble;
        if (ti && cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(ti, "batch"))) to.batch = (int)v->valuedouble;
        if (ti && cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(ti, "lr"))) to.lr = v->valuedouble;
        if (ti && cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(ti, "seed"))) to.seed = (uint64_t)v->valuedouble;
        if (ti && cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(ti, "optimizer")) && optim_parse(v->valuestring) >= 0)
            to.optim = (optim_kind)optim_parse(v->valuestring);
        if (ti && cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(ti, "weight_decay"))) to.weight_decay = v->valuedouble;
        if (ti && cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(ti, "momentum"))) to.momentum = v->valuedouble;
        if (ti && cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(ti, "lr_decay"))) to.lr_decay = v->valuedouble;
        if (ti && cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(ti, "clip_norm"))) to.clip_norm = v->valuedouble;
        if (ti && cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(ti, "ema"))) to.ema = v->valuedouble;
        if (ti && cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(ti, "word_dropout"))) to.word_dropout = v->valuedouble;
        if (ti && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ti, "bucket"))) to.bucket = 1;
        if (!resumed) {   /* a finished model: go on after its last epoch with fresh moments */
            memset(&st, 0, sizeof st);
            const cJSON *h = ti ? cJSON_GetObjectItemCaseSensitive(ti, "history") : NULL;
            st.epoch = cJSON_GetArraySize(h) + 1;
            st.best_val_loss = 1e300;
            rng r;
            rng_seed(&r, to.seed ^ 0x5eed5eedULL ^ (uint64_t)st.epoch);
            memcpy(st.rng, r.s, sizeof st.rng);
            net_alloc_grads(m.net);
            resumed = 1;
        }
        if (st.epoch > to.epochs)
            die(EXIT_FAIL, "%s: all %d epochs are done already; give --epochs N (N > %d) to train further",
                resume_path, to.epochs, st.epoch - 1);
        cJSON_ReplaceItemInObject(m.train_info, "epochs", cJSON_CreateNumber(to.epochs));
    } else if (from || vocab_path) {
        if (cli_load_base(&m, from ? from : vocab_path) < 0) die_err(EXIT_FAIL);
        if (m.net) {   /* a trained model used as a base: keep tokenizer + vocabulary (+ its embedding with --from) */
            if (from) {
                size_t sz = m.voc.n * (size_t)m.net->cfg.embed_dim;
                m.emb = fzeros(sz);
                memcpy(m.emb, m.net->emb, sz * sizeof(float));
                m.emb_owned = 1;
            } else {
                m.emb = NULL;
            }
            net_free(m.net);
            m.net = NULL;
            model_drop_members(&m);   /* an ensemble as base: its shared parts (and first embedding) */
            for (int i = 0; i < m.nlabels; i++) free(m.labels[i]);
            free(m.labels);
            m.labels = NULL;
            m.nlabels = 0;
            cJSON_Delete(m.train_info);
            m.train_info = NULL;
        }
        if (vocab_path) {
            if (m.emb_owned) ffree(m.emb);
            m.emb = NULL; m.emb_owned = 0;
            if (co.tok_set && is_model_file(vocab_path))
                usage_error(&spec, "tokenizer options cannot change the tokenizer of the --vocab model file");
            if (!is_model_file(vocab_path) && cli_setup_tokenizer(&m, &co, embed) < 0) die_err(EXIT_FAIL);
        }
    } else {
        model_init(&m);
        if (cli_setup_tokenizer(&m, &co, embed) < 0) die_err(EXIT_FAIL);
        cli_build_vocab(&m, tr.text, tr.n, min_count, max_size);
    }
    model_tokenizer(&m);
    if (!quiet)
        fprintf(stderr, "train: %zu rows from %s (%zu empty skipped)%s; vocabulary %zu; dictionary %s\n",
                tr.n, tr.path, tr.skipped_empty, val_split > 0 ? " after the validation split" : "",
                m.voc.n, m.dict_source);

    if (!resume_path) {
        if (embed && cli_embed(&m, embed, embed_dim, quiet) < 0) die_err(EXIT_FAIL);
        if (m.emb && embed_dim && embed_dim != m.embed_dim)
            usage_error(&spec, "--embed-dim %d differs from the vectors' dimension %d", embed_dim, m.embed_dim);
        if (!m.emb) {
            if (freeze && !quiet) fprintf(stderr, "train: note: --freeze without vectors keeps a random embedding fixed\n");
            m.embed_dim = embed_dim ? embed_dim : 300;
        }
        collect_labels(&m, &tr);
        if (m.nlabels < 2) die(EXIT_FAIL, "%s: only one label ('%s') in the training data; need at least two", tr.path, m.labels[0]);
        m.maxlen = maxlen ? maxlen : auto_maxlen(&m, &tr);
        m.pad_pre = pad_pre;
        m.trunc_pre = trunc_pre;
    }

    encoded etr, eva;
    int have_val = val_path || val_split > 0;
    if (encode_dataset(&m, &tr, 1, &etr) < 0) die_err(EXIT_FAIL);
    if (have_val && encode_dataset(&m, &va, 1, &eva) < 0) die_err(EXIT_FAIL);
    if (!quiet)
        fprintf(stderr, "train: %d labels (%s%s%s); maxlen %d%s; %.1f%% of tokens unknown\n", m.nlabels,
                m.labels[0], m.nlabels > 1 ? ", " : "", m.nlabels == 2 ? m.labels[1] : "...",
                m.maxlen, maxlen || resume_path ? "" : " (95th percentile)",
                etr.tokens ? 100.0 * etr.unknown / etr.tokens : 0.0);

    if (!resume_path) {
        check_memory(&m, hidden, layers, to.batch, to.threads, freeze);
        net_config nc = { .vocab_size = (int)m.voc.n, .embed_dim = m.embed_dim, .hidden = hidden,
                          .layers = layers, .n_out = m.nlabels == 2 ? 1 : m.nlabels,
                          .freeze = freeze, .mask = mask, .cell = cell, .bidir = bidir,
                          .dropout = (float)dropout, .dense = dense, .pool = pool };
        m.net = net_new(&nc);
        rng r;
        rng_seed(&r, to.seed);
        net_init(m.net, &r, m.emb);
        if (m.emb_owned) ffree(m.emb);
        m.emb = m.net->emb;
        m.emb_owned = 0;

        cJSON *ti = m.train_info = cJSON_CreateObject();
        cJSON_AddStringToObject(ti, "data", tr.path);
        cJSON_AddNumberToObject(ti, "rows", (double)tr.n);
        cJSON_AddNumberToObject(ti, "epochs", to.epochs);
        cJSON_AddNumberToObject(ti, "batch", to.batch);
        cJSON_AddNumberToObject(ti, "lr", to.lr);
        cJSON_AddStringToObject(ti, "optimizer", optim_name(to.optim));
        if (to.optim == OPTIM_ADAMW) cJSON_AddNumberToObject(ti, "weight_decay", to.weight_decay);
        if (to.optim == OPTIM_SGD) cJSON_AddNumberToObject(ti, "momentum", to.momentum);
        if (to.lr_decay > 0) cJSON_AddNumberToObject(ti, "lr_decay", to.lr_decay);
        if (class_weight) cJSON_AddStringToObject(ti, "class_weight", "auto");
        if (to.bucket) cJSON_AddBoolToObject(ti, "bucket", 1);
        cJSON_AddNumberToObject(ti, "seed", (double)to.seed);
        if (to.clip_norm > 0) cJSON_AddNumberToObject(ti, "clip_norm", to.clip_norm);
        if (to.ema > 0) cJSON_AddNumberToObject(ti, "ema", to.ema);
        if (to.word_dropout > 0) cJSON_AddNumberToObject(ti, "word_dropout", to.word_dropout);
        if (val_split > 0) cJSON_AddNumberToObject(ti, "val_split", val_split);
        cJSON_AddBoolToObject(ti, "pretrained", embed != NULL || (from && m.embed_info));
    }

    float *cw = NULL;
    if (class_weight || (resume_path && m.train_info &&
                         cJSON_GetObjectItemCaseSensitive(m.train_info, "class_weight"))) {
        int K = m.nlabels;
        cw = xcalloc(K, sizeof *cw);
        size_t *cnt = xcalloc(K, sizeof *cnt);
        for (size_t i = 0; i < etr.n; i++) cnt[etr.y[i]]++;
        for (int k = 0; k < K; k++) cw[k] = cnt[k] ? (float)((double)etr.n / ((double)K * cnt[k])) : 0.0f;
        free(cnt);
        to.class_w = cw;
    }
    int tty = isatty(2);
    to.report = report;
    to.report_ctx = &tty;
    to.stop = &stop_signal;
    install_signal_handlers();
    int rc = train_run(&m, &etr, have_val ? &eva : NULL, &to, resumed ? &st : NULL);
    if (rc < 0) die_err(EXIT_FAIL);
    if (rc == TRAIN_INTERRUPTED) exit(stop_signal == SIGTERM ? EXIT_SIGTERM : EXIT_SIGINT);
    m.half = half;
    if (model_save(&m, out) < 0) die_err(EXIT_FAIL);
    if (!quiet) fprintf(stderr, "train: wrote %s\n", out);
    if (plot_path) {
        char title[512];
        snprintf(title, sizeof title, "seqsent train %s: %s %dx%d%s", tr.path, cell_name(m.net->cfg.cell),
                 m.net->cfg.layers, m.net->cfg.hidden, m.net->cfg.bidir ? " bidirectional" : "");
        if (plot_history_svg(cJSON_GetObjectItemCaseSensitive(m.train_info, "history"), title, plot_path) < 0)
            die_err(EXIT_FAIL);
        if (!quiet) fprintf(stderr, "train: wrote %s\n", plot_path);
    }
    free(cw);
    encoded_free(&etr);
    if (have_val) { encoded_free(&eva); dataset_free(&va); }
    dataset_free(&tr);
    model_free(&m);
    return EXIT_OK;
}
