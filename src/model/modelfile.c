/* modelfile.c - reading and writing .ssm model files (see modelfile.h and
 * man/seqsent-model.5). */
#include "model/modelfile.h"
#include "base/err.h"
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

/* Tensor data is written and mapped as-is, so the host must be little-endian
 * (the header integers are encoded byte by byte and would be fine). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "seqsent model files store tensors little-endian; big-endian hosts are not supported"
#endif

static const unsigned char MF_MAGIC[8] = { 'S', 'E', 'Q', 'S', 'E', 'N', 'T', 0x1a };
static const unsigned char MF_END[4] = { 'E', 'N', 'D', 0 };

enum {
    MF_HDR = 64,     /* header size == json offset */
    MF_TRAILER = 8,  /* u32 crc + "END\0" */
    MF_ALIGN = 64,
    MF_BLOCK = 64 << 10   /* block of the data section with a checksum of its own (written) */
};

/* ---- little helpers ---------------------------------------------------- */

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static uint64_t align_up(uint64_t x) { return (x + (MF_ALIGN - 1)) & ~(uint64_t)(MF_ALIGN - 1); }

/* zlib's crc32 takes a uInt length; feed it in pieces. */
static uint32_t crc_update(uint32_t crc, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    while (n > 0) {
        size_t k = n > (1u << 30) ? (1u << 30) : n;
        crc = (uint32_t)crc32(crc, p, (uInt)k);
        p += k;
        n -= k;
    }
    return crc;
}

/* A file's CRC in pieces on threads (crc_start, crc_finish): checking a
 * big model is most of a one-line `predict`, and the pieces run in
 * parallel with each other and with the model's loading (mf_read_begin);
 * their CRCs are joined with zlib's crc32_combine, so the value is the
 * file's CRC as written. */
enum { CRC_PIECE_MIN = 4 << 20, CRC_THREADS_MAX = 4 };

/* A piece: bytes p[0, n), at offset off of the file fd when fd >= 0. */
typedef struct crc_piece { const unsigned char *p; size_t n; uint32_t crc; int fd; off_t off; } crc_piece;

/* A checksum in progress: pieces [0, k), those with started[i] on threads. */
struct crc_check {
    size_t k;
    crc_piece c[CRC_THREADS_MAX];
    pthread_t th[CRC_THREADS_MAX];
    int started[CRC_THREADS_MAX];
    uint32_t want;          /* the file's CRC (mf_read_begin) */
    char *path;             /* for mf_verify's message */
    int fd;                 /* the file, read by the pieces (owned), or -1 */
};

/* A mapped file's piece is read with pread(2) through a small buffer, not
 * through the map: the first touch of each mapped page is what cost the
 * check (on these virtual machines ~1.7 us a page, 10 ms for a 24 MB model
 * against 2-3 ms to copy it), and the model's rows are then touched only
 * where they are used (a one-line predict reads a few of the embedding's
 * 5,000 pages).  On a read error the rest comes from the map, as before. */
enum { CRC_READ = 256 << 10 };

static void *crc_piece_run(void *arg)
{
    crc_piece *c = arg;
    uint32_t crc = (uint32_t)crc32(0, Z_NULL, 0);
    size_t done = 0;
    if (c->fd >= 0) {
        unsigned char *buf = malloc(CRC_READ);
        while (buf && done < c->n) {
            size_t want = c->n - done < CRC_READ ? c->n - done : CRC_READ;
            ssize_t got = pread(c->fd, buf, want, c->off + (off_t)done);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) break;
            crc = crc_update(crc, buf, (size_t)got);
            done += (size_t)got;
        }
        free(buf);
    }
    c->crc = crc_update(crc, c->p + done, c->n - done);
    return NULL;
}

/* Start the CRC of p[0, n): pieces of at least CRC_PIECE_MIN bytes, one per
 * core (at most CRC_THREADS_MAX), each on a thread, piece 0 too when
 * all = 1 and the file is big (else it is left for crc_finish, on the
 * caller's thread). */
static struct crc_check *crc_start(const unsigned char *p, size_t n, int all, int fd)
{
    struct crc_check *k = xcalloc(1, sizeof *k);
    k->fd = fd;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t np = n / CRC_PIECE_MIN;
    if (cpus > 0 && np > (size_t)cpus) np = (size_t)cpus;
    if (np > CRC_THREADS_MAX) np = CRC_THREADS_MAX;
    if (np < 1) np = 1;
    k->k = np;
    for (size_t i = 0; i < np; i++) {
        k->c[i].p = p + n / np * i;
        k->c[i].n = i + 1 < np ? n / np : n - n / np * i;
        k->c[i].fd = fd;
        k->c[i].off = (off_t)(n / np * i);
        /* a thread that cannot start: its piece is done by crc_finish */
        if (i > 0 || (all && n >= CRC_PIECE_MIN))
            k->started[i] = pthread_create(&k->th[i], NULL, crc_piece_run, &k->c[i]) == 0;
    }
    return k;
}

