/* gen_synthetic_vectors.c - write a large synthetic word2vec text file for the
 * vector-loading benchmark (scripts/bench.sh compiles it into /tmp).
 *
 *   gen_synthetic_vectors OUT WORDS DIM [WORDLIST]
 *
 * Writes the header "WORDS DIM", then WORDS rows "word v1 ... vDIM".  The first
 * rows take their words from WORDLIST (one per line, e.g. the words of a real
 * vector file) so that a real vocabulary finds its words; the rest are
 * "w0000123"-style.  Values look like a real sgns/word2vec file's ("%g" of
 * small normal-ish floats: "-0.0823242", "0.00734569", "1.5e-05"); they are
 * drawn from a pool of 65,536 formatted numbers so that writing runs at disk
 * speed.  1,000,000 words x 100 dims is about 1.0 GB.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static uint64_t s = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    return s;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: gen_synthetic_vectors OUT WORDS DIM [WORDLIST]\n");
        return 2;
    }
    long words = atol(argv[2]), dim = atol(argv[3]);
    FILE *out = fopen(argv[1], "wb");
    if (!out) { perror(argv[1]); return 1; }
    static char obuf[1 << 22];
    setvbuf(out, obuf, _IOFBF, sizeof obuf);
    FILE *wl = argc > 4 ? fopen(argv[4], "r") : NULL;
    enum { NPOOL = 65536 };
    static char pool[NPOOL][16];
    static unsigned char plen[NPOOL];
    for (int i = 0; i < NPOOL; i++) {
        /* sum of uniforms ~ normal, sd ~0.1, as trained embeddings */
        double v = 0;
        for (int k = 0; k < 4; k++) v += (next() >> 11) * 0x1.0p-53 - 0.5;
        v *= 0.17;
        if (i % 1000 == 0) v *= 1e-4;   /* a few exponent forms */
        plen[i] = (unsigned char)snprintf(pool[i], sizeof pool[i], " %g", v);
    }
    fprintf(out, "%ld %ld\n", words, dim);
    char word[4096];
    for (long r = 0; r < words; r++) {
        size_t wlen = 0;
        if (wl && fgets(word, sizeof word, wl)) {
            wlen = strcspn(word, " \t\r\n");
            word[wlen] = 0;
        }
        if (!wlen) {
            if (wl) { fclose(wl); wl = NULL; }
            wlen = (size_t)snprintf(word, sizeof word, "w%07ld", r);
        }
        fwrite(word, 1, wlen, out);
        for (long d = 0; d < dim; d++) {
            int k = (int)(next() & (NPOOL - 1));
            fwrite(pool[k], 1, plen[k], out);
        }
        putc('\n', out);
    }
    if (wl) fclose(wl);
    if (fclose(out) != 0) { perror(argv[1]); return 1; }
    return 0;
}
