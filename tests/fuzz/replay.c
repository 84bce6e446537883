/* replay.c - runs a libFuzzer harness (tests/fuzz/fuzz_*.c) on given input
 * files, without libFuzzer: each file's bytes go to LLVMFuzzerTestOneInput
 * once, in the order given.  make check builds every harness with it
 * ($(B)/tests/replay_NAME, plain and under ASan/UBSan) and
 * tests/cli_fuzz_replay.sh replays the seed corpora tests/fuzz/corpus/NAME:
 * the harnesses keep compiling with the library they test (make fuzz needs
 * clang and is not part of check), and every seed, with the oracles each
 * harness checks besides the sanitizers, is a test case of its own.
 *
 *   replay_NAME FILE...    exit 0 and "N passed, 0 failed" when every input
 *                          returned; a harness's oracle aborts on the input
 *                          that breaks it (its name is printed first)
 */
#include "testfiles.h"   /* slurp */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int done = 0;
    for (int i = 1; i < argc; i++) {
        size_t n = 0;
        unsigned char *data = slurp(argv[i], &n);
        if (!data) {
            fprintf(stderr, "replay: %s: cannot read\n", argv[i]);
            printf("%d passed, 1 failed\n", done);
            return 1;
        }
        fprintf(stderr, "replay: %s (%zu bytes)\n", argv[i], n);
        LLVMFuzzerTestOneInput(data, n);
        free(data);
        done++;
    }
    printf("%d passed, 0 failed\n", done);
    return 0;
}