/* The CRC of a started check (which it frees). */
static uint32_t crc_finish(struct crc_check *k)
{
    for (size_t i = 0; i < k->k; i++)
        if (!k->started[i]) crc_piece_run(&k->c[i]);
    uint32_t crc = 0;
    for (size_t i = 0; i < k->k; i++) {
        if (k->started[i]) pthread_join(k->th[i], NULL);
        crc = i ? (uint32_t)crc32_combine(crc, k->c[i].crc, (z_off_t)k->c[i].n) : k->c[0].crc;
    }
    if (k->fd >= 0) close(k->fd);
    free(k->path);
    free(k);
    return crc;
}

/* ---- block checksums (mf_read_lazy, mf_need) ---------------------------
 *
 * The data section up to the table is cut into blocks of `block` bytes
 * whose CRCs the table holds (the last block may be short).  The whole
 * file's CRC (the trailer) is a function of the CRC of the header and
 * JSON, the blocks' CRCs and the table's: recomputing it from the table's
 * values (crc32_combine) and the two small parts checks the header, the
 * JSON and the table against the trailer without reading the blocks; each
 * block is then checked against its value when it is first needed.  A
 * one-line predict reads a few rows of a 22 MB embedding: checking the
 * whole file was most of its time (~25 ms of CPU, two cores). */
struct mf_blocks {
    const unsigned char *data;  /* the data section (in the map) */
    const unsigned char *tab;   /* the table: u32 little-endian CRC per block */
    uint64_t covered;           /* bytes in blocks: [0, covered) */
    size_t block, n;            /* block size, blocks */
    unsigned char *ok;          /* per block: checked (atomic: several threads may need rows) */
    char *path;                 /* for the message */
    /* the blocks of the tensors not left for mf_need, checked on threads
     * from the open to mf_verify: need[0, nneed), cut in pieces */
    size_t *need, nneed;
    size_t piece[CRC_THREADS_MAX + 1];
    pthread_t th[CRC_THREADS_MAX];
    int started[CRC_THREADS_MAX], bad[CRC_THREADS_MAX], k;
};

static int block_check(struct mf_blocks *b, size_t i)
{
    if (__atomic_load_n(&b->ok[i], __ATOMIC_ACQUIRE)) return 0;
    uint64_t lo = (uint64_t)i * b->block, hi = lo + b->block < b->covered ? lo + b->block : b->covered;
    uint32_t crc = crc_update((uint32_t)crc32(0, Z_NULL, 0), b->data + lo, (size_t)(hi - lo));
    if (crc != get32(b->tab + 4 * i)) return -1;
    __atomic_store_n(&b->ok[i], 1, __ATOMIC_RELEASE);
    return 0;
}

typedef struct blk_piece { struct mf_blocks *b; int k; } blk_piece;

static void *blocks_piece_run(void *arg)
{
    struct mf_blocks *b = ((blk_piece *)arg)->b;
    int k = ((blk_piece *)arg)->k;
    free(arg);
    for (size_t j = b->piece[k]; j < b->piece[k + 1] && !b->bad[k]; j++) b->bad[k] = block_check(b, b->need[j]) < 0;
    return NULL;
}

/* Check the blocks of need[] on threads (pieces of at least CRC_PIECE_MIN
 * bytes, one per core), to be joined by blocks_join. */
static void blocks_start(struct mf_blocks *b)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t bytes = b->nneed * b->block, k = bytes / CRC_PIECE_MIN;
    if (k > (size_t)cpus) k = cpus > 0 ? (size_t)cpus : 1;
    if (k > CRC_THREADS_MAX) k = CRC_THREADS_MAX;
    if (k < 1) k = 1;
    if (!b->nneed) k = 0;
    b->k = (int)k;
    for (size_t i = 0; i <= k; i++) b->piece[i] = k ? b->nneed * i / k : 0;
    for (int i = 0; i < b->k; i++) {
        blk_piece *a = xmalloc(sizeof *a);
        *a = (blk_piece){ b, i };
        b->started[i] = pthread_create(&b->th[i], NULL, blocks_piece_run, a) == 0;
        if (!b->started[i]) free(a);
    }
}

/* 0 when every block of need[] matched; -1 (no message) otherwise. */
static int blocks_join(struct mf_blocks *b)
{
    int bad = 0;
    for (int i = 0; i < b->k; i++) {
        if (b->started[i]) pthread_join(b->th[i], NULL);
        else {
            blk_piece *a = xmalloc(sizeof *a);
            *a = (blk_piece){ b, i };
            blocks_piece_run(a);
        }
        bad |= b->bad[i];
    }
    b->k = 0;
    free(b->need);
    b->need = NULL;
    b->nneed = 0;
    return bad ? -1 : 0;
}

