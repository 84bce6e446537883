#!/bin/sh
# tests/cli_predict_speed.sh - predict and eval give the same bytes whatever
# the speed settings.
#
# predict reads lines ahead, sorts them by length into batches of --batch,
# splits each batch across --threads workers, and flushes whenever its input
# would block; every product of that path is batch-invariant (mm_rows,
# OpenBLAS on fixed-shape blocks), so a line's probabilities do not depend
# on which lines share its batch.  Checked here for LSTM/GRU/SimpleRNN, one
# and two directions, masked and unmasked (pre- and post-padding), pooling
# last/max/mean/attention, a dense layer, softmax, and an ensemble: --threads 1/2/3,
# --batch 1/7/1000, a file vs the same lines through a pipe fed in bursts
# (flushes at other places), and eval's figures for --threads and --batch.
# That the probabilities equal the full fp32 path (embedding, then BLAS)
# within 1e-5 is checked by tests/test_model.c (test_infer_invariance).
CLI_NAME=predict-speed CLI_TIMEOUT=120 . tests/harness.sh

cp -r "$D" data
D=data
Z="$D/hotel_zh.train.csv"
E="$D/movies_en.train.csv"
M3="$D/tweets3.train.csv"
TINY="--hidden 10 --maxlen 24 --epochs 1 --batch 16 --quiet --threads 2"

# name, data, options: one model per family of the inference path
go lstm_pre "$S" train "$Z" --embed "$D/zh_vectors.txt" --freeze $TINY --seed 1 -o lstm_pre.ssm
go gru_bidir_mask "$S" train "$Z" --embed "$D/zh_vectors.txt" --cell gru --bidirectional --mask --pool max \
    --dense 6 $TINY --seed 2 -o gru_bidir_mask.ssm
go rnn_post_mean "$S" train "$E" --embed-dim 12 --cell rnn --pool mean --padding post --truncating post \
    $TINY --seed 3 -o rnn_post_mean.ssm
go lstm_bidir_last "$S" train "$M3" --embed-dim 12 --bidirectional --layers 1 $TINY --seed 4 -o lstm_bidir_last.ssm
go gru_mask_mean "$S" train "$E" --embed-dim 12 --cell gru --mask --pool mean $TINY --seed 5 -o gru_mask_mean.ssm
go gru_bidir_attention "$S" train "$E" --embed-dim 12 --cell gru --bidirectional --mask --pool attention $TINY --seed 8 \
    -o gru_bidir_attention.ssm
go vocab "$S" vocab "$Z" --dict "$D/zh_dict.txt" --min-count 2 -o base.ssm
go member1 "$S" train "$Z" --from base.ssm $TINY --seed 6 -o member1.ssm
go member2 "$S" train "$Z" --from base.ssm --cell gru --bidirectional --mask $TINY --seed 7 -o member2.ssm
go ensemble "$S" ensemble -q member1.ssm member2.ssm -o ensemble.ssm

# texts: the test set's and the training set's (different lengths, repeats,
# more lines than one batch), one per line
texts() { tail -n +2 "$1" | cut -d, -f2-; tail -n +2 "$2" | cut -d, -f2-; }
texts "$D/hotel_zh.test.csv" "$Z" >zh.txt
texts "$D/movies_en.test.csv" "$E" >en.txt
texts "$D/tweets3.test.csv" "$M3" >tw.txt

# burst FILE: the lines with pauses, so predict flushes after line 1, 10 and 100
burst() {
    sed -n 1p "$1"; sleep 0.3
    sed -n 2,10p "$1"; sleep 0.3
    sed -n 11,100p "$1"; sleep 0.3
    sed -n '101,$p' "$1"
}

# same_out MODEL TEXTS EVALDATA [predict options]
same_out() {
    _m=$1; _x=$2; _e=$3; shift 3
    go "$_m predict --threads 1" "$S" predict -m "$_m.ssm" --all --threads 1 "$@" "$_x"; cp "$T/out" ref.tsv
    check "$_m: one line of output per input line" '[ "$(lines ref.tsv)" = "$(lines "$_x")" ]'
    for v in "--threads 2" "--threads 3" "--batch 1" "--batch 7 --threads 3" "--batch 1000 --threads 2"; do
        [ -n "$QUICK" ] && [ "$v" != "--batch 7 --threads 3" ] && continue
        run "$S" predict -m "$_m.ssm" --all $v "$@" "$_x"
        check "$_m predict $v: the bytes of --threads 1" '[ "$rc" -eq 0 ] && cmp -s "$T/out" ref.tsv'
    done
    burst "$_x" | $TO "$S" predict -m "$_m.ssm" --all --batch 7 "$@" - >"$T/out" 2>"$T/err"; rc=$?
    check "$_m predict, input through a pipe in bursts: the bytes of the file" '[ "$rc" -eq 0 ] && cmp -s "$T/out" ref.tsv'
    go "$_m eval --threads 1" "$S" eval -m "$_m.ssm" --json --threads 1 "$_e"; cp "$T/out" ref.json
    run "$S" eval -m "$_m.ssm" --json --threads 3 --batch 5 "$_e"
    check "$_m eval --threads 3 --batch 5: the bytes of --threads 1" '[ "$rc" -eq 0 ] && cmp -s "$T/out" ref.json'
}

same_out lstm_pre zh.txt "$D/hotel_zh.test.csv"
same_out gru_bidir_mask zh.txt "$D/hotel_zh.test.csv"
same_out rnn_post_mean en.txt "$D/movies_en.test.csv"
same_out lstm_bidir_last tw.txt "$D/tweets3.test.csv"
same_out gru_mask_mean en.txt "$D/movies_en.test.csv"
same_out gru_bidir_attention en.txt "$D/movies_en.test.csv"
same_out ensemble zh.txt "$D/hotel_zh.test.csv"

# a line's result does not depend on the others: each line alone == in the file
head -n 12 zh.txt >twelve.txt
: >alone.tsv
while IFS= read -r line; do
    printf '%s\n' "$line" | "$S" predict -m lstm_pre.ssm --all - >>alone.tsv
done <twelve.txt
run "$S" predict -m lstm_pre.ssm --all twelve.txt
check "lstm_pre: each line predicted alone gives its line of the whole file" 'cmp -s "$T/out" alone.tsv'

# predict's memory does not grow with its input: the texts 1 and 40 times
# over (about 1,200 and 48,000 lines: once every word has its lookup-table
# row, nothing more is kept); peak RSS of each run (python3's getrusage)
if command -v python3 >/dev/null 2>&1 && [ -z "$QUICK" ]; then
    : >x40.txt
    for i in $(seq 40); do cat zh.txt >>x40.txt; done
    peak() {   # peak KB of: seqsent predict -m $1 < $2 > /dev/null
        python3 -c 'import resource, subprocess, sys
with open(sys.argv[3]) as f:
    r = subprocess.run([sys.argv[1], "predict", "-m", sys.argv[2]], stdin=f, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if r.returncode == 0 else -1)' "$S" "$1" "$2"
    }
    p1=$(peak gru_bidir_mask.ssm zh.txt); p40=$(peak gru_bidir_mask.ssm x40.txt)
    why="peak RSS $p1 KB for $(lines zh.txt) lines, $p40 KB for $(lines x40.txt)"
    check "predict: peak memory the same for 40 times the input (within 2 MB)" \
        '[ "$p1" -gt 0 ] && [ "$p40" -gt 0 ] && [ "$p40" -le $((p1 + 2048)) ]'
fi
finish
