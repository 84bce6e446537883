/* fuzz_model.c - libFuzzer harness for the model file reader and the model
 * bundle loader (src/modelfile.c, src/model.c, and through them the network
 * loader, the dictionary blob and the checkpoint state).
 *
 * Input: byte 0 = options, the rest = the file.
 *   bit 0: fix the file up before loading: set the header's file length and
 *          recompute the CRC-32 trailer, so that mutations get past the
 *          checksum and reach the metadata, tensor table and model checks
 *          (without it, nearly every mutation is a checksum error)
 *   bit 1: copy the weights (model_load copy_weights = 1; else they stay in
 *          the mmap), and read the checkpoint state (train_state_load)
 *   bit 2: save the loaded model to a temporary file and load it back
 *   bit 3: structured input "JSON metadata \0 tensor data": the harness
 *          writes the header (offsets, lengths), the padding and the
 *          checksum trailer itself, so that insertions and deletions in the
 *          JSON (a shape "[9]" -> "[9,0]") keep the file well-formed and the
 *          fuzzer explores what the metadata says rather than the layout
 * The harness is linked with -Wl,--wrap=mmap,--wrap=munmap: while a model
 * is loaded, mf_read's mmap of the file gets an exactly-sized heap copy
 * instead, so that AddressSanitizer sees every read past the end of the
 * file (a read past a tensor into the rest of a mapped page is invisible to
 * it otherwise, and only a long one reaches an unmapped page and crashes).
 *
 * Oracles besides the sanitizers: a model that loads can tokenize and
 * encode text, run the network forward (finite probabilities in [0,1] that
 * sum to 1), and survives a save/load round trip with the same kind,
 * vocabulary, labels and predictions.
 */
#include "base/err.h"
#include "fuzz_common.h"
#include "model/model.h"
#include "train/train.h"

#include <math.h>
#include <zlib.h>

static fuzz_file file;
static char tmpdir[256];

/* ---- mmap -> heap copy ---- */
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);
static int heap_maps;             /* on while model_load runs */
static void *maps[64];
static size_t nmaps;

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (!heap_maps || fd < 0 || addr != NULL || off != 0 || prot != PROT_READ || nmaps == 64)
        return __real_mmap(addr, len, prot, flags, fd, off);
    void *p = NULL;
    if (posix_memalign(&p, 64, len ? len : 1) != 0) return MAP_FAILED;
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fd, (char *)p + got, len - got, (off_t)got);
        if (r <= 0) { free(p); return MAP_FAILED; }
        got += (size_t)r;
    }
    maps[nmaps++] = p;
    return p;
}

int __wrap_munmap(void *addr, size_t len)
{
    for (size_t i = 0; i < nmaps; i++)
        if (maps[i] == addr) {
            free(addr);
            maps[i] = maps[--nmaps];
            return 0;
        }
    return __real_munmap(addr, len);
}

static void remove_tmpdir(void)
{
    char f[400];
    snprintf(f, sizeof f, "%s/m.ssm", tmpdir);
    unlink(f);
    rmdir(tmpdir);
}

static void init(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(tmpdir, sizeof tmpdir, "%s/seqsent-fuzz-model.XXXXXX", base);
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); abort(); }
    atexit(remove_tmpdir);
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put_trailer(unsigned char *buf, size_t n)
{
    uint32_t crc = (uint32_t)crc32(crc32(0, Z_NULL, 0), buf, (uInt)(n - 8));
    for (int i = 0; i < 4; i++) buf[n - 8 + i] = (unsigned char)(crc >> (8 * i));
    memcpy(buf + n - 4, "END", 4);
}

/* "JSON \0 data" -> a well-formed model file (see bit 3 above). */
static unsigned char *structured(const uint8_t *in, size_t n, size_t *outlen)
{
    const uint8_t *z = memchr(in, 0, n);
    size_t jl = z ? (size_t)(z - in) : n;
    const uint8_t *data = z ? z + 1 : in + n;
    size_t dl = (size_t)(in + n - data);
    size_t doff = (64 + jl + 63) & ~(size_t)63, total = doff + dl + 8;
    unsigned char *b = malloc(total);
    memcpy(b, "SEQSENT\x1a", 8);
    memset(b + 8, 0, 56);
    b[8] = 1;                       /* format version 1, flags 0 */
    put64(b + 16, 64);
    put64(b + 24, jl);
    put64(b + 32, doff);
    put64(b + 40, dl);
    put64(b + 48, total);
    memcpy(b + 64, in, jl);
    memset(b + 64 + jl, ' ', doff - 64 - jl);
    memcpy(b + doff, data, dl);
    put_trailer(b, total);
    *outlen = total;
    return b;
}

static const char TEXT[] = "The story is forgettable, 但是房间很干净 and the cast was wonderful!! 2001年";

/* Encode TEXT and run the network; probabilities into probs[K]. 0 when
 * the network is too big to run cheaply. */