static void blocks_free(struct mf_blocks *b)
{
    if (!b) return;
    if (b->k) blocks_join(b);
    free(b->ok);
    free(b->need);
    free(b->path);
    free(b);
}

/* A u64 member of a JSON object. */
static int json_u64(const cJSON *it, uint64_t *out);

/* The block table of a file whose header is sane: its checksums object
 * ("block", "offset", "count") checked against the data section, and the
 * trailer's CRC recomputed from the header's and JSON's, the blocks' (the
 * table's values) and the table's own.  NULL when the file has no table
 * (older files), it does not fit, or the CRC differs: the caller then
 * checks the whole file. */
static struct mf_blocks *blocks_setup(const unsigned char *p, uint64_t data_off, uint64_t data_len,
                                      const cJSON *ck, uint32_t want)
{
    uint64_t block, off, count;
    if (!cJSON_IsObject(ck) || json_u64(cJSON_GetObjectItemCaseSensitive(ck, "block"), &block) < 0 ||
        json_u64(cJSON_GetObjectItemCaseSensitive(ck, "offset"), &off) < 0 ||
        json_u64(cJSON_GetObjectItemCaseSensitive(ck, "count"), &count) < 0)
        return NULL;
    if (block < 4096 || block > (1u << 30) || off % MF_ALIGN || off > data_len || count != (off + block - 1) / block ||
        count > (data_len - off) / 4 || off + 4 * count != data_len)
        return NULL;
    const unsigned char *data = p + data_off, *tab = data + off;
    uint32_t crc = crc_update((uint32_t)crc32(0, Z_NULL, 0), p, (size_t)data_off);
    uLong op = crc32_combine_gen64((z_off64_t)block);
    for (uint64_t i = 0; i < count; i++) {
        uint64_t len = off - i * block < block ? off - i * block : block;
        crc = (uint32_t)(len == block ? crc32_combine_op(crc, get32(tab + 4 * i), op)
                                      : crc32_combine64(crc, get32(tab + 4 * i), (z_off64_t)len));
    }
    uint32_t tcrc = crc_update((uint32_t)crc32(0, Z_NULL, 0), tab, (size_t)(4 * count));
    crc = (uint32_t)crc32_combine64(crc, tcrc, (z_off64_t)(4 * count));
    if (crc != want) return NULL;
    struct mf_blocks *b = xcalloc(1, sizeof *b);
    b->data = data;
    b->tab = tab;
    b->covered = off;
    b->block = (size_t)block;
    b->n = (size_t)count;
    b->ok = xcalloc(b->n ? b->n : 1, 1);
    return b;
}

int mf_need(const mfile *m, const void *ptr, size_t n)
{
    struct mf_blocks *b = m->blk;
    if (!b || !n) return 0;
    const unsigned char *q = ptr;
    if (q < b->data || (uint64_t)(q - b->data) >= b->covered) return 0;   /* not from the map (a copy) */
    uint64_t lo = (uint64_t)(q - b->data), hi = lo + n;
    if (hi > b->covered) hi = b->covered;
    for (size_t i = (size_t)(lo / b->block); i <= (size_t)((hi - 1) / b->block); i++)
        if (block_check(b, i) < 0)
            return err_set("%s: checksum mismatch (file is corrupt): bytes %llu-%llu of its tensor data", b->path,
                           (unsigned long long)i * b->block, (unsigned long long)(i + 1) * b->block - 1);
    return 0;
}

size_t mf_dtype_size(mf_dtype dt)
{
    switch (dt) {
    case DT_F32: return 4;
    case DT_I32: return 4;
    case DT_I64: return 8;
    case DT_U8: return 1;
    case DT_F16: return 2;
    case DT_I8: return 1;
    case DT_BF16: return 2;
    }
    return 0;
}

const char *mf_dtype_name(mf_dtype dt)
{
    switch (dt) {
    case DT_F32: return "f32";
    case DT_I32: return "i32";
    case DT_I64: return "i64";
    case DT_U8: return "u8";
    case DT_F16: return "f16";
    case DT_I8: return "i8";
    case DT_BF16: return "bf16";
    }
    return "?";
}

static int dtype_parse(const char *s, mf_dtype *dt)
{
    for (int d = DT_F32; d <= DT_BF16; d++)
        if (strcmp(s, mf_dtype_name((mf_dtype)d)) == 0) {
            *dt = (mf_dtype)d;
            return 0;
        }
    return -1;
}

