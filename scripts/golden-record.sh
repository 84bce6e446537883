#!/bin/sh
# scripts/golden-record.sh - record tests/golden/<key>.sha256 (see
# tests/cli_golden.sh) for this machine's OpenBLAS kernels and, on a CPU
# that runs them all, for the older core types too: OPENBLAS_CORETYPE picks
# the kernel set, and the key names the core OpenBLAS really used.  Run it
# on the commit that defines the results, after a change that alters them
# on purpose, and commit the files with a message that says why.
#
#   sh scripts/golden-record.sh [CORETYPE...]
cd "$(dirname "$0")/.." || exit 1
[ $# -gt 0 ] || set -- "" Prescott Core2 Nehalem Sandybridge Haswell Zen SkylakeX Cooperlake SapphireRapids
for c in "$@"; do
    if [ -z "$c" ]; then
        env -u OPENBLAS_CORETYPE GOLDEN_RECORD=1 sh tests/cli_golden.sh | grep -E '^# (golden key|recorded)|FAIL'
    else
        OPENBLAS_CORETYPE=$c GOLDEN_RECORD=1 sh tests/cli_golden.sh | grep -E '^# (golden key|recorded)|FAIL'
    fi
done
