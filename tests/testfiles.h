/* testfiles.h - scratch files for the unit tests: a temporary directory
 * (dir, set by the test with mkdtemp), paths in it, whole-file read/write. */
#ifndef SEQSENT_TESTFILES_H
#define SEQSENT_TESTFILES_H

#include <stdio.h>
#include <stdlib.h>
#include "base/err.h"

static char dir[64];

static char *pth(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static unsigned char *slurp(const char *path, size_t *len)
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

static void spit(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    if (n) fwrite(p, 1, n, f);
    fclose(f);
}

#endif