/* Element count of a shape; -1 on a negative dimension or overflow. */
static int shape_nelem(int ndim, const int64_t *shape, uint64_t *out)
{
    uint64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return -1;
        if (__builtin_mul_overflow(n, (uint64_t)shape[i], &n)) return -1;
    }
    *out = n;
    return 0;
}

/* Programming errors in the caller (not data errors): report and abort. */
static _Noreturn void mf_bug(const char *what, const char *name)
{
    fprintf(stderr, "seqsent: internal error: mf_put('%s'): %s\n", name ? name : "(null)", what);
    abort();
}

/* ---- in-memory model ---------------------------------------------------- */

mfile *mf_new(void)
{
    mfile *m = xcalloc(1, sizeof *m);
    m->meta = cJSON_CreateObject();
    if (!m->meta) {  /* cJSON only fails on out-of-memory, like xmalloc */
        fprintf(stderr, "seqsent: out of memory\n");
        exit(EXIT_FAIL);
    }
    return m;
}

static void tensor_clear(mf_tensor *t)
{
    free(t->name);
    if (t->owned) free((void *)t->data);
    memset(t, 0, sizeof *t);
}

void mf_free(mfile *m)
{
    if (!m) return;
    if (m->pending) crc_finish(m->pending);   /* its threads read the map */
    blocks_free(m->blk);
    for (size_t i = 0; i < m->n; i++) tensor_clear(&m->t[i]);
    free(m->t);
    if (m->map) munmap(m->map, m->maplen);
    cJSON_Delete(m->meta);
    free(m);
}

static mf_tensor *find(const mfile *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->t[i].name, name) == 0) return &m->t[i];
    return NULL;
}

void mf_put(mfile *m, const char *name, mf_dtype dt, int ndim, const int64_t *shape,
            const void *data, int copy)
{
    if (!name || !*name) mf_bug("empty tensor name", name);
    if (ndim < 1 || ndim > 4) mf_bug("ndim must be 1..4", name);
    if (mf_dtype_size(dt) == 0) mf_bug("unknown dtype", name);
    uint64_t nelem = 0, nbytes = 0;
    if (shape_nelem(ndim, shape, &nelem) < 0 ||
        __builtin_mul_overflow(nelem, (uint64_t)mf_dtype_size(dt), &nbytes) || nbytes > SIZE_MAX / 2)
        mf_bug("bad shape", name);
    if (nbytes > 0 && !data) mf_bug("NULL data", name);

    /* Build the new entry first: data may point into the tensor it replaces. */
    mf_tensor nt;
    memset(&nt, 0, sizeof nt);
    nt.name = xstrdup(name);
    nt.dtype = dt;
    nt.ndim = ndim;
    for (int i = 0; i < ndim; i++) nt.shape[i] = shape[i];
    nt.nbytes = (size_t)nbytes;
    if (copy) {
        void *p = xmalloc(nt.nbytes);
        if (nt.nbytes) memcpy(p, data, nt.nbytes);
        nt.data = p;
        nt.owned = 1;
    } else {
        nt.data = data;
        nt.owned = 0;
    }

    mf_tensor *old = find(m, name);
    if (old) {
        tensor_clear(old);
        *old = nt;
        return;
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 8;
        m->t = xrealloc(m->t, m->cap * sizeof *m->t);
    }
    m->t[m->n++] = nt;
}

const mf_tensor *mf_get(const mfile *m, const char *name)
{
    return find(m, name);
}

const void *mf_get_checked(const mfile *m, const char *name, mf_dtype dt, size_t nelem)
{
    const mf_tensor *t = find(m, name);
    if (!t) {
        err_set("model has no tensor '%s'", name);
        return NULL;
    }
    if (t->dtype != dt) {
        err_set("tensor '%s' has dtype %s, expected %s", name, mf_dtype_name(t->dtype),
                mf_dtype_name(dt));
        return NULL;
    }
    size_t have = t->nbytes / mf_dtype_size(t->dtype);
    if (have != nelem) {
        err_set("tensor '%s' has %zu elements, expected %zu", name, have, nelem);
        return NULL;
    }
    return t->data;
}

void mf_remove(mfile *m, const char *name)
{
    mf_tensor *t = find(m, name);
    if (!t) return;
    size_t i = (size_t)(t - m->t);
    tensor_clear(t);
    memmove(&m->t[i], &m->t[i + 1], (m->n - i - 1) * sizeof *m->t);
    m->n--;
}

/* ---- writing ------------------------------------------------------------ */

/* A file being written: the whole file's CRC, and the CRC of every block
 * of the data section (pos: the data section's bytes written so far;
 * blk NULL while the header is written). */
typedef struct wstream { int fd; uint32_t crc; uint64_t pos; uint32_t *blk; } wstream;

