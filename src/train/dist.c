/* dist.c - ranks of an MPI job, or the stub: rank 0 of 1 (see dist.h).
 * Compiled twice by the Makefile: into the library without MPI (the stub),
 * and with -DSEQSENT_HAVE_MPI into the seqsent binary, where it comes before
 * the library and so replaces the stub.
 *
 * The MPI library is not linked but opened by dist_start when a launcher
 * started the process (base/dynlib.h: Open MPI's libraries cost every other
 * command's start-up several milliseconds); its functions are looked up
 * then, with mpi.h's prototypes. */
#include "train/dist.h"
#include "base/dynlib.h"
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

#define MPI_FUNCS(X)                                                                                   \
    X(MPI_Init_thread) X(MPI_Comm_rank) X(MPI_Comm_size) X(MPI_Send) X(MPI_Recv) X(MPI_Bcast)          \
    X(MPI_Allgatherv) X(MPI_Allreduce) X(MPI_Allgather) X(MPI_Barrier) X(MPI_Finalized) X(MPI_Finalize) \
    X(MPI_Abort)
static union { struct { MPI_FUNCS(DYNLIB_SLOT) } f; void *slot[13]; } mpi;
static const char *const mpi_names[] = { MPI_FUNCS(DYNLIB_NAME) NULL };
_Static_assert(sizeof mpi.f == sizeof mpi.slot, "one slot per function");
/* global: Open MPI opens components of its own that need libmpi's symbols */
static const dynlib_spec mpi_lib = { "the MPI library", SEQSENT_MPI_SONAME, SEQSENT_MPI_PATH, "libopenmpi3", 1,
                                     mpi_names };

/* The predefined handles used.  Open MPI's are the addresses of objects in
 * libmpi (MPI_COMM_WORLD is &ompi_mpi_comm_world), looked up like the
 * functions; other MPIs (MPICH) define them as constants. */
static MPI_Comm comm_world;
static MPI_Datatype t_byte, t_u64, t_int, t_none;
static MPI_Op op_max;

static int find_handles(void)
{
#ifdef OPEN_MPI
#define HANDLE(var, type, object, constant) \
    if (!(var = (type)dynlib_object(&mpi_lib, object))) return err_set("the MPI library has no %s", object)
#else
#define HANDLE(var, type, object, constant) var = constant
#endif
    HANDLE(comm_world, MPI_Comm, "ompi_mpi_comm_world", MPI_COMM_WORLD);
    HANDLE(t_byte, MPI_Datatype, "ompi_mpi_byte", MPI_BYTE);
    HANDLE(t_u64, MPI_Datatype, "ompi_mpi_uint64_t", MPI_UINT64_T);
    HANDLE(t_int, MPI_Datatype, "ompi_mpi_int", MPI_INT);
    HANDLE(t_none, MPI_Datatype, "ompi_mpi_datatype_null", MPI_DATATYPE_NULL);
    HANDLE(op_max, MPI_Op, "ompi_mpi_op_max", MPI_MAX);
#undef HANDLE
    return 0;
}

/* Started by a launcher: Open MPI's mpirun, or a PMI/PMIx one (srun). */
static int launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

int dist_start(int *argc, char ***argv)
{
    if (joined || !launched()) return 0;
    if (dynlib_load(&mpi_lib, mpi.slot) < 0 || find_handles() < 0)
        return err_prefix("MPI could not start");
    int provided;
    if (mpi.f.MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return err_set("MPI could not start");
    joined = 1;
    mpi.f.MPI_Comm_rank(comm_world, &rank);
    mpi.f.MPI_Comm_size(comm_world, &size);
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
        mpi.f.MPI_Send(b + at, (int)(len - at < PIECE ? len - at : PIECE), t_byte, dest, 0, comm_world);
}

static void recv_bytes(unsigned char *b, size_t len, int src)
{
    for (size_t at = 0; at < len; at += PIECE)
        mpi.f.MPI_Recv(b + at, (int)(len - at < PIECE ? len - at : PIECE), t_byte, src, 0, comm_world,
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
    mpi.f.MPI_Send(&n, 1, t_u64, dest, 0, comm_world);
    send_bytes(buf, len, dest);
}

void dist_recv(unsigned char **buf, size_t *cap, size_t *len, int src)
{
    uint64_t n;
    mpi.f.MPI_Recv(&n, 1, t_u64, src, 0, comm_world, MPI_STATUS_IGNORE);
    grow(buf, cap, n ? n : 1);
    recv_bytes(*buf, n, src);
    *len = n;
}

void dist_bcast(void *buf, size_t len, int root)
{
    if (size == 1) return;
    for (size_t at = 0; at < len; at += PIECE)
        mpi.f.MPI_Bcast((unsigned char *)buf + at, (int)(len - at < PIECE ? len - at : PIECE), t_byte, root,
                  comm_world);
}

void dist_bcast_var(unsigned char **buf, size_t *cap, size_t *len, int root)
{
    if (size == 1) return;
    uint64_t n = *len;
    mpi.f.MPI_Bcast(&n, 1, t_u64, root, comm_world);
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
    mpi.f.MPI_Allgatherv(MPI_IN_PLACE, 0, t_none, all, cnt, off, t_byte, comm_world);
    free(cnt);
}

int dist_any(int flag)
{
    if (size == 1) return flag;
    int any;
    mpi.f.MPI_Allreduce(&flag, &any, 1, t_int, op_max, comm_world);
    return any;
}

int dist_same(uint64_t h, uint64_t *other)
{
    if (size == 1) return -1;
    uint64_t *all = xmalloc((size_t)size * sizeof *all);
    mpi.f.MPI_Allgather(&h, 1, t_u64, all, 1, t_u64, comm_world);
    int r = 1;
    while (r < size && all[r] == all[0]) r++;
    if (r < size) *other = all[r];
    free(all);
    return r < size ? r : -1;
}

void dist_barrier(void)
{
    if (joined) mpi.f.MPI_Barrier(comm_world);
}

void dist_finish(void)
{
    int fin = 0;
    if (!joined || (mpi.f.MPI_Finalized(&fin), fin)) return;
    mpi.f.MPI_Finalize();
}

void dist_abort(int code)
{
    if (joined && size > 1) mpi.f.MPI_Abort(comm_world, code);
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