static int predict(model *m, float *probs, int *K)
{
    const net_config *c = &m->net->cfg;
    double per_step = (double)c->embed_dim + 40.0 * c->hidden * c->layers * net_directions(c) + c->dense + c->n_out;
    if ((double)m->maxlen * per_step > 4e6 || c->n_out > 1024) return 0;
    toklist tl = {0};
    int32_t *idbuf = NULL, *ids = malloc(sizeof(int32_t) * (size_t)m->maxlen);
    size_t idcap = 0;
    model_encode(m, TEXT, sizeof TEXT - 1, &tl, &idbuf, &idcap, ids);
    for (int t = 0; t < m->maxlen; t++)
        FUZZ_ASSERT(ids[t] >= 0 && (size_t)ids[t] < m->voc.n, "id %d outside the vocabulary", ids[t]);
    net_ws ws;
    memset(&ws, 0, sizeof ws);
    net_ws_alloc(&ws, c, m->maxlen, 1);
    net_forward(m->net, &ws, 1, m->maxlen, ids);
    *K = c->n_out;
    double sum = 0;
    for (int k = 0; k < c->n_out; k++) {
        probs[k] = ws.probs[k];
        sum += ws.probs[k];
    }
    net_ws_free(&ws);
    free(ids);
    free(idbuf);
    toklist_free(&tl);
    /* Weights are arbitrary floats, so NaN can come out of the arithmetic
     * (the sanitizers check it never reaches a float -> int conversion:
     * base/activ.c's exp clamps NaN first); a finite result must be a
     * probability distribution. */
    int finite = 1;
    for (int k = 0; k < c->n_out; k++) finite &= isfinite(probs[k]);
    if (finite) {
        for (int k = 0; k < c->n_out; k++) FUZZ_ASSERT(probs[k] >= 0 && probs[k] <= 1, "probability %g", probs[k]);
        if (c->n_out > 1) FUZZ_ASSERT(fabs(sum - 1) < 1e-3, "probabilities sum to %g", sum);
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!tmpdir[0]) init();
    if (size < 1) return 0;
    uint8_t opt = data[0];
    size_t n = size - 1;
    unsigned char *buf;
    if (opt & 8) {
        buf = structured(data + 1, n, &n);
    } else {
        buf = malloc(n ? n : 1);
        memcpy(buf, data + 1, n);
        if ((opt & 1) && n >= 72) {
            put64(buf + 48, n);
            put_trailer(buf, n);
        }
    }
    const char *path = fuzz_file_set(&file, buf, n);
    free(buf);

    int copy = (opt >> 1) & 1;
    model m;
    heap_maps = 1;
    int lr = model_load(&m, path, copy);
    heap_maps = 0;
    if (lr < 0) {
        FUZZ_ASSERT(err_msg()[0] != '\0', "model_load failed without a message");
        err_clear();
        return 0;
    }
    FUZZ_ASSERT(m.voc.n >= 2, "vocabulary of %zu", m.voc.n);
    const char *kind = model_kind(&m);
    tokenizer *tk = model_tokenizer(&m);
    toklist tl = {0};
    tokenize(tk, TEXT, sizeof TEXT - 1, &tl);
    toklist_free(&tl);

    float probs[1024], probs2[1024];
    int K = 0, K2 = 0, ran = 0;
    if (m.net) {
        FUZZ_ASSERT(m.nlabels >= 2 && m.maxlen >= 1, "labels %d, maxlen %d", m.nlabels, m.maxlen);
        ran = predict(&m, probs, &K);
    }
    if (opt & 4) {
        char out[400];
        snprintf(out, sizeof out, "%s/m.ssm", tmpdir);
        if (m.net && copy) {
            train_state st;
            if (train_state_load(&m, &st) < 0) err_clear();
        }
        int sr = model_save(&m, out);
        FUZZ_ASSERT(sr == 0, "model_save of a loaded model failed: %s", err_msg());
        model m2;
        heap_maps = 1;
        lr = model_load(&m2, out, 1);
        heap_maps = 0;
        FUZZ_ASSERT(lr == 0, "a saved model does not load back: %s", err_msg());
        FUZZ_ASSERT(strcmp(model_kind(&m2), kind) == 0, "kind %s -> %s", kind, model_kind(&m2));
        FUZZ_ASSERT(m2.voc.n == m.voc.n, "vocabulary %zu -> %zu", m.voc.n, m2.voc.n);
        FUZZ_ASSERT(m2.nlabels == m.nlabels, "labels %d -> %d", m.nlabels, m2.nlabels);
        if (ran) {
            FUZZ_ASSERT(predict(&m2, probs2, &K2) && K2 == K, "round trip changed the network");
            FUZZ_ASSERT(memcmp(probs, probs2, sizeof(float) * (size_t)K) == 0, "round trip changed the prediction");
        }
        model_free(&m2);
        unlink(out);
    } else if (m.net && copy) {
        train_state st;
        if (train_state_load(&m, &st) < 0) err_clear();
    }
    model_free(&m);
    err_clear();
    return 0;
}