static int wput(wstream *w, const void *buf, size_t n)
{
    if (write_all(w->fd, buf, n) < 0) return -1;
    w->crc = crc_update(w->crc, buf, n);
    const unsigned char *p = buf;
    while (w->blk && n > 0) {
        size_t i = (size_t)(w->pos / MF_BLOCK), room = MF_BLOCK - (size_t)(w->pos % MF_BLOCK);
        size_t k = n < room ? n : room;
        w->blk[i] = crc_update(w->blk[i], p, k);
        p += k;
        n -= k;
        w->pos += k;
    }
    return 0;
}

/* The JSON text (unpadded) for m's metadata plus its "tensors" array and
 * "checksums" object, every tensor's offset within the data section, the
 * offset of the block checksums' table and the data section's length. */
static char *build_json(const mfile *m, uint64_t *offs, uint64_t *table_off, uint64_t *data_len)
{
    cJSON *root = m->meta ? cJSON_Duplicate(m->meta, 1) : cJSON_CreateObject();
    if (!root) {
        err_set("out of memory building metadata");
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        err_set("model metadata is not a JSON object");
        return NULL;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(root, "tensors");
    cJSON *arr = cJSON_AddArrayToObject(root, "tensors");
    uint64_t off = 0;
    int ok = arr != NULL;
    for (size_t i = 0; ok && i < m->n; i++) {
        const mf_tensor *t = &m->t[i];
        off = align_up(off);
        offs[i] = off;
        cJSON *o = cJSON_CreateObject();
        cJSON *shape = cJSON_CreateArray();
        ok = o && shape && cJSON_AddItemToArray(arr, o);
        if (!ok) {
            cJSON_Delete(o);
            cJSON_Delete(shape);
            break;
        }
        ok = cJSON_AddStringToObject(o, "name", t->name) &&
             cJSON_AddStringToObject(o, "dtype", mf_dtype_name(t->dtype)) &&
             cJSON_AddItemToObject(o, "shape", shape);
        if (!ok) {
            cJSON_Delete(shape);
            break;
        }
        for (int d = 0; ok && d < t->ndim; d++) {
            cJSON *num = cJSON_CreateNumber((double)t->shape[d]);
            ok = num && cJSON_AddItemToArray(shape, num);
            if (!ok) cJSON_Delete(num);
        }
        ok = ok && cJSON_AddNumberToObject(o, "offset", (double)off) &&
             cJSON_AddNumberToObject(o, "nbytes", (double)t->nbytes);
        off += t->nbytes;
    }
    /* the block checksums' table after the last tensor (mf_read_lazy) */
    uint64_t table = align_up(off), nblk = (table + MF_BLOCK - 1) / MF_BLOCK;
    cJSON_DeleteItemFromObjectCaseSensitive(root, "checksums");
    cJSON *ck = ok ? cJSON_AddObjectToObject(root, "checksums") : NULL;
    ok = ck && cJSON_AddNumberToObject(ck, "block", MF_BLOCK) && cJSON_AddNumberToObject(ck, "offset", (double)table) &&
         cJSON_AddNumberToObject(ck, "count", (double)nblk);
    *table_off = table;
    *data_len = table + 4 * nblk;
    char *s = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!s) err_set("out of memory building metadata");
    return s;
}

