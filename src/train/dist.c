/* dist.c - ranks of an MPI job, or the stub: rank 0 of 1 (see dist.h).
 * Compiled twice by the Makefile: into the library without MPI (the stub),
 * and with -DSEQSENT_HAVE_MPI into the seqsent binary, where it comes before
 * the library and so replaces the stub. */
#include "train/dist.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

uint64_t dist_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

#ifdef SEQSENT_HAVE_MPI
#include <mpi.h>

static int rank, size = 1, joined;

/* Started by a launcher: Open MPI's mpirun, or a PMI/PMIx one (srun). */
static int launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

int dist_start(int *argc, char ***argv)
{
    if (joined || !launched()) return 0;
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return err_set("MPI could not start");
    joined = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return 0;
}

int dist_rank(void) { return rank; }
int dist_size(void) { return size; }
int dist_built(void) { return 1; }

/* Messages go in pieces of at most 1 GiB (MPI counts are ints). */
enum { PIECE = 1 << 30 };

static void send_bytes(const unsigned char *b, size_t len, int dest)
{
    for (size_t at = 0; at < len; at += PIECE)
        MPI_Send(b + at, (int)(len - at < PIECE ? len - at : PIECE), MPI_BYTE, dest, 0, MPI_COMM_WORLD);
}

static void recv_bytes(unsigned char *b, size_t len, int src)
{
    for (size_t at = 0; at < len; at += PIECE)
        MPI_Recv(b + at, (int)(len - at < PIECE ? len - at : PIECE), MPI_BYTE, src, 0, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
}

static void grow(unsigned char **buf, size_t *cap, size_t len)
{
    if (len <= *cap) return;
    *buf = xrealloc(*buf, len);
    *cap = len;
}

void dist_send(const void *buf, size_t len, int dest)
{
    uint64_t n = len;
    MPI_Send(&n, 1, MPI_UINT64_T, dest, 0, MPI_COMM_WORLD);
    send_bytes(buf, len, dest);
}

void dist_recv(unsigned char **buf, size_t *cap, size_t *len, int src)
{
    uint64_t n;
    MPI_Recv(&n, 1, MPI_UINT64_T, src, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    grow(buf, cap, n ? n : 1);
    recv_bytes(*buf, n, src);
    *len = n;
}

void dist_bcast(void *buf, size_t len, int root)
{
    if (size == 1) return;
    for (size_t at = 0; at < len; at += PIECE)
        MPI_Bcast((unsigned char *)buf + at, (int)(len - at < PIECE ? len - at : PIECE), MPI_BYTE, root,
                  MPI_COMM_WORLD);
}

void dist_bcast_var(unsigned char **buf, size_t *cap, size_t *len, int root)
{
    if (size == 1) return;
    uint64_t n = *len;
    MPI_Bcast(&n, 1, MPI_UINT64_T, root, MPI_COMM_WORLD);
    grow(buf, cap, n ? n : 1);
    *len = n;
    dist_bcast(*buf, n, root);
}

void dist_allgather(void *all, const size_t *offset, const size_t *count)
{
    if (size == 1) return;
    int *cnt = xmalloc(2 * (size_t)size * sizeof *cnt), *off = cnt + size;
    for (int r = 0; r < size; r++) {   /* the parts are small (probabilities, losses): ints suffice */
        cnt[r] = (int)count[r];
        off[r] = (int)offset[r];
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, cnt, off, MPI_BYTE, MPI_COMM_WORLD);
    free(cnt);
}

int dist_any(int flag)
{
    if (size == 1) return flag;
    int any;
    MPI_Allreduce(&flag, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return any;
}

int dist_same(uint64_t h, uint64_t *other)
{
    if (size == 1) return -1;
    uint64_t *all = xmalloc((size_t)size * sizeof *all);
    MPI_Allgather(&h, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, MPI_COMM_WORLD);
    int r = 1;
    while (r < size && all[r] == all[0]) r++;
    if (r < size) *other = all[r];
    free(all);
    return r < size ? r : -1;
}

void dist_barrier(void)
{
    if (joined) MPI_Barrier(MPI_COMM_WORLD);
}

void dist_finish(void)
{
    int fin = 0;
    if (!joined || (MPI_Finalized(&fin), fin)) return;
    MPI_Finalize();
}

void dist_abort(int code)
{
    if (joined && size > 1) MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);
}

#else   /* the stub: one process */

int dist_start(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}
int dist_rank(void) { return 0; }
int dist_size(void) { return 1; }
int dist_built(void) { return 0; }
void dist_send(const void *buf, size_t len, int dest) { (void)buf; (void)len; (void)dest; }
void dist_recv(unsigned char **buf, size_t *cap, size_t *len, int src) { (void)buf; (void)cap; (void)src; *len = 0; }
void dist_bcast_var(unsigned char **buf, size_t *cap, size_t *len, int root) { (void)buf; (void)cap; (void)len; (void)root; }
void dist_bcast(void *buf, size_t len, int root) { (void)buf; (void)len; (void)root; }
void dist_allgather(void *all, const size_t *offset, const size_t *count) { (void)all; (void)offset; (void)count; }
int dist_any(int flag) { return flag; }
int dist_same(uint64_t h, uint64_t *other) { (void)h; (void)other; return -1; }
void dist_barrier(void) {}
void dist_finish(void) {}
void dist_abort(int code) { exit(code); }

#endif
