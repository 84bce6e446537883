/* testfiles.h - scratch files for the unit tests: a temporary directory
 * (dir, set by the test with mkdtemp), paths in it, whole-file read/write.
 * Marked unused: a file that needs only some of them (tests/fuzz/replay.c:
 * slurp) gets no warning for the others. */
#define TESTFILES_HELPER static __attribute__((unused))
#ifndef SEQSENT_TESTFILES_H
#define SEQSENT_TESTFILES_H

#include <stdio.h>
#include <stdlib.h>
#include "base/err.h"

static char dir[64];

TESTFILES_HELPER char *pth(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

TESTFILES_HELPER unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = xmalloc((size_t)n + 1);
    size_t r = fread(p, 1, (size_t)n, f);
    fclose(f);
    *len = r;
    return p;
}

TESTFILES_HELPER void spit(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    if (n) fwrite(p, 1, n, f);
    fclose(f);
}

#endif