int mf_write(const mfile *m, const char *path)
{
    uint64_t *offs = xcalloc(m->n ? m->n : 1, sizeof *offs);
    uint64_t data_len = 0, table_off = 0;
    char *json = build_json(m, offs, &table_off, &data_len);
    if (!json) {
        free(offs);
        return err_prefix("%s", path);
    }
    size_t json_len = strlen(json);
    uint64_t data_off = align_up(MF_HDR + (uint64_t)json_len);
    uint64_t file_len = data_off + data_len + MF_TRAILER;

    /* Header + padded JSON in one buffer (small next to the tensors). */
    size_t head_len = (size_t)data_off;
    unsigned char *head = xmalloc(head_len);
    memcpy(head, MF_MAGIC, 8);
    uint32_t version = 1;   /* the lowest that knows every dtype: older readers read the rest */
    for (size_t i = 0; i < m->n; i++) {
        uint32_t need = m->t[i].dtype == DT_I8 || m->t[i].dtype == DT_BF16 ? 3 : m->t[i].dtype == DT_F16 ? 2 : 1;
        if (need > version) version = need;
    }
    put32(head + 8, version);
    put32(head + 12, 0);
    put64(head + 16, MF_HDR);
    put64(head + 24, json_len);
    put64(head + 32, data_off);
    put64(head + 40, data_len);
    put64(head + 48, file_len);
    put64(head + 56, 0);
    memcpy(head + MF_HDR, json, json_len);
    memset(head + MF_HDR + json_len, ' ', head_len - MF_HDR - json_len);
    free(json);

    atomic_file af;
    if (atomic_open(&af, path) < 0) {
        free(head);
        free(offs);
        return -1;
    }
    static const unsigned char zeros[MF_ALIGN];
    size_t nblk = (size_t)((data_len - table_off) / 4);
    uint32_t *blk = xcalloc(nblk ? nblk : 1, sizeof *blk);   /* crc32(0, NULL, 0) is 0 */
    wstream w = { af.fd, (uint32_t)crc32(0, Z_NULL, 0), 0, NULL };
    int rc = wput(&w, head, head_len);
    w.blk = blk;
    for (size_t i = 0; rc == 0 && i < m->n; i++) {
        const mf_tensor *t = &m->t[i];
        if (offs[i] > w.pos) rc = wput(&w, zeros, (size_t)(offs[i] - w.pos));
        if (rc == 0 && t->nbytes) rc = wput(&w, t->data, t->nbytes);
    }
    if (rc == 0 && table_off > w.pos) rc = wput(&w, zeros, (size_t)(table_off - w.pos));
    w.blk = NULL;
    for (size_t i = 0; rc == 0 && i < nblk; i++) {
        unsigned char b[4];
        put32(b, blk[i]);
        rc = wput(&w, b, 4);
    }
    free(blk);
    if (rc == 0) {
        unsigned char trailer[MF_TRAILER];
        put32(trailer, w.crc);
        memcpy(trailer + 4, MF_END, 4);
        rc = write_all(af.fd, trailer, sizeof trailer);
    }
    free(head);
    free(offs);
    if (rc < 0) {
        err_set("%s: %s", path, strerror(errno));
        atomic_abort(&af);
        return -1;
    }
    return atomic_commit(&af);
}

/* ---- reading ------------------------------------------------------------ */

/* A JSON number that is a non-negative integer exactly representable. */
static int json_u64(const cJSON *it, uint64_t *out)
{
    if (!cJSON_IsNumber(it)) return -1;
    double d = it->valuedouble;
    if (!(d >= 0 && d <= 9007199254740992.0) || d != (double)(uint64_t)d) return -1;
    *out = (uint64_t)d;
    return 0;
}

static int meta_bad(const char *path, const char *fmt, const char *name)
{
    char detail[256];
    snprintf(detail, sizeof detail, fmt, name);
    return err_set("%s: corrupt metadata: %s", path, detail);
}

/* Fill m->t from the "tensors" array, checking every entry against the data
 * section [data, data + data_len). */
static int load_tensors(mfile *m, const char *path, const cJSON *arr, const unsigned char *data,
                        uint64_t data_len)
{
    if (!cJSON_IsArray(arr)) return meta_bad(path, "no \"tensors\" array%s", "");
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) {
        const cJSON *jn = cJSON_GetObjectItemCaseSensitive(e, "name");
        const char *name = cJSON_IsString(jn) ? jn->valuestring : NULL;
        if (!cJSON_IsObject(e) || !name || !*name)
            return meta_bad(path, "tensor entry without a name%s", "");
        if (find(m, name)) return meta_bad(path, "duplicate tensor '%s'", name);
        const cJSON *jd = cJSON_GetObjectItemCaseSensitive(e, "dtype");
        mf_dtype dt;
        if (!cJSON_IsString(jd) || dtype_parse(jd->valuestring, &dt) < 0)
            return meta_bad(path, "tensor '%s' has an unknown dtype", name);
        const cJSON *js = cJSON_GetObjectItemCaseSensitive(e, "shape");
        int ndim = cJSON_IsArray(js) ? cJSON_GetArraySize(js) : 0;
        if (ndim < 1 || ndim > 4) return meta_bad(path, "tensor '%s' has a bad shape", name);
        int64_t shape[4] = { 0 };
        const cJSON *d;
        int k = 0;
        cJSON_ArrayForEach(d, js) {
            uint64_t v;
            if (json_u64(d, &v) < 0) return meta_bad(path, "tensor '%s' has a bad shape", name);
            shape[k++] = (int64_t)v;
        }
        uint64_t off, nbytes, nelem, want;
        if (json_u64(cJSON_GetObjectItemCaseSensitive(e, "offset"), &off) < 0 ||
            json_u64(cJSON_GetObjectItemCaseSensitive(e, "nbytes"), &nbytes) < 0)
            return meta_bad(path, "tensor '%s' has a bad offset or size", name);
        if (shape_nelem(ndim, shape, &nelem) < 0 ||
            __builtin_mul_overflow(nelem, (uint64_t)mf_dtype_size(dt), &want) || want != nbytes)
            return meta_bad(path, "tensor '%s' size does not match its shape", name);
        if (off % MF_ALIGN) return meta_bad(path, "tensor '%s' is misaligned", name);
        if (off > data_len || nbytes > data_len - off)
            return meta_bad(path, "tensor '%s' lies outside the data section", name);

        if (m->n == m->cap) {
            m->cap = m->cap ? 2 * m->cap : 8;
            m->t = xrealloc(m->t, m->cap * sizeof *m->t);
        }
        mf_tensor *t = &m->t[m->n++];
        memset(t, 0, sizeof *t);
        t->name = xstrdup(name);
        t->dtype = dt;
        t->ndim = ndim;
        memcpy(t->shape, shape, sizeof shape);
        t->data = data + off;
        t->nbytes = (size_t)nbytes;
        t->owned = 0;
    }
    return 0;
}

