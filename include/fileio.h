/* fileio.h - small whole-file helpers on top of modelfile.h's atomic_file. */
#ifndef SEQSENT_FILEIO_H
#define SEQSENT_FILEIO_H

#include <stddef.h>

/* Write buf to path atomically (temp + fsync + rename); "-" = stdout. */
int write_file_atomic(const char *path, const void *buf, size_t len);
/* write(2) all of buf, retrying on EINTR and short writes; -1 + errno on error. */
int write_all(int fd, const void *buf, size_t len);

#endif
