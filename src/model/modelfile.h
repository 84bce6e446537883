/* modelfile.h - the .ssm model file every subcommand shares.
 *
 * A model file is a JSON metadata object (cJSON) plus named little-endian
 * tensors, laid out so the tensors can be used straight from an mmap:
 *
 *   0   magic "SEQSENT\x1a" (8 bytes)
 *   8   u32 format version (MF_VERSION), u32 flags (0)
 *   16  u64 json offset (64), u64 json length
 *   32  u64 data offset (64-aligned), u64 data length
 *   48  u64 file length, u64 reserved (0)
 *   64  JSON metadata, UTF-8, padded with spaces to the data offset
 *       (its "tensors" array lists name, dtype, shape, offset, nbytes;
 *       offsets are relative to the data offset and 64-aligned)
 *   ..  tensor data
 *   ..  the block checksums: u32 CRC-32 of each 64 KiB of the data section
 *       before them (JSON "checksums": block, offset, count)
 *   end u32 CRC-32 (zlib) of every byte before it, then "END\0"
 *
 * Documented byte by byte in man/seqsent-model.5.  The checksum is verified
 * on every load, whole or block by block before a block's first use, so a
 * single flipped byte is reported, not used.
 */
#ifndef SEQSENT_MODELFILE_H
#define SEQSENT_MODELFILE_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

/* Version 2 added the f16 dtype, version 3 the i8 and bf16 dtypes (a
 * quantized model, seqsent quantize); a file is written with the lowest
 * version its dtypes need, so older readers keep reading the rest and
 * refuse a quantized file by its version. */
#define MF_VERSION 3

typedef enum { DT_F32 = 0, DT_I32, DT_I64, DT_U8, DT_F16, DT_I8, DT_BF16 } mf_dtype;

typedef struct mf_tensor {
    char *name;
    mf_dtype dtype;
    int ndim;                 /* 1..4 */
    int64_t shape[4];
    const void *data;         /* into the mmap, or owned copy, or borrowed */
    size_t nbytes;
    int owned;                /* data is a malloc'ed copy we free */
} mf_tensor;

typedef struct mfile {
    cJSON *meta;              /* free-form metadata object (without "tensors") */
    mf_tensor *t;
    size_t n, cap;
    void *map;                /* mmap of the file when read, else NULL */
    size_t maplen;
    struct crc_check *pending;  /* mf_read_begin: the checksum still being computed */
    struct mf_blocks *blk;      /* mf_read_lazy: the blocks' checksums (mf_need) */
} mfile;

mfile *mf_new(void);
void mf_free(mfile *m);
/* Add or replace a tensor.  copy = 1: data is copied now; copy = 0: data is
 * borrowed and must stay valid until mf_write / mf_free. */
void mf_put(mfile *m, const char *name, mf_dtype dt, int ndim, const int64_t *shape,
            const void *data, int copy);
const mf_tensor *mf_get(const mfile *m, const char *name);
/* Like mf_get but checks dtype and total element count; NULL + err_set. */
const void *mf_get_checked(const mfile *m, const char *name, mf_dtype dt, size_t nelem);
void mf_remove(mfile *m, const char *name);
/* Write atomically: temp file in the same directory, fsync, rename.  An
 * existing file at path is untouched unless the whole write succeeds.
 * "-" writes standard output. */
int mf_write(const mfile *m, const char *path);
/* mmap and verify (magic, version, lengths, checksum, tensor bounds);
 * "-" reads standard input (whole, into memory).
 * Errors: "path: not a seqsent model file", "path: truncated", "path:
 * checksum mismatch (file corrupt)", "path: format version N is newer than
 * this seqsent supports (1)". */
mfile *mf_read(const char *path);
/* mf_read whose checksum is still being computed, on threads of its own,
 * when it returns: the header, the metadata and the tensor table are
 * checked, the bytes not yet.  A loader reads the model meanwhile and calls
 * mf_verify before using it (and before reporting any error of its own: a
 * corrupt file is a checksum mismatch first).  Big files are faster to open
 * this way: the checksum reads every page, the loader few of them. */
mfile *mf_read_begin(const char *path);
/* mf_read_begin, except that the bytes of the tensors for which
 * lazy(name) is true are checked only as they are used (mf_need), block by
 * block, and mf_verify checks the rest: a one-line predict reads a few
 * rows of a 22 MB embedding.  The header, the metadata and the table of
 * block checksums are checked at the open, against the file's CRC.  A file
 * without block checksums (written before them) is checked whole, as by
 * mf_read_begin.  lazy may be NULL (nothing left for mf_need). */
mfile *mf_read_lazy(const char *path, int (*lazy)(const char *name));
/* Wait for mf_read_begin's or mf_read_lazy's checksum: 0, or -1 with
 * "path: checksum mismatch (file is corrupt)"; 0 at once for a file
 * already checked. */
int mf_verify(mfile *m);
/* Before the first use of bytes [p, p + n) of a tensor of m (mf_read_lazy):
 * check the blocks they lie in, once each (any thread): 0, or -1 with
 * "path: checksum mismatch (file is corrupt) in bytes A-B of its data".
 * 0 at once for bytes already checked, not in m's map, or a file checked
 * whole. */
int mf_need(const mfile *m, const void *p, size_t n);
size_t mf_dtype_size(mf_dtype dt);
const char *mf_dtype_name(mf_dtype dt);

#endif