/* The blocks that overlap a tensor lazy(name) does not leave for
 * mf_need: m->blk->need. */
static void blocks_needed(mfile *m, int (*lazy)(const char *name))
{
    struct mf_blocks *b = m->blk;
    unsigned char *want = xcalloc(b->n ? b->n : 1, 1);
    for (size_t i = 0; i < m->n; i++) {
        const mf_tensor *t = &m->t[i];
        if (!t->nbytes || (lazy && lazy(t->name))) continue;
        uint64_t lo = (uint64_t)((const unsigned char *)t->data - b->data), hi = lo + t->nbytes;
        for (uint64_t j = lo / b->block; j <= (hi - 1) / b->block; j++) want[j] = 1;
    }
    b->need = xmalloc((b->n ? b->n : 1) * sizeof *b->need);
    for (size_t j = 0; j < b->n; j++)
        if (want[j]) b->need[b->nneed++] = j;
    free(want);
}

/* Check the mapped bytes; on success fill m->meta and m->t.  mode: 0 the
 * whole checksum now; 1 the checksum left running (m->pending, mf_verify);
 * 2 block by block when the file has a block table (m->blk: the blocks of
 * tensors other than lazy's checked on threads until mf_verify, the rest
 * by mf_need), else as 1. */
static int verify(mfile *m, const char *path, const unsigned char *p, size_t size, int mode, int fd,
                  int (*lazy)(const char *name))
{
    if (memcmp(p, MF_MAGIC, 8) != 0) return err_set("%s: not a seqsent model file", path);
    uint32_t version = get32(p + 8);
    if (version > MF_VERSION)
        return err_set("%s: model format version %u is newer than this seqsent supports (%d)",
                       path, (unsigned)version, MF_VERSION);
    uint64_t file_len = get64(p + 48);
    if (file_len > size) return err_set("%s: truncated model file", path);
    if (file_len < size) return err_set("%s: model file has trailing data", path);
    uint32_t want = get32(p + size - MF_TRAILER);
    if (memcmp(p + size - 4, MF_END, 4) != 0) return err_set("%s: checksum mismatch (file is corrupt)", path);

    uint32_t flags = get32(p + 12);
    uint64_t json_off = get64(p + 16), json_len = get64(p + 24);
    uint64_t data_off = get64(p + 32), data_len = get64(p + 40), reserved = get64(p + 56);
    uint64_t body = size - MF_TRAILER;
    int sane = version != 0 && flags == 0 && reserved == 0 && json_off == MF_HDR && json_len <= body - MF_HDR &&
               data_off % MF_ALIGN == 0 && data_off >= json_off + json_len && data_off <= body &&
               data_len == body - data_off;
    const char *js = sane ? (const char *)p + json_off : NULL, *end = NULL;   /* (an offset may be anything) */
    cJSON *root = NULL;
    if (mode == 2 && sane) {
        root = cJSON_ParseWithLengthOpts(js, (size_t)json_len, &end, 0);
        if (root) m->blk = blocks_setup(p, data_off, data_len, cJSON_GetObjectItemCaseSensitive(root, "checksums"), want);
        if (m->blk) m->blk->path = xstrdup(path);
    }
    if (!m->blk) {   /* the whole file's checksum */
        int cfd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;   /* the check's own (crc_piece_run); -1: the map */
        if (mode) {
            m->pending = crc_start(p, size - MF_TRAILER, 1, cfd);
            m->pending->want = want;
            m->pending->path = xstrdup(path);
        } else if (crc_finish(crc_start(p, size - MF_TRAILER, 0, cfd)) != want) {
            return err_set("%s: checksum mismatch (file is corrupt)", path);
        }
    }

    /* The bytes are as written (or being checked); now check what was
     * written makes sense. */
    if (version == 0) return meta_bad(path, "format version 0%s", "");
    if (flags != 0 || reserved != 0) return meta_bad(path, "unknown header flags%s", "");
    if (!sane) return meta_bad(path, "header offsets are inconsistent%s", "");
    if (!root) root = cJSON_ParseWithLengthOpts(js, (size_t)json_len, &end, 0);
    if (!root) {
        size_t at = end ? (size_t)(end - js) : 0;
        return err_set("%s: corrupt metadata: JSON syntax error at byte %zu", path,
                       (size_t)json_off + at);
    }
    m->meta = root;
    if (!cJSON_IsObject(root)) return meta_bad(path, "metadata is not a JSON object%s", "");
    for (; end && end < js + json_len; end++)
        if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\r')
            return meta_bad(path, "text after the JSON object%s", "");
    cJSON_DeleteItemFromObjectCaseSensitive(root, "checksums");   /* the file's, not the model's */
    cJSON *arr = cJSON_DetachItemFromObjectCaseSensitive(root, "tensors");
    int rc = load_tensors(m, path, arr, p + data_off, data_len);
    cJSON_Delete(arr);
    if (rc == 0 && m->blk) {
        blocks_needed(m, lazy);
        blocks_start(m->blk);
    }
    return rc;
}

