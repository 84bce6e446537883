#!/bin/sh
# tests/cli_fuzz_replay.sh - the libFuzzer harnesses (tests/fuzz/fuzz_*.c) on
# their seed corpora, without libFuzzer: make check builds each harness with
# tests/fuzz/replay.c's plain main ($SEQSENT_BUILD/tests/replay_NAME, and
# under ASan/UBSan in the sanitizer half) and this script runs it on every
# seed of tests/fuzz/corpus/NAME, one process a seed, so that
#   - the harnesses keep compiling with the library (make fuzz needs clang
#     and is not part of check: it had stopped building, unnoticed);
#   - each seed passes the oracles its harness checks besides the sanitizers
#     (csv: whole reads and reads cut into pieces give the same records and
#     line numbers; model: a file that loads predicts finite probabilities
#     and survives a save and load; ...).
CLI_NAME=fuzz-replay CLI_TIMEOUT=60 . tests/harness.sh

B=${SEQSENT_BUILD:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
for h in csv tokenize vectors model; do
    bin=$B/tests/replay_$h
    if [ ! -x "$bin" ]; then
        fail "replay_$h is not built (make $B/tests/replay_$h)"
        continue
    fi
    n=0
    for seed in "$ROOT"/tests/fuzz/corpus/$h/*; do
        [ -f "$seed" ] || continue
        n=$((n + 1))
        run "$bin" "$seed"
        check "fuzz_$h: seed $(basename "$seed")" '[ $rc -eq 0 ] && out_has "1 passed, 0 failed"'
    done
    check "fuzz_$h: a seed corpus (tests/fuzz/corpus/$h)" '[ $n -ge 5 ]'
done
run "$B/tests/replay_csv" "$ROOT/tests/fuzz/corpus/csv/no-such-seed"
check "a seed that cannot be read fails" '[ $rc -ne 0 ] && err_has "cannot read"'
finish
