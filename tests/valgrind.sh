#!/bin/sh
# tests/valgrind.sh - memory errors and definite leaks under valgrind.
#
#   sh tests/valgrind.sh [TEST_BINARY...]        (make check-valgrind)
#
# Runs every unit-test binary given as an argument, then a small vocab /
# embed / train / predict / eval / info / tokenize run of $SEQSENT (default
# ./seqsent) on the bundled data, each under
#   valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
# A run passes when valgrind reports no errors (ERROR SUMMARY: 0 errors, so no
# invalid access, no use of uninitialised memory and no definite leak) and
# the command exits as expected.  Prints "ok - ..." / "FAIL - ..." per run
# and ends with "N passed, N failed" (exit 1 on any failure).

cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
S=${SEQSENT:-$ROOT/seqsent}
D=$ROOT/tests/data
if ! command -v valgrind >/dev/null 2>&1; then
    echo "FAIL - valgrind is not installed (apt-get install valgrind)"
    echo "0 passed, 1 failed"
    exit 1
fi
if [ ! -x "$S" ]; then
    echo "FAIL - $S is not built (run make first)"
    echo "0 passed, 1 failed"
    exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/seqsent-valgrind.XXXXXX") || exit 1
cleanup() { if [ -n "$KEEP_TMP" ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

VG="valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --track-origins=yes --num-callers=30"
TO=
command -v timeout >/dev/null 2>&1 && TO="timeout 900"
passed=0
failed=0
n=0

# vg WANT_RC DESC CMD...: run CMD under valgrind (stdin /dev/null, stdout to
# $T/out.N); pass if it exits WANT_RC and valgrind found nothing.
vg() {
    want=$1; desc=$2; shift 2
    n=$((n + 1))
    log=$T/vg.$n.log
    # shellcheck disable=SC2086
    (cd "$T" && $TO $VG --log-file="$log" "$@" </dev/null >"$T/out.$n" 2>"$T/err.$n")
    rc=$?
    if grep -q "ERROR SUMMARY: 0 errors" "$log" 2>/dev/null && [ "$rc" -eq "$want" ]; then
        passed=$((passed + 1))
        echo "ok - $desc"
    else
        failed=$((failed + 1))
        echo "FAIL - $desc (exit $rc, expected $want)"
        grep -E "ERROR SUMMARY|definitely lost|Invalid|uninitialised|Mismatched|overlap" "$log" 2>/dev/null | head -n 8 | sed 's/^/    | /'
        echo "    valgrind log:"
        grep -v "^==[0-9]*== *$" "$log" 2>/dev/null | head -n 60 | sed 's/^/    | /'
        echo "    stderr:"; head -n 5 "$T/err.$n" | sed 's/^/    | /'
    fi
}

echo "# valgrind runs in $T"
for t in "$@"; do
    case $t in /*) ;; *) t=$ROOT/$t ;; esac
    vg 0 "unit tests $(basename "$t")" "$t"
done

SMALL="--embed-dim 8 --hidden 8 --layers 1 --maxlen 12 --batch 16 --threads 1 --quiet"
printf 'label,text\n1,good film\n0,"never closed\n' >"$T/bad.csv"
head -n 120 "$D/movies_en.train.csv" >"$T/train.csv"
head -n 60 "$D/hotel_zh.train.csv" >"$T/zh.csv"
vg 0 "seqsent vocab" "$S" vocab "$T/train.csv" -o base.ssm
vg 0 "seqsent tokenize --dict (Chinese segmentation)" "$S" tokenize --dict "$D/zh_dict.txt" "$D/reviews_zh.txt"
vg 0 "seqsent embed (word2vec text)" "$S" embed --quiet "$T/base.ssm" "$D/zh_vectors.txt" -o emb.ssm
vg 0 "seqsent train (small LSTM, 2 epochs)" "$S" train "$T/train.csv" $SMALL --epochs 2 -o en.ssm
vg 0 "seqsent train --embed --freeze --val-split (zh)" "$S" train "$T/zh.csv" --embed "$D/zh_vectors.txt" --freeze \
    --hidden 8 --layers 1 --maxlen 12 --epochs 1 --threads 1 --quiet --val-split 0.2 -o zh.ssm
vg 0 "seqsent train --threads 2 (worker threads)" "$S" train "$T/train.csv" --embed-dim 8 --hidden 8 --layers 1 \
    --maxlen 12 --batch 16 --epochs 1 --threads 2 --quiet -o en2.ssm
vg 0 "seqsent predict" "$S" predict -m "$T/en.ssm" "$D/reviews_en.txt"
pred_out=$T/out.$n
vg 0 "seqsent predict --threads 2 --batch 3 --all" "$S" predict -m "$T/en.ssm" --threads 2 --batch 3 --all "$D/reviews_en.txt"
vg 0 "seqsent eval --json" "$S" eval -m "$T/en.ssm" --json --threads 1 "$D/movies_en.test.csv"
vg 0 "seqsent predict (zh model, dictionary from the file)" "$S" predict -m "$T/zh.ssm" "$D/reviews_zh.txt"
vg 0 "seqsent info --tensors" "$S" info --tensors "$T/en.ssm"
vg 0 "seqsent vectors (word2vec, 2 threads, binary)" "$S" vectors "$T/train.csv" --min-count 1 --dim 8 --epochs 2 \
    --threads 2 --binary --quiet -o w2v.bin
vg 0 "seqsent embed (word2vec binary)" "$S" embed --quiet "$T/base.ssm" "$T/w2v.bin" -o embbin.ssm
vg 0 "seqsent train --ema --word-dropout" "$S" train "$T/train.csv" --from "$T/base.ssm" $SMALL --epochs 2 --ema 0.9 \
    --word-dropout 0.1 --seed 2 -o en2.ssm
vg 0 "seqsent train (second member, GRU)" "$S" train "$T/train.csv" --from "$T/base.ssm" $SMALL --epochs 1 --cell gru -o en3.ssm
vg 0 "seqsent ensemble" "$S" ensemble --quiet "$T/en2.ssm" "$T/en3.ssm" -o ens.ssm
vg 0 "seqsent predict (ensemble)" "$S" predict -m "$T/ens.ssm" "$D/reviews_en.txt"
vg 1 "seqsent train on a bad CSV (error path)" "$S" train "$T/bad.csv" $SMALL -o bad.ssm
vg 1 "seqsent predict with a missing model (error path)" "$S" predict -m "$T/missing.ssm" "$D/reviews_en.txt"
if [ -s "$pred_out" ] && [ "$(wc -l <"$pred_out")" -eq "$(wc -l <"$D/reviews_en.txt")" ]; then
    passed=$((passed + 1)); echo "ok - predict under valgrind printed one line per input line"
else
    failed=$((failed + 1)); echo "FAIL - predict under valgrind printed one line per input line"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