/* "-": standard input read whole into an anonymous map (so that mf_free
 * treats it as any map). */
static mfile *read_stdin(void)
{
    size_t cap = 1 << 20, len = 0;
    unsigned char *buf = xmalloc(cap);
    for (;;) {
        if (len == cap) buf = xrealloc(buf, cap *= 2);
        ssize_t r = read(0, buf + len, cap - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            err_set("<stdin>: %s", strerror(errno));
            free(buf);
            return NULL;
        }
        if (r == 0) break;
        len += (size_t)r;
    }
    if (len < MF_HDR + MF_TRAILER) {
        err_set(len >= 8 && memcmp(buf, MF_MAGIC, 8) == 0 ? "<stdin>: truncated model file" : "<stdin>: not a seqsent model file");
        free(buf);
        return NULL;
    }
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        err_set("<stdin>: %s", strerror(errno));
        free(buf);
        return NULL;
    }
    memcpy(map, buf, len);
    free(buf);
    mfile *m = xcalloc(1, sizeof *m);
    m->map = map;
    m->maplen = len;
    if (verify(m, "<stdin>", map, len, 0, -1, NULL) < 0) {
        mf_free(m);
        return NULL;
    }
    return m;
}

int mf_verify(mfile *m)
{
    if (m->blk && m->blk->k && blocks_join(m->blk) < 0)
        return err_set("%s: checksum mismatch (file is corrupt)", m->blk->path);
    struct crc_check *k = m->pending;
    if (!k) return 0;
    m->pending = NULL;
    char *path = k->path;
    k->path = NULL;          /* kept for the message: crc_finish frees k */
    uint32_t want = k->want;
    int bad = crc_finish(k) != want;
    if (bad) err_set("%s: checksum mismatch (file is corrupt)", path);
    free(path);
    return bad ? -1 : 0;
}

static mfile *read_file(const char *path, int mode, int (*lazy)(const char *name));

mfile *mf_read(const char *path)
{
    return read_file(path, 0, NULL);
}

mfile *mf_read_begin(const char *path)
{
    return read_file(path, 1, NULL);
}

mfile *mf_read_lazy(const char *path, int (*lazy)(const char *name))
{
    return read_file(path, 2, lazy);
}

static mfile *read_file(const char *path, int mode, int (*lazy)(const char *name))
{
    if (!strcmp(path, "-")) return read_stdin();
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        err_set("%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        err_set("%s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        err_set("%s: %s", path, strerror(EISDIR));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        err_set("%s: not a seqsent model file", path);
        close(fd);
        return NULL;
    }
    if ((uint64_t)st.st_size < MF_HDR + MF_TRAILER) {
        unsigned char mg[8];
        ssize_t r;
        do r = pread(fd, mg, sizeof mg, 0);
        while (r < 0 && errno == EINTR);
        close(fd);
        if (r < 0) err_set("%s: %s", path, strerror(errno));
        else if (r == (ssize_t)sizeof mg && memcmp(mg, MF_MAGIC, 8) == 0)
            err_set("%s: truncated model file", path);
        else
            err_set("%s: not a seqsent model file", path);
        return NULL;
    }
    if ((uint64_t)st.st_size > SIZE_MAX) {
        err_set("%s: %s", path, strerror(EFBIG));
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    if (map == MAP_FAILED) {
        close(fd);
        err_set("%s: %s", path, strerror(e));
        return NULL;
    }
    mfile *m = xcalloc(1, sizeof *m);
    m->map = map;
    m->maplen = size;
    int bad = verify(m, path, map, size, mode, fd, lazy) < 0;
    close(fd);
    if (bad) {
        /* a corrupt file is a checksum mismatch first, whatever else failed */
        if (m->pending || (m->blk && m->blk->k)) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", err_msg());
            if (mf_verify(m) == 0) err_set("%s", msg);
        }
        mf_free(m);
        return NULL;
    }
    return m;
}
