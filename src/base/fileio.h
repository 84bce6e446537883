/* fileio.h - atomic file output, whole-file helpers, binary16 floats. */
#ifndef SEQSENT_FILEIO_H
#define SEQSENT_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* Atomic output of any file: open a temp file beside path; commit fsyncs
 * and renames it over path; abort removes it.  Used by every writer.
 * "-" is standard output, and an existing device or FIFO, written in place. */
typedef struct atomic_file { char *path, *tmp; int fd; } atomic_file;
int atomic_open(atomic_file *a, const char *path);
int atomic_commit(atomic_file *a);
void atomic_abort(atomic_file *a);

/* Write buf to path atomically (temp + fsync + rename); "-" = stdout. */
int write_file_atomic(const char *path, const void *buf, size_t len);
/* write(2) all of buf, retrying on EINTR and short writes; -1 + errno on error. */
int write_all(int fd, const void *buf, size_t len);

/* IEEE 754 binary16 <-> binary32 (round to nearest even; overflow -> inf). */
uint16_t f32_to_f16(float f);
float f16_to_f32(uint16_t h);

#endif
