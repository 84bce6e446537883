#!/bin/sh
# The recipe's table, extended: test accuracy of frozen-random, trainable and
# frozen-pretrained embeddings for LSTM, GRU and bidirectional LSTM on
# ChnSentiCorp (../shared), 2 layers x 128, maxlen 100, 5 epochs, batch 32,
# Adam 1e-3 -- plus the best configurations found for ChnSentiCorp and mr.
# Every cell is the mean over SEEDS (default 1 2 3) with the range beside it;
# the best configurations pick their epoch by early stopping on a 10%
# validation split of the training file (never the test set).
# Writes the Markdown tables to stdout, progress on stderr, one line per run
# to OUTDIR/runs.tsv (table, row, column, seed, accuracy).
#
#   sh scripts/experiments.sh [OUTDIR] > table.md
#   SEEDS="1" sh scripts/experiments.sh        # one seed: about a third of the time
set -e
cd "$(dirname "$0")/.."
[ -x ./seqsent ] || make -s seqsent
S=./seqsent
SHARED=${SHARED:-../shared}
DATA=$SHARED/data
VEC=$SHARED/vectors/sgns.zh-reviews.word.300d.vec.gz
OUT=${1:-build/experiments}
SEEDS=${SEEDS:-1 2 3}
mkdir -p "$OUT"
for f in "$DATA/chnsenticorp.train.csv" "$DATA/mr.train.csv" "$VEC"; do
    [ -r "$f" ] || { echo "experiments: $f not found (set SHARED=...)" >&2; exit 1; }
done
: > "$OUT/runs.tsv"

acc() {   # acc MODEL TESTFILE -> accuracy in percent, 2 decimals
    $S eval --json -m "$1" "$2" | sed -E 's/.*"accuracy":([0-9.eE+-]+).*/\1/' |
        awk '{ printf "%.2f", $1 * 100 }'
}

# cell TABLE ROW COLUMN TESTFILE TRAINFILE [train options...]: train once per
# seed, print "mean% (min–max)" (just "acc%" for one seed)
cell() {
    _t=$1 _r=$2 _c=$3 _test=$4 _train=$5
    shift 5
    _accs=
    for seed in $SEEDS; do
        echo "experiments: $_t / $_r / $_c / seed $seed" >&2
        _m="$OUT/$_t.$_r.$_c.$seed.ssm"
        $S train "$_train" "$@" --seed "$seed" --quiet -o "$_m"
        _a=$(acc "$_m" "$_test")
        printf '%s\t%s\t%s\t%s\t%s\n' "$_t" "$_r" "$_c" "$seed" "$_a" >> "$OUT/runs.tsv"
        _accs="$_accs $_a"
        du -h "$_m" | cut -f1 > "$OUT/size.last"
        rm -f "$_m"
    done
    echo "$_accs" | awk '{ s = 0; lo = 1e9; hi = -1e9
        for (i = 1; i <= NF; i++) { s += $i; if ($i < lo) lo = $i; if ($i > hi) hi = $i }
        if (NF == 1) printf "%.1f%%", s; else printf "%.1f%% (%.1f–%.1f)", s / NF, lo, hi }'
}

# One base per tokenisation: the vectors' words are the segmentation
# dictionary in every Chinese run, so only the embedding differs.
$S vocab "$DATA/chnsenticorp.train.csv" --dict-vectors "$VEC" -o "$OUT/zh.base.ssm" 2>/dev/null
$S embed "$OUT/zh.base.ssm" "$VEC" -o "$OUT/zh.vec.ssm" --quiet

ZTR=$DATA/chnsenticorp.train.csv
ZTE=$DATA/chnsenticorp.test.csv
NSEEDS=$(echo $SEEDS | wc -w)
echo "| model | frozen random | trainable random | frozen pretrained |"
echo "|---|---|---|---|"
for arch in "LSTM::" "GRU::--cell gru" "BiLSTM::--bidirectional"; do
    name=${arch%%::*}; opts=${arch#*::}
    row="| $name"
    for mode in frozen-random trainable frozen-pretrained; do
        case $mode in
            frozen-random) base=zh.base.ssm; extra=--freeze ;;
            trainable) base=zh.base.ssm; extra= ;;
            frozen-pretrained) base=zh.vec.ssm; extra=--freeze ;;
        esac
        # shellcheck disable=SC2086
        row="$row | $(cell table "$name" "$mode" "$ZTE" "$ZTR" --from "$OUT/$base" $extra $opts --maxlen 100 --epochs 5)"
    done
    echo "$row |"
done
echo
echo "ChnSentiCorp test accuracy, mean of $NSEEDS seed(s) ($SEEDS; range in brackets), 2 x 128 units,"
echo "maxlen 100, pre-padding, all steps computed, 5 epochs, batch 32, Adam 1e-3; segmentation by the"
echo "vectors' vocabulary in every column."
echo

# Best configurations (found by validation accuracy over seeds; the epoch by
# early stopping on the validation split).
ZH_BEST=${ZH_BEST:---cell gru --bidirectional --mask --bucket --dropout 0.3 --maxlen 150 --epochs 15 --early-stop 3 --val-split 0.1}
MR_BEST=${MR_BEST:---bidirectional --mask --bucket --dropout 0.5 --embed-dim 100 --hidden 64 --layers 1 --batch 64 --lr 0.002 --maxlen 50 --epochs 10 --early-stop 2 --val-split 0.1}
echo "| best configuration | data | test accuracy | model size |"
echo "|---|---|---|---|"
# shellcheck disable=SC2086
z=$(cell best zh best "$ZTE" "$ZTR" --from "$OUT/zh.vec.ssm" $ZH_BEST)
zs=$(cat "$OUT/size.last")
# shellcheck disable=SC2086
m=$(cell best mr best "$DATA/mr.test.csv" "$DATA/mr.train.csv" $MR_BEST)
ms=$(cat "$OUT/size.last")
echo "| \`train chnsenticorp.train.csv --from zh.vec.ssm $ZH_BEST\` (zh.vec.ssm: vocab + embed of the sgns vectors) | ChnSentiCorp | $z | $zs |"
echo "| \`train mr.train.csv $MR_BEST\` | mr | $m | $ms |"
echo
echo "Mean of $NSEEDS seed(s) ($SEEDS; range in brackets)."
