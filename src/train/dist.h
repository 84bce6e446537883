/* dist.h - the processes of a data-parallel run (MPI), behind one small
 * interface.
 *
 * Built into the seqsent binary with MPI when the Makefile finds Open MPI
 * (pkg-config ompi-c, or make MPI=1): a process started by mpirun is rank r
 * of N.  The library (libseqsent) and a binary built without MPI get the
 * stub: always rank 0 of 1, every exchange a no-op.  A process started
 * without a launcher is rank 0 of 1 even when built with MPI (MPI is not
 * initialised at all).
 *
 * Who uses it: train/workers.c (rank r computes a block of the shards; the
 * shards' gradients meet over the fixed tree, workers.h), train/loop.c (one
 * stop flag for all ranks, rank 0's validation, the check that all ranks
 * start from the same weights and data, rank 0 alone writes) and the
 * training commands (start, quiet ranks, abort).
 *
 * Failures: the communication functions return nothing.  MPI's default
 * error handler (MPI_ERRORS_ARE_FATAL) ends the whole job on a failed
 * exchange, and a rank that dies or exits with an error status makes mpirun
 * end the others; dist_abort is that, on purpose, for the command line.
 */
#ifndef SEQSENT_DIST_H
#define SEQSENT_DIST_H

#include <stddef.h>
#include <stdint.h>

/* Join the job when started by an MPI launcher (else: rank 0 of 1).
 * 0, or -1 (err_set) when MPI cannot start. */
int dist_start(int *argc, char ***argv);
int dist_rank(void);
int dist_size(void);
/* 1 when this binary was built with MPI. */
int dist_built(void);

/* Point to point, in a fixed order known to both sides: len bytes to dest;
 * a message from src into *buf (grown as needed, *cap its size), its length
 * in *len. */
void dist_send(const void *buf, size_t len, int dest);
void dist_recv(unsigned char **buf, size_t *cap, size_t *len, int src);
/* root's *len bytes at *buf to every rank (*buf grown as needed elsewhere). */
void dist_bcast_var(unsigned char **buf, size_t *cap, size_t *len, int root);
/* root's len bytes at buf to every rank. */
void dist_bcast(void *buf, size_t len, int root);
/* Every rank's part of all (rank r's: count[r] bytes at offset[r]), from
 * this rank's part in place, to every rank. */
void dist_allgather(void *all, const size_t *offset, const size_t *count);
/* The largest of the ranks' flags (1 rank: flag). */
int dist_any(int flag);
/* -1 when every rank's h equals rank 0's, else the first rank whose h
 * differs (and its h in *other). */
int dist_same(uint64_t h, uint64_t *other);
/* Wait for every rank. */
void dist_barrier(void);
/* Leave the job: every rank, after the last exchange, before exiting 0
 * (a rank that exits without it makes mpirun end the job as failed).
 * Nothing without MPI. */
void dist_finish(void);
/* End every rank of the job with exit status code (MPI_Abort); a plain
 * exit(code) outside a job.  For the command line only. */
void dist_abort(int code) __attribute__((noreturn));

/* FNV-1a over n bytes, from h (start: DIST_HASH0): what dist_same compares. */
#define DIST_HASH0 0xcbf29ce484222325ULL
uint64_t dist_hash(uint64_t h, const void *p, size_t n);

#endif
